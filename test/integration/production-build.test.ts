import { expect } from 'chai';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createVhost, eventually, type TestVhost } from '../support/broker.js';
import { freePort } from '../support/net.js';
import { childLogEnv, logChild } from '../support/hub-logs.js';
import { repoRoot } from '../support/run-cli.js';

/** This environment without the variables an outer `npm test` sets (npm_*) or a developer's HUB_*. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('npm_') && !name.startsWith('HUB_')) env[name] = value;
  }
  return { ...env, ...extra };
}

/** Runs a command to its end; rejects with its output when it fails. */
async function run(command: string, args: string[], cwd: string): Promise<string> {
  // not a hub process: npm and the build (their output is returned to the test)
  const child = spawn(command, args, { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${String(code)}:\n${output}`);
  return output;
}

/** `hub <args>` in `cwd` (its own pinned Node.js when installed there), to its exit code and output. */
async function hubExit(
  cwd: string,
  args: string[],
): Promise<{ code: number | null; output: string }> {
  const pinned = join(cwd, 'node_modules', '.bin', 'node');
  const child = spawn(existsSync(pinned) ? pinned : process.execPath, ['bin/hub.js', ...args], {
    cwd,
    env: cleanEnv({ ...childLogEnv }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  logChild(child, `hub ${args[0] ?? ''}`);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

async function readyzStatus(port: number): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${String(port)}/readyz`)).status;
  } catch {
    return 0;
  }
}

/**
 * Issue 14 item 7: production runs compiled JavaScript. One slow test: a clean copy of the working tree
 * is built (`npm run build`, with the repository's development install standing in for `npm ci`, the
 * same lockfile), then a second copy holding only what a deployment ships — package.json, the lockfile,
 * bin/, dist/ and flows/ — gets the production dependencies alone (`npm ci --omit=dev`) and must start.
 */
describe('production build (npm run build, then npm ci --omit=dev)', function () {
  this.timeout(900_000);
  let vhost: TestVhost;
  let work: string;
  let hub: ChildProcess | undefined;

  before(async () => {
    vhost = await createVhost('hub-dist');
    work = mkdtempSync(join(tmpdir(), 'hub-dist-'));
  });

  after(async () => {
    if (hub?.pid !== undefined && hub.exitCode === null && hub.signalCode === null) {
      process.kill(-hub.pid, 'SIGKILL');
    }
    await vhost.delete();
    rmSync(work, { recursive: true, force: true });
  });

  it('starts from dist/ with no tsx installed and answers /readyz 200; its log names dist, host, pid and replica', async () => {
    // A clean copy: the files git would commit (tracked or new, not ignored): no dist/, data/ or node_modules.
    const clone = join(work, 'clone');
    // not a hub process: git lists the files to copy
    const files = execFileSync(
      'git',
      ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
      { cwd: repoRoot, encoding: 'utf8' },
    )
      .split('\0')
      .filter((file) => file !== '' && existsSync(join(repoRoot, file)));
    for (const file of files) {
      mkdirSync(dirname(join(clone, file)), { recursive: true });
      cpSync(join(repoRoot, file), join(clone, file));
    }
    symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules'));
    await run('npm', ['run', 'build'], clone);
    // `hub bench` from the build of a checkout still finds the benchmarks beside the sources (the
    // unknown name is refused by bench/run.ts itself, so nothing is measured).
    const benchInCheckout = await hubExit(clone, ['bench', '--only=no-such-bench']);
    expect(benchInCheckout.code, benchInCheckout.output).to.equal(2);
    expect(benchInCheckout.output).to.include('unknown benchmark "no-such-bench"');

    const production = join(work, 'production');
    for (const part of ['package.json', 'package-lock.json', '.npmrc', 'bin', 'dist', 'flows']) {
      if (existsSync(join(clone, part))) {
        cpSync(join(clone, part), join(production, part), { recursive: true });
      }
    }
    await run(
      'npm',
      ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'],
      production,
    );
    // (typescript may be there: Node-RED's i18next names it as an optional peer, which npm installs.)
    for (const devOnly of ['tsx', 'esbuild', 'mocha']) {
      expect(existsSync(join(production, 'node_modules', devOnly)), devOnly).to.equal(false);
    }
    // A deployment has no benchmarks: `hub bench` says so, in both languages, instead of a stack.
    const benchInProduction = await hubExit(production, ['bench', '--quick']);
    expect(benchInProduction.code, benchInProduction.output).to.equal(2);
    expect(benchInProduction.output).to.include('development checkout');
    expect(benchInProduction.output).to.include('開発用のチェックアウト');
    expect(benchInProduction.output).not.to.include('ERR_MODULE_NOT_FOUND');

    const port = await freePort();
    const pinned = join(production, 'node_modules', '.bin', 'node');
    hub = spawn(existsSync(pinned) ? pinned : process.execPath, ['bin/hub.js', 'start'], {
      cwd: production,
      env: cleanEnv({
        HUB_AMQP_URL: vhost.url,
        HUB_HTTP_PORT: String(port),
        HUB_DATA_DIR: join(work, 'data'),
        ...childLogEnv,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    logChild(hub, 'production hub start');
    let output = '';
    hub.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    hub.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const running = hub;
    await eventually(
      async () => {
        if (running.exitCode !== null) {
          throw new Error(`the hub exited ${String(running.exitCode)}:\n${output}`);
        }
        return (await readyzStatus(port)) === 200;
      },
      120_000,
      '/readyz 200',
    );
    await eventually(() => output.includes('hub started'), 30_000, 'the started line');
    const line = output.split('\n').find((candidate) => candidate.includes('hub started')) ?? '';
    const started = JSON.parse(line) as Record<string, unknown>;
    expect(started).to.include({
      code: 'dist',
      hostname: hostname(),
      pid: hub.pid,
      replica: `${hostname()}-${String(hub.pid)}`,
    });
    expect(Number(/^v(\d+)\./.exec(String(started['node']))?.[1])).to.be.at.least(24);

    const exited = once(hub, 'exit');
    if (hub.pid !== undefined) process.kill(-hub.pid, 'SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).to.equal(0);
  });
});

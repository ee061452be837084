import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchVhost, compiledBuild, median, repoRoot, until, type BenchResult } from './support.js';
import { freePort } from '../test/support/net.js';

/** Milliseconds from spawning `hub start` until /readyz answers 200. */
async function hubStart(url: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['bin/hub.js', 'start'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      HUB_AMQP_URL: url,
      HUB_HTTP_PORT: String(port),
      HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-bench-start-')),
      HUB_SIMULATORS: 'off',
      HUB_LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  try {
    await until(
      async () => {
        try {
          return (await fetch(`http://127.0.0.1:${String(port)}/readyz`)).status === 200;
        } catch {
          return false;
        }
      },
      60_000,
      '/readyz',
    );
    return performance.now() - started;
  } finally {
    child.kill('SIGKILL');
  }
}

/** Milliseconds for the floor: Node starting and loading TypeScript through tsx, doing nothing. */
async function bareStart(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', '0'], {
    cwd: repoRoot,
    stdio: 'ignore',
  });
  await new Promise((resolve) => child.once('exit', resolve));
  return performance.now() - started;
}

/** Milliseconds for the floor of the compiled build: Node starting, doing nothing. */
async function bareNodeStart(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', '0'], { cwd: repoRoot, stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return performance.now() - started;
}

/**
 * Hub start to ready, alternated with its floor: from the TypeScript sources (a development
 * checkout, against node + tsx) and — in a full run — from the compiled build that production runs
 * (`npm run build`; bin/hub.js takes dist/ when it matches the sources), against bare node. The
 * build is made for the measurement and removed again when there was none before.
 */
export async function startBench(options: { quick: boolean }): Promise<BenchResult[]> {
  const rounds = options.quick ? 1 : 5;
  const vhost = await benchVhost();
  const hadDist = existsSync(join(repoRoot, 'dist'));
  let build: ReturnType<typeof compiledBuild> | undefined;
  try {
    const results: BenchResult[] = [];
    if (!hadDist) {
      const sources: number[] = [];
      const bare: number[] = [];
      for (let round = 0; round < rounds; round += 1) {
        sources.push(await hubStart(vhost.url));
        bare.push(await bareStart());
      }
      results.push({
        name: `hub start to ready from the sources (${String(rounds)} rounds, fresh SQLite store, simulators off)`,
        hub: `${(median(sources) / 1000).toFixed(2)} s`,
        baseline: `${(median(bare) / 1000).toFixed(2)} s (node + tsx, empty script)`,
        ratio: `${(median(sources) / median(bare)).toFixed(2)}×`,
        target: '≤ 3 s (development)',
        met: median(sources) <= 3000,
      });
    }
    if (options.quick && !hadDist) return results;
    build = compiledBuild();
    const compiled: number[] = [];
    const bareNode: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      compiled.push(await hubStart(vhost.url));
      bareNode.push(await bareNodeStart());
    }
    results.push({
      name: `hub start to ready from the compiled build (${String(rounds)} rounds, fresh SQLite store, simulators off)`,
      hub: `${(median(compiled) / 1000).toFixed(2)} s`,
      baseline: `${(median(bareNode) / 1000).toFixed(2)} s (node, empty script)`,
      ratio: `${(median(compiled) / median(bareNode)).toFixed(2)}×`,
      target: '≤ 1.5 s',
      met: median(compiled) <= 1500,
    });
    return results;
  } finally {
    build?.remove();
    await vhost.remove();
  }
}

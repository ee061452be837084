import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVhost, eventually, type TestVhost } from '../support/broker.js';
import { createTestDatabase, mysqlDatabaseExists, type TestDatabase } from '../support/db.js';
import { childLogEnv, logChild } from '../support/hub-logs.js';
import { repoRoot } from '../support/run-cli.js';
import { simSystems } from '../../connectors/index.js';
import { freePort } from '../support/net.js';
import { startScript } from '../support/start-script.js';

/** Runs what `npm start` runs (see test/support/start-script.ts), in a fresh data directory. */
function npmStart(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const script = startScript();
  // `node` is the Node.js npm scripts use (node_modules/.bin first on PATH), the one running this test.
  const child = spawn(process.execPath, [...script.nodeFlags, ...script.args], {
    cwd: repoRoot,
    env: { ...process.env, ...script.env, ...env, ...childLogEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  logChild(child, 'npm start');
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** The JSON log line holding `text`. */
function logLine(output: string, text: string): Record<string, unknown> {
  const line = output.split('\n').find((candidate) => candidate.includes(text));
  expect(line, text).to.be.a('string');
  return JSON.parse(line ?? '') as Record<string, unknown>;
}

const nodeRedVersion = (
  createRequire(import.meta.url)('node-red/package.json') as { version: string }
).version;

async function readyz(port: number): Promise<{ status: number; body: unknown }> {
  try {
    const response = await fetch(`http://127.0.0.1:${String(port)}/readyz`);
    return { status: response.status, body: await response.json() };
  } catch {
    return { status: 0, body: undefined };
  }
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

describe('npm start (the quick start)', function () {
  this.timeout(120_000);

  it('is `node bin/hub.js start`, which needs no build step', () => {
    // Node options may come first (a V8 heap setting), and the C library's memory tuning before
    // them; no hub setting hides in the script (defaults belong to the configuration).
    const script = startScript();
    expect(script.args).to.deep.equal(['bin/hub.js', 'start']);
    for (const flag of script.nodeFlags) expect(flag).to.match(/^--[a-z-]+=\S+$/);
    expect(Object.keys(script.env)).to.deep.equal(['MALLOC_ARENA_MAX']);
  });

  let vhost: TestVhost;
  const databases: TestDatabase[] = [];
  const children: ChildProcess[] = [];

  before(async () => {
    vhost = await createVhost('hub-start');
  });

  after(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    for (const database of databases) await database.drop();
    await vhost.delete();
  });

  it('answers /readyz 200 on SQLite with no other set-up, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-start-'));
    const { child, output } = npmStart({
      HUB_AMQP_URL: vhost.url,
      HUB_HTTP_PORT: String(port),
      HUB_DATA_DIR: dataDir,
    });
    children.push(child);
    await eventually(
      async () => (await readyz(port)).status === 200,
      90_000,
      `/readyz 200; output: ${output()}`,
    );
    // The CLI logs its URLs once startHub has returned and its signal handlers are in place.
    await eventually(() => output().includes('hub started'), 30_000, 'the started line');
    const { body } = await readyz(port);
    expect(JSON.stringify(body)).to.include('sqlite');
    expect(output()).to.include('demo mode: created a local secret key');
    expect(output()).to.include(`http://127.0.0.1:${String(port)}/readyz`);
    // The started line names the runtime, and every line which host, process and replica wrote it.
    const started = logLine(output(), 'hub started');
    expect(started).to.include({
      node: process.version,
      nodeRed: nodeRedVersion,
      hostname: hostname(),
      pid: child.pid,
      replica: `${hostname()}-${String(child.pid)}`,
    });
    expect(started['msg']).to.include(`Node.js ${process.version} · Node-RED ${nodeRedVersion}`);
    // Demo mode: every external system's simulator is running and answers on its port.
    const running = output()
      .split('\n')
      .filter((line) => line.includes('"msg":"simulator running"'));
    expect(running).to.have.length(simSystems.length);
    for (const line of running) {
      const { url } = JSON.parse(line) as { url: string };
      expect((await fetch(`${url}/received`)).status, url).to.equal(200);
    }
    // Health is open; everything else needs a user or a system token.
    expect((await fetch(`http://127.0.0.1:${String(port)}/healthz`)).status).to.equal(200);
    expect((await fetch(`http://127.0.0.1:${String(port)}/metrics`)).status).to.equal(401);
    expect(await stop(child)).to.equal(0);
  });

  it('answers /readyz 200 on MariaDB, creating the database if it is missing', async () => {
    const database = await createTestDatabase('mysql');
    databases.push(database);
    const name = new URL(database.url).pathname.slice(1);
    expect(await mysqlDatabaseExists(name)).to.equal(false);
    const port = await freePort();
    const { child, output } = npmStart({
      HUB_AMQP_URL: vhost.url,
      HUB_HTTP_PORT: String(port),
      HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-start-')),
      HUB_DB_URL: database.url,
      HUB_REPLICA_ID: 'hub-b',
    });
    children.push(child);
    await eventually(
      async () => (await readyz(port)).status === 200,
      90_000,
      `/readyz 200; output: ${output()}`,
    );
    // The CLI logs its URLs once startHub has returned and its signal handlers are in place.
    await eventually(() => output().includes('hub started'), 30_000, 'the started line');
    expect(JSON.stringify((await readyz(port)).body)).to.include('mysql');
    expect(logLine(output(), 'hub started')).to.include({ replica: 'hub-b', pid: child.pid });
    expect(await mysqlDatabaseExists(name)).to.equal(true);
    expect(await stop(child)).to.equal(0);
  });

  it('refuses an unreachable broker with one line naming where it tried and how to start one', async () => {
    const { child, output } = npmStart({
      HUB_AMQP_URL: 'amqp://guest:Pw-7c1e9@127.0.0.1:1',
      HUB_HTTP_PORT: String(await freePort()),
      HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-start-')),
    });
    children.push(child);
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).to.not.equal(0);
    expect(output()).to.include('amqp://guest:***@127.0.0.1:1');
    expect(output()).to.include('rabbitmq-server -detached');
    expect(output()).to.not.include('Pw-7c1e9');
  });
});

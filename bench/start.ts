import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchVhost, median, until, type BenchResult } from './support.js';
import { freePort } from '../test/support/net.js';

const root = fileURLToPath(new URL('../', import.meta.url));

/** Milliseconds from spawning `hub start` until /readyz answers 200. */
async function hubStart(url: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['bin/hub.js', 'start'], {
    cwd: root,
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
    cwd: root,
    stdio: 'ignore',
  });
  await new Promise((resolve) => child.once('exit', resolve));
  return performance.now() - started;
}

/** Hub start to ready, against the floor of a bare Node+tsx start, alternated. */
export async function startBench(options: { quick: boolean }): Promise<BenchResult> {
  const rounds = options.quick ? 1 : 5;
  const vhost = await benchVhost();
  try {
    const hub: number[] = [];
    const bare: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      hub.push(await hubStart(vhost.url));
      bare.push(await bareStart());
    }
    return {
      name: `hub start to ready (${String(rounds)} rounds, fresh SQLite store, simulators off)`,
      hub: `${(median(hub) / 1000).toFixed(2)} s`,
      baseline: `${(median(bare) / 1000).toFixed(2)} s (node + tsx, empty script)`,
      ratio: `${(median(hub) / median(bare)).toFixed(2)}×`,
      target: '≤ 3 s',
      met: median(hub) <= 3000,
    };
  } finally {
    await vhost.remove();
  }
}

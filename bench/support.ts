import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Chart } from './chart.js';

const run = promisify(execFile);

/** The broker the benchmarks use (the local RabbitMQ by default). */
export const baseAmqpUrl = process.env['HUB_BENCH_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';

/** A throw-away vhost for one benchmark run. */
export async function benchVhost(): Promise<{
  name: string;
  url: string;
  remove(): Promise<void>;
}> {
  const name = `hub-bench-${randomUUID().slice(0, 8)}`;
  await run('rabbitmqctl', ['-q', 'add_vhost', name]);
  await run('rabbitmqctl', ['-q', 'set_permissions', '-p', name, 'guest', '.*', '.*', '.*']);
  const url = new URL(baseAmqpUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return {
    name,
    url: url.toString(),
    async remove() {
      await run('rabbitmqctl', ['-q', 'delete_vhost', name]).catch(() => undefined);
    },
  };
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** A percentile (0–100) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? 0;
}

/** Waits until `check` is true (polling), or throws after `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** One result line of a benchmark, printed and collected for docs/benchmarks.md. */
export interface BenchResult {
  readonly name: string;
  readonly hub: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
  readonly met: boolean | undefined;
  /** Charts drawn from this result's numbers (written under docs/ by a full run). */
  readonly charts?: readonly Chart[];
}

/** The checkout's root directory. */
export const repoRoot = fileURLToPath(new URL('../', import.meta.url));

/**
 * The compiled build that production runs (`npm run build` into dist/; bin/hub.js takes it when it
 * matches the sources), made for a measurement. `remove` takes it away again when there was none
 * before, so a benchmark leaves the checkout as it found it.
 */
export function compiledBuild(): { readonly dist: string; remove(): void } {
  const dist = join(repoRoot, 'dist');
  const hadDist = existsSync(dist);
  const built = spawnSync(process.execPath, ['bin/build.js'], { cwd: repoRoot, stdio: 'ignore' });
  if (built.status !== 0) throw new Error('npm run build failed / ビルドに失敗しました');
  return {
    dist,
    remove() {
      if (!hadDist) rmSync(dist, { recursive: true, force: true });
    },
  };
}

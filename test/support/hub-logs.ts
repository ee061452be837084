/**
 * Every log every hub process writes during a test run, in one directory that the suite's final
 * scan reads (test/support/setup.ts): the test process's own log, and one file per child process a
 * test starts (a `hub` command, `hub start`, an engine worker), which the test hands to `logChild`.
 * A registered log that is missing or empty at the end fails the run: a process whose log nobody
 * reads would otherwise pass any scan.
 */
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** All test runs' log directories. */
const allRuns = join(root, '.test-results', 'hub-logs');

/**
 * Where this run's logs go: one directory per test process, so that two mocha runs in one checkout
 * do not empty each other's (not configurable: the scan must not be pointed elsewhere).
 */
export const hubLogDir = join(allRuns, `run-${String(process.pid)}`);

/** One child process's log. */
export interface ChildLog {
  readonly label: string;
  readonly pid: number | undefined;
  readonly file: string;
}

/**
 * Shared by every copy of this module in the process: mocha loads test/support/setup.ts through its
 * `require` option and tests import it again, which can make two module instances.
 */
interface Shared {
  reset: boolean;
  readonly registered: ChildLog[];
}
const shared: Shared = ((globalThis as Record<symbol, Shared | undefined>)[
  Symbol.for('juki-hub.test.hub-logs')
] ??= { reset: false, registered: [] });
const registered = shared.registered;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Empties the directory, once per test process (a second call does nothing). */
export function resetHubLogs(): void {
  if (shared.reset) return;
  shared.reset = true;
  // Remove the directories of runs that have ended (their process is gone) and start this one empty.
  mkdirSync(allRuns, { recursive: true });
  for (const name of readdirSync(allRuns)) {
    const pid = Number(/^run-(\d+)$/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || !alive(pid))
      rmSync(join(allRuns, name), { recursive: true, force: true });
  }
  mkdirSync(hubLogDir, { recursive: true });
}

/** The environment a child hub process gets for its log: debug, whatever the caller passes. */
export const childLogEnv: Readonly<Record<string, string>> = { HUB_LOG_LEVEL: 'debug' };

/**
 * Writes everything `child` prints (stdout and stderr, where the hub logs) into its own file in
 * `hubLogDir`, and registers that file for the final scan (`only: 'stderr'` for a command whose
 * report shows a number on purpose, `--unmask`: its log is still read). Other listeners on the
 * streams are not disturbed. Returns the log's path.
 */
export function logChild(
  child: Pick<ChildProcess, 'pid' | 'stdout' | 'stderr'>,
  label: string,
  options: { only?: 'stderr' } = {},
): string {
  const safe = label.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 60);
  const file = join(hubLogDir, `${safe}-${String(child.pid ?? 'unknown')}.log`);
  mkdirSync(hubLogDir, { recursive: true });
  writeFileSync(file, '', { flag: 'a' });
  registered.push({ label, pid: child.pid, file });
  const write = (chunk: Buffer | string) => {
    appendFileSync(file, chunk);
  };
  if (options.only === undefined) child.stdout?.on('data', write);
  child.stderr?.on('data', write);
  return file;
}

/** Registers a log file a process writes itself (it must exist and be non-empty at the end). */
export function registerLog(label: string, file: string, pid?: number): void {
  registered.push({ label, pid, file });
}

/** Every registered child log so far. */
export function registeredLogs(): readonly ChildLog[] {
  return registered;
}

/** Saves what a finished child process printed (spawnSync, execFile) as its registered log. */
export function logOutput(label: string, pid: number | undefined, ...outputs: string[]): string {
  const safe = label.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 60);
  const file = join(hubLogDir, `${safe}-${String(pid ?? 'unknown')}.log`);
  mkdirSync(hubLogDir, { recursive: true });
  appendFileSync(file, outputs.join('\n'));
  registered.push({ label, pid, file });
  return file;
}

/**
 * Mocha root hooks for the whole suite. The hub's log goes to files instead of the console (the test
 * output stays readable), at debug level throughout so that every line the code can write is
 * written. At the end every log in test/support/hub-logs.ts's directory — this process's and each
 * child process's a test started — is scanned for My Numbers with the tests' own detector
 * (test/support/my-number-scan.ts, independent of hub/security). The run fails on a hit, on an empty
 * or missing log, and when a test left the hub's log level above debug.
 */
import { createWriteStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { configureLogger, logger } from '../../hub/logger.js';
import { hubLogDir, registeredLogs, resetHubLogs } from './hub-logs.js';
import { validMyNumbersIn } from './my-number-scan.js';

// The tests set every HUB_* variable they need; one from the developer's or CI's environment (a log
// level, a store, a key) would change what they check. Only the tests' own HUB_TEST_* settings stay.
for (const name of Object.keys(process.env)) {
  if (name.startsWith('HUB_') && !name.startsWith('HUB_TEST_'))
    Reflect.deleteProperty(process.env, name);
}

resetHubLogs();
/** This process's hub log. Child processes started by older tests append here too (HUB_TEST_LOG). */
export const suiteLogFile = join(hubLogDir, `mocha-${String(process.pid)}.log`);
process.env['HUB_TEST_LOG'] = suiteLogFile;
// Append mode: child processes and CLI runs may append to the same file, and a stream in 'w' mode
// would write over their lines at its own offset.
// One stream per process, even when this module is loaded twice (mocha's `require` and a test's
// import can make two instances).
const stream = ((globalThis as Record<symbol, NodeJS.WritableStream | undefined>)[
  Symbol.for('juki-hub.test.suite-log')
] ??= createWriteStream(suiteLogFile, { flags: 'a' })) as ReturnType<typeof createWriteStream>;
// Pinned: a hub a test starts in-process with its own configured level (info by default) still
// logs at debug into this file.
configureLogger({ level: 'debug', destination: stream, pinLevel: true });
// A canary through the hub's own logger at debug: if the logger were not writing this file at
// debug level, the log would stay empty and the final check fails instead of scanning nothing.
const canary = 'test run: hub log at debug';
logger().debug({ pid: process.pid }, canary);

/** Tests that left the hub's log level above debug (cannot happen while the level is pinned). */
const lowered: string[] = [];

/** Where in `file` the detector found numbers (line numbers only, never the value). */
function leaksIn(file: string): string | undefined {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const hits = lines.flatMap((line, index) =>
    validMyNumbersIn(line).length > 0 ? [index + 1] : [],
  );
  return hits.length === 0 ? undefined : `${file} lines ${hits.slice(0, 5).join(', ')}`;
}

export const mochaHooks = {
  afterEach(this: Mocha.Context): void {
    if (logger().level !== 'debug') {
      lowered.push(`${this.currentTest?.fullTitle() ?? '?'} (${logger().level})`);
      configureLogger({ level: 'debug' });
    }
  },

  async afterAll(this: Mocha.Context): Promise<void> {
    await new Promise<void>((resolve) => stream.end(resolve));
    const problems: string[] = [];
    if (!existsSync(suiteLogFile) || !readFileSync(suiteLogFile, 'utf8').includes(canary)) {
      problems.push(
        `the test process's hub log ${suiteLogFile} is missing or lacks its debug line`,
      );
    }
    for (const log of registeredLogs()) {
      if (!existsSync(log.file)) problems.push(`the log of ${log.label} is missing (${log.file})`);
      else if (statSync(log.file).size === 0)
        problems.push(`${log.label} (pid ${String(log.pid)}) wrote an empty log (${log.file})`);
    }
    if (lowered.length > 0) {
      problems.push(
        `the hub logged above debug during: ${lowered.slice(0, 5).join('; ')} (give the hub HUB_LOG_LEVEL: 'debug')`,
      );
    }
    const files = readdirSync(hubLogDir).map((name) => join(hubLogDir, name));
    const leaks = files.map(leaksIn).filter((found) => found !== undefined);
    if (leaks.length > 0) {
      problems.push(`My Number(s) in the hub's logs / ログに個人番号: ${leaks.join('; ')}`);
    }
    if (problems.length > 0) {
      throw new Error(`hub logs (${String(files.length)} files): ${problems.join(' | ')}`);
    }
  },
};

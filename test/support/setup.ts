/**
 * Mocha root hooks for the whole suite. The hub's log goes to a file instead of the console (the
 * test output stays readable), at debug level so that every line the code can write is written;
 * at the end the file is scanned for My Numbers with the same scanner the engine's policy uses,
 * and any hit fails the run.
 */
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configureLogger } from '../../hub/logger.js';
import { scanForLeaks } from '../../hub/security/mask.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** Where the suite's hub log goes; child processes started by tests append here too. */
export const suiteLogFile =
  process.env['HUB_TEST_LOG'] ?? join(root, '.test-results', 'hub-test.log');
mkdirSync(dirname(suiteLogFile), { recursive: true });
process.env['HUB_TEST_LOG'] = suiteLogFile;
// Truncate once, then append: child processes and CLI runs append to the same file, and a stream in
// 'w' mode would write over their lines at its own offset.
writeFileSync(suiteLogFile, '');
const stream = createWriteStream(suiteLogFile, { flags: 'a' });
configureLogger({ level: process.env['HUB_LOG_LEVEL'] ?? 'debug', destination: stream });

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    await new Promise<void>((resolve) => stream.end(resolve));
    const text = readFileSync(suiteLogFile, 'utf8');
    const leaks = scanForLeaks(text);
    if (leaks.length > 0) {
      const lines = leaks.slice(0, 5).map((leak) => text.slice(0, leak.index).split('\n').length);
      throw new Error(
        `the test suite's log holds ${String(leaks.length)} My Number(s) (lines ${lines.join(', ')} of ${suiteLogFile}) / ログに個人番号が含まれています`,
      );
    }
  },
};

/* global process */
// Mocha reporter for the hub: the usual `spec` output on the console, plus, when HUB_TEST_RESULTS names
// a file, a JSON summary {passed, failed, pending, tests} written there at the end of the run. .ci/run
// reads it to print its one `N passed, N failed` line from the real results.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Mocha from 'mocha';

const { EVENT_RUN_END } = Mocha.Runner.constants;

export default class HubReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const file = process.env['HUB_TEST_RESULTS'];
    if (file === undefined || file === '') return;
    runner.once(EVENT_RUN_END, () => {
      const stats = runner.stats ?? this.stats;
      const summary = {
        passed: stats.passes,
        failed: stats.failures,
        pending: stats.pending,
        tests: stats.tests,
        durationMs: stats.duration ?? null,
      };
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(summary)}\n`);
    });
  }
}

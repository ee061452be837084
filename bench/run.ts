/**
 * `npm run bench` (and `hub bench`): each benchmark runs the hub and its own baseline alternately in
 * the same process and prints the ratio. `--quick` is a smoke run for CI (no timed assertion).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { renderChart } from './chart.js';
import { configureLogger } from '../hub/logger.js';
import { bulkBench } from './bulk.js';
import { deliveryAddressBench } from './delivery-address.js';
import { kioskBench } from './kiosk.js';
import { replicasBench } from './replicas.js';
import { routeHopBench } from './route-hop.js';
import { startBench } from './start.js';
import type { BenchResult } from './support.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
// `--only=<name>` or `--only <name>` (the form `hub bench --help` shows); a bare `--only` is refused.
const onlyAt = args.indexOf('--only');
const only =
  args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length) ??
  (onlyAt === -1 ? undefined : (args[onlyAt + 1] ?? ''));

// Charts go to docs/bench/ on a full run (referenced from docs/benchmarks.md); `--chart-dir=<dir>`
// puts them elsewhere (the quick smoke run writes none unless asked).
const chartDir =
  args.find((arg) => arg.startsWith('--chart-dir='))?.slice('--chart-dir='.length) ??
  (quick ? undefined : join(import.meta.dirname, '..', 'docs', 'bench'));

const benches: Record<
  string,
  (options: { quick: boolean }) => Promise<BenchResult | readonly BenchResult[]>
> = {
  'route-hop': routeHopBench,
  start: startBench,
  kiosk: kioskBench,
  bulk: bulkBench,
  'delivery-address': deliveryAddressBench,
  replicas: replicasBench,
};

if (args.includes('--help')) {
  process.stdout.write(
    `npm run bench [-- --quick] [-- --only=${Object.keys(benches).join('|')}]\n`,
  );
  process.exit(0);
}

if (only !== undefined && !(only in benches)) {
  process.stderr.write(
    `npm run bench: unknown benchmark "${only}"; choose one of ${Object.keys(benches).join(', ')} / 不明なベンチマークです\n`,
  );
  process.exit(2);
}

// The benchmarks print their results; the hub's own log lines (info) would only be noise among them.
configureLogger({ level: process.env['HUB_LOG_LEVEL'] ?? 'warn' });

const cpu = cpus()[0]?.model ?? 'unknown CPU';
process.stdout.write(
  `# hub benchmarks ${quick ? '(quick smoke run)' : ''}\n` +
    `machine: ${String(cpus().length)} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n` +
    `command: npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}\n` +
    `date: ${new Date().toISOString()}, load average ${loadavg()
      .map((value) => value.toFixed(1))
      .join(' ')}\n\n`,
);
let failed = false;
for (const [name, bench] of Object.entries(benches)) {
  if (only !== undefined && only !== name) continue;
  try {
    const outcome = await bench({ quick });
    const results: readonly BenchResult[] = 'name' in outcome ? [outcome] : outcome;
    for (const result of results) {
      const verdict =
        result.met === undefined ? '' : result.met ? ' ✔ target met' : ' ✘ target missed';
      process.stdout.write(
        `${result.name}\n  hub:      ${result.hub}\n  baseline: ${result.baseline}\n  ratio:    ${result.ratio} (target ${result.target})${verdict}\n\n`,
      );
      for (const chart of result.charts ?? []) {
        if (chartDir === undefined) break;
        mkdirSync(chartDir, { recursive: true });
        writeFileSync(join(chartDir, chart.file), renderChart(chart));
        process.stdout.write(`  chart:    ${join(chartDir, chart.file)}\n\n`);
      }
    }
  } catch (error) {
    failed = true;
    process.stdout.write(
      `${name}: failed: ${error instanceof Error ? error.message : String(error)}\n\n`,
    );
  }
}
process.exit(failed ? 1 : 0);

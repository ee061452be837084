/**
 * `npm run bench` (and `hub bench`): each benchmark runs the hub and its own baseline alternately in
 * the same process and prints the ratio. `--quick` is a smoke run for CI (no timed assertion).
 */
import { cpus, totalmem } from 'node:os';
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

const benches: Record<string, (options: { quick: boolean }) => Promise<BenchResult>> = {
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
    `command: npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}\n\n`,
);
let failed = false;
for (const [name, bench] of Object.entries(benches)) {
  if (only !== undefined && only !== name) continue;
  try {
    const result = await bench({ quick });
    const verdict =
      result.met === undefined ? '' : result.met ? ' ✔ target met' : ' ✘ target missed';
    process.stdout.write(
      `${result.name}\n  hub:      ${result.hub}\n  baseline: ${result.baseline}\n  ratio:    ${result.ratio} (target ${result.target})${verdict}\n\n`,
    );
  } catch (error) {
    failed = true;
    process.stdout.write(
      `${name}: failed: ${error instanceof Error ? error.message : String(error)}\n\n`,
    );
  }
}
process.exit(failed ? 1 : 0);

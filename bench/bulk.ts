/**
 * Affair 8 bulk (本人確認情報整合): the registry's extract file streamed through the hub into the
 * 市町村CS's fixed-width CP932 file, against reading the same file with the same reader and nothing
 * else. Each round runs in a fresh child process (bench/bulk-child.ts), so the peak RSS reported is
 * that process's own: the hub core, or the baseline reader.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeConsistencyExtract } from '../connectors/kizon-juki/simulator.js';
import { consistencyRecordLayout, CS_SEPARATOR } from '../connectors/jukinet-cs/codec.js';
import { pathOfRef } from '../connectors/runtime/files.js';
import { createSimulator, jsonOf } from '../connectors/runtime/simulator.js';
import type { JukinetConsistencyCheckExtractReady } from '../schemas/types.gen.js';
import { configureLogger } from '../hub/logger.js';
import type { FromChild, ToChild } from './bulk-child.js';
import { shippedFlowsDir } from '../test/support/flows.js';
import { startScript } from '../test/support/start-script.js';
import { benchVhost, compiledBuild, median, type BenchResult } from './support.js';

const MB = 1024 * 1024;
const childScript = fileURLToPath(new URL('./bulk-child.ts', import.meta.url));
/** A fixed extract date, so the generated file is the same bytes on every run. */
const asOf = '2026-04-01T02:00:00+09:00';

/** A child process driven over IPC. */
interface Child {
  send(message: ToChild): void;
  /** The next message of `kind`; an `error` message from the child or its exit rejects. */
  next<K extends FromChild['kind']>(
    kind: K,
    timeoutMs: number,
  ): Promise<Extract<FromChild, { kind: K }>>;
  /** Rejects when the child reports an error or exits. */
  readonly failure: Promise<never>;
  stop(): Promise<void>;
}

/** What `npm start` sets (package.json): the hub child runs with the same environment and flags. */
const npmStart = startScript();

/**
 * Where the children take the hub's modules from: the TypeScript sources through tsx, or the
 * compiled build (dist/) as production runs it, the child script then stripped of its types by Node.
 */
type From = { readonly kind: 'sources' } | { readonly kind: 'build'; readonly dist: string };

function startChild(mode: 'hub' | 'baseline', env: Record<string, string>, from: From): Child {
  // HUB_BENCH_CPU_PROF=<dir>: a CPU profile of each hub child (node --cpu-prof) for finding where the time goes.
  const profile = process.env['HUB_BENCH_CPU_PROF'];
  const child: ChildProcess = fork(childScript, [mode], {
    execArgv: [
      ...(from.kind === 'sources'
        ? ['--import', 'tsx']
        : ['--disable-warning=ExperimentalWarning']),
      ...(profile !== undefined && mode === 'hub'
        ? ['--cpu-prof', `--cpu-prof-dir=${profile}`]
        : []),
      // The hub runs as `npm start` runs it (package.json): a young generation of at most 3 × 4 MB.
      ...(mode === 'hub' ? npmStart.nodeFlags : []),
      // HUB_BENCH_NODE_FLAGS: extra node/V8 flags for the hub child (e.g. heap sizing experiments).
      ...(mode === 'hub'
        ? (process.env['HUB_BENCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean)
        : []),
    ],
    env: {
      ...process.env,
      ...(mode === 'hub' ? npmStart.env : {}),
      ...env,
      ...(from.kind === 'build' ? { BENCH_HUB_ROOT: pathToFileURL(`${from.dist}/`).href } : {}),
    },
    // The hub's log (level warn) goes to stderr, so stdout stays the benchmark's result lines.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.pipe(process.stderr);
  child.stderr?.pipe(process.stderr);
  const inbox: FromChild[] = [];
  let wake: (() => void) | undefined;
  let exited = false;
  let fail: (error: Error) => void = () => undefined;
  const failure = new Promise<never>((_resolve, reject) => {
    fail = reject;
  });
  failure.catch(() => undefined);
  child.on('message', (message: FromChild) => {
    if (message.kind === 'error') fail(new Error(`${mode} child: ${message.message}`));
    else inbox.push(message);
    wake?.();
  });
  child.once('exit', (code, signal) => {
    exited = true;
    fail(new Error(`the ${mode} child exited (${String(code ?? signal)})`));
    wake?.();
  });
  return {
    failure,
    send(message) {
      child.send(message);
    },
    async next(kind, timeoutMs) {
      const timeout = new Promise<never>((_resolve, reject) => {
        setTimeout(() => {
          reject(new Error(`timed out waiting for the ${mode} child (${kind})`));
        }, timeoutMs).unref();
      });
      for (;;) {
        const index = inbox.findIndex((message) => message.kind === kind);
        if (index >= 0)
          return inbox.splice(index, 1)[0] as Extract<FromChild, { kind: typeof kind }>;
        await Promise.race([
          new Promise<void>((resolve) => {
            wake = resolve;
          }),
          failure,
          timeout,
        ]);
        wake = undefined;
      }
    },
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => {
        child.once('exit', () => {
          resolve();
        });
      });
      child.send({ kind: 'stop' } satisfies ToChild);
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
      }, 15_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** Rejects after `ms`. */
function deadline(ms: number, what: string): Promise<never> {
  return new Promise<never>((_resolve, reject) => {
    setTimeout(() => {
      reject(new Error(`timed out waiting for ${what}`));
    }, ms).unref();
  });
}

/** One measured round: seconds for the file, the child's peak RSS, and its RSS at rest before. */
interface Round {
  readonly seconds: number;
  readonly maxRss: number;
  readonly restRss: number;
}

/** A no-work 市町村CS: the project's simulator runtime, taking the manifest and nothing else. */
async function noWorkCs() {
  let waiter: ((manifest: JukinetConsistencyCheckExtractReady) => void) | undefined;
  const sim = createSimulator({
    system: 'JUKINET_CS',
    port: 0,
    onInbox(inbound) {
      const manifest = jsonOf(inbound) as JukinetConsistencyCheckExtractReady;
      waiter?.(manifest);
      return { body: { recordCount: manifest.recordCount } };
    },
  });
  await sim.start();
  return {
    url: sim.url(),
    /** Resolves with the next manifest the CS receives. */
    next(): Promise<JukinetConsistencyCheckExtractReady> {
      return new Promise((resolve) => {
        waiter = resolve;
      });
    },
    stop: () => sim.stop(),
  };
}

async function hubRound(
  amqpUrl: string,
  manifest: JukinetConsistencyCheckExtractReady,
  workDir: string,
  flowsDir: string,
  from: From,
): Promise<Round> {
  const dataDir = mkdtempSync(join(workDir, 'hub-'));
  // A fresh CS each round: it drops a message id it has seen, and every round sends the same one.
  const cs = await noWorkCs();
  const child = startChild(
    'hub',
    {
      BENCH_AMQP_URL: amqpUrl,
      BENCH_CS_URL: cs.url,
      BENCH_DATA_DIR: dataDir,
      BENCH_FLOWS_DIR: flowsDir,
    },
    from,
  );
  try {
    const { rss } = await child.next('ready', 120_000);
    const received = cs.next();
    const started = performance.now();
    child.send({ kind: 'go', manifest });
    await child.next('published', 60_000);
    const converted = await Promise.race([
      received,
      child.failure,
      // Generous: a floor of 5 000 records/s plus a minute.
      deadline(60_000 + manifest.recordCount / 5, 'the CS file'),
    ]);
    const seconds = (performance.now() - started) / 1000;
    // The CS got a JUKINET file of exactly one fixed-width record per input record.
    const recordBytes = consistencyRecordLayout.recordLength + CS_SEPARATOR.length;
    if (
      converted.encoding !== 'JUKINET' ||
      converted.recordCount !== manifest.recordCount ||
      statSync(pathOfRef(converted.fileRef)).size !== manifest.recordCount * recordBytes
    ) {
      throw new Error('the CS file does not hold one record per extract record');
    }
    child.send({ kind: 'stats' });
    const stats = await child.next('stats', 30_000);
    return { seconds, maxRss: stats.maxRss, restRss: rss };
  } finally {
    await child.stop();
    await cs.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function baselineRound(
  manifest: JukinetConsistencyCheckExtractReady,
  from: From,
): Promise<Round> {
  const child = startChild('baseline', {}, from);
  try {
    const { rss } = await child.next('ready', 60_000);
    const started = performance.now();
    child.send({ kind: 'go', manifest });
    const { records } = await child.next('done', 60_000 + manifest.recordCount / 5);
    const seconds = (performance.now() - started) / 1000;
    if (records !== manifest.recordCount) throw new Error('the baseline miscounted the records');
    child.send({ kind: 'stats' });
    const stats = await child.next('stats', 30_000);
    return { seconds, maxRss: stats.maxRss, restRss: rss };
  } finally {
    await child.stop();
  }
}

function short(count: number): string {
  return count >= 1_000_000
    ? `${String(count / 1_000_000)}M`
    : count >= 1000
      ? `${String(count / 1000)}k`
      : String(count);
}

/** Streams 100k and 1M records (10k when quick) through the hub and the bare reader, alternated. */
export async function bulkBench(options: { quick: boolean }): Promise<BenchResult> {
  // HUB_BENCH_BULK_PLAN="1000000:1,…" (count:rounds): another plan, for finding where the time goes.
  const custom = process.env['HUB_BENCH_BULK_PLAN']?.split(',').map((item) => {
    const [count, rounds] = item.split(':').map(Number);
    return { count: count ?? 0, rounds: rounds ?? 1 };
  });
  const plan: readonly { count: number; rounds: number }[] =
    custom ??
    (options.quick
      ? [{ count: 10_000, rounds: 1 }]
      : [
          { count: 100_000, rounds: 3 },
          { count: 1_000_000, rounds: 2 },
        ]);
  // The log (warnings only) goes to stderr: stdout is the benchmark's result lines.
  configureLogger({ level: 'warn', destination: process.stderr });
  // A full run measures the hub as production runs it, from the compiled build (and the baseline
  // reader from the same build); the quick smoke run takes the sources. HUB_BENCH_BULK_FROM=sources
  // or build chooses.
  const fromName = process.env['HUB_BENCH_BULK_FROM'] ?? (options.quick ? 'sources' : 'build');
  if (fromName !== 'sources' && fromName !== 'build') {
    throw new Error(
      `HUB_BENCH_BULK_FROM must be sources or build, not "${fromName}" / sources か build を指定してください`,
    );
  }
  const build = fromName === 'build' ? compiledBuild() : undefined;
  const from: From =
    build === undefined ? { kind: 'sources' } : { kind: 'build', dist: build.dist };
  // The shipped affair-8 flows, with the two systems this benchmark has sinks for.
  const flowsDir = shippedFlowsDir(['affair-8'], ['JUKINET_CS', 'KIZON_JUKI']);
  const vhost = await benchVhost();
  const workDir = mkdtempSync(join(tmpdir(), 'hub-bench-bulk-'));
  const results: {
    count: number;
    rounds: number;
    hubRate: number;
    bareRate: number;
    hubPeak: number;
    hubRest: number;
    barePeak: number;
  }[] = [];
  try {
    for (const { count, rounds } of plan) {
      const path = join(workDir, `extract-${String(count)}.jsonl`);
      const manifest = await writeConsistencyExtract(path, count, asOf);
      const hub: Round[] = [];
      const bare: Round[] = [];
      for (let round = 0; round < rounds; round += 1) {
        hub.push(await hubRound(vhost.url, manifest, workDir, flowsDir, from));
        bare.push(await baselineRound(manifest, from));
      }
      rmSync(path, { force: true });
      rmSync(`${path}.done`, { force: true });
      results.push({
        count,
        rounds,
        hubRate: median(hub.map((r) => count / r.seconds)),
        bareRate: median(bare.map((r) => count / r.seconds)),
        hubPeak: Math.max(...hub.map((r) => r.maxRss)),
        hubRest: median(hub.map((r) => r.restRss)),
        barePeak: Math.max(...bare.map((r) => r.maxRss)),
      });
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
    rmSync(flowsDir, { recursive: true, force: true });
    build?.remove();
    await vhost.remove();
  }
  const fromText = from.kind === 'build' ? 'the compiled build' : 'the sources through tsx';
  const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
  const rate = (value: number) => `${value.toFixed(0)} rec/s`;
  const largest = results[results.length - 1];
  if (largest === undefined) throw new Error('no bulk round ran');
  const ratios =
    results.length < 2
      ? ''
      : `; ${results.map((r) => `${short(r.count)}: ${(r.hubRate / r.bareRate).toFixed(2)}×`).join(', ')}`;
  const target = { ratio: 0.7, rss: 200 * MB };
  const largestRatio = largest.hubRate / largest.bareRate;
  return {
    name: `affair 8 bulk (本人確認情報整合: registry extract → hub → 市町村CS fixed-width file; ${results.map((r) => `${short(r.count)} × ${String(r.rounds)} round${r.rounds === 1 ? '' : 's'}`).join(', ')}; each round a fresh child process)`,
    hub: results
      .map(
        (r) =>
          `${short(r.count)}: ${rate(r.hubRate)}, peak RSS ${mb(r.hubPeak)} (${mb(r.hubRest)} at rest)`,
      )
      .join(' · ')
      .concat(
        ` (hub child process from ${fromText}: startHub without plugins; RSS = getrusage maxRSS)`,
      ),
    baseline: results
      .map((r) => `${short(r.count)}: ${rate(r.bareRate)}, peak RSS ${mb(r.barePeak)}`)
      .join(' · ')
      .concat(` (child process from ${fromText}: same file, same JSON-lines reader, count only)`),
    ratio: `${largestRatio.toFixed(2)}× (records/s, hub / baseline${ratios})`,
    target: '1M records ≥ 0.7× the bare reader, hub peak RSS ≤ 200 MB',
    met:
      largest.count >= 1_000_000
        ? largestRatio >= target.ratio && largest.hubPeak <= target.rss
        : undefined,
  };
}

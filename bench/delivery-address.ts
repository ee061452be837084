/**
 * Affair 9 bulk (送付先情報): the registry's extract of the people due a 個人番号カード streamed through
 * the hub — every record checked against its schema by itself, good ones to the CS file, bad ones to
 * the rejects file — against reading the same file with the same reader and nothing else. Each round
 * runs in a fresh child process, so the peak RSS is that process's own, and is held to the bulk
 * benchmark's bound (≤ 256 MB, docs/benchmarks.md). Tests assert no memory (the e2e test proves the
 * path at 100k); this is where the 100k peak RSS is checked.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDeliveryAddressExtract } from '../connectors/kizon-juki/cards.js';
import { createSimulator, jsonOf } from '../connectors/runtime/simulator.js';
import { configureLogger } from '../hub/logger.js';
import type { CardDeliveryAddressExtractReady } from '../schemas/types.gen.js';
import { benchVhost, median, type BenchResult } from './support.js';

const MB = 1024 * 1024;
const hubScript = fileURLToPath(new URL('./delivery-address-child.ts', import.meta.url));
const baselineScript = fileURLToPath(new URL('./bulk-child.ts', import.meta.url));
const asOf = '2026-04-01T02:00:00+09:00';

interface Message {
  readonly kind: string;
  readonly maxRss?: number;
  readonly records?: number;
  readonly message?: string;
}

/** A child over IPC: send, and wait for the next message of a kind. */
function child(script: string, args: string[], env: Record<string, string>) {
  const process_ = fork(script, args, {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  process_.stdout?.pipe(process.stderr);
  process_.stderr?.pipe(process.stderr);
  const inbox: Message[] = [];
  const waiting: (() => void)[] = [];
  let failure: Error | undefined;
  process_.on('message', (message: Message) => {
    if (message.kind === 'error') failure = new Error(message.message ?? 'child error');
    else inbox.push(message);
    waiting.splice(0).forEach((wake) => {
      wake();
    });
  });
  process_.once('exit', (code) => {
    failure ??= new Error(`the child exited (${String(code)})`);
    waiting.splice(0).forEach((wake) => {
      wake();
    });
  });
  return {
    send: (message: unknown) => process_.send(message as never),
    async next(kind: string, timeoutMs: number): Promise<Message> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = inbox.findIndex((message) => message.kind === kind);
        const found = index >= 0 ? inbox.splice(index, 1)[0] : undefined;
        if (found !== undefined) return found;
        if (failure !== undefined) throw failure;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${kind}`);
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          setTimeout(resolve, 1000).unref();
        });
      }
    },
    async stop() {
      if (process_.exitCode !== null) return;
      const gone = new Promise((resolve) => process_.once('exit', resolve));
      process_.send({ kind: 'stop' });
      const timer = setTimeout(() => process_.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

interface Round {
  readonly seconds: number;
  readonly maxRss: number;
}

async function hubRound(
  amqpUrl: string,
  manifest: CardDeliveryAddressExtractReady,
  workDir: string,
  bad: number,
): Promise<Round> {
  const dataDir = mkdtempSync(join(workDir, 'hub-'));
  let resolveManifest: (m: CardDeliveryAddressExtractReady) => void = () => undefined;
  const received = new Promise<CardDeliveryAddressExtractReady>((resolve) => {
    resolveManifest = resolve;
  });
  const cs = createSimulator({
    system: 'JUKINET_CS',
    port: 0,
    onInbox(inbound) {
      const converted = jsonOf(inbound) as CardDeliveryAddressExtractReady;
      resolveManifest(converted);
      return { body: { recordCount: converted.recordCount } };
    },
  });
  await cs.start();
  const hub = child(hubScript, [], {
    BENCH_AMQP_URL: amqpUrl,
    BENCH_CS_URL: cs.url(),
    BENCH_DATA_DIR: dataDir,
  });
  try {
    await hub.next('ready', 120_000);
    const started = performance.now();
    hub.send({ kind: 'go', manifest });
    await hub.next('published', 60_000);
    const converted = await Promise.race([
      received,
      new Promise<never>((_resolve, reject) =>
        setTimeout(
          () => {
            reject(new Error('timed out waiting for the CS file'));
          },
          60_000 + manifest.recordCount / 5,
        ).unref(),
      ),
    ]);
    const seconds = (performance.now() - started) / 1000;
    if (converted.acceptedCount !== manifest.recordCount - bad || converted.rejectedCount !== bad) {
      throw new Error('the CS manifest does not count the records right');
    }
    hub.send({ kind: 'stats' });
    const stats = await hub.next('stats', 30_000);
    return { seconds, maxRss: stats.maxRss ?? 0 };
  } finally {
    await hub.stop();
    await cs.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function baselineRound(manifest: CardDeliveryAddressExtractReady): Promise<Round> {
  const bare = child(baselineScript, ['baseline'], {});
  try {
    await bare.next('ready', 60_000);
    const started = performance.now();
    bare.send({ kind: 'go', manifest });
    const done = await bare.next('done', 60_000 + manifest.recordCount / 5);
    const seconds = (performance.now() - started) / 1000;
    if (done.records !== manifest.recordCount)
      throw new Error('the baseline miscounted the records');
    bare.send({ kind: 'stats' });
    const stats = await bare.next('stats', 30_000);
    return { seconds, maxRss: stats.maxRss ?? 0 };
  } finally {
    await bare.stop();
  }
}

/** 100k records (10k when quick), 3 of them bad, through the hub and the bare reader, alternated. */
export async function deliveryAddressBench(options: { quick: boolean }): Promise<BenchResult> {
  const count = options.quick ? 10_000 : 100_000;
  const rounds = options.quick ? 1 : 3;
  const bad = [3, Math.floor(count / 2), count - 1];
  configureLogger({ level: 'warn', destination: process.stderr });
  const vhost = await benchVhost();
  const workDir = mkdtempSync(join(tmpdir(), 'hub-bench-delivery-'));
  const hub: Round[] = [];
  const bare: Round[] = [];
  try {
    const manifest = await writeDeliveryAddressExtract(
      join(workDir, 'delivery.jsonl'),
      count,
      asOf,
      bad,
    );
    for (let round = 0; round < rounds; round += 1) {
      hub.push(await hubRound(vhost.url, manifest, workDir, bad.length));
      bare.push(await baselineRound(manifest));
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
    await vhost.remove();
  }
  const hubRate = median(hub.map((r) => count / r.seconds));
  const bareRate = median(bare.map((r) => count / r.seconds));
  const hubPeak = Math.max(...hub.map((r) => r.maxRss));
  const barePeak = Math.max(...bare.map((r) => r.maxRss));
  const bound = 256 * MB;
  const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
  return {
    name: `affair 9 bulk (送付先情報: registry extract → hub, each record checked → 市町村CS file + rejects; ${String(count / 1000)}k × ${String(rounds)} round${rounds === 1 ? '' : 's'}, 3 bad records; each round a fresh child process)`,
    hub: `${hubRate.toFixed(0)} rec/s, peak RSS ${mb(hubPeak)} (hub child process: startHub without plugins; RSS = getrusage maxRSS)`,
    baseline: `${bareRate.toFixed(0)} rec/s, peak RSS ${mb(barePeak)} (child process: same file, same JSON-lines reader, count only)`,
    ratio: `${(hubRate / bareRate).toFixed(2)}× (records/s, hub / baseline)`,
    target: 'hub peak RSS ≤ 256 MB at 100k (the bulk bound)',
    met: options.quick ? undefined : hubPeak <= bound,
  };
}

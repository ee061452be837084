import amqp from 'amqplib';
import { fork } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBroker } from '../hub/broker/index.js';
import { createEngine } from '../hub/engine/engine.js';
import { createMetrics } from '../hub/metrics.js';
import { openStore } from '../hub/store/index.js';
import { testCatalogue, testTransformers } from '../test/support/catalogue.js';
import type { Chart } from './chart.js';
import type { FromRelay, ToRelay } from './nodered-relay-child.js';
import { benchVhost, median, until, type BenchResult } from './support.js';

const quorum = { 'x-queue-type': 'quorum' };

function body(index: number): Buffer {
  return Buffer.from(
    JSON.stringify({ subject: `s${String(index % 1000)}`, seq: index, value: index % 1000 }),
  );
}

/** Preloads `count` messages into a queue through the default exchange (with confirms). */
async function preload(
  channel: amqp.ConfirmChannel,
  queue: string,
  type: string,
  count: number,
): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    channel.sendToQueue(queue, body(index), {
      persistent: true,
      type,
      messageId: `${queue}-${String(index)}`,
      contentType: 'application/json',
    });
    if (index % 1000 === 999) await channel.waitForConfirms();
  }
  await channel.waitForConfirms();
}

async function queueDepth(channel: amqp.Channel, queue: string): Promise<number> {
  return (await channel.checkQueue(queue)).messageCount;
}

/**
 * The bare baseline: a relay with the same queue type, persistence and confirms as the hub, and
 * nothing else: consume → JSON.parse → publish with confirm → ack.
 */
async function bareRound(url: string, count: number, prefetch: number): Promise<number> {
  const connection = await amqp.connect(url, { noDelay: true });
  const setup = await connection.createConfirmChannel();
  await setup.assertExchange('bare.out', 'topic', { durable: true });
  await setup.assertQueue('bare.in', { durable: true, arguments: quorum });
  await setup.assertQueue('bare.sink', { durable: true, arguments: quorum });
  await setup.bindQueue('bare.sink', 'bare.out', '#');
  await setup.purgeQueue('bare.sink');
  await preload(setup, 'bare.in', 'test.item.recorded', count);
  const consume = await connection.createChannel();
  const publish = await connection.createConfirmChannel();
  await consume.prefetch(prefetch);
  const started = process.hrtime.bigint();
  let done = 0;
  const { consumerTag } = await consume.consume('bare.in', (message) => {
    if (message === null) return;
    const parsed = JSON.parse(message.content.toString()) as { seq: number };
    publish.publish(
      'bare.out',
      'test.item.forwarded',
      Buffer.from(JSON.stringify(parsed)),
      { persistent: true, messageId: String(parsed.seq) },
      (error: unknown) => {
        if (error === null || error === undefined) {
          consume.ack(message);
          done += 1;
        }
      },
    );
  });
  await until(() => done >= count, 600_000, 'the bare relay');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await consume.cancel(consumerTag);
  await setup.purgeQueue('bare.sink');
  await connection.close();
  return count / seconds;
}

/** The hub's full hop: validate, transform, policy, outcome record (group commit), confirmed publish, ack. */
async function hubRound(url: string, count: number, prefetch: number): Promise<number> {
  const metrics = createMetrics({ defaultMetrics: false });
  const broker = createBroker({ url, name: 'hub-bench', metrics });
  await broker.start();
  const store = await openStore(
    `sqlite:${join(mkdtempSync(join(tmpdir(), 'hub-bench-')), 'hub.sqlite')}`,
  );
  const connection = await amqp.connect(url, { noDelay: true });
  const setup = await connection.createConfirmChannel();
  // Milliseconds summed over the messages: the claim (which also answers "processed already"), the
  // confirmed publish of the output and the outcome commit.
  const phases = { claim: 0, record: 0, publish: 0, n: 0 };
  if (process.env['HUB_BENCH_PHASES'] !== undefined && store.claims !== undefined) {
    const claims = store.claims;
    const claim = claims.claim.bind(claims);
    const record = store.outcomes.record.bind(store.outcomes);
    const publish = broker.publisher.publish.bind(broker.publisher);
    Object.assign(claims, {
      claim: async (...a: Parameters<typeof claim>) => {
        const t = performance.now();
        const r = await claim(...a);
        phases.claim += performance.now() - t;
        phases.n += 1;
        return r;
      },
    });
    Object.assign(store.outcomes, {
      record: async (...a: Parameters<typeof record>) => {
        const t = performance.now();
        await record(...a);
        phases.record += performance.now() - t;
      },
    });
    Object.assign(broker.publisher, {
      publish: async (...a: Parameters<typeof publish>) => {
        const t = performance.now();
        await publish(...a);
        phases.publish += performance.now() - t;
      },
    });
  }
  const engine = createEngine({
    broker,
    store,
    catalogue: testCatalogue(),
    transformers: testTransformers,
    sinks: new Map(),
    metrics,
    hashSubject: (value) => createHmac('sha256', 'bench').update(value).digest('base64url'),
    lgCode: '131016',
    prefetch,
  });
  // Declare the topology first (without consuming) so the input can be preloaded like the baseline's.
  await broker.declare((await import('../hub/engine/engine.js')).topologyFor([step]));
  await setup.assertQueue('hub.bench.sink', { durable: true, arguments: quorum });
  await setup.bindQueue('hub.bench.sink', 'hub.events', 'test.item.forwarded');
  await setup.purgeQueue('hub.bench.sink');
  await preload(setup, 'hub.step.bench.hop', 'test.item.recorded', count);
  const started = process.hrtime.bigint();
  await engine.apply([step]);
  const probe = await connection.createChannel();
  await until(
    async () => (await queueDepth(probe, 'hub.bench.sink')) >= count,
    600_000,
    'the hub hop',
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (process.env['HUB_BENCH_PHASES'] !== undefined) {
    const per = (ms: number) => `${(ms / Math.max(1, phases.n)).toFixed(2)} ms`;
    console.log(
      `hub hop at prefetch ${String(prefetch)}, per message: claim ${per(phases.claim)}, publish ${per(phases.publish)}, outcome commit ${per(phases.record)}`,
    );
  }
  await engine.stop(5_000);
  await setup.purgeQueue('hub.bench.sink');
  await connection.close();
  await broker.close();
  await store.close();
  return count / seconds;
}

const step = {
  route: 'bench',
  name: 'bench.hop',
  input: ['test.item.recorded'],
  transformer: 'test-forward',
  output: { kind: 'publish' as const, messageType: 'test.item.forwarded' },
};

/**
 * The naive Node-RED relay (bench/nodered-relay-child.ts, its own process): `node-red-contrib-amqp`'s
 * amqp-in → amqp-out with their defaults — acked on entry, no confirms, not persistent, a classic input
 * queue (its own declaration). The same preloaded messages, the same quorum sink as the others.
 */
async function noderedRound(url: string, count: number): Promise<number> {
  const connection = await amqp.connect(url, { noDelay: true });
  const setup = await connection.createConfirmChannel();
  // What the contrib nodes declare themselves (amqp-ts defaults: durable classic queue, topic exchange).
  await setup.assertQueue('nr.in', { durable: true });
  await setup.assertExchange('nr.out', 'topic', { durable: true });
  await setup.assertQueue('nr.sink', { durable: true, arguments: quorum });
  await setup.bindQueue('nr.sink', 'nr.out', '#');
  await setup.purgeQueue('nr.sink');
  await preload(setup, 'nr.in', 'test.item.recorded', count);
  const child = fork(join(import.meta.dirname, 'nodered-relay-child.ts'), [], {
    // amqp-ts calls the deprecated Buffer(); its warning is noise among the results.
    execArgv: ['--import', 'tsx', '--no-deprecation'],
    env: { ...process.env, BENCH_AMQP_URL: url },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.pipe(process.stderr);
  child.stderr?.pipe(process.stderr);
  const next = (kind: FromRelay['kind']) =>
    new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromRelay) => {
        if (message.kind === 'error') reject(new Error(`Node-RED relay: ${message.message}`));
        else if (message.kind === kind) resolve();
        else return;
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const onExit = (code: number | null) => {
        reject(new Error(`Node-RED relay exited (${String(code)})`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const tell = (message: ToRelay) => child.send(message);
  try {
    await next('ready');
    const started = process.hrtime.bigint();
    const deployed = next('deployed');
    tell({ kind: 'go' });
    await deployed;
    const probe = await connection.createChannel();
    await until(
      async () => (await queueDepth(probe, 'nr.sink')) >= count,
      600_000,
      'the Node-RED relay',
    );
    return count / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.exitCode === null) tell({ kind: 'stop' });
    await exited;
    await setup.purgeQueue('nr.sink');
    await setup.purgeQueue('nr.in');
    await connection.close();
  }
}

/** Prefetch values of the sweep: the hub's own and a spread around it (both sides run each). */
function sweepOf(hubPrefetch: number, quick: boolean): number[] {
  // HUB_BENCH_SWEEP="64,256": another sweep (the hub's prefetch is always in it).
  const given = process.env['HUB_BENCH_SWEEP'];
  if (given !== undefined) {
    return [...new Set([hubPrefetch, ...given.split(',').map(Number)])].sort((a, b) => a - b);
  }
  if (quick) return [hubPrefetch];
  return [...new Set([16, hubPrefetch, 256, 1024])].sort((a, b) => a - b);
}

const rate = (value: number) => `${value.toFixed(0)} msg/s`;

/**
 * Alternates, round by round, the hub and the bare relay at every prefetch of the sweep and the
 * Node-RED relay, all in one run, and reports the medians: the hub against the bare relay at the
 * hub's prefetch (the target), against the bare relay at its best prefetch, and against Node-RED.
 */
export async function routeHopBench(options: { quick: boolean }): Promise<BenchResult[]> {
  const count = Number(process.env['HUB_BENCH_HOP_COUNT'] ?? (options.quick ? 2_000 : 20_000));
  const rounds = Number(process.env['HUB_BENCH_HOP_ROUNDS'] ?? (options.quick ? 1 : 3));
  const prefetch = Number(process.env['HUB_BENCH_PREFETCH'] ?? 64);
  const sweep = sweepOf(prefetch, options.quick);
  const vhost = await benchVhost();
  try {
    const hub = new Map<number, number[]>(sweep.map((p) => [p, []]));
    const bare = new Map<number, number[]>(sweep.map((p) => [p, []]));
    const nodered: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      for (const p of sweep) {
        hub.get(p)?.push(await hubRound(vhost.url, count, p));
        bare.get(p)?.push(await bareRound(vhost.url, count, p));
      }
      nodered.push(await noderedRound(vhost.url, count));
    }
    const at = (side: Map<number, number[]>, p: number) => median(side.get(p) ?? []);
    const best = (side: Map<number, number[]>) =>
      sweep.reduce((top, p) => (at(side, p) > at(side, top) ? p : top), sweep[0] ?? prefetch);
    const hubRate = at(hub, prefetch);
    const bareSame = at(bare, prefetch);
    const bareBest = best(bare);
    const hubBest = best(hub);
    const noderedRate = median(nodered);
    const what = `${String(count)} msgs × ${String(rounds)} rounds, quorum, persistent, confirms`;
    const chart: Chart = {
      file: 'route-hop.svg',
      title: `Route hop: throughput against prefetch (${String(count)} msgs, median of ${String(rounds)})`,
      xLabel: 'prefetch (consumer window)',
      yLabel: 'messages per second',
      xTicks: sweep.map((p) => ({ x: Math.log2(p), label: String(p) })),
      series: [
        { name: 'hub route hop', points: sweep.map((p) => ({ x: Math.log2(p), y: at(hub, p) })) },
        {
          name: 'bare amqplib relay',
          points: sweep.map((p) => ({ x: Math.log2(p), y: at(bare, p) })),
        },
        {
          name: 'Node-RED relay (no prefetch)',
          dashed: true,
          points: [
            { x: Math.log2(sweep[0] ?? prefetch), y: noderedRate },
            { x: Math.log2(sweep.at(-1) ?? prefetch), y: noderedRate },
          ],
        },
      ],
    };
    const sweepLine = (side: Map<number, number[]>) =>
      sweep.map((p) => `${String(p)}: ${rate(at(side, p))}`).join(', ');
    return [
      {
        name: `route hop, hub against the bare relay at the same prefetch (${String(prefetch)}; ${what})`,
        hub: rate(hubRate),
        baseline: `${rate(bareSame)} (bare amqplib relay: consume → JSON.parse → confirmed publish → ack)`,
        ratio: `${(hubRate / bareSame).toFixed(2)}×`,
        target: '≥ 0.8×',
        met: hubRate / bareSame >= 0.8,
        charts: [chart],
      },
      {
        name: `route hop, each at its best prefetch (sweep ${sweep.join(', ')})`,
        hub: `${rate(at(hub, hubBest))} at prefetch ${String(hubBest)} (${sweepLine(hub)})`,
        baseline: `${rate(at(bare, bareBest))} at prefetch ${String(bareBest)} (${sweepLine(bare)})`,
        ratio: `${(at(hub, hubBest) / at(bare, bareBest)).toFixed(2)}× (hub at prefetch ${String(prefetch)} against the bare relay's best: ${(hubRate / at(bare, bareBest)).toFixed(2)}×)`,
        target: 'none (for reading)',
        met: undefined,
      },
      {
        name: `route hop, hub (prefetch ${String(prefetch)}) against the naive Node-RED relay`,
        hub: rate(hubRate),
        baseline: `${rate(noderedRate)} (Node-RED 5, node-red-contrib-amqp 0.4.5 amqp in → amqp out, defaults: acked on entry, no confirms, not persistent, classic input queue)`,
        ratio: `${(hubRate / noderedRate).toFixed(2)}×`,
        target: '≥ 1.5×',
        met: hubRate / noderedRate >= 1.5,
      },
    ];
  } finally {
    await vhost.remove();
  }
}

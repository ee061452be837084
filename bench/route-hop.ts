import amqp from 'amqplib';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBroker } from '../hub/broker/index.js';
import { createEngine } from '../hub/engine/engine.js';
import { createMetrics } from '../hub/metrics.js';
import { openStore } from '../hub/store/index.js';
import { testCatalogue, testTransformers } from '../test/support/catalogue.js';
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
  const phases = { has: 0, record: 0, publish: 0, n: 0 };
  if (process.env['HUB_BENCH_PHASES'] !== undefined) {
    const has = store.processed.has.bind(store.processed);
    const record = store.outcomes.record.bind(store.outcomes);
    const publish = broker.publisher.publish.bind(broker.publisher);
    Object.assign(store.processed, {
      has: async (...a: Parameters<typeof has>) => {
        const t = performance.now();
        const r = await has(...a);
        phases.has += performance.now() - t;
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
  if (process.env['HUB_BENCH_PHASES'] !== undefined) console.log(phases);
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

/** Alternates hub and bare rounds in one process and reports the median rates and their ratio. */
export async function routeHopBench(options: { quick: boolean }): Promise<BenchResult> {
  const count = options.quick ? 2_000 : 20_000;
  const rounds = options.quick ? 1 : 3;
  const prefetch = Number(process.env['HUB_BENCH_PREFETCH'] ?? 64);
  const vhost = await benchVhost();
  try {
    const hub: number[] = [];
    const bare: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      hub.push(await hubRound(vhost.url, count, prefetch));
      bare.push(await bareRound(vhost.url, count, prefetch));
    }
    const ratio = median(hub) / median(bare);
    return {
      name: `route hop (${String(count)} msgs × ${String(rounds)} rounds, prefetch ${String(prefetch)}, quorum, persistent, confirms)`,
      hub: `${median(hub).toFixed(0)} msg/s`,
      baseline: `${median(bare).toFixed(0)} msg/s (bare amqplib relay)`,
      ratio: `${ratio.toFixed(2)}×`,
      target: '≥ 0.8×',
      met: ratio >= 0.8,
    };
  } finally {
    await vhost.remove();
  }
}

import { expect } from 'chai';
import type amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import {
  DEAD_LETTER_QUEUE,
  EVENTS_EXCHANGE,
  TopologyConflictError,
  createBroker,
  type Broker,
} from '../../hub/broker/index.js';
import type { StepSpec } from '../../hub/engine/step.js';
import { ConnectorError, DeadlineError, UnroutableError } from '../../hub/errors.js';
import type { Store } from '../../hub/store/types.js';
import {
  closeAllConnections,
  createVhost,
  eventually,
  messagesLeft,
  publishRaw,
  rawConnection,
  type TestVhost,
} from '../support/broker.js';
import {
  recordingSink,
  startEngine,
  tempSqliteUrl,
  type Harness,
} from '../support/engine-harness.js';

const forward: StepSpec = {
  route: 'test',
  name: 'test.forward',
  input: ['test.item.recorded'],
  transformer: 'test-forward',
  output: { kind: 'publish', messageType: 'test.item.forwarded' },
};

const deliver = (retry?: StepSpec['retry']): StepSpec => ({
  route: 'test',
  name: 'test.deliver',
  input: ['test.item.forwarded'],
  output: { kind: 'deliver', system: 'TEST_SYSTEM' },
  ...(retry === undefined ? {} : { retry }),
});

interface DeadLetter {
  content: Buffer;
  headers: Record<string, unknown>;
  properties: amqp.MessageProperties;
}

/** Reads the dead-letter queue (the archiver's input) from the test's own connection. */
async function readDeadLetters(
  connection: amqp.ChannelModel,
  count: number,
  timeoutMs = 15_000,
): Promise<DeadLetter[]> {
  const channel = await connection.createChannel();
  const found: DeadLetter[] = [];
  await eventually(
    async () => {
      const message = await channel.get(DEAD_LETTER_QUEUE, { noAck: true });
      if (message !== false) {
        found.push({
          content: message.content,
          headers: message.properties.headers ?? {},
          properties: message.properties,
        });
      }
      return found.length >= count;
    },
    timeoutMs,
    `${String(count)} dead letter(s)`,
  );
  await channel.close();
  return found;
}

interface OutcomeRecord {
  message_id: string;
  outcome: string;
  attempt: number;
  reason_class: string | null;
  detail: string | null;
}

async function outcomeRows(store: Store, step: string): Promise<OutcomeRecord[]> {
  const rows: OutcomeRecord[] = await store
    .knex('message_outcomes')
    .where({ step })
    .orderBy('id')
    .select('message_id', 'outcome', 'attempt', 'reason_class', 'detail');
  return rows;
}

describe('engine (real RabbitMQ, SQLite store)', function () {
  this.timeout(120_000);
  let vhost: TestVhost;
  let connection: amqp.ChannelModel;
  let channel: amqp.ConfirmChannel;
  const harnesses: Harness[] = [];

  beforeEach(async () => {
    vhost = await createVhost();
    connection = await rawConnection(vhost.url);
    channel = await connection.createConfirmChannel();
  });

  afterEach(async () => {
    for (const harness of harnesses.splice(0)) await harness.stop();
    await connection.close().catch(() => undefined);
    await vhost.delete();
  });

  async function start(
    options: Omit<Parameters<typeof startEngine>[0], 'url' | 'dbUrl'> & { dbUrl?: string },
  ) {
    const harness = await startEngine({
      url: vhost.url,
      dbUrl: options.dbUrl ?? tempSqliteUrl(),
      ...options,
    });
    harnesses.push(harness);
    return harness;
  }

  it('validates, transforms, publishes, delivers and records every outcome', async () => {
    const sink = recordingSink();
    const harness = await start({ steps: [forward, deliver()], sinks: [sink] });
    const messageId = randomUUID();
    await publishRaw(
      channel,
      'test.item.recorded',
      { subject: 'a', seq: 1, value: 21 },
      { messageId },
    );
    await eventually(() => sink.applied.size === 1, 10_000, 'the delivery');
    const [delivered] = [...sink.applied.values()];
    expect(delivered?.body).to.deep.equal({ subject: 'a', seq: 1, doubled: 42 });
    expect(delivered?.correlationId).to.equal(messageId);
    expect(delivered?.headers['traceparent']).to.match(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await harness.store.outcomes.flush();
    const rows = await outcomeRows(harness.store, 'test.forward');
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ message_id: messageId, outcome: 'published', attempt: 1 });
    // Counted at the receiving end, every raw delivery: one message, one delivery.
    await eventually(async () => (await messagesLeft(vhost.name)) === 0, 10_000, 'empty queues');
    expect(sink.deliveries).to.have.length(1);
  });

  it('undoes a switch that fails: the previous steps run on, their topology intact', async () => {
    const sink = recordingSink();
    const harness = await start({ steps: [forward, deliver()], sinks: [sink] });
    const before = harness.engine.steps();
    // A queue the new step needs exists with other arguments: the broker refuses the declaration.
    const other = await connection.createChannel();
    await other.assertQueue('hub.step.test.conflict', { durable: true });
    await other.close();
    const conflict: StepSpec = {
      route: 'test',
      name: 'test.conflict',
      input: ['test.item.recorded'],
      output: { kind: 'deliver', system: 'TEST_SYSTEM' },
    };
    const error = await harness.engine.apply([forward, conflict]).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(TopologyConflictError);
    expect((error as TopologyConflictError).code).to.equal('HUB_TOPOLOGY_CONFLICT');
    expect(harness.engine.steps()).to.deep.equal(before);
    // The undone switch left the previous routes whole: test.deliver is still bound and delivers,
    // also after a reconnect (the broker re-declares the previous topology, not the refused one).
    await closeAllConnections(vhost.name);
    await eventually(() => harness.broker.isConnected(), 20_000, 'the engine to reconnect');
    const again = await rawConnection(vhost.url);
    try {
      const publishing = await again.createConfirmChannel();
      await publishRaw(publishing, 'test.item.recorded', { subject: 'u', seq: 1, value: 1 });
    } finally {
      await again.close().catch(() => undefined);
    }
    await eventually(() => sink.applied.size >= 1, 20_000, 'the delivery by the previous steps');
  });

  it('skips a hop its transformer does not accept, and carries the saga subject to later steps', async () => {
    const sink = recordingSink();
    const harness = await start({
      steps: [
        {
          route: 'test',
          name: 'test.saga-start',
          input: ['test.item.recorded'],
          transformer: 'test-forward',
          output: { kind: 'publish', messageType: 'test.item.forwarded' },
          sagaSubject: '/subject',
        },
        {
          route: 'test',
          name: 'test.saga-check',
          input: ['test.item.forwarded'],
          output: { kind: 'publish', messageType: 'test.item.unbound' },
        },
        {
          route: 'test',
          name: 'test.even',
          input: ['test.item.unbound'],
          output: { kind: 'deliver', system: 'TEST_SYSTEM' },
        },
      ],
      sinks: [sink],
    });
    await publishRaw(channel, 'test.item.recorded', { subject: 'saga-1', seq: 1, value: 1 });
    await eventually(() => sink.applied.size === 1, 10_000, 'the delivery');
    const [delivered] = [...sink.applied.values()];
    expect(delivered?.headers['x-hub-saga-subject']).to.equal('saga-1');
    await harness.engine.apply([
      {
        route: 'test',
        name: 'test.even-only',
        input: ['test.item.recorded'],
        transformer: 'test-even-only',
        output: { kind: 'deliver', system: 'TEST_SYSTEM' },
      },
    ]);
    await publishRaw(channel, 'test.item.recorded', { subject: 'b', seq: 3, value: 1 });
    await publishRaw(channel, 'test.item.recorded', { subject: 'b', seq: 4, value: 1 });
    await eventually(() => sink.applied.size === 2, 10_000, 'the even one');
    const even = [...sink.applied.values()][1]?.body as { seq: number; note: string };
    expect(even.seq).to.equal(4);
    // Transformers get "now" in Japan time: the catalogue's dates are Japanese calendar days.
    expect(even.note).to.match(/now:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+09:00$/);
    await eventually(
      async () => {
        await harness.store.outcomes.flush();
        return (await outcomeRows(harness.store, 'test.even-only')).length === 2;
      },
      10_000,
      'both outcomes',
    );
    const rows = await outcomeRows(harness.store, 'test.even-only');
    expect(rows.map((row) => row.outcome).sort()).to.deep.equal(['delivered', 'skipped']);
  });

  it('routes by content: a step takes only the inputs its conditions match', async () => {
    const sink = recordingSink();
    const harness = await start({
      steps: [
        {
          route: 'test',
          name: 'test.when-a',
          input: ['test.item.recorded'],
          when: [
            { field: '/subject', op: 'eq', value: 'a' },
            { field: '/note', op: 'neq', value: 'skip' },
          ],
          transformer: 'test-forward',
          output: { kind: 'deliver', system: 'TEST_SYSTEM' },
        },
      ],
      sinks: [sink],
    });
    await publishRaw(channel, 'test.item.recorded', { subject: 'b', seq: 1, value: 1 });
    await publishRaw(channel, 'test.item.recorded', {
      subject: 'a',
      seq: 2,
      value: 1,
      note: 'skip',
    });
    await publishRaw(channel, 'test.item.recorded', { subject: 'a', seq: 3, value: 1 });
    await eventually(
      async () => {
        await harness.store.outcomes.flush();
        return (await outcomeRows(harness.store, 'test.when-a')).length === 3;
      },
      10_000,
      'three outcomes',
    );
    expect(
      [...sink.applied.values()].map((message) => (message.body as { seq: number }).seq),
    ).to.deep.equal([3]);
    const rows = await outcomeRows(harness.store, 'test.when-a');
    expect(rows.map((row) => row.outcome)).to.deep.equal(['skipped', 'skipped', 'delivered']);
  });

  it('dead-letters a validation failure at once, with the schema path and the original bytes', async () => {
    const sink = recordingSink();
    await start({ steps: [forward, deliver()], sinks: [sink] });
    const bad = { subject: 'a', seq: 1, value: -5, extra: true };
    const original = Buffer.from(JSON.stringify(bad));
    channel.publish(EVENTS_EXCHANGE, 'test.item.recorded', original, {
      type: 'test.item.recorded',
      messageId: 'bad-1',
      persistent: true,
    });
    await channel.waitForConfirms();
    const [letter] = await readDeadLetters(connection, 1);
    expect(letter?.content.equals(original)).to.equal(true);
    expect(letter?.headers).to.include({
      'x-hub-reason-class': 'validation',
      'x-hub-attempt': 1,
      'x-hub-step': 'test.forward',
      'x-hub-original-exchange': EVENTS_EXCHANGE,
      'x-hub-original-routing-key': 'test.item.recorded',
      'x-hub-error-code': 'HUB_INVALID_MESSAGE',
    });
    expect(String(letter?.headers['x-hub-schema-paths'])).to.include('/value minimum');
    expect(String(letter?.headers['x-hub-schema-paths'])).to.include('/ additionalProperties');
    expect(String(letter?.headers['x-hub-reason-ja'])).to.include('スキーマ');
    expect(String(letter?.headers['x-hub-reason-en'])).to.include('not a valid test.item.recorded');
    expect(letter?.properties.messageId).to.equal('bad-1');
    expect(sink.deliveries).to.have.length(0);
  });

  it('retries a transient failure with growing delays, then dead-letters it with its reason', async () => {
    const sink = recordingSink();
    sink.failWith = new ConnectorError('TEST_SYSTEM', 'answered 503', true);
    const harness = await start({
      steps: [
        forward,
        deliver({ maxAttempts: 4, initialDelayMs: 300, multiplier: 2, maxDelayMs: 10_000 }),
      ],
      sinks: [sink],
    });
    // Which delay each retry asked for, seen at the broker: a copy of every retry published to the
    // wait exchange (no clock is read; the delays are the routing keys the retries took).
    const waits = await connection.createChannel();
    const { queue: tap } = await waits.assertQueue('', { exclusive: true });
    for (const delay of [300, 600, 1200, 2400])
      await waits.bindQueue(tap, 'hub.wait', `wait.${String(delay)}`);
    const delays: string[] = [];
    await waits.consume(tap, (message) => message && delays.push(message.fields.routingKey), {
      noAck: true,
    });
    await publishRaw(channel, 'test.item.recorded', { subject: 'a', seq: 1, value: 1 });
    const [letter] = await readDeadLetters(connection, 1, 30_000);
    expect(sink.deliveries).to.have.length(4);
    expect(delays).to.deep.equal(['wait.300', 'wait.600', 'wait.1200']);
    expect(letter?.headers).to.include({ 'x-hub-reason-class': 'connector', 'x-hub-attempt': 4 });
    expect(String(letter?.headers['x-hub-reason-en'])).to.include('answered 503');
    expect(String(letter?.headers['x-hub-reason-ja'])).to.include('TEST_SYSTEM');
    await harness.store.outcomes.flush();
    const rows = await outcomeRows(harness.store, 'test.deliver');
    expect(rows.map((row) => row.outcome)).to.deep.equal([
      'retried',
      'retried',
      'retried',
      'dead-lettered',
    ]);
    expect(rows.map((row) => row.attempt)).to.deep.equal([1, 2, 3, 4]);
  });

  it('fails an unroutable publish loudly and dead-letters a step output nobody takes', async () => {
    const harness = await start({
      steps: [
        {
          route: 'test',
          name: 'test.orphan',
          input: ['test.item.recorded'],
          output: { kind: 'publish', messageType: 'test.item.unbound' },
        },
      ],
    });
    let caught: unknown;
    try {
      await harness.broker.publisher.publish(EVENTS_EXCHANGE, 'no.such.type', Buffer.from('{}'), {
        messageId: randomUUID(),
        type: 'no.such.type',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(UnroutableError);
    await publishRaw(channel, 'test.item.recorded', { subject: 'a', seq: 1, value: 1 });
    const [letter] = await readDeadLetters(connection, 1);
    expect(letter?.headers).to.include({
      'x-hub-reason-class': 'unroutable',
      'x-hub-error-code': 'HUB_UNROUTABLE',
    });
  });

  it('acks only after the outcome is committed: killed after confirm and before commit, processed once', async () => {
    const sink = recordingSink();
    const dbUrl = tempSqliteUrl();
    // First life: the confirmed publish happens, then the process "dies" before the outcome commits.
    let died = false;
    const first = await start({
      dbUrl,
      steps: [forward],
      wrapStore: (store, broker) => ({
        ...store,
        outcomes: {
          ...store.outcomes,
          async record(row, processed) {
            if (row.outcome === 'published' && !died) {
              died = true;
              await broker.close(); // connection gone: the delivery can no longer be acked
              throw new Error('process killed');
            }
            return store.outcomes.record(row, processed);
          },
        },
      }),
    });
    // The destination step runs in another hub instance with the real store.
    await start({ steps: [deliver()], sinks: [sink] });
    const messageId = randomUUID();
    await publishRaw(
      channel,
      'test.item.recorded',
      { subject: 'a', seq: 1, value: 2 },
      { messageId },
    );
    await eventually(() => died, 10_000, 'the first life to die');
    await first.stop();
    harnesses.splice(harnesses.indexOf(first), 1);
    // Second life of the same hub: the message comes back and is published again with the same id.
    const second = await start({ dbUrl, steps: [forward] });
    await eventually(
      async () => {
        await second.store.outcomes.flush();
        return (await outcomeRows(second.store, 'test.forward')).length === 1;
      },
      15_000,
      'the redelivered message to be processed',
    );
    // Both copies of the output have been taken and settled when the broker holds nothing more.
    await eventually(async () => (await messagesLeft(vhost.name)) === 0, 15_000, 'empty queues');
    const destination = harnesses[harnesses.length - 2];
    await destination?.store.outcomes.flush();
    const rows = destination ? await outcomeRows(destination.store, 'test.deliver') : [];
    // The raw count at the destination: the forwarded message was published twice (same id) and
    // delivered once.
    expect(sink.deliveries.map((entry) => entry.message.correlationId)).to.deep.equal([messageId]);
    expect(rows.map((row) => row.outcome).sort()).to.deep.equal(['delivered', 'duplicate']);
  });

  it('acks only after the outcome is committed: killed after commit and before ack, acked as a duplicate', async () => {
    const sink = recordingSink();
    const dbUrl = tempSqliteUrl();
    let died = false;
    const first = await start({
      dbUrl,
      steps: [deliver()],
      sinks: [sink],
      wrapStore: (store, broker) => ({
        ...store,
        outcomes: {
          ...store.outcomes,
          async record(row, processed) {
            await store.outcomes.record(row, processed);
            if (row.outcome === 'delivered' && !died) {
              died = true;
              await broker.close(); // committed, but the ack that follows goes nowhere
            }
          },
        },
      }),
    });
    await publishRaw(channel, 'test.item.forwarded', { subject: 'a', seq: 1, doubled: 2 });
    await eventually(() => died, 10_000, 'the first life to die');
    await first.stop();
    harnesses.splice(harnesses.indexOf(first), 1);
    const second = await start({ dbUrl, steps: [deliver()], sinks: [sink] });
    await eventually(
      async () => {
        await second.store.outcomes.flush();
        return (await outcomeRows(second.store, 'test.deliver')).length === 2;
      },
      15_000,
      'the duplicate to be recorded',
    );
    // The destination's raw count first: the redelivered message was not delivered again.
    expect(sink.deliveries).to.have.length(1);
    const rows = await outcomeRows(second.store, 'test.deliver');
    expect(rows.map((row) => row.outcome)).to.deep.equal(['delivered', 'duplicate']);
  });

  it('does not ack when the commit fails with the channel still open: the message comes again', async () => {
    const sink = recordingSink();
    let failures = 0;
    const harness = await start({
      steps: [deliver()],
      sinks: [sink],
      wrapStore: (store) => ({
        ...store,
        outcomes: {
          ...store.outcomes,
          async record(row, processed) {
            // The first commit of the delivery fails; the broker connection stays up.
            if (row.outcome === 'delivered' && failures === 0) {
              failures += 1;
              throw new Error('disk full');
            }
            return store.outcomes.record(row, processed);
          },
        },
      }),
    });
    const messageId = randomUUID();
    await publishRaw(
      channel,
      'test.item.forwarded',
      { subject: 'a', seq: 1, doubled: 2 },
      { messageId },
    );
    // Not acked, so redelivered: the destination sees the same message a second time (at least
    // once; the idempotency key lets it apply it once), and then the queue is empty.
    await eventually(() => sink.deliveries.length >= 2, 15_000, 'the redelivery');
    await eventually(async () => (await messagesLeft(vhost.name)) === 0, 15_000, 'empty queues');
    expect(failures).to.equal(1);
    expect(harness.broker.isConnected()).to.equal(true);
    expect(sink.deliveries.map((entry) => entry.message.correlationId)).to.deep.equal([
      messageId,
      messageId,
    ]);
    expect(new Set(sink.deliveries.map((entry) => entry.message.messageId)).size).to.equal(1);
  });

  it('reconnects after close_all_connections, re-declares and loses nothing of a 10k stream', async () => {
    const sink = recordingSink();
    const total = 10_000;
    const harness = await start({ steps: [forward, deliver()], sinks: [sink], prefetch: 64 });
    for (let index = 0; index < total; index += 1) {
      channel.publish(
        EVENTS_EXCHANGE,
        'test.item.recorded',
        Buffer.from(
          JSON.stringify({ subject: `s${String(index % 50)}`, seq: index, value: index }),
        ),
        {
          type: 'test.item.recorded',
          messageId: `m-${String(index)}`,
          persistent: true,
        },
      );
    }
    await channel.waitForConfirms();
    await eventually(() => sink.applied.size >= 2_000, 60_000, 'a fifth of the stream');
    await closeAllConnections(vhost.name);
    await eventually(
      () => sink.applied.size === total,
      120_000,
      'the whole stream after the reconnect',
    );
    expect(harness.broker.isConnected()).to.equal(true);
    const seqs = new Set(
      [...sink.applied.values()].map((message) => (message.body as { seq: number }).seq),
    );
    expect(seqs.size).to.equal(total);
  });

  it('keeps per-subject order with two consumers (two hub instances), across a graceful stop', async () => {
    const sink = recordingSink();
    const ordered: StepSpec = {
      route: 'test',
      name: 'test.ordered',
      input: ['test.item.forwarded'],
      output: { kind: 'deliver', system: 'TEST_SYSTEM' },
      orderBy: '/subject',
    };
    sink.delayMs = 2;
    const first = await start({ steps: [ordered], sinks: [sink], prefetch: 20 });
    await start({ steps: [ordered], sinks: [sink], prefetch: 20 });
    const subjects = ['01234567890', '11234567890', '21234567890', '31234567890', '41234567890'];
    const perSubject = 200;
    for (let seq = 0; seq < perSubject; seq += 1) {
      for (const subject of subjects) {
        channel.publish(
          EVENTS_EXCHANGE,
          'test.item.forwarded',
          Buffer.from(JSON.stringify({ subject, seq, doubled: seq })),
          {
            type: 'test.item.forwarded',
            messageId: `${subject}-${String(seq)}`,
            persistent: true,
          },
        );
      }
    }
    await channel.waitForConfirms();
    await eventually(() => sink.applied.size >= 300, 30_000, 'some progress');
    await first.stop(); // the standby consumer takes over
    harnesses.splice(harnesses.indexOf(first), 1);
    await eventually(
      () => sink.applied.size === subjects.length * perSubject,
      60_000,
      'every message',
    );
    await eventually(async () => (await messagesLeft(vhost.name)) === 0, 15_000, 'empty queues');
    // Every raw delivery, nothing filtered: a graceful stop finishes what it holds and returns the
    // rest, so each subject is delivered exactly 0..199 in order, none twice. (A kill, where the
    // unacked are delivered again, is test/integration/fault.test.ts.)
    for (const subject of subjects) {
      const seqs = sink.deliveries
        .map((entry) => entry.message.body as { subject: string; seq: number })
        .filter((body) => body.subject === subject)
        .map((body) => body.seq);
      expect(seqs).to.deep.equal(Array.from({ length: perSubject }, (_, seq) => seq));
    }
  });

  it('answers request/reply over direct reply-to, each reply to its own requester, and honours deadlines', async () => {
    const replyStep: StepSpec = {
      route: 'test',
      name: 'test.reply',
      input: ['test.item.recorded'],
      transformer: 'test-forward',
      output: { kind: 'reply' },
    };
    await start({ steps: [replyStep] });
    const client = createBroker({ url: vhost.url, name: 'hub-test-client' });
    await client.start();
    try {
      const rpc = await client.rpc();
      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, seq) =>
          rpc.request(
            'test.item.recorded',
            Buffer.from(JSON.stringify({ subject: `p${String(seq)}`, seq, value: seq })),
            { deadlineMs: 5_000 },
          ),
        ),
      );
      replies.forEach((reply, seq) => {
        expect(JSON.parse(reply.content.toString())).to.deep.equal({
          subject: `p${String(seq)}`,
          seq,
          doubled: seq * 2,
        });
      });
      let caught: unknown;
      try {
        // A deadline shorter than any round trip: the requester gives up and the late reply is ignored.
        await rpc.request('test.item.recorded', Buffer.from('{"subject":"x","seq":1,"value":1}'), {
          deadlineMs: 1,
        });
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(DeadlineError);
    } finally {
      await client.close();
    }
  });

  it("a reply step's declared deadline (hub-request): a request older than it gets no reply", async () => {
    const replyStep: StepSpec = {
      route: 'test',
      name: 'test.reply-deadline',
      input: ['test.item.recorded'],
      transformer: 'test-forward',
      output: { kind: 'reply', deadlineMs: 5_000 },
    };
    const harness = await start({ steps: [replyStep] });
    // Replies go only to direct reply-to addresses (issue 13): the requester consumes the
    // pseudo-queue and publishes on one plain channel (direct reply-to takes no confirm channel).
    const requester = await connection.createChannel();
    const replies: amqp.ConsumeMessage[] = [];
    await requester.consume(
      'amq.rabbitmq.reply-to',
      (message) => message && replies.push(message),
      {
        noAck: true,
      },
    );
    const send = (id: string, sentAtMs: number) =>
      requester.publish(
        EVENTS_EXCHANGE,
        'test.item.recorded',
        Buffer.from(JSON.stringify({ subject: id, seq: 1, value: 1 })),
        {
          type: 'test.item.recorded',
          messageId: id,
          replyTo: 'amq.rabbitmq.reply-to',
          // AMQP timestamps are whole seconds.
          timestamp: Math.floor(sentAtMs / 1000),
        },
      );
    send('stale', Date.now() - 60_000);
    send('fresh', Date.now());
    await eventually(
      async () => (await outcomeRows(harness.store, 'test.reply-deadline')).length === 2,
      10_000,
      'both outcomes',
    );
    const outcomes = new Map(
      (await outcomeRows(harness.store, 'test.reply-deadline')).map((row) => [
        row.message_id,
        row.outcome,
      ]),
    );
    expect(Object.fromEntries(outcomes)).to.deep.equal({ stale: 'expired', fresh: 'replied' });
    await eventually(() => replies.length >= 1, 10_000, 'the fresh reply');
    expect(replies.map((reply) => JSON.parse(reply.content.toString()) as unknown)).to.deep.equal([
      { subject: 'fresh', seq: 1, doubled: 2 },
    ]);
  });

  it('shuts down gracefully: in-flight messages finish or return to the queue, none is lost', async () => {
    const sink = recordingSink();
    sink.delayMs = 50;
    const first = await start({ steps: [deliver()], sinks: [sink], prefetch: 10 });
    for (let index = 0; index < 100; index += 1) {
      channel.publish(
        EVENTS_EXCHANGE,
        'test.item.forwarded',
        Buffer.from(JSON.stringify({ subject: 'g', seq: index, doubled: 0 })),
        {
          type: 'test.item.forwarded',
          messageId: `g-${String(index)}`,
          persistent: true,
        },
      );
    }
    await channel.waitForConfirms();
    await eventually(() => sink.applied.size >= 10, 10_000, 'some deliveries');
    await first.stop();
    harnesses.splice(harnesses.indexOf(first), 1);
    const before = sink.applied.size;
    expect(before).to.be.lessThan(100);
    await start({ steps: [deliver()], sinks: [sink], prefetch: 10 });
    await eventually(() => sink.applied.size === 100, 30_000, 'the rest after restart');
  });
});

export type { Broker };

import { expect } from 'chai';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  DLX_EXCHANGE,
  EVENTS_EXCHANGE,
  RETRY_RETURN_EXCHANGE,
  stepQueueName,
  type Publisher,
} from '../../hub/broker/index.js';
import type { StepSpec } from '../../hub/engine/step.js';
import { ConnectorError } from '../../hub/errors.js';
import { startArchiver, type Archiver } from '../../hub/dead-letters/archiver.js';
import type { DeadLetter } from '../../hub/store/dead-letters.js';
import { REPLAY_COUNT_HEADER, type Actor } from '../../hub/dead-letters/replay.js';
import {
  createDeadLetterService,
  OperatorRefusal,
  type DeadLetterService,
} from '../../hub/dead-letters/service.js';
import { createKeyRing } from '../../hub/security/keys.js';
import type { Store } from '../../hub/store/types.js';
import { sampleMyNumber } from '../../schemas/sample.js';
import { createVhost, eventually, messagesLeft, type TestVhost } from '../support/broker.js';
import { testCatalogue } from '../support/catalogue.js';
import {
  recordingSink,
  startEngine,
  tempSqliteUrl,
  type Harness,
  type RecordingSink,
} from '../support/engine-harness.js';

const operator: Actor = { name: 'op1', role: 'operator' };

const deliverStep: StepSpec = {
  route: 'test',
  name: 'test.deliver',
  input: ['test.item.recorded'],
  output: { kind: 'deliver', system: 'TEST_SYSTEM' },
  retry: { maxAttempts: 1 },
};

const forwardStep: StepSpec = {
  route: 'test',
  name: 'test.forward',
  input: ['test.item.recorded'],
  transformer: 'test-forward',
  output: { kind: 'publish', messageType: 'test.item.forwarded' },
  retry: { maxAttempts: 1 },
};

const deliverForwarded: StepSpec = {
  route: 'test',
  name: 'test.deliver-forwarded',
  input: ['test.item.forwarded'],
  output: { kind: 'deliver', system: 'TEST_SYSTEM' },
  retry: { maxAttempts: 1 },
};

interface World {
  vhost: TestVhost;
  harness: Harness;
  sink: RecordingSink;
  service: DeadLetterService;
  archiver: Archiver;
  published: { count: number };
  /** While true, the store's processed-key look-up fails (the step keeps returning the message). */
  poisoned: { on: boolean };
}

const worlds: World[] = [];

async function world(steps: readonly StepSpec[], options: { deliveryLimit?: number } = {}) {
  const vhost = await createVhost('hub-dlq');
  const sink = recordingSink('TEST_SYSTEM');
  const poisoned = { on: false };
  const harness = await startEngine({
    url: vhost.url,
    dbUrl: tempSqliteUrl(),
    steps: steps.map((step) =>
      options.deliveryLimit === undefined
        ? step
        : { ...step, deliveryLimit: options.deliveryLimit },
    ),
    sinks: [sink],
    wrapStore: (store: Store): Store => ({
      kind: store.kind,
      knex: store.knex,
      outcomes: store.outcomes,
      processed: {
        has: async (step, key) => {
          if (poisoned.on) throw new Error('store look-up failed (test)');
          return store.processed.has(step, key);
        },
      },
      ping: () => store.ping(),
      migrate: () => store.migrate(),
      close: () => store.close(),
    }),
  });
  const published = { count: 0 };
  // Counts what replay publishes, so "a dry run publishes nothing" is exact, not a wait.
  const counting: Publisher = {
    publish: async (...args) => {
      published.count += 1;
      await harness.broker.publisher.publish(...args);
    },
    close: () => Promise.resolve(),
  };
  const service = createDeadLetterService({
    store: harness.store,
    keyRing: createKeyRing([randomBytes(32)]),
    replay: {
      publisher: counting,
      catalogue: testCatalogue(),
      pipeline: harness.engine.pipeline,
      steps: () => harness.engine.steps(),
    },
  });
  const archiver = await startArchiver({
    broker: harness.broker,
    repository: service.repository,
    retryDelayMs: 100,
  });
  const created: World = { vhost, harness, sink, service, archiver, published, poisoned };
  worlds.push(created);
  return created;
}

/** Vhosts are deleted in the background (rabbitmqctl takes a second) and awaited once per suite. */
const deleting: Promise<void>[] = [];

async function teardown(): Promise<void> {
  for (const w of worlds.splice(0)) {
    await w.archiver.stop().catch(() => undefined);
    await w.harness.stop();
    deleting.push(w.vhost.delete());
  }
}

async function deleteVhosts(): Promise<void> {
  await Promise.all(deleting.splice(0));
}

async function publish(
  w: World,
  type: string,
  body: unknown,
  extra: { expirationMs?: number } = {},
) {
  const messageId = randomUUID();
  await w.harness.broker.publisher.publish(
    EVENTS_EXCHANGE,
    type,
    Buffer.from(JSON.stringify(body)),
    {
      messageId,
      type,
      appId: 'TEST_SOURCE',
      ...(extra.expirationMs === undefined ? {} : { expirationMs: extra.expirationMs }),
    },
  );
  return messageId;
}

async function letters(w: World, count: number, what: string): Promise<DeadLetter[]> {
  let found: DeadLetter[] = [];
  await eventually(
    async () => {
      found = await w.service.list({ status: 'all' });
      return found.length >= count;
    },
    20_000,
    what,
  );
  return found.sort((a, b) => a.id - b.id);
}

async function delivered(w: World, count: number, what: string) {
  await eventually(() => w.sink.applied.size >= count, 20_000, what);
}

describe('dead letters: every reason class is archived and replays once its cause is fixed', function () {
  this.timeout(60_000);

  afterEach(teardown);
  after(deleteVhosts);

  it('connector: archived with the hub reason, replayed to the failing step after the system recovers', async () => {
    const w = await world([deliverStep]);
    w.sink.failWith = new ConnectorError('TEST_SYSTEM', 'HTTP 503', false);
    const messageId = await publish(w, 'test.item.recorded', { subject: 's1', seq: 1, value: 2 });
    const [letter] = await letters(w, 1, 'the connector dead letter');
    expect(letter).to.include({
      messageId,
      reasonClass: 'connector',
      step: 'test.deliver',
      route: 'test',
      originalExchange: EVENTS_EXCHANGE,
      originalRoutingKey: 'test.item.recorded',
      originalQueue: stepQueueName('test.deliver'),
      sourceSystem: 'TEST_SOURCE',
      status: 'open',
    });
    expect(letter!.reasonJa).to.contain('TEST_SYSTEM');
    expect(letter!.reasonEn).to.contain('HTTP 503');
    expect(letter!.attempts).to.equal(1);
    // Encrypted at rest: the stored bytes are not the message.
    const raw = (await w.harness.store.knex('dead_letters').select('payload').first()) as {
      payload: Buffer;
    };
    expect(Buffer.from(raw.payload).toString('utf8')).not.to.contain('s1');
    expect(JSON.parse((await w.service.repository.payload(letter!.id))!.toString())).to.deep.equal({
      subject: 's1',
      seq: 1,
      value: 2,
    });

    w.sink.failWith = undefined;
    const report = await w.service.replay({
      ids: [letter!.id],
      actor: operator,
      reason: 'system back',
    });
    expect(report.published).to.equal(1);
    expect(report.items[0]!.replayMessageId).not.to.equal(messageId);
    await delivered(w, 1, 'the replayed delivery');
    const after = await w.service.repository.get(letter!.id);
    expect(after).to.include({ status: 'replayed', replayCount: 1 });
    const logged = await w.service.operatorLog.list({ action: 'dead-letter.replay' });
    expect(logged).to.have.length(1);
    expect(logged[0]).to.include({ actor: 'op1', reason: 'system back' });
  });

  it('validation: a replay of the same bytes is refused; a corrected body is an edit and goes through', async () => {
    const w = await world([deliverStep]);
    await publish(w, 'test.item.recorded', { subject: 's2', seq: -1, value: 2 });
    const [letter] = await letters(w, 1, 'the validation dead letter');
    expect(letter!.reasonClass).to.equal('validation');
    expect(letter!.detail).to.contain('/seq minimum');

    const refused = await w.service.replay({ ids: [letter!.id], actor: operator });
    expect(refused.refused).to.equal(1);
    expect(refused.items[0]!.issues).to.deep.equal(['/seq minimum']);
    expect(w.published.count).to.equal(0);

    const corrected = Buffer.from(JSON.stringify({ subject: 's2', seq: 1, value: 2 }));
    const report = await w.service.replay({
      ids: [letter!.id],
      actor: operator,
      body: corrected,
      reason: 'seq fixed with the sender',
    });
    expect(report.published).to.equal(1);
    await delivered(w, 1, 'the corrected delivery');
    expect([...w.sink.applied.values()][0]!.body).to.deep.equal({
      subject: 's2',
      seq: 1,
      value: 2,
    });
    const actions = (await w.service.operatorLog.list()).map((row) => row.action);
    // The refused attempt is on record too: an operator asked for it.
    expect(actions).to.deep.equal(['dead-letter.replay', 'dead-letter.edit', 'dead-letter.replay']);
  });

  it('unroutable: replayed to the failing step once a route for its output exists', async () => {
    const w = await world([forwardStep]);
    await publish(w, 'test.item.recorded', { subject: 's3', seq: 1, value: 21 });
    const [letter] = await letters(w, 1, 'the unroutable dead letter');
    expect(letter).to.include({ reasonClass: 'unroutable', step: 'test.forward' });

    await w.harness.engine.apply([forwardStep, deliverForwarded]);
    const report = await w.service.replay({ ids: [letter!.id], actor: operator });
    expect(report.published).to.equal(1);
    await delivered(w, 1, 'the forwarded delivery');
    expect([...w.sink.applied.values()][0]!.body).to.include({ doubled: 42 });
  });

  it('policy: a leaked 個人番号 is quarantined, masked in the view, unmasked only with a reason, replayed corrected', async () => {
    const w = await world([deliverStep]);
    const myNumber = sampleMyNumber(4242);
    await publish(w, 'test.item.recorded', { subject: 's4', seq: 1, value: 2, note: myNumber });
    const [letter] = await letters(w, 1, 'the policy dead letter');
    expect(letter!.reasonClass).to.equal('policy');

    const masked = await w.service.show(letter!.id);
    expect(masked.masked).to.equal(true);
    expect(JSON.stringify(masked.body)).not.to.contain(myNumber);
    expect(JSON.stringify(masked.body)).to.contain('[個人番号]');

    let refusal: unknown;
    try {
      await w.service.show(letter!.id, { actor: operator, unmask: true });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).to.be.instanceOf(OperatorRefusal);
    expect((refusal as OperatorRefusal).status).to.equal(400);
    let forbidden: unknown;
    try {
      await w.service.show(letter!.id, {
        actor: { name: 'aud1', role: 'auditor' },
        unmask: true,
        reason: 'curious',
      });
    } catch (error) {
      forbidden = error;
    }
    expect((forbidden as OperatorRefusal).status).to.equal(403);
    expect(await w.service.operatorLog.list()).to.have.length(0);

    const unmasked = await w.service.show(letter!.id, {
      actor: operator,
      unmask: true,
      reason: 'incident 2026-118: find the sender',
    });
    expect((unmasked.body as { note: string }).note).to.equal(myNumber);
    const [logged] = await w.service.operatorLog.list();
    expect(logged).to.include({
      action: 'dead-letter.unmask',
      target: `dead-letter:${String(letter!.id)}`,
    });

    const report = await w.service.replay({
      ids: [letter!.id],
      actor: operator,
      body: Buffer.from(JSON.stringify({ subject: 's4', seq: 1, value: 2 })),
      reason: 'note removed',
    });
    expect(report.published).to.equal(1);
    await delivered(w, 1, 'the corrected delivery');
  });

  it('delivery_limit: a message the step keeps returning is dead-lettered by the broker, replayed after the fix', async () => {
    const w = await world([deliverStep], { deliveryLimit: 1 });
    w.poisoned.on = true;
    const messageId = await publish(w, 'test.item.recorded', { subject: 's5', seq: 1, value: 2 });
    const [letter] = await letters(w, 1, 'the delivery-limit dead letter');
    expect(letter).to.include({
      messageId,
      reasonClass: 'delivery_limit',
      step: 'test.deliver',
      originalQueue: stepQueueName('test.deliver'),
    });
    expect(letter!.reasonEn).to.contain('Delivery limit');
    expect(letter!.reasonJa).to.contain('配送回数の上限');

    w.poisoned.on = false;
    const report = await w.service.replay({ ids: [letter!.id], actor: operator });
    expect(report.published).to.equal(1);
    await delivered(w, 1, 'the replayed delivery');
  });

  it('timeout: a message that expired in its queue is archived as timeout and replayed without its expiry', async () => {
    const w = await world([deliverStep]);
    // No consumer for a moment: the message waits in the step queue past its expiration. The step is
    // retired (unbound from hub.events), so the message enters its queue the way a delayed retry
    // comes back: through the retry-return exchange, where the queue stays bound by its own name.
    await w.harness.engine.apply([]);
    const messageId = randomUUID();
    await w.harness.broker.publisher.publish(
      RETRY_RETURN_EXCHANGE,
      stepQueueName('test.deliver'),
      Buffer.from(JSON.stringify({ subject: 's6', seq: 1, value: 2 })),
      { messageId, type: 'test.item.recorded', appId: 'TEST_SOURCE', expirationMs: 50 },
    );
    const [letter] = await letters(w, 1, 'the expired dead letter');
    expect(letter).to.include({ messageId, reasonClass: 'timeout', step: 'test.deliver' });
    expect(letter!.reasonJa).to.contain('期限');

    await w.harness.engine.apply([deliverStep]);
    const report = await w.service.replay({ ids: [letter!.id], actor: operator });
    expect(report.published).to.equal(1);
    await delivered(w, 1, 'the replayed delivery');
  });

  it('stores a redelivered dead letter once (dedupe on message id, step and dead-letter time)', async () => {
    const w = await world([deliverStep]);
    const headers = {
      'x-hub-reason-class': 'connector',
      'x-hub-reason-ja': '連携先への送信に失敗しました',
      'x-hub-reason-en': 'Delivery failed',
      'x-hub-step': 'test.deliver',
      'x-hub-original-queue': stepQueueName('test.deliver'),
      'x-hub-failed-at': '2026-11-28T01:00:00.000Z',
    };
    const messageId = randomUUID();
    for (let copy = 0; copy < 2; copy += 1) {
      await w.harness.broker.publisher.publish(
        DLX_EXCHANGE,
        'test.item.recorded',
        Buffer.from('{}'),
        {
          messageId,
          type: 'test.item.recorded',
          headers,
        },
      );
    }
    await publish(w, 'test.item.recorded', { subject: 'x', seq: -1, value: 0 });
    // The third (a different message) arriving proves the two copies were both processed.
    const found = await letters(w, 2, 'the dead letters');
    // Every copy taken and settled by the archiver: the broker holds nothing more.
    await eventually(async () => (await messagesLeft(w.vhost.name)) === 0, 20_000, 'empty queues');
    const all = await w.service.list({ status: 'all' });
    expect(all.filter((letter) => letter.messageId === messageId)).to.have.length(1);
    expect(found.map((letter) => letter.reasonClass).sort()).to.deep.equal([
      'connector',
      'validation',
    ]);
  });

  it('a replay loop stops at the cap: the fourth replay of a message is refused', async () => {
    const w = await world([deliverStep]);
    w.sink.failWith = new ConnectorError('TEST_SYSTEM', 'still down', false);
    await publish(w, 'test.item.recorded', { subject: 's7', seq: 1, value: 2 });
    for (let round = 1; round <= 3; round += 1) {
      const current = await letters(w, round, `dead letter ${String(round)}`);
      const newest = current[current.length - 1]!;
      expect(Number(newest.headers[REPLAY_COUNT_HEADER] ?? 0)).to.equal(round - 1);
      const report = await w.service.replay({ ids: [newest.id], actor: operator });
      expect(report.published, `round ${String(round)}`).to.equal(1);
    }
    const current = await letters(w, 4, 'dead letter 4');
    const newest = current[current.length - 1]!;
    expect(newest.headers[REPLAY_COUNT_HEADER]).to.equal(3);
    const report = await w.service.replay({ ids: [newest.id], actor: operator });
    expect(report.refused).to.equal(1);
    expect(report.items[0]!.problem!.en).to.contain('cap 3');
    expect(report.items[0]!.problem!.ja).to.contain('上限');
    // Replaying the same letter again (deliberately: --again with a reason) also counts toward the cap.
    const first = current[0]!;
    const again = await w.service.replay({
      ids: [first.id],
      actor: operator,
      again: true,
      reason: 'the loop test asks twice',
    });
    expect(again.published).to.equal(1);
    expect(again.items[0]!.replayCount).to.equal(2);
  });
});

/** Archives `count` connector dead letters of the deliver step straight into the store. */
async function seed(w: World, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let n = 0; n < count; n += 1) {
    const messageId = randomUUID();
    const { id } = await w.service.repository.insert({
      dedupeKey: `seed-${messageId}`,
      messageId,
      messageType: 'test.item.recorded',
      route: 'test',
      step: 'test.deliver',
      originalExchange: EVENTS_EXCHANGE,
      originalRoutingKey: 'test.item.recorded',
      originalQueue: stepQueueName('test.deliver'),
      reasonClass: 'connector',
      reasonJa: '連携先への送信に失敗しました',
      reasonEn: 'Delivery failed',
      detail: 'HUB_CONNECTOR_FAILED',
      attempts: 5,
      headers: { 'x-hub-step': 'test.deliver', 'x-hub-reason-class': 'connector' },
      properties: { type: 'test.item.recorded', appId: 'TEST_SOURCE' },
      payload: Buffer.from(JSON.stringify({ subject: `seed-${String(n)}`, seq: n, value: n })),
      correlationId: messageId,
      sourceSystem: 'TEST_SOURCE',
      subjectHash: null,
      firstFailedAt: new Date(),
      deadLetteredAt: new Date(),
    });
    ids.push(id);
  }
  return ids;
}

describe('dead-letter replay: dry run, rate, cancellation', function () {
  this.timeout(60_000);

  afterEach(teardown);
  after(deleteVhosts);

  it('a dry run validates, shows the targets and publishes nothing', async () => {
    const w = await world([deliverStep]);
    const ids = await seed(w, 3);
    const report = await w.service.replay({
      filter: { step: 'test.deliver' },
      dryRun: true,
      actor: { name: 'aud1', role: 'auditor' },
    });
    expect(report.items.map((item) => item.status)).to.deep.equal(Array(3).fill('would-publish'));
    expect(report.items.map((item) => item.id)).to.deep.equal(ids);
    expect(report.items[0]!.target!.description).to.equal(
      'step test.deliver (hub.step.test.deliver)',
    );
    expect(w.published.count).to.equal(0);
    expect(await w.service.operatorLog.list()).to.have.length(0);
    for (const id of ids) expect((await w.service.repository.get(id))!.status).to.equal('open');
  });

  it('--rate holds within 10 %', async () => {
    const w = await world([deliverStep]);
    const ids = await seed(w, 21);
    const report = await w.service.replay({ ids, ratePerSecond: 20, actor: operator });
    expect(report.published).to.equal(21);
    const times = report.items.map((item) => item.atMs!);
    const measured = (times.length - 1) / ((times[times.length - 1]! - times[0]!) / 1000);
    expect(measured).to.be.within(18, 22);
    await delivered(w, 21, 'every replayed delivery');
  });

  it('stops cleanly when cancelled and reports what was and was not sent', async () => {
    const w = await world([deliverStep]);
    const ids = await seed(w, 30);
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 400);
    const report = await w.service.replay({
      ids,
      ratePerSecond: 20,
      actor: operator,
      signal: controller.signal,
    });
    expect(report.cancelled).to.equal(true);
    expect(report.published).to.be.within(1, 29);
    expect(report.published + report.notStarted).to.equal(30);
    const [logged] = await w.service.operatorLog.list({ action: 'dead-letter.replay' });
    const detail = JSON.parse(logged!.detailJson!) as { cancelled: boolean; notStarted: number[] };
    expect(detail.cancelled).to.equal(true);
    expect(detail.notStarted).to.have.length(report.notStarted);
    await delivered(w, report.published, 'the replays sent before the cancel');
    const open = await w.service.list({ status: 'open' });
    expect(open).to.have.length(report.notStarted);
  });
});

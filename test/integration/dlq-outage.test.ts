/**
 * No broker version may drop a dead letter while the store is down. RabbitMQ ≥ 4.0 gives quorum queues
 * a delivery limit of 20 by default (emulated here on 3.x with a policy, which cannot be raised by a
 * queue argument either); an archiver that requeued each refused write lost letters after ~20 s of
 * outage. The dead-letter queue is the hub's own (startEngine declares the topology as `hub start`).
 */
import { expect } from 'chai';
import { randomBytes, randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import {
  DEAD_LETTER_OVERFLOW_QUEUE,
  DEAD_LETTER_QUEUE,
  EVENTS_EXCHANGE,
} from '../../hub/broker/index.js';
import { startArchiver, type Archiver } from '../../hub/dead-letters/archiver.js';
import type { DeadLetterRepository } from '../../hub/store/dead-letters.js';
import { createDeadLetterService } from '../../hub/dead-letters/service.js';
import type { StepSpec } from '../../hub/engine/step.js';
import { createKeyRing } from '../../hub/security/keys.js';
import {
  closeAllConnections,
  createVhost,
  eventually,
  rabbitmqctl,
  type TestVhost,
} from '../support/broker.js';
import { testCatalogue } from '../support/catalogue.js';
import {
  recordingSink,
  startEngine,
  tempSqliteUrl,
  type Harness,
} from '../support/engine-harness.js';

const step: StepSpec = {
  route: 'test',
  name: 'test.deliver',
  input: ['test.item.recorded'],
  output: { kind: 'deliver', system: 'TEST_SYSTEM' },
  retry: { maxAttempts: 1 },
};

/** A store whose every dead-letter write fails while `down`; counts refusals per message. */
function failingStore(repository: DeadLetterRepository) {
  const state = { down: true, refusals: new Map<string, number>() };
  const wrapped: DeadLetterRepository = {
    ...repository,
    async insert(letter) {
      if (state.down) {
        state.refusals.set(letter.messageId, (state.refusals.get(letter.messageId) ?? 0) + 1);
        throw Object.assign(new Error('store unavailable (test)'), { code: 'ECONNREFUSED' });
      }
      return repository.insert(letter);
    },
  };
  return { state, repository: wrapped };
}

describe('dead letters survive a store outage on any broker version', function () {
  this.timeout(120_000);
  let vhost: TestVhost;
  let harness: Harness;
  let archiver: Archiver | undefined;

  beforeEach(async () => {
    vhost = await createVhost('hub-dlq-outage');
    // RabbitMQ 4.x's default for quorum queues, on this broker: at most 20 deliveries.
    await rabbitmqctl(
      'set_policy',
      '-p',
      vhost.name,
      '--apply-to',
      'queues',
      'rabbitmq4-default-delivery-limit',
      '^hub\\.dead-letters$',
      '{"delivery-limit":20}',
    );
    harness = await startEngine({
      url: vhost.url,
      dbUrl: tempSqliteUrl(),
      steps: [step],
      sinks: [recordingSink('TEST_SYSTEM')],
    });
  });

  afterEach(async () => {
    await archiver?.stop().catch(() => undefined);
    archiver = undefined;
    await harness.stop();
    await vhost.delete();
  });

  async function sendInvalid(count: number): Promise<Set<string>> {
    const ids = new Set<string>();
    for (let n = 0; n < count; n += 1) {
      const messageId = randomUUID();
      ids.add(messageId);
      // seq −1 fails the schema: the step dead-letters it at once.
      await harness.broker.publisher.publish(
        EVENTS_EXCHANGE,
        'test.item.recorded',
        Buffer.from(JSON.stringify({ subject: `s${String(n)}`, seq: -1, value: 1 })),
        { messageId, type: 'test.item.recorded' },
      );
    }
    return ids;
  }

  async function archivedIds(): Promise<Set<string>> {
    const rows: { message_id: string }[] = await harness.store
      .knex('dead_letters')
      .select('message_id');
    return new Set(rows.map((row) => row.message_id));
  }

  it('every write refused for the equivalent of 60 s of redeliveries: every dead letter is archived afterwards', async () => {
    const service = createDeadLetterService({
      store: harness.store,
      keyRing: createKeyRing([randomBytes(32)]),
      replay: { catalogue: testCatalogue() },
    });
    const store = failingStore(service.repository);
    // Production pauses 1 s and more between tries of one letter: 60 refusals of a letter ≥ 60 s.
    archiver = await startArchiver({
      broker: harness.broker,
      repository: store.repository,
      retryDelayMs: 5,
      maxRetryDelayMs: 10,
    });
    const sent = await sendInvalid(40);
    const longest = () => Math.max(0, ...store.state.refusals.values());
    // The outage lasts until some letter was refused 60 times (or, if letters vanish, 30 s).
    await eventually(() => longest() >= 60, 30_000, 'a letter refused 60 times').catch(
      () => undefined,
    );
    const outage = longest();
    store.state.down = false;

    await eventually(
      async () => (await archivedIds()).size >= sent.size,
      30_000,
      'every dead letter archived',
    ).catch(() => undefined);
    const archived = await archivedIds();
    expect(
      [...sent].filter((id) => !archived.has(id)),
      'dead letters lost',
    ).to.deep.equal([]);
    expect(archived.size).to.equal(sent.size);
    expect(outage, 'the outage lasted 60 refusals of a letter').to.be.at.least(60);
  });

  it('a letter past the delivery limit moves to the overflow queue and is archived with its own reason', async () => {
    // Deliveries that end without an ack (a crash, a lost channel) do count: one is the limit here.
    await rabbitmqctl(
      'set_policy',
      '-p',
      vhost.name,
      '--apply-to',
      'queues',
      'rabbitmq4-default-delivery-limit',
      '^hub\\.dead-letters$',
      '{"delivery-limit":1}',
    );
    const service = createDeadLetterService({
      store: harness.store,
      keyRing: createKeyRing([randomBytes(32)]),
      replay: { catalogue: testCatalogue() },
    });
    const store = failingStore(service.repository);
    archiver = await startArchiver({
      broker: harness.broker,
      repository: store.repository,
      retryDelayMs: 5,
      maxRetryDelayMs: 10,
    });
    const sent = await sendInvalid(5);
    const total = () => [...store.state.refusals.values()].reduce((a, b) => a + b, 0);
    // Lose the archiver's channels twice while it holds the letters (the broker counts both).
    for (let round = 0; round < 2; round += 1) {
      const before = total();
      await eventually(() => total() > before + 5, 20_000, 'the archiver holding letters');
      await closeAllConnections(vhost.name);
    }
    await eventually(() => total() > 0 && harness.broker.isConnected(), 20_000, 'reconnected');
    store.state.down = false;
    await eventually(
      async () => (await archivedIds()).size >= sent.size,
      30_000,
      'every dead letter archived',
    );
    const letters = await service.list({ status: 'all' });
    expect(letters.map((letter) => letter.messageId).sort()).to.deep.equal([...sent].sort());
    // The move to the overflow queue changed nothing about the letter: its reason is the step's.
    for (const letter of letters) {
      expect(letter).to.include({ reasonClass: 'validation', step: 'test.deliver' });
    }
    const overflowed = letters.filter((letter) =>
      JSON.stringify(letter.headers['x-death'] ?? []).includes(DEAD_LETTER_QUEUE),
    );
    expect(overflowed.length, 'letters that went through the overflow queue').to.be.greaterThan(0);
    // Both archive queues are empty afterwards.
    const connection = await amqp.connect(vhost.url);
    try {
      const channel = await connection.createChannel();
      for (const queue of [DEAD_LETTER_QUEUE, DEAD_LETTER_OVERFLOW_QUEUE]) {
        expect((await channel.checkQueue(queue)).messageCount, queue).to.equal(0);
      }
    } finally {
      await connection.close();
    }
  });
});

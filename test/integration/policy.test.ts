import { expect } from 'chai';
import type amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import { DEAD_LETTER_QUEUE, EVENTS_EXCHANGE, createBroker } from '../../hub/broker/index.js';
import { kyotsuKibanSimulator } from '../../connectors/kyotsu-kiban/simulator.js';
import { kyotsuKibanSink } from '../../connectors/kyotsu-kiban/sink.js';
import type { Simulator } from '../../connectors/runtime/simulator.js';
import { DeadlineError, PolicyError } from '../../hub/errors.js';
import type { StepSpec } from '../../hub/engine/step.js';
import { createVhost, eventually, rawConnection, type TestVhost } from '../support/broker.js';
import { leakCorpus, lookAlikeCorpus } from '../support/leak-corpus.js';
import { validMyNumbersIn } from '../support/my-number-scan.js';
import {
  recordingSink,
  startEngine,
  tempSqliteUrl,
  type Harness,
} from '../support/engine-harness.js';

/**
 * Leak attempts through the whole engine, drawn from the generated corpus (test/support/leak-corpus.ts;
 * every case of it is run against the gate and the logger in test/security/leak-corpus.test.ts):
 * each separator class, each digit form, free text, glued runs, object keys, JSON numbers and split
 * fields, in a message body.
 */
const corpus = leakCorpus(3);
const leaks: Record<string, unknown> = {};
for (const leak of corpus) {
  if (leak.body === undefined) continue;
  const wanted =
    leak.label.startsWith('body value: ascii, 4-4-4, 1×') ||
    leak.label.startsWith('body value: full width, 6-6, 2×') ||
    leak.label.startsWith('body value: kanji, 3-3-3-3, 3×') ||
    / no separator$| free text| glued| mixed/.test(leak.label) ||
    /^(object key|nested object key|array in array): ascii, no separator$/.test(leak.label) ||
    leak.split !== undefined ||
    leak.label.startsWith('JSON number');
  if (wanted && !(leak.label in leaks)) leaks[leak.label] = leak.body;
}

/** Things that look like My Numbers but are not (wrong check digits, other codes, dates, ids). */
const lookAlikes: Record<string, unknown> = Object.fromEntries(
  lookAlikeCorpus(1).map((item) => [item.label, item.body]),
);

describe('My Number policy: quarantine, never deliver', function () {
  this.timeout(120_000);
  let vhost: TestVhost;
  let connection: amqp.ChannelModel;
  let harness: Harness | undefined;

  beforeEach(async () => {
    vhost = await createVhost('hub-policy');
    connection = await rawConnection(vhost.url);
  });

  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
    await connection.close().catch(() => undefined);
    await vhost.delete();
  });

  it('quarantines 100 % of a corpus of leak attempts, counts them in a metric, and passes every look-alike', async () => {
    const sink = recordingSink('NO_MY_NUMBER_SYSTEM', false);
    const step: StepSpec = {
      route: 'test',
      name: 'test.notes',
      input: ['test.note.recorded'],
      output: { kind: 'deliver', system: 'NO_MY_NUMBER_SYSTEM' },
    };
    harness = await startEngine({
      url: vhost.url,
      dbUrl: tempSqliteUrl(),
      steps: [step],
      sinks: [sink],
    });
    const channel = await connection.createConfirmChannel();
    const ids = new Map<string, string>();
    for (const [label, body] of [...Object.entries(leaks), ...Object.entries(lookAlikes)]) {
      const id = randomUUID();
      ids.set(id, label);
      channel.publish(EVENTS_EXCHANGE, 'test.note.recorded', Buffer.from(JSON.stringify(body)), {
        type: 'test.note.recorded',
        messageId: id,
        persistent: true,
      });
    }
    await channel.waitForConfirms();
    const quarantined = new Map<string, string>();
    const reader = await connection.createChannel();
    await eventually(
      async () => {
        const message = await reader.get(DEAD_LETTER_QUEUE, { noAck: true });
        if (message !== false) {
          const label = ids.get(String(message.properties.messageId));
          quarantined.set(
            label ?? 'unknown',
            String(message.properties.headers?.['x-hub-reason-class']),
          );
        }
        return quarantined.size + sink.applied.size >= ids.size;
      },
      30_000,
      'every corpus message to be delivered or quarantined',
    );
    // The sink sees output ids; map them back through the deliveries' causation header.
    const deliveredLabels = new Set(
      sink.deliveries.map((entry) => ids.get(String(entry.message.headers['x-hub-causation-id']))),
    );
    expect([...quarantined.keys()].sort()).to.deep.equal(Object.keys(leaks).sort());
    expect([...new Set(quarantined.values())]).to.deep.equal(['policy']);
    expect([...deliveredLabels].sort()).to.deep.equal(Object.keys(lookAlikes).sort());
    expect(sink.applied.size).to.equal(Object.keys(lookAlikes).length);
    const counted = await harness.metrics.deadLettered.get();
    const policy = counted.values.find((value) => value.labels.reason === 'policy');
    expect(policy?.value).to.equal(Object.keys(leaks).length);
    // The metric's labels name the step and reason class only: never a value.
    const exposition = await harness.metrics.registry.metrics();
    // (Only the corpus's numbers: a float's decimals can look like a number to the test detector.)
    const numbers = new Set(corpus.map((leak) => leak.number));
    expect(validMyNumbersIn(exposition).filter((found) => numbers.has(found))).to.deep.equal([]);
  });

  it('lets a permitted system receive 個人番号 only on the affairs that permit it', async () => {
    const allowed = recordingSink('TOKUTEI_SYSTEM', { routes: ['affair-1'] });
    const steps: StepSpec[] = [
      {
        route: 'affair-1',
        name: 'a1.deliver',
        input: ['test.tokutei.recorded'],
        output: { kind: 'deliver', system: 'TOKUTEI_SYSTEM' },
      },
      {
        route: 'affair-11',
        name: 'a11.deliver',
        input: ['test.tokutei.recorded'],
        output: { kind: 'deliver', system: 'TOKUTEI_SYSTEM' },
      },
    ];
    harness = await startEngine({
      url: vhost.url,
      dbUrl: tempSqliteUrl(),
      steps,
      sinks: [allowed],
    });
    const channel = await connection.createConfirmChannel();
    channel.publish(
      EVENTS_EXCHANGE,
      'test.tokutei.recorded',
      Buffer.from(JSON.stringify({ myNumber: '123456789018' })),
      {
        type: 'test.tokutei.recorded',
        messageId: randomUUID(),
        persistent: true,
      },
    );
    await channel.waitForConfirms();
    const reader = await connection.createChannel();
    const letters: amqp.GetMessage[] = [];
    await eventually(
      async () => {
        const message = await reader.get(DEAD_LETTER_QUEUE, { noAck: true });
        if (message !== false) letters.push(message);
        return allowed.applied.size === 1 && letters.length === 1;
      },
      20_000,
      'one delivery (affair-1) and one quarantine (affair-11)',
    );
    const headers = letters[0]?.properties.headers ?? {};
    expect(headers['x-hub-step']).to.equal('a11.deliver');
    expect(headers['x-hub-reason-class']).to.equal('policy');
    expect(String(headers['x-hub-reason-ja'])).to.include('個人番号');
    expect(String(headers['x-hub-reason-ja'])).to.not.include('123456789018');
  });

  it('stores a business key holding a My Number as a keyed hash, and still finds the duplicate', async () => {
    const allowed = recordingSink('TOKUTEI_SYSTEM', true);
    harness = await startEngine({
      url: vhost.url,
      dbUrl: tempSqliteUrl(),
      steps: [
        {
          route: 'affair-1',
          name: 'a1.by-number',
          input: ['test.tokutei.recorded'],
          output: { kind: 'deliver', system: 'TOKUTEI_SYSTEM' },
          idempotencyKey: '/myNumber',
        },
      ],
      sinks: [allowed],
    });
    const running = harness;
    const channel = await connection.createConfirmChannel();
    for (let copy = 0; copy < 2; copy += 1) {
      channel.publish(
        EVENTS_EXCHANGE,
        'test.tokutei.recorded',
        Buffer.from(JSON.stringify({ myNumber: '621498320257' })),
        { type: 'test.tokutei.recorded', messageId: randomUUID(), persistent: true },
      );
      await channel.waitForConfirms();
      await eventually(
        async () => {
          await running.store.outcomes.flush();
          const rows: unknown[] = await running.store.knex('message_outcomes').select('id');
          return rows.length === copy + 1;
        },
        20_000,
        `outcome ${String(copy + 1)}`,
      );
    }
    const outcomes: { outcome: string }[] = await running.store
      .knex('message_outcomes')
      .select('outcome');
    expect(outcomes.map((row) => row.outcome).sort()).to.deep.equal(['delivered', 'duplicate']);
    const keys: { key: string }[] = await running.store.knex('processed_keys').select('key');
    expect(keys).to.have.length(1);
    expect(keys[0]?.key).to.match(/^mn:[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(keys)).not.to.contain('621498320257');
  });

  describe('the whole message (issue 13 item 3): metadata, routing key, sink egress, replies', () => {
    let simulator: Simulator;

    beforeEach(async () => {
      simulator = kyotsuKibanSimulator(0);
      await simulator.start();
    });

    afterEach(async () => {
      await simulator.stop();
    });

    /** One way of putting a number into a message's metadata: the publish options and routing key. */
    interface Smuggle {
      readonly routingKey?: string;
      readonly options: amqp.Options.Publish;
    }

    const number = '123456789018';
    const smuggles: Record<string, Smuggle> = {
      message_id: { options: { messageId: number } },
      correlation_id: { options: { correlationId: number } },
      'correlation_id, hyphenated': { options: { correlationId: '1234-5678-9018' } },
      type: { options: { type: `test.note.recorded.${number}` } },
      app_id: { options: { appId: `kiosk-${number}` } },
      reply_to: { options: { replyTo: `amq.rabbitmq.reply-to.${number}` } },
      content_type: { options: { contentType: `application/json; id=${number}` } },
      content_encoding: { options: { contentEncoding: `x-${number}` } },
      'header name': { options: { headers: { [`x-ref-${number}`]: 'yes' } } },
      'header value': { options: { headers: { 'x-ref': number } } },
      'header value, full width': { options: { headers: { 'x-ref': '１２３４５６７８９０１８' } } },
      'nested header table value': {
        options: { headers: { 'x-meta': { inner: { ref: number } } } },
      },
      'nested header table key': { options: { headers: { 'x-meta': { [number]: 1 } } } },
      'header array': { options: { headers: { 'x-list': ['a', number] } } },
      'header as a number': { options: { headers: { 'x-n': 123456789018 } } },
      'routing key': { routingKey: `test.note.recorded.${number}`, options: {} },
    };
    // And the generated corpus's metadata placements, in a separator form and a digit form each.
    for (const leak of corpus) {
      const form = /: (full width, 4-4-4, 1× ideographic space|kanji, 6-6, 2× em dash)$/.exec(
        leak.label,
      );
      if (form === null || leak.body !== undefined || leak.fileName !== undefined) continue;
      const properties = (leak.properties ?? {}) as amqp.Options.Publish;
      // RabbitMQ drops cluster_id on publish (checked: it never reaches a consumer).
      if ('clusterId' in properties) continue;
      smuggles[`generated ${leak.label} ${Object.keys(properties).join('')}`] = {
        ...(leak.routingKey === undefined ? {} : { routingKey: leak.routingKey }),
        options: {
          ...properties,
          ...(leak.headers === undefined ? {} : { headers: leak.headers }),
        },
      };
    }

    it('a My Number in each AMQP property, header name, header value or routing key never reaches a system that may not receive one', async () => {
      const step: StepSpec = {
        route: 'affair-11',
        name: 'test.notes-to-kiban',
        input: ['test.note.recorded', 'test.note.recorded.*'],
        output: { kind: 'deliver', system: 'KYOTSU_KIBAN' },
      };
      harness = await startEngine({
        url: vhost.url,
        dbUrl: tempSqliteUrl(),
        steps: [step],
        sinks: [kyotsuKibanSink(simulator.url())],
      });
      const channel = await connection.createConfirmChannel();
      const body = Buffer.from(JSON.stringify({ note: 'clean body' }));
      const labels = new Map<string, string>();
      for (const [label, smuggle] of Object.entries(smuggles)) {
        const marker = randomUUID();
        labels.set(marker, label);
        channel.publish(EVENTS_EXCHANGE, smuggle.routingKey ?? 'test.note.recorded', body, {
          type: 'test.note.recorded',
          messageId: randomUUID(),
          persistent: true,
          ...smuggle.options,
          headers: {
            ...(smuggle.options.headers as Record<string, unknown> | undefined),
            'x-test-marker': marker,
          },
        });
      }
      // The control: the same body with clean metadata is delivered.
      channel.publish(EVENTS_EXCHANGE, 'test.note.recorded', body, {
        type: 'test.note.recorded',
        messageId: randomUUID(),
        correlationId: 'case-2026-0001',
        persistent: true,
      });
      await channel.waitForConfirms();
      const reader = await connection.createChannel();
      const quarantined = new Map<string, amqp.GetMessage>();
      await eventually(
        async () => {
          const message = await reader.get(DEAD_LETTER_QUEUE, { noAck: true });
          if (message !== false) {
            const marker = String(message.properties.headers?.['x-test-marker']);
            quarantined.set(labels.get(marker) ?? 'unknown', message);
          }
          return quarantined.size >= labels.size && simulator.received.length >= 1;
        },
        30_000,
        'every smuggling attempt quarantined and the control delivered',
      ).catch((error: unknown) => {
        const missing = Object.keys(smuggles).filter((label) => !quarantined.has(label));
        throw new Error(`${String(error)}; not quarantined: ${missing.join(' | ')}`);
      });
      expect([...quarantined.keys()].sort()).to.deep.equal(Object.keys(smuggles).sort());
      // Counted at the simulator: only the control arrived, and nothing it took holds a number.
      expect(simulator.received).to.have.length(1);
      expect(validMyNumbersIn(JSON.stringify(simulator.received))).to.deep.equal([]);
      for (const [label, message] of quarantined) {
        const headers = message.properties.headers ?? {};
        expect(headers['x-hub-reason-class'], label).to.equal('policy');
        expect(String(headers['x-hub-reason-ja']), label).to.include('個人番号');
        expect(String(headers['x-hub-reason-en']), label).to.include('metadata');
        // The reason names the part, never the value.
        expect(
          validMyNumbersIn(
            `${String(headers['x-hub-reason-ja'])} ${String(headers['x-hub-reason-en'])}`,
          ),
        ).to.deep.equal([]);
      }
    });

    it('the sink scans what it sends last: a correlation id, message type or URL with a number is refused before the request leaves', async () => {
      const sink = kyotsuKibanSink(simulator.url());
      const base = {
        route: 'affair-11',
        messageId: randomUUID(),
        messageType: 'atena.update',
        correlationId: 'case-1',
        body: { note: 'x' },
        content: Buffer.from('{"note":"x"}'),
        headers: {},
      };
      const attempts = [
        { ...base, correlationId: '123456789018' },
        { ...base, messageType: 'atena.update.6214-9832-0257' },
        {
          ...base,
          body: { note: '983205673214' },
          content: Buffer.from('{"note":"983205673214"}'),
        },
        // A body the engine saw clean but whose wire form holds a number (an encoding step).
        { ...base, content: Buffer.from('{"note":"1234 5678 9018"}') },
      ];
      for (const attempt of attempts) {
        let caught: unknown;
        try {
          await sink.deliver(attempt);
        } catch (error) {
          caught = error;
        }
        expect(caught).to.be.instanceOf(PolicyError);
      }
      expect(simulator.received).to.have.length(0);
      await sink.deliver(base);
      expect(simulator.received).to.have.length(1);
    });

    it('a reply step goes through the policy and replies only to a direct reply-to address', async () => {
      const step: StepSpec = {
        route: 'test',
        name: 'test.reply-notes',
        input: ['test.note.recorded'],
        output: { kind: 'reply' },
      };
      harness = await startEngine({ url: vhost.url, dbUrl: tempSqliteUrl(), steps: [step] });
      const channel = await connection.createConfirmChannel();
      // A queue an attacker would like the hub to write into.
      await channel.assertQueue('victim', { durable: false });
      channel.publish(EVENTS_EXCHANGE, 'test.note.recorded', Buffer.from('{"note":"a"}'), {
        type: 'test.note.recorded',
        messageId: randomUUID(),
        replyTo: 'victim',
        headers: { 'x-test-marker': 'plain-queue' },
      });
      await channel.waitForConfirms();
      const reader = await connection.createChannel();
      const letters: amqp.GetMessage[] = [];
      await eventually(
        async () => {
          const message = await reader.get(DEAD_LETTER_QUEUE, { noAck: true });
          if (message !== false) letters.push(message);
          return letters.length >= 1;
        },
        20_000,
        'the reply to a plain queue quarantined',
      );
      expect(letters[0]?.properties.headers?.['x-hub-reason-class']).to.equal('policy');
      expect((await channel.checkQueue('victim')).messageCount).to.equal(0);
      // A requester over direct reply-to gets its reply; one with a number in the body does not.
      const client = createBroker({ url: vhost.url, name: 'hub-test-client' });
      await client.start();
      try {
        const rpc = await client.rpc();
        const reply = await rpc.request('test.note.recorded', Buffer.from('{"note":"ok"}'), {
          deadlineMs: 10_000,
        });
        expect(JSON.parse(reply.content.toString())).to.deep.equal({ note: 'ok' });
        let caught: unknown;
        try {
          await rpc.request('test.note.recorded', Buffer.from('{"note":"123456789018"}'), {
            deadlineMs: 3_000,
          });
        } catch (error) {
          caught = error;
        }
        expect(caught, 'no reply carrying a My Number').to.be.instanceOf(DeadlineError);
      } finally {
        await client.close();
      }
    });
  });
});

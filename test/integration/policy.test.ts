import { expect } from 'chai';
import type amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import { DEAD_LETTER_QUEUE, EVENTS_EXCHANGE } from '../../hub/broker/index.js';
import type { StepSpec } from '../../hub/engine/step.js';
import { createVhost, eventually, rawConnection, type TestVhost } from '../support/broker.js';
import {
  recordingSink,
  startEngine,
  tempSqliteUrl,
  type Harness,
} from '../support/engine-harness.js';

/** Attempts to smuggle a valid My Number (123456789018, 621498320257, 983205673214) past the hub. */
const leaks: Record<string, unknown> = {
  'top-level field': { myNumber: '123456789018' },
  'innocent field name': { reference: '621498320257' },
  'nested object': { a: { b: { c: { d: '983205673214' } } } },
  'array inside array': { list: ['x', ['y', '123456789018']] },
  'full-width digits': { note: '１２３４５６７８９０１８' },
  hyphenated: { note: '1234-5678-9018' },
  'full-width hyphens': { note: '１２３４－５６７８－９０１８' },
  'spaced with ideographic spaces': { note: '1234　5678　9018' },
  'inside Japanese free text': { note: '備考：本人の個人番号は123456789018です。' },
  'inside English free text': { memo: 'customer number 621498320257 called' },
  'as a JSON number': { value: 123456789018 },
  'in an array of numbers': { values: [1, 2, 983205673214] },
};

/** Things that look like My Numbers but are not (wrong check digit, wrong length, other codes). */
const lookAlikes: Record<string, unknown> = {
  'wrong check digit': { reference: '123456789019' },
  '11 digits (a 住民票コード-like value)': { reference: '12345678901' },
  '13 digits (a 法人番号)': { reference: '5835678256246' },
  'digits glued inside a longer number': { reference: '01234567890180' },
  'telephone number': { phone: '03-1234-5678' },
  dates: { on: '2024-01-01', at: '2026-11-28T01:02:03+09:00' },
  'a UUID': { id: '123e4567-e89b-12d3-a456-426614174000' },
  'full-width wrong check digit': { note: '１２３４５６７８９０１９' },
  'postal code and lg code': { postalCode: '1000001', lgCode: '131016' },
};

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
    expect(exposition).to.not.match(/123456789018|621498320257|983205673214/);
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
});

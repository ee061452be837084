/**
 * Replay is safe to repeat (issue 24, item 2), counted at the receiving simulator: a letter replayed
 * twice is delivered once — every replay carries the same id derived from the original — and the
 * second replay is refused unless asked for with --again and a reason.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { EVENTS_EXCHANGE } from '../../hub/broker/index.js';
import { deadLettersPlugin } from '../../hub/dead-letters/http.js';
import type { StepSpec } from '../../hub/engine/step.js';
import { storeCredentials } from '../../hub/http/auth.js';
import { sampleMessage } from '../../schemas/sample.js';
import { eventually } from '../support/broker.js';
import { startE2e, type E2e } from './support.js';

const steps: StepSpec[] = [
  {
    route: 'affair-11',
    name: 'affair-11.movement-to-conveni',
    input: ['resident.movement.recorded'],
    output: { kind: 'deliver', system: 'CONVENI_ISSUANCE' },
    retry: { maxAttempts: 1 },
  },
];

const password = 'correct horse battery staple';
const basic = `Basic ${Buffer.from(`op1:${password}`).toString('base64')}`;

interface Report {
  published: number;
  refused: number;
  items: { status: string; replayMessageId?: string; problem?: { en: string; ja: string } }[];
}

describe('e2e: replaying a dead letter twice delivers it once', function () {
  this.timeout(120_000);
  let e2e: E2e;
  let base: string;

  before(async () => {
    e2e = await startE2e({ steps, timeoutMs: 300, plugins: [deadLettersPlugin] });
    await storeCredentials(e2e.hub.store, { bcryptRounds: 4 }).addUser('op1', password, 'operator');
    base = `http://127.0.0.1:${String(e2e.hub.httpPort)}/api/dead-letters`;
  });
  after(async () => {
    await e2e.stop();
  });

  async function replay(
    body: Record<string, unknown>,
  ): Promise<{ status: number; report: Report }> {
    const response = await fetch(`${base}/replay`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, report: (await response.json()) as Report };
  }

  /** Raw deliveries of the request at the simulator (duplicates included). */
  async function deliveries(atenaNumber: string): Promise<string[]> {
    const list = await e2e.received('CONVENI_ISSUANCE');
    return (
      list.messages
        // The コンビニ交付 simulator records a movement by its 宛名番号 (it keeps nothing else of it).
        .filter((message) => message.body['atenaNumber'] === atenaNumber)
        .map((message) => message.messageId)
    );
  }

  it('the second replay needs --again and a reason, and reaches the receiver as the same message', async () => {
    const request = sampleMessage('resident.movement.recorded', 41);
    await e2e.post('CONVENI_ISSUANCE', '/control', { mode: '503' });
    const messageId = randomUUID();
    await e2e.hub.broker.publisher.publish(
      EVENTS_EXCHANGE,
      'resident.movement.recorded',
      Buffer.from(JSON.stringify(request)),
      { messageId, type: 'resident.movement.recorded', appId: 'TEST' },
    );
    let letterId = 0;
    await eventually(
      async () => {
        const response = await fetch(`${base}?status=all`, { headers: { authorization: basic } });
        const { items } = (await response.json()) as {
          items: { id: number; messageId: string }[];
        };
        letterId = items.find((item) => item.messageId === messageId)?.id ?? 0;
        return letterId > 0;
      },
      30_000,
      'the dead letter archived',
    );
    await e2e.post('CONVENI_ISSUANCE', '/control', { mode: 'ok' });

    const first = await replay({ ids: [letterId], reason: 'CS back up' });
    expect(first.status).to.equal(200);
    expect(first.report.published).to.equal(1);
    await eventually(
      async () => (await deliveries(request.resident.atenaNumber)).length === 1,
      30_000,
      'the first replay delivered',
    );

    // Again, by id: refused, saying how; nothing is sent.
    const refused = await replay({ ids: [letterId], reason: 'once more' });
    expect(refused.report.refused).to.equal(1);
    expect(refused.report.items[0]?.problem?.en).to.contain('--again');
    expect(refused.report.items[0]?.problem?.ja).to.contain('理由');
    // By filter: the replayed letter is not even selected.
    const byFilter = await replay({
      filter: { type: 'resident.movement.recorded' },
      reason: 'sweep',
    });
    expect(byFilter.report.items.map((item) => item.status)).to.deep.equal([]);
    // --again without a reason is a bad request.
    const noReason = await replay({ ids: [letterId], again: true });
    expect(noReason.status).to.equal(400);

    const second = await replay({ ids: [letterId], again: true, reason: 'operator asked twice' });
    expect(second.report.published).to.equal(1);
    expect(second.report.items[0]?.replayMessageId).to.equal(
      first.report.items[0]?.replayMessageId,
    );
    // The second replay went through the step (acknowledged there as a duplicate) before a later
    // message: once that one is delivered, the replay had its chance to arrive.
    const later = sampleMessage('resident.movement.recorded', 42);
    await e2e.hub.broker.publisher.publish(
      EVENTS_EXCHANGE,
      'resident.movement.recorded',
      Buffer.from(JSON.stringify(later)),
      { messageId: randomUUID(), type: 'resident.movement.recorded', appId: 'TEST' },
    );
    await eventually(
      async () => (await deliveries(later.resident.atenaNumber)).length === 1,
      30_000,
      'the later message delivered',
    );
    expect(await deliveries(request.resident.atenaNumber)).to.have.length(1);
  });
});

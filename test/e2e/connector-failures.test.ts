import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { EVENTS_EXCHANGE } from '../../hub/broker/index.js';
import type { StepSpec } from '../../hub/engine/step.js';
import { sampleMessage } from '../../schemas/sample.js';
import type { MessageType } from '../../schemas/types.gen.js';
import type { SimSystem } from '../../connectors/index.js';
import { eventually } from '../support/broker.js';
import { startE2e, type E2e } from './support.js';

/** One delivery step per connector, each fed by a message type its system takes. */
const cases: { system: SimSystem; messageType: MessageType }[] = [
  { system: 'KIZON_JUKI', messageType: 'registry.cs-reply.received' },
  { system: 'JUKINET_CS', messageType: 'mynumber.generation.requested' },
  { system: 'KYOTSU_KIBAN', messageType: 'atena.changed' },
  { system: 'TOUGOU_ATENA', messageType: 'chukan.juminhyo-kankei.updated' },
  { system: 'CHUKAN_SERVER', messageType: 'chukan.juminhyo-kankei.updated' },
  { system: 'CONVENI_ISSUANCE', messageType: 'kiosk.certificate.requested' },
  { system: 'JLIS_CERT_CENTER', messageType: 'kiosk.certificate.failed' },
];

const fastRetry = { maxAttempts: 3, initialDelayMs: 200, multiplier: 1, maxDelayMs: 200 };

const steps: StepSpec[] = [
  ...cases.map(({ system, messageType }): StepSpec => ({
    route: 'affair-1',
    name: `failure.${system.toLowerCase().replace(/_/g, '-')}`,
    input: [messageType],
    output: { kind: 'deliver', system },
    retry: fastRetry,
  })),
  {
    route: 'affair-1',
    name: 'failure.refused-by-cs',
    // A type the CS may receive (its x-to lists JUKINET_CS, so the flow lint accepts the route) but
    // that the CS simulator does not handle: it answers 400.
    input: ['resident.movement.recorded'],
    output: { kind: 'deliver', system: 'JUKINET_CS' },
    retry: fastRetry,
  },
];

async function publish(e2e: E2e, messageType: MessageType, seed: number): Promise<void> {
  await e2e.hub.broker.publisher.publish(
    EVENTS_EXCHANGE,
    messageType,
    Buffer.from(JSON.stringify(sampleMessage(messageType, seed))),
    { messageId: randomUUID(), type: messageType, appId: 'TEST' },
  );
}

const distinctTypes = [...new Set(cases.map((entry) => entry.messageType))];

describe('e2e connector failure modes: retry, then dead letter', function () {
  this.timeout(90_000);
  let e2e: E2e;

  before(async () => {
    e2e = await startE2e({ steps, timeoutMs: 300 });
  });
  after(async () => {
    await e2e.stop();
  });

  for (const mode of ['503', 'timeout'] as const) {
    it(`every connector: a system answering ${mode} is retried, then dead-lettered with reason connector`, async () => {
      const before = await e2e.deadLetters();
      for (const { system } of cases) await e2e.post(system, '/control', { mode, delayMs: 2_000 });
      try {
        for (const messageType of distinctTypes) await publish(e2e, messageType, 3);
        await eventually(
          async () => (await e2e.newDeadLetters(before)).length >= cases.length,
          60_000,
          `a dead letter per connector (${mode})`,
        );
        const letters = await e2e.newDeadLetters(before);
        expect(letters.map((letter) => letter.step).sort()).to.deep.equal(
          cases
            .map(({ system }) => `hub.step.failure.${system.toLowerCase().replace(/_/g, '-')}`)
            .sort(),
        );
        for (const letter of letters) {
          expect(letter.reasonClass).to.equal('connector');
          expect(letter.errorCode).to.equal('HUB_CONNECTOR_FAILED');
        }
        for (const { system } of cases) {
          const sim = e2e.sims.simulators.get(system);
          // Every attempt reached the system and was refused: first try plus the retries.
          expect(sim?.refused.count, system).to.be.at.least(fastRetry.maxAttempts);
          expect(sim?.received, system).to.have.length(0);
        }
      } finally {
        for (const { system } of cases) {
          await e2e.post(system, '/control', { mode: 'ok', delayMs: 0, reset: true });
        }
      }
    });
  }

  it('a 4xx refusal is dead-lettered at once, without retries', async () => {
    const before = await e2e.deadLetters();
    await publish(e2e, 'resident.movement.recorded', 4);
    await eventually(
      async () => (await e2e.newDeadLetters(before)).length > 0,
      20_000,
      'the refused message dead-lettered',
    );
    const letters = await e2e.newDeadLetters(before);
    expect(letters.map((letter) => letter.step)).to.deep.equal(['hub.step.failure.refused-by-cs']);
    expect(letters[0]?.reasonClass).to.equal('connector');
    await e2e.hub.store.outcomes.flush();
    const outcomes = await e2e.hub.store
      .knex('message_outcomes')
      .where({ step: 'failure.refused-by-cs' })
      .select<{ outcome: string }[]>('outcome');
    expect(outcomes.map((row) => row.outcome)).to.not.include('retried');
    expect(outcomes).to.have.length.greaterThan(0);
  });

  it('a corrupted record from the CS is refused at the hub edge and dead-lettered, not routed', async () => {
    const before = await e2e.deadLetters();
    await e2e.post('JUKINET_CS', '/control', { corruptNext: true });
    await publish(e2e, 'mynumber.generation.requested', 5);
    await eventually(
      async () =>
        (await e2e.newDeadLetters(before)).some(
          (letter) => letter.type === 'mynumber.generation.completed',
        ),
      20_000,
      'the corrupted CS reply dead-lettered at the edge',
    );
    const letters = await e2e.newDeadLetters(before);
    const corrupted = letters.find((letter) => letter.type === 'mynumber.generation.completed');
    expect(corrupted?.reasonClass).to.equal('validation');
    expect(corrupted?.errorCode).to.equal('HUB_INVALID_MESSAGE');
  });
});

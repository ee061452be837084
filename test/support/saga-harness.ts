/**
 * What the saga tests share: the project's simulators at free ports with an ingress that publishes
 * what they originate straight to the test's vhost (as the CS connector's ingress would), and small
 * helpers to read what each simulator took.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type amqp from 'amqplib';
import { v5 as uuidv5 } from 'uuid';
import {
  simSystems,
  startSimulators,
  type Ingress,
  type SimSystem,
  type SimulatorSet,
} from '../../connectors/index.js';

/** The systems affair 7 and 1-⑧ talk to (and those they forward to). */
export const sagaSystems: readonly SimSystem[] = [
  'PREFECTURE_SERVER',
  'NATIONAL_SERVER',
  'OTHER_MUNICIPALITY',
  'CARD_MGMT',
  'CHUKAN_SERVER',
  'JUKINET_CS',
  'KIZON_JUKI',
  'KYOTSU_KIBAN',
  'TOUGOU_ATENA',
];

/** An ingress publishing raw JSON to hub.events on `channel` (message id from the event key). */
export function rawIngress(channel: amqp.ConfirmChannel): Ingress {
  return {
    async publish(system, messageType, body, meta) {
      const messageId = uuidv5(`${system}:${messageType}:${meta.eventKey}`, uuidv5.URL);
      channel.publish('hub.events', messageType, Buffer.from(JSON.stringify(body)), {
        persistent: true,
        contentType: 'application/json',
        type: messageType,
        messageId,
        ...(meta.correlationId === undefined ? {} : { correlationId: meta.correlationId }),
      });
      await channel.waitForConfirms();
      return { accepted: true, messageId };
    },
  };
}

/** Starts the saga's simulators at free ports (or the given ones). */
export async function startSagaSimulators(
  ingress: Ingress,
  ports?: Partial<Record<SimSystem, number>>,
): Promise<SimulatorSet> {
  return startSimulators({
    ingress,
    exchangeDir: mkdtempSync(join(tmpdir(), 'hub-saga-')),
    systems: sagaSystems,
    ports: ports ?? Object.fromEntries(simSystems.map((system) => [system, 0])),
  });
}

/** POSTs JSON to a simulator path; the parsed answer. */
export async function simPost(
  sims: SimulatorSet,
  system: SimSystem,
  path: string,
  body: unknown,
): Promise<unknown> {
  const response = await fetch(`${sims.urls()[system]}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer: unknown = await response.json();
  return answer;
}

/** The message types a simulator took for one correlation id, in order. */
export async function takenBy(
  sims: SimulatorSet,
  system: SimSystem,
  correlationId: string,
): Promise<string[]> {
  const response = await fetch(`${sims.urls()[system]}/received`);
  const list = (await response.json()) as {
    messages: { messageType: string; correlationId?: string }[];
  };
  return list.messages.filter((m) => m.correlationId === correlationId).map((m) => m.messageType);
}

/** Issues a card at the card system (so 7-⑪'s continued use is allowed). */
export async function issueCard(
  sims: SimulatorSet,
  juminhyoCode: string,
  lgCode: string,
): Promise<void> {
  const response = await fetch(`${sims.urls().CARD_MGMT}/inbox`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': uuidv5(`issue:${juminhyoCode}`, uuidv5.URL),
      'x-message-type': 'mynumber-card.status-changed',
    },
    body: JSON.stringify({
      lgCode,
      juminhyoCode,
      cardEvent: 'ISSUED',
      eventAt: new Date().toISOString(),
    }),
  });
  if (!response.ok) throw new Error(`card not issued: ${String(response.status)}`);
}

/** The card's events at the card system. */
export async function cardEvents(sims: SimulatorSet, juminhyoCode: string): Promise<string[]> {
  const answer = (await simPost(sims, 'CARD_MGMT', '/card-state', { juminhyoCode })) as {
    events: string[];
  };
  return answer.events;
}

/** What every affair-7 case's external systems must have taken exactly once. */
export const expectedTakes: Readonly<Partial<Record<SimSystem, readonly string[]>>> = {
  JUKINET_CS: [
    'special-move-in.certificate-info.requested',
    'special-move-in.identity-info.updated',
    'special-move-in.prefecture-notice.sent',
    'special-move-in.move-in-notice.sent',
  ],
  OTHER_MUNICIPALITY: [
    'special-move-in.certificate-info.requested',
    'special-move-in.move-in-notice.sent',
  ],
  PREFECTURE_SERVER: ['special-move-in.prefecture-notice.sent'],
  KIZON_JUKI: ['special-move-in.move-in.requested'],
  KYOTSU_KIBAN: ['special-move-in.atena.updated'],
  TOUGOU_ATENA: ['special-move-in.juminhyo-kankei.updated'],
  CHUKAN_SERVER: ['special-move-in.juminhyo-kankei.updated'],
};

/** The eleven steps in order (as the flow declares them; written out here as the oracle). */
export const elevenSteps = [
  'accept',
  'request-certificate',
  'receive-certificate',
  'move-in',
  'cs-identity-update',
  'prefecture-notice',
  'move-in-notice',
  'notice-forwarded',
  'atena-update',
  'chukan-update',
  'card-continued-use',
];

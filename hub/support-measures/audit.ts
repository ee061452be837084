/**
 * The 支援措置 audit of refusals: every refused certificate (kiosk now, counter with issue 19) is
 * recorded with who asked (the request id and a keyed hash of the requesting card's subject key),
 * when, for whom (a keyed hash of the 宛名番号) and which rule (`rule.ts`). Nothing in clear: an auditor
 * finds a person's refusals by hashing the 宛名番号 with `subjectHashOf` under the same key.
 *
 * In the routes the record arrives as `issuance.refusal.recorded`, delivered to the hub's own audit
 * "system" (`SUPPORT_MEASURE_AUDIT`): `auditSink` writes it to the store.
 */
import type { IssuanceRefusalRecorded } from '../../schemas/types.gen.js';
import type { OutboundMessage, Sink } from '../engine/step.js';
import { ConnectorError } from '../errors.js';
import type { KeyedHasher } from '../security/keyed-hash.js';
import { refusalAudit, type RefusalRow } from '../store/support-measure-refusals.js';
import type { Store } from '../store/types.js';

/** The flows' name for the audit (a hub-system node delivering to it). */
export const SUPPORT_MEASURE_AUDIT = 'SUPPORT_MEASURE_AUDIT';

/** Keyed hash of a 宛名番号 as the audit stores it. */
export function subjectHashOf(hasher: KeyedHasher, atenaNumber: string): string {
  return hasher.hash('support-measure.subject', atenaNumber);
}

/** The stored row of one refusal: hashes and codes only. */
export function refusalRowOf(
  messageId: string,
  refusal: IssuanceRefusalRecorded,
  hasher: KeyedHasher,
  recordedAt: Date,
): RefusalRow {
  return {
    messageId,
    channel: refusal.channel,
    requestId: refusal.requestId,
    requesterHash: hasher.hash('support-measure.requester', refusal.requesterKey),
    subjectHash:
      refusal.subjectAtenaNumber === undefined
        ? null
        : subjectHashOf(hasher, refusal.subjectAtenaNumber),
    certificateType: refusal.certificateType ?? null,
    rule: refusal.rule,
    refusedAt: new Date(refusal.refusedAt),
    recordedAt,
  };
}

/** Descriptor-only audit sink for linting flows where no store is at hand (it delivers nothing). */
export const auditSinkDescriptor: Pick<Sink, 'system' | 'allowsMyNumber'> = {
  system: SUPPORT_MEASURE_AUDIT,
  allowsMyNumber: false,
};

/** The audit as a sink: a route step delivers `issuance.refusal.recorded` here. */
export function auditSink(store: Store, hasher: () => KeyedHasher): Sink {
  const audit = refusalAudit(store);
  return {
    ...auditSinkDescriptor,
    async deliver(message: OutboundMessage) {
      if (message.messageType !== 'issuance.refusal.recorded') {
        throw new ConnectorError(
          SUPPORT_MEASURE_AUDIT,
          `takes only issuance.refusal.recorded, not ${message.messageType}`,
          false,
        );
      }
      const row = refusalRowOf(
        message.messageId,
        message.body as IssuanceRefusalRecorded,
        hasher(),
        new Date(),
      );
      try {
        await audit.record(row);
      } catch (error) {
        // The store is down: retry through the step's policy, the refusal is not lost.
        throw new ConnectorError(SUPPORT_MEASURE_AUDIT, 'the audit could not be written', true, {
          cause: error,
        });
      }
    },
  };
}

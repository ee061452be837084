/**
 * The 中間サーバ's side of affair 5, as its simulator plays it. It gives every pair it receives a
 * 処理通番 (5-②) — the same one again when a pair whose 符号 failed is resent for the same
 * 団体内統合宛名番号, so a resend completes the set instead of starting a new one — and takes the 符号
 * keyed by 処理通番 (5-④). `GET /fugo` shows the set: per 処理通番 its 統合宛名番号, the 符号 once
 * acquired, the refusal otherwise (tests and demos; never logged).
 */
import { createHash } from 'node:crypto';
import type {
  FugoAcquisitionCompleted,
  FugoPairsProvided,
  FugoSerialsAssigned,
} from '../../schemas/types.gen.js';
import type { Ingress } from '../runtime/ingress.js';
import type { Inbound, InboxResult, Simulator } from '../runtime/simulator.js';
import { publishSerialsAssigned } from './ingress.js';

interface Entry {
  readonly processingSerial: string;
  readonly integratedAtenaNumber: string;
  fugo?: string;
  failure?: { errorCode: string; reasonJa: string; reasonEn: string };
}

/** The 中間サーバ's 符号 ledger. */
export interface FugoLedger {
  handle(inbound: Inbound, body: unknown): Promise<InboxResult> | undefined;
}

/** Adds the affair-5 ledger to the 中間サーバ simulator. */
export function chukanFugoLedger(sim: Simulator, ingress: Ingress | undefined): FugoLedger {
  const bySerial = new Map<string, Entry>();
  const serialOfAtena = new Map<string, string>();
  sim.app.get('/fugo', (_req, res) => {
    const entries = [...bySerial.values()];
    res.json({
      assigned: entries.length,
      acquired: entries.filter((entry) => entry.fugo !== undefined).length,
      failed: entries.filter((entry) => entry.fugo === undefined && entry.failure !== undefined)
        .length,
      entries,
    });
  });
  return {
    handle(inbound, body) {
      if (inbound.messageType === 'fugo.pairs.provided') {
        return assign(inbound, body as FugoPairsProvided);
      }
      if (inbound.messageType === 'fugo.acquisition.completed') {
        const completed = body as FugoAcquisitionCompleted;
        for (const { processingSerial, fugo } of completed.fugos) {
          const entry = bySerial.get(processingSerial);
          if (entry === undefined) continue;
          entry.fugo = fugo;
          delete entry.failure;
        }
        for (const { processingSerial, errorCode, reasonJa, reasonEn } of completed.failures) {
          const entry = bySerial.get(processingSerial);
          if (entry !== undefined && entry.fugo === undefined)
            entry.failure = { errorCode, reasonJa, reasonEn };
        }
        // Recorded as counts: the 符号 themselves stay in the ledger.
        return Promise.resolve({
          body: {
            batchId: completed.batchId,
            fugos: completed.fugos.length,
            failures: completed.failures.length,
          },
        });
      }
      return undefined;
    },
  };

  async function assign(inbound: Inbound, provided: FugoPairsProvided): Promise<InboxResult> {
    if (ingress === undefined) return { body: { batchId: provided.batchId }, status: 503 };
    // A serial stable for this message (a redelivery assigns the same ones).
    const prefix = createHash('sha256').update(inbound.messageId).digest('hex').slice(0, 10);
    const items: FugoSerialsAssigned['items'] = provided.pairs.map((pair, index) => {
      const pending = serialOfAtena.get(pair.integratedAtenaNumber);
      const reuse = pending !== undefined && bySerial.get(pending)?.fugo === undefined;
      // A letter between the parts: "<10 digits>-<2 digits>" would read as a 12-digit 個人番号 to the
      // policy's detector (1 time in 10), and serials travel in messages declared without one.
      const processingSerial = reuse ? pending : `${prefix}N${String(index + 1)}`;
      serialOfAtena.set(pair.integratedAtenaNumber, processingSerial);
      bySerial.set(processingSerial, {
        processingSerial,
        integratedAtenaNumber: pair.integratedAtenaNumber,
      });
      return {
        processingSerial,
        integratedAtenaNumber: pair.integratedAtenaNumber,
        myNumber: pair.myNumber,
      };
    });
    await publishSerialsAssigned(
      ingress,
      { lgCode: provided.lgCode, batchId: provided.batchId, items },
      inbound.messageId,
      inbound.correlationId,
    );
    return { body: { batchId: provided.batchId, pairs: provided.pairs.length } };
  }
}

/**
 * The 団体内統合宛名's side of affair 5, as its simulator plays it:
 *
 * - `POST /trigger/fugo-pairs {count, first?, bad?}` sends `count` pairs of 個人番号 and
 *   団体内統合宛名番号 of the synthetic city (residents `first`…) to the 中間サーバ (5-①), at most
 *   10,000 a batch; the pairs at the 1-based positions in `bad` are wrong — the first with a wrong
 *   check digit, the others with a valid 個人番号 nobody holds — and the 機構 refuses each by itself.
 * - `fugo.serials.assigned` from the 中間サーバ becomes the 符号取得要求 to the CS (5-②).
 * - `fugo.acquisition.reported` lists the refused pairs by 処理通番; `POST /trigger/fugo-resend` sends
 *   only those again, fixed (the right 個人番号 of that 統合宛名番号), marked as a resend.
 * - `GET /fugo-reports` shows the reports (counts and reasons; no 符号, no 個人番号).
 */
import express from 'express';
import {
  documentedMyNumbers,
  sampleIntegratedAtenaNumber,
  sampleLgCode,
  sampleMyNumber,
} from '../../schemas/sample.js';
import type {
  FugoAcquisitionReported,
  FugoPairsProvided,
  FugoSerialsAssigned,
} from '../../schemas/types.gen.js';
import type { Ingress } from '../runtime/ingress.js';
import type { Inbound, InboxResult, Simulator } from '../runtime/simulator.js';
import { publishFromAtena } from './ingress.js';

/**
 * The 個人番号 of pair `seed`, or when it is the `kind`-th bad one (kind ≥ 0): first a wrong check
 * digit (a typing slip), then valid numbers nobody holds (a wrong link).
 */
function badNumber(kind: number, seed: number): string {
  const right = sampleMyNumber(seed);
  if (kind < 0) return right;
  if (kind === 0) return `${right.slice(0, 11)}${String((Number(right[11]) + 1) % 10)}`;
  return documentedMyNumbers[kind % documentedMyNumbers.length] ?? '123456789018';
}

/** The most pairs one message carries (the catalogue's limit). */
export const PAIRS_PER_BATCH = 10_000;

/** The 統合宛名's 符号 bookkeeping. */
export interface AtenaFugo {
  handle(inbound: Inbound, body: unknown): Promise<InboxResult> | undefined;
}

/** Adds the affair-5 triggers and handlers to the 統合宛名 simulator. */
export function atenaFugo(sim: Simulator, ingress: Ingress | undefined): AtenaFugo {
  const atenaOfSerial = new Map<string, string>();
  const failed = new Set<string>();
  const reports: FugoAcquisitionReported[] = [];
  let batches = 0;

  async function send(pairs: FugoPairsProvided['pairs'], resend: boolean): Promise<string[]> {
    if (ingress === undefined) throw new Error('no ingress');
    const ids: string[] = [];
    for (let start = 0; start < pairs.length; start += PAIRS_PER_BATCH) {
      batches += 1;
      const batchId = `A${Date.now().toString(36)}-${String(batches)}`;
      const body: FugoPairsProvided = {
        lgCode: sampleLgCode,
        batchId,
        resend,
        pairs: pairs.slice(start, start + PAIRS_PER_BATCH),
      };
      await publishFromAtena(ingress, 'fugo.pairs.provided', body, batchId);
      ids.push(batchId);
    }
    return ids;
  }

  sim.app.post('/trigger/fugo-pairs', express.json(), (req, res) => {
    void (async () => {
      const body = (req.body ?? {}) as { count?: unknown; first?: unknown; bad?: unknown };
      const count = typeof body.count === 'number' ? Math.max(1, Math.floor(body.count)) : 1000;
      const first = typeof body.first === 'number' ? Math.max(1, Math.floor(body.first)) : 1;
      const bad = Array.isArray(body.bad)
        ? body.bad.filter((n): n is number => typeof n === 'number')
        : [];
      const pairs = Array.from({ length: count }, (_, index) => {
        const seed = first + index;
        return {
          integratedAtenaNumber: sampleIntegratedAtenaNumber(seed),
          myNumber: badNumber(bad.indexOf(index + 1), seed),
        };
      });
      res.json({ pairs: count, batches: await send(pairs, false) });
    })().catch(() => {
      if (!res.headersSent) res.status(503).json({ error: 'the hub did not take the pairs' });
    });
  });

  sim.app.post('/trigger/fugo-resend', (_req, res) => {
    void (async () => {
      // Fixed: the 個人番号 the 統合宛名 should have linked (resident n has 統合宛名番号 7 + n).
      const pairs = [...failed].map((atena) => ({
        integratedAtenaNumber: atena,
        myNumber: sampleMyNumber(Number(atena.slice(1))),
      }));
      failed.clear();
      res.json({ pairs: pairs.length, batches: pairs.length === 0 ? [] : await send(pairs, true) });
    })().catch(() => {
      if (!res.headersSent) res.status(503).json({ error: 'the hub did not take the resend' });
    });
  });

  sim.app.get('/fugo-reports', (_req, res) => {
    res.json({ reports, failed: failed.size });
  });

  return {
    handle(inbound, body) {
      if (inbound.messageType === 'fugo.serials.assigned') {
        const assigned = body as FugoSerialsAssigned;
        for (const item of assigned.items)
          atenaOfSerial.set(item.processingSerial, item.integratedAtenaNumber);
        return (async () => {
          if (ingress === undefined) return { body: {}, status: 503 };
          await publishFromAtena(
            ingress,
            'fugo.acquisition.requested',
            {
              lgCode: assigned.lgCode,
              batchId: assigned.batchId,
              items: assigned.items.map(({ processingSerial, myNumber }) => ({
                processingSerial,
                myNumber,
              })),
            },
            inbound.messageId,
            inbound.correlationId,
          );
          return { body: { batchId: assigned.batchId, items: assigned.items.length } };
        })();
      }
      if (inbound.messageType === 'fugo.acquisition.reported') {
        const report = body as FugoAcquisitionReported;
        reports.push(report);
        for (const failure of report.failures) {
          const atena = atenaOfSerial.get(failure.processingSerial);
          if (atena !== undefined) failed.add(atena);
        }
        return Promise.resolve({ body: report });
      }
      return undefined;
    },
  };
}

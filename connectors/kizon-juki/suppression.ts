/**
 * 既存住基 simulator, 支援措置: `POST /trigger/suppression {seed | setaiSeed, changeKind, processes?,
 * validTo?}` records a measure at the registry. START / EXTEND / END are propagated as
 * `suppression.changed` (j410: to コンビニ交付 and the CS); TEMPORARY_LIFT (一時解除 for one counter
 * issuance) stays at the registry — the shared rule's `propagates` decides, the trigger answers
 * `{propagated: false}` and publishes nothing.
 */
import express from 'express';
import {
  applySuppressionChange,
  propagates,
  type SuppressionBook,
  type SuppressionChangeKind,
} from '../../hub/support-measures/rule.js';
import { sampleAtenaNumber, sampleLgCode, sampleSetaiNumber } from '../../schemas/sample.js';
import type { SuppressionChanged } from '../../schemas/types.gen.js';
import type { Ingress } from '../runtime/ingress.js';
import type { Simulator } from '../runtime/simulator.js';
import { kizonJukiDescriptor } from './descriptor.js';

const kinds = new Set<SuppressionChangeKind>(['START', 'EXTEND', 'END', 'TEMPORARY_LIFT']);

function japanDay(now: Date): string {
  return new Date(now.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}

/** The measures the registry holds, and the 宛名番号 with a 一時解除 for one counter issuance. */
export interface RegistryMeasures {
  book: SuppressionBook;
  readonly temporaryLifts: Set<string>;
}

/** Adds the suppression trigger to the registry simulator; returns what the registry holds. */
export function mountSuppressionTrigger(sim: Simulator, ingress: Ingress): RegistryMeasures {
  const measures: RegistryMeasures = { book: new Map(), temporaryLifts: new Set() };
  let changes = 0;
  sim.app.post('/trigger/suppression', express.json(), (req, res) => {
    void (async () => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const kind = (body['changeKind'] ?? 'START') as SuppressionChangeKind;
      if (!kinds.has(kind)) {
        res.status(400).json({ error: `changeKind must be one of ${[...kinds].join(', ')}` });
        return;
      }
      if (!propagates(kind)) {
        // 一時解除 stays here: the registry's 窓口 honours it for the next counter issuance.
        if (typeof body['seed'] === 'number')
          measures.temporaryLifts.add(sampleAtenaNumber(body['seed']));
        res.json({ propagated: false });
        return;
      }
      const now = new Date();
      const household = typeof body['setaiSeed'] === 'number';
      const seed = typeof body['seed'] === 'number' ? body['seed'] : 1;
      const change: SuppressionChanged = {
        lgCode: sampleLgCode,
        scope: household ? 'HOUSEHOLD' : 'PERSON',
        ...(household
          ? { setaiNumber: sampleSetaiNumber(body['setaiSeed'] as number) }
          : { atenaNumber: sampleAtenaNumber(seed) }),
        changeKind: kind as SuppressionChanged['changeKind'],
        processes: ['MOVEMENT', 'ISSUANCE', 'INQUIRY'],
        level: 'ERROR',
        supportMeasure: true,
        validFrom: japanDay(now),
        changedAt: now.toISOString(),
      };
      if (typeof body['validTo'] === 'string') change.validTo = body['validTo'];
      changes += 1;
      measures.book = applySuppressionChange(measures.book, change);
      try {
        const result = await ingress.publish(
          kizonJukiDescriptor.system,
          'suppression.changed',
          change,
          { eventKey: `suppression:${String(changes)}:${now.toISOString()}` },
        );
        res.json({ propagated: true, messageId: result.messageId });
      } catch {
        res.status(503).json({ error: 'the hub did not take the change' });
      }
    })();
  });
  return measures;
}

/**
 * 機構 (J-LIS) as the CS reaches it for 個人番号 (1-③④): `POST /kikou/mynumber` generates a new
 * number (valid check digit) for a generation or a change request; a change never returns the
 * current number. Mounted on the 全国サーバ simulator, which stands for 機構 here.
 */
import express from 'express';
import { randomInt } from 'node:crypto';
import { withMyNumberCheckDigit } from '../../hub/security/my-number.js';
import type { Simulator } from '../runtime/simulator.js';

/** What the CS asks 機構. */
export interface KikouRequest {
  readonly kind: 'GENERATE' | 'CHANGE';
  readonly juminhyoCode: string;
  /** The number being changed (CHANGE). */
  readonly currentMyNumber?: string;
}

/** Mounts 機構's number generation on a simulator; returns how many numbers it issued. */
export function mountKikou(sim: Simulator): { issued: () => number } {
  let issued = 0;
  sim.app.post('/kikou/mynumber', express.json(), (req, res) => {
    const body = (req.body ?? {}) as Partial<KikouRequest>;
    if (
      (body.kind !== 'GENERATE' && body.kind !== 'CHANGE') ||
      typeof body.juminhyoCode !== 'string' ||
      (body.kind === 'CHANGE' && typeof body.currentMyNumber !== 'string')
    ) {
      res
        .status(400)
        .json({ error: 'kind (GENERATE|CHANGE), juminhyoCode and, to change, currentMyNumber' });
      return;
    }
    let myNumber: string;
    do {
      myNumber = withMyNumberCheckDigit(String(randomInt(10 ** 10, 10 ** 11)));
    } while (myNumber === body.currentMyNumber);
    issued += 1;
    res.json({ myNumber });
  });
  return { issued: () => issued };
}

/**
 * 既存住基 simulator, 特例転出 side (1-⑧): `POST /trigger/special-move-out {juminhyoCode,
 * plannedMoveOutOn, destinationLgCode}` records that a card holder moved out of this city by
 * 特例転出 (no paper certificate: the registry keeps the 転出証明書情報 for the new city's request);
 * `POST /special-move-out/certificate-info {juminhyoCode}` answers it (404 when the resident did not
 * leave by 特例転出). The synthetic 転出証明書情報 carries codes and dates only.
 */
import express from 'express';
import type { Simulator } from '../runtime/simulator.js';

interface SpecialMoveOut {
  readonly juminhyoCode: string;
  readonly plannedMoveOutOn: string;
  readonly destinationLgCode: string;
}

/** Adds the 特例転出 endpoints to the registry simulator. */
export function mountSpecialMoveOut(sim: Simulator, lgCode: string): void {
  const moved = new Map<string, SpecialMoveOut>();
  sim.app.post('/trigger/special-move-out', express.json(), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { juminhyoCode, plannedMoveOutOn, destinationLgCode } = body;
    if (
      typeof juminhyoCode !== 'string' ||
      !/^[0-9]{11}$/.test(juminhyoCode) ||
      typeof plannedMoveOutOn !== 'string' ||
      !/^\d{4}-\d{2}-\d{2}$/.test(plannedMoveOutOn) ||
      typeof destinationLgCode !== 'string' ||
      !/^[0-9]{6}$/.test(destinationLgCode)
    ) {
      res.status(400).json({
        error:
          'juminhyoCode (11 digits), plannedMoveOutOn (YYYY-MM-DD) and destinationLgCode (6 digits) are required',
      });
      return;
    }
    moved.set(juminhyoCode, { juminhyoCode, plannedMoveOutOn, destinationLgCode });
    res.json({ recorded: true });
  });
  sim.app.post('/special-move-out/certificate-info', express.json(), (req, res) => {
    const code = (req.body as { juminhyoCode?: unknown } | undefined)?.juminhyoCode;
    const record = typeof code === 'string' ? moved.get(code) : undefined;
    if (record === undefined) {
      res.status(404).json({ error: 'no 特例転出 of this resident' });
      return;
    }
    res.json({
      issuedBy: lgCode,
      cardHolderJuminhyoCode: record.juminhyoCode,
      plannedMoveOutOn: record.plannedMoveOutOn,
      plannedDestination: { lgCode: record.destinationLgCode },
      householdMembers: [{ juminhyoCode: record.juminhyoCode, cardHolder: true }],
      specialMoveOut: true,
    });
  });
}

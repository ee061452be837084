/**
 * The 窓口 side of 既存住基 for affair 3 (住民票の写し, 3-①②): `POST /counter/juminhyo {atenaNumber}`
 * answers what a copy is made from — the person's current record and 個人番号, the members of the
 * 世帯, the 支援措置 the registry holds and the 一時解除 granted for one counter issuance (used up by
 * this request). The hub decides with the shared rule (hub/support-measures/rule.ts) and renders the
 * certificate; the registry stays the source of the data. `counterJuminhyoData` is the hub's call.
 */
import express from 'express';
import type { Suppression } from '../../hub/support-measures/rule.js';
import type { ResidentCore } from '../../schemas/types.gen.js';
import type { Simulator } from '../runtime/simulator.js';
import type { RegistryBook } from './register.js';
import type { RegistryMeasures } from './suppression.js';

/** One person as the 窓口 sees them. */
export interface CounterPerson {
  readonly resident: ResidentCore;
  readonly myNumber?: string;
}

/** What the registry answers for one copy. */
export interface CounterJuminhyoData {
  readonly subject: CounterPerson;
  readonly household: readonly CounterPerson[];
  readonly suppressions: readonly Suppression[];
  readonly temporaryLifts: readonly string[];
}

/** Mounts the 窓口 endpoint on the registry simulator. */
export function mountCounter(sim: Simulator, book: RegistryBook, measures: RegistryMeasures): void {
  sim.app.post('/counter/juminhyo', express.json(), (req, res) => {
    const atenaNumber = ((req.body ?? {}) as { atenaNumber?: unknown }).atenaNumber;
    if (typeof atenaNumber !== 'string' || !/^[0-9]{10}$/.test(atenaNumber)) {
      res.status(400).json({ error: 'atenaNumber (10 digits) is required' });
      return;
    }
    const subject = book.byAtena(atenaNumber);
    if (subject === undefined) {
      res.status(404).json({ error: 'no such resident' });
      return;
    }
    const household = book.household(subject.resident.setaiNumber);
    // A 一時解除 is for one issuance: this request uses up those of the people it may show.
    const lifts = household
      .map((member) => member.resident.atenaNumber)
      .filter((atena) => measures.temporaryLifts.delete(atena));
    const answer: CounterJuminhyoData = {
      subject,
      household,
      suppressions: [...measures.book.values()],
      temporaryLifts: lifts,
    };
    res.json(answer);
  });
}

/** The hub's call; undefined when the registry holds no such person. */
export async function counterJuminhyoData(
  baseUrl: string,
  atenaNumber: string,
  timeoutMs: number,
): Promise<CounterJuminhyoData | undefined> {
  const response = await fetch(`${baseUrl}/counter/juminhyo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ atenaNumber }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`既存住基 answered HTTP ${String(response.status)}`);
  return (await response.json()) as CounterJuminhyoData;
}

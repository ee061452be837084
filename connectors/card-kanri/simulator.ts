/**
 * 個人番号カード管理システム simulator. Card events (`/inbox`, affair 10 and 7-⑪) move each card
 * through the state machine of `states.ts`; an event the card's state does not allow is refused with
 * 409 and the card system's code and reason, as the real system refuses it (the hub's connector makes
 * that a dead letter). The 送付先情報 file forwarded by the 市町村CS (9-②) is imported by
 * `POST /delivery-addresses {fileRef, id}`, streamed: the simulator keeps counts and a checksum of
 * record numbers per import, not the records. `POST /card-state {juminhyoCode}` answers a card's state
 * and the events it took, in order (tests and demos; nothing of it is logged). `POST /fail-next
 * {count}` answers the next `count` card events with 503, a passing outage that tests per-card order
 * under retries.
 */
import express from 'express';
import type { MynumberCardStatusChanged } from '../../schemas/types.gen.js';
import { pathOfRef, readJsonLines } from '../runtime/files.js';
import { createSimulator, jsonOf, type Simulator } from '../runtime/simulator.js';
import { cardKanriDescriptor } from './descriptor.js';
import { cardTransition, type CardState } from './states.js';

/** One import of 送付先情報 as the card system recorded it. */
export interface DeliveryAddressImport {
  readonly id: string;
  readonly importedCount: number;
  /** Σ recordNo of the imported records: a cheap oracle for "exactly these records arrived". */
  readonly recordNoSum: number;
  readonly notices: Readonly<Record<string, number>>;
}

/** The card system simulator (call `start()`). */
export function cardKanriSimulator(port: number): Simulator {
  const cards = new Map<string, { state: CardState; events: string[] }>();
  const imports: DeliveryAddressImport[] = [];
  let failNext = 0;
  const sim = createSimulator({
    system: cardKanriDescriptor.system,
    port,
    onInbox(inbound) {
      const body = jsonOf(inbound);
      if (failNext > 0) {
        // A passing outage of exactly this many requests (`POST /fail-next`).
        failNext -= 1;
        return { body, status: 503 };
      }
      if (inbound.messageType !== 'mynumber-card.status-changed') return { body, status: 400 };
      const event = body as MynumberCardStatusChanged;
      const card = cards.get(event.juminhyoCode);
      const transition = cardTransition(card?.state, event.cardEvent);
      if (!transition.ok) {
        return {
          body,
          status: 409,
          reply: { code: transition.code, ...transition.reason },
        };
      }
      cards.set(event.juminhyoCode, {
        state: transition.state,
        events: [...(card?.events ?? []), event.cardEvent],
      });
      return { body, reply: { state: transition.state } };
    },
  });
  sim.app.post('/fail-next', express.json(), (req, res) => {
    const count = (req.body as { count?: unknown } | undefined)?.count;
    failNext = typeof count === 'number' && count >= 0 ? Math.floor(count) : 1;
    res.json({ failNext });
  });
  sim.app.post('/card-state', express.json(), (req, res) => {
    const code = (req.body as { juminhyoCode?: unknown } | undefined)?.juminhyoCode;
    const card = typeof code === 'string' ? cards.get(code) : undefined;
    res.json({ state: card?.state ?? null, events: card?.events ?? [] });
  });
  sim.app.post('/delivery-addresses', express.json(), (req, res) => {
    void (async () => {
      const body = (req.body ?? {}) as { fileRef?: unknown; id?: unknown };
      if (typeof body.fileRef !== 'string' || typeof body.id !== 'string') {
        res.status(400).json({ error: 'fileRef and id are required' });
        return;
      }
      const done = imports.find((entry) => entry.id === body.id);
      if (done !== undefined) {
        res.json(done);
        return;
      }
      let importedCount = 0;
      let recordNoSum = 0;
      const notices: Record<string, number> = {};
      for await (const line of readJsonLines(pathOfRef(body.fileRef))) {
        const record = line as { recordNo?: unknown; purpose?: unknown };
        importedCount += 1;
        recordNoSum += typeof record.recordNo === 'number' ? record.recordNo : 0;
        const purpose = typeof record.purpose === 'string' ? record.purpose : 'UNKNOWN';
        notices[purpose] = (notices[purpose] ?? 0) + 1;
      }
      const entry = { id: body.id, importedCount, recordNoSum, notices };
      imports.push(entry);
      res.json(entry);
    })().catch(() => {
      if (!res.headersSent) res.status(500).json({ error: 'import failed' });
    });
  });
  sim.app.get('/delivery-addresses', (_req, res) => {
    res.json({ imports });
  });
  return sim;
}

/**
 * 転入通知 arriving at this city through the CS (1-⑩ seen from the 転出地): `POST /trigger/move-in-notice
 * {seed, noticeIssuedAt?}` makes the CS pass on a notice another municipality sent for synthetic
 * resident `seed` — send it twice with different `noticeIssuedAt` to try a resend.
 */
import express from 'express';
import { sampleMessage } from '../../schemas/sample.js';
import type { Ingress } from '../runtime/ingress.js';
import type { Simulator } from '../runtime/simulator.js';
import { publishCsReply } from './ingress.js';

/** Mounts the trigger on the CS simulator. */
export function mountMoveInNoticeTrigger(sim: Simulator, ingress: Ingress): void {
  sim.app.post('/trigger/move-in-notice', express.json(), (req, res) => {
    void (async () => {
      const body = (req.body ?? {}) as { seed?: unknown; noticeIssuedAt?: unknown };
      const seed = typeof body.seed === 'number' ? body.seed : 1;
      const notice = sampleMessage('move-in.notice.received', seed);
      if (typeof body.noticeIssuedAt === 'string') notice.noticeIssuedAt = body.noticeIssuedAt;
      try {
        const result = await publishCsReply(
          ingress,
          'move-in.notice.received',
          notice,
          `${notice.juminhyoCode}:${notice.noticeIssuedAt}`,
        );
        res.json({ juminhyoCode: notice.juminhyoCode, messageId: result.messageId });
      } catch {
        res.status(503).json({ error: 'the hub did not take the notice' });
      }
    })();
  });
}

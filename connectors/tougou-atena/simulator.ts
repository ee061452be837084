/**
 * The 団体内統合宛名 simulator: it assigns the 団体内統合宛名番号 and forwards the 住民票関係情報 to
 * the 中間サーバ (seed 1-⑫), as the real system does, and plays its part of affair 5 (`fugo.ts`).
 */
import { createHash } from 'node:crypto';
import type { ChukanJuminhyoKankeiUpdated } from '../../schemas/types.gen.js';
import { chukanServerDescriptor } from '../chukan-server/descriptor.js';
import { postBytes } from '../runtime/http-sink.js';
import type { Ingress } from '../runtime/ingress.js';
import { createSimulator, jsonOf, type Simulator } from '../runtime/simulator.js';
import { tougouAtenaDescriptor } from './descriptor.js';
import { atenaFugo } from './fugo.js';

/** The 統合宛名 simulator; `chukanUrl` is read per request (the 中間サーバ may start later). */
export function tougouAtenaSimulator(
  port: number,
  chukanUrl: () => string,
  ingress?: Ingress,
): Simulator {
  const sim = createSimulator({
    system: tougouAtenaDescriptor.system,
    port,
    async onInbox(inbound) {
      // Affair 5 (`fugo.ts`); everything else is 1-⑫.
      const handled = fugo.handle(inbound, jsonOf(inbound));
      if (handled !== undefined) return handled;
      const update = jsonOf(inbound) as ChukanJuminhyoKankeiUpdated;
      // A stable 団体内統合宛名番号 per 宛名番号 (15 digits), as the 統合宛名 keeps one per person.
      const digest = createHash('sha256').update(`${update.lgCode}:${update.atenaNumber}`).digest();
      const integrated = String(digest.readBigUInt64BE(0) % 10n ** 15n).padStart(15, '0');
      const forwarded = { ...update, integratedAtenaNumber: integrated };
      await postBytes(
        chukanServerDescriptor.system,
        `${chukanUrl()}/inbox`,
        JSON.stringify(forwarded),
        {
          contentType: 'application/json',
          timeoutMs: 5_000,
          headers: {
            'idempotency-key': inbound.messageId,
            'x-message-type': inbound.messageType,
            'x-correlation-id': inbound.correlationId ?? inbound.messageId,
          },
        },
      );
      return { body: update };
    },
  });
  const fugo = atenaFugo(sim, ingress);
  return sim;
}

/**
 * 団体内統合宛名 connector: JSON over HTTP; it links 個人番号 to the 団体内統合宛名番号, so it may
 * receive 個人番号. Its simulator assigns the 団体内統合宛名番号 and forwards the 住民票関係情報 to
 * the 中間サーバ (seed 1-⑫), as the real system does.
 */
import { createHash } from 'node:crypto';
import type { Sink } from '../../hub/engine/step.js';
import type { ChukanJuminhyoKankeiUpdated } from '../../schemas/types.gen.js';
import { httpSink, postBytes } from '../runtime/http-sink.js';
import { createSimulator, jsonOf, type Simulator } from '../runtime/simulator.js';

/** The SystemId. */
export const TOUGOU_ATENA = 'TOUGOU_ATENA';

/** The 統合宛名 egress sink. */
export function tougouAtenaSink(baseUrl: string, timeoutMs?: number): Sink {
  return httpSink({
    system: TOUGOU_ATENA,
    allowsMyNumber: true,
    baseUrl,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}

/** The 統合宛名 simulator; `chukanUrl` is read per request (the 中間サーバ may start later). */
export function tougouAtenaSimulator(port: number, chukanUrl: () => string): Simulator {
  return createSimulator({
    system: TOUGOU_ATENA,
    port,
    async onInbox(inbound) {
      const update = jsonOf(inbound) as ChukanJuminhyoKankeiUpdated;
      // A stable 団体内統合宛名番号 per 宛名番号 (15 digits), as the 統合宛名 keeps one per person.
      const digest = createHash('sha256').update(`${update.lgCode}:${update.atenaNumber}`).digest();
      const integrated = String(digest.readBigUInt64BE(0) % 10n ** 15n).padStart(15, '0');
      const forwarded = { ...update, integratedAtenaNumber: integrated };
      await postBytes('CHUKAN_SERVER', `${chukanUrl()}/inbox`, JSON.stringify(forwarded), {
        contentType: 'application/json',
        timeoutMs: 5_000,
        headers: {
          'idempotency-key': inbound.messageId,
          'x-message-type': inbound.messageType,
          'x-correlation-id': inbound.correlationId ?? inbound.messageId,
        },
      });
      return { body: update };
    },
  });
}

/**
 * 個人番号カード管理システム connector: card events (affair 10; 7-⑪ continued use) through the client
 * (`client.ts`), which turns the card system's refusal into a dead letter carrying its reason. The
 * 送付先情報 (affair 9) reach it through the 市町村CS, not through this sink.
 */
import type { Sink } from '../../hub/engine/step.js';
import { CARD_MGMT, cardKanriClient } from './client.js';
import { cardKanriDescriptor } from './descriptor.js';

/** The card system's egress sink. */
export function cardKanriSink(baseUrl: string, timeoutMs?: number): Sink {
  const client = cardKanriClient({ baseUrl, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  return {
    system: CARD_MGMT,
    allowsMyNumber: cardKanriDescriptor.myNumber,
    async deliver(message) {
      await client.send({
        messageId: message.messageId,
        messageType: message.messageType,
        correlationId: message.correlationId,
        content: message.content,
      });
    },
  };
}

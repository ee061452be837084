/**
 * 団体内統合宛名 ingress (affair 5): the 個人番号 + 団体内統合宛名番号 pairs for the 中間サーバ (5-①) and
 * the 符号取得要求 for the 市町村CS (5-②).
 */
import type { Ingress, IngressResult } from '../runtime/ingress.js';
import { tougouAtenaDescriptor } from './descriptor.js';

/** Publishes what the 統合宛名 originates. */
export function publishFromAtena(
  ingress: Ingress,
  messageType: 'fugo.pairs.provided' | 'fugo.acquisition.requested',
  body: unknown,
  eventKey: string,
  correlationId?: string,
): Promise<IngressResult> {
  return ingress.publish(tougouAtenaDescriptor.system, messageType, body, {
    eventKey,
    correlationId,
  });
}

/** 中間サーバ ingress: the 処理通番 it assigns to each pair (affair 5-②). */
import type { FugoSerialsAssigned } from '../../schemas/types.gen.js';
import type { Ingress, IngressResult } from '../runtime/ingress.js';
import { chukanServerDescriptor } from './descriptor.js';

/** Publishes the 処理通番 + 個人番号 pairs of one batch for the 統合宛名. */
export function publishSerialsAssigned(
  ingress: Ingress,
  body: FugoSerialsAssigned,
  eventKey: string,
  correlationId?: string,
): Promise<IngressResult> {
  return ingress.publish(chukanServerDescriptor.system, 'fugo.serials.assigned', body, {
    eventKey,
    correlationId,
  });
}

/**
 * 市町村CS ingress: the CS's replies (generated My Numbers, acknowledgements and rejections, check
 * results).
 */
import type { Ingress, IngressResult } from '../runtime/ingress.js';
import { jukinetCsDescriptor } from './descriptor.js';

/** Publishes a reply the CS originates. */
export function publishCsReply(
  ingress: Ingress,
  messageType: string,
  body: unknown,
  eventKey: string,
  correlationId?: string,
): Promise<IngressResult> {
  return ingress.publish(jukinetCsDescriptor.system, messageType, body, {
    eventKey,
    correlationId,
  });
}

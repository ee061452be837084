/**
 * 証明書交付センター (J-LIS) ingress: kiosk requests, published with correlation id =
 * centerRequestId (the saga key; replies are matched by it only, never by order) and the request's
 * deadline as `x-hub-deadline`, so a request nobody handled in time expires instead of being
 * answered late.
 */
import type { KioskCertificateRequested } from '../../schemas/types.gen.js';
import type { Ingress, IngressResult } from '../runtime/ingress.js';
import { jlisCertCenterDescriptor } from './descriptor.js';

/** Publishes a kiosk request. */
export function publishKioskRequest(
  ingress: Ingress,
  request: KioskCertificateRequested,
): Promise<IngressResult> {
  return ingress.publish(jlisCertCenterDescriptor.system, 'kiosk.certificate.requested', request, {
    eventKey: request.centerRequestId,
    correlationId: request.centerRequestId,
    deadline: Date.parse(request.respondBy),
  });
}

/**
 * 証明書交付センター (J-LIS) connector. Ingress: kiosk requests, published with correlation id =
 * centerRequestId (the saga key; replies are matched by it only, never by order) and the request's
 * deadline as `x-hub-deadline`, so a request nobody handled in time expires instead of being
 * answered late. Egress: the certificate or the failure, JSON over HTTP; a produced certificate is
 * declared as carrying 個人番号 (PDF contents), so the center may receive it on affair 11.
 */
import type { Sink } from '../../hub/engine/step.js';
import type { KioskCertificateRequested } from '../../schemas/types.gen.js';
import { httpSink } from '../runtime/http-sink.js';
import type { Ingress, IngressResult } from '../runtime/ingress.js';

/** The SystemId. */
export const JLIS_CERT_CENTER = 'JLIS_CERT_CENTER';

/** The center's egress sink. */
export function jlisCertCenterSink(baseUrl: string, timeoutMs?: number): Sink {
  return httpSink({
    system: JLIS_CERT_CENTER,
    // Only on コンビニ交付: certificate contents are declared as carrying 個人番号 there.
    allowsMyNumber: { routes: ['affair-11'] },
    baseUrl,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}

/** Publishes a kiosk request. */
export function publishKioskRequest(
  ingress: Ingress,
  request: KioskCertificateRequested,
): Promise<IngressResult> {
  return ingress.publish(JLIS_CERT_CENTER, 'kiosk.certificate.requested', request, {
    eventKey: request.centerRequestId,
    correlationId: request.centerRequestId,
    deadline: Date.parse(request.respondBy),
  });
}

/**
 * 証明書交付センター (J-LIS) connector, egress: the certificate or the failure, JSON over HTTP; a
 * produced certificate is declared as carrying 個人番号 (PDF contents), so the center may receive it
 * on affair 11. What the center originates (kiosk requests) is in `ingress.ts`.
 */
import type { Sink } from '../../hub/engine/step.js';
import { httpSink } from '../runtime/http-sink.js';
import { jlisCertCenterDescriptor } from './descriptor.js';

/** The SystemId. */
export const JLIS_CERT_CENTER = jlisCertCenterDescriptor.system;

/** The center's egress sink. */
export function jlisCertCenterSink(baseUrl: string, timeoutMs?: number): Sink {
  return httpSink({
    system: JLIS_CERT_CENTER,
    // Only on コンビニ交付: certificate contents are declared as carrying 個人番号 there.
    allowsMyNumber: jlisCertCenterDescriptor.myNumber,
    baseUrl,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}

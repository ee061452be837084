/**
 * 証明書交付センター (J-LIS). Only コンビニ交付 (affair 11) may send it a 個人番号: a produced
 * certificate is declared as carrying one (PDF contents).
 */
import type { SystemDescriptor } from '../runtime/descriptor.js';

export const jlisCertCenterDescriptor = {
  system: 'JLIS_CERT_CENTER',
  folder: 'jlis-cert-center',
  name: { ja: '証明書交付センター（J-LIS）', en: 'Certificate issuance center (J-LIS)' },
  urlVariable: 'HUB_JLIS_CERT_CENTER_URL',
  defaultPort: 18111,
  myNumber: { routes: ['affair-11'] },
  edges: ['sink', 'ingress'],
  codecs: [],
  aliases: ['center'],
} as const satisfies SystemDescriptor;

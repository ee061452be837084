/**
 * 証明書コンビニ交付システム. Only コンビニ交付 (affair 11) may send it a 個人番号: certificate
 * contents are declared as carrying one there. Its certificates are PDFs (`pdf.ts`).
 */
import type { SystemDescriptor } from '../runtime/descriptor.js';

export const conveniIssuanceDescriptor = {
  system: 'CONVENI_ISSUANCE',
  folder: 'conveni-issuance',
  name: { ja: '証明書コンビニ交付システム', en: 'Convenience-store certificate issuance system' },
  urlVariable: 'HUB_CONVENI_ISSUANCE_URL',
  defaultPort: 18110,
  myNumber: { routes: ['affair-11'] },
  edges: ['sink', 'ingress'],
  codecs: ['pdf'],
  aliases: ['conveni'],
} as const satisfies SystemDescriptor;

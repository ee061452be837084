/**
 * 統合端末 (the 住基ネット terminal at the counter, affair 6; affair 7's 特例転入 uses it too). It calls
 * the hub's counter API (hub/counter/http.ts) as a signed-in operator: the hub neither delivers to
 * it nor takes broker messages from it, so it has no sink and no ingress. It may see a 個人番号 only
 * when the 事務 it names allows it, which the hub decides per request (hub/counter/purposes.ts).
 */
import type { SystemDescriptor } from '../runtime/descriptor.js';

export const tougouTanmatsuDescriptor = {
  system: 'TOUGOU_TANMATSU',
  folder: 'tougou-tanmatsu',
  name: { ja: '統合端末', en: 'Integrated terminal (Juki-net counter terminal)' },
  urlVariable: 'HUB_TOUGOU_TANMATSU_URL',
  defaultPort: 18160,
  myNumber: false,
  edges: [],
  codecs: [],
  aliases: ['terminal'],
} as const satisfies SystemDescriptor;

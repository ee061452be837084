/**
 * 共通基盤 (宛名). It serves the city's non-My-Number affairs, so no affair may send it a 個人番号
 * (the seed's 1-⑪ flow is 個人番号を含まない流れ).
 */
import type { SystemDescriptor } from '../runtime/descriptor.js';

export const kyotsuKibanDescriptor = {
  system: 'KYOTSU_KIBAN',
  folder: 'kyotsu-kiban',
  name: { ja: '共通基盤（宛名）', en: 'Common platform (atena)' },
  urlVariable: 'HUB_KYOTSU_KIBAN_URL',
  defaultPort: 18106,
  myNumber: false,
  edges: ['sink'],
  codecs: [],
} as const satisfies SystemDescriptor;

/**
 * 戸籍の附票システム (in many cities a module of the 戸籍 system; its own descriptor either way). The
 * hub delivers 附票 notices to it — this city's own address changes (2-④) and those that other
 * municipalities send through the CS (2-③④) — and takes its acknowledgements. No 個人番号: the 附票
 * has none among its items (住基法17条).
 */
import type { SystemDescriptor } from '../runtime/descriptor.js';

export const kosekiFuhyoDescriptor = {
  system: 'KOSEKI_FUHYO',
  folder: 'koseki-fuhyo',
  name: { ja: '戸籍の附票システム', en: 'Koseki annex (fuhyo) system' },
  urlVariable: 'HUB_KOSEKI_FUHYO_URL',
  defaultPort: 18120,
  myNumber: false,
  edges: ['sink', 'ingress'],
  codecs: [],
  aliases: ['fuhyo'],
} as const satisfies SystemDescriptor;

/** 団体内統合宛名: it links 個人番号 to the 団体内統合宛名番号, so every affair may send it one; it originates the pairs and 符号取得要求 of affair 5. */
import type { SystemDescriptor } from '../runtime/descriptor.js';

export const tougouAtenaDescriptor = {
  system: 'TOUGOU_ATENA',
  folder: 'tougou-atena',
  name: { ja: '団体内統合宛名システム', en: 'Integrated atena system' },
  urlVariable: 'HUB_TOUGOU_ATENA_URL',
  defaultPort: 18107,
  myNumber: true,
  edges: ['sink', 'ingress'],
  codecs: [],
} as const satisfies SystemDescriptor;

/** 中間サーバ: 番号法 情報連携, so every affair may send it a 個人番号; it originates the 処理通番 of affair 5. */
import type { SystemDescriptor } from '../runtime/descriptor.js';

export const chukanServerDescriptor = {
  system: 'CHUKAN_SERVER',
  folder: 'chukan-server',
  name: { ja: '中間サーバ', en: 'Intermediate server' },
  urlVariable: 'HUB_CHUKAN_SERVER_URL',
  defaultPort: 18108,
  myNumber: true,
  edges: ['sink', 'ingress'],
  codecs: [],
  aliases: ['chukan'],
} as const satisfies SystemDescriptor;

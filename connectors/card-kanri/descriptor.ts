/**
 * 個人番号カード管理システム (J-LIS): it takes the 送付先情報 (affair 9, forwarded by the 市町村CS) and
 * every card event (affair 10, and the continued use after 特例転入, 7-⑪). Neither carries a 個人番号:
 * J-LIS already holds it and the card is keyed by the holder's 住民票コード.
 */
import type { SystemDescriptor } from '../runtime/descriptor.js';

export const cardKanriDescriptor = {
  system: 'CARD_MGMT',
  folder: 'card-kanri',
  name: { ja: '個人番号カード管理システム', en: 'My Number card management system (J-LIS)' },
  urlVariable: 'HUB_CARD_MGMT_URL',
  defaultPort: 18130,
  myNumber: false,
  edges: ['sink'],
  codecs: [],
  aliases: ['card', 'card-mgmt'],
} as const satisfies SystemDescriptor;

/**
 * 戸籍システム. The convenience system asks it directly (seed 11-④⑤), so the hub has no side with
 * it: no sink, no ingress, no 個人番号. `client.ts` is the convenience side's client.
 */
import type { SystemDescriptor } from '../runtime/descriptor.js';

export const kosekiDescriptor = {
  system: 'KOSEKI',
  folder: 'koseki',
  name: { ja: '戸籍システム', en: 'Family register (koseki) system' },
  urlVariable: 'HUB_KOSEKI_URL',
  defaultPort: 18109,
  myNumber: false,
  edges: [],
  codecs: [],
} as const satisfies SystemDescriptor;

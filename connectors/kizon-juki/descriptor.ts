/**
 * 既存住基 (the resident registry). It holds 個人番号, so every affair may send it one. It originates
 * movements and the consistency-check extract; its file exports are read with `layouts.ts`.
 */
import type { SystemDescriptor } from '../runtime/descriptor.js';

export const kizonJukiDescriptor = {
  system: 'KIZON_JUKI',
  folder: 'kizon-juki',
  name: { ja: '既存住基システム', en: 'Resident registry (existing system)' },
  urlVariable: 'HUB_KIZON_JUKI_URL',
  defaultPort: 18101,
  myNumber: true,
  edges: ['sink', 'ingress'],
  codecs: ['layouts'],
  aliases: ['registry'],
} as const satisfies SystemDescriptor;

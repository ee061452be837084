/**
 * 法務省情報連携端末 (the terminal 出入国在留管理庁 lets the municipality use, on LGWAN). It works with
 * files: 法務省通知 arrive as fixed-width CP932 files the hub takes from the exchange folder (4-①②),
 * and 市町村通知 leave as files in the terminal's outgoing format (4-③④). No 個人番号 on either side.
 */
import type { SystemDescriptor } from '../runtime/descriptor.js';

export const mojTerminalDescriptor = {
  system: 'MOJ_TERMINAL',
  folder: 'moj-terminal',
  name: { ja: '法務省情報連携端末', en: 'Ministry of Justice liaison terminal' },
  urlVariable: 'HUB_MOJ_TERMINAL_URL',
  defaultPort: 18121,
  myNumber: false,
  edges: ['sink', 'ingress'],
  codecs: ['codec'],
  aliases: ['moj'],
} as const satisfies SystemDescriptor;

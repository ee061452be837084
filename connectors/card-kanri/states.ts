/**
 * The 個人番号カード's life as the card management system keeps it: which event each state allows.
 * Pure (no I/O), shared by the simulator (which refuses as the real system does) and by any route or
 * connector that wants to know before sending (affair 7's continued use, 7-⑪).
 *
 *   (none) ─交付→ ACTIVE ─一時停止→ SUSPENDED ─一時停止解除→ ACTIVE
 *   ACTIVE | SUSPENDED ─廃止→ REVOKED ─回収→ RECOVERED
 *                                       └─返還→ RETURNED
 *   ACTIVE ─継続利用 (特例転入後)→ ACTIVE      ACTIVE | SUSPENDED ─有効期限変更→ same
 *   (none) | REVOKED | RECOVERED | RETURNED ─交付 (再交付)→ ACTIVE
 */
import type { CardEvent } from '../../schemas/types.gen.js';

/** Where a card is. */
export type CardState = 'ACTIVE' | 'SUSPENDED' | 'REVOKED' | 'RECOVERED' | 'RETURNED';

/** Japanese names of the states and events, for reasons. */
export const cardStateNames: Readonly<Record<CardState | 'NONE', string>> = {
  NONE: '未交付',
  ACTIVE: '有効',
  SUSPENDED: '一時停止中',
  REVOKED: '廃止',
  RECOVERED: '回収済み',
  RETURNED: '返還済み',
};
export const cardEventNames: Readonly<Record<CardEvent, string>> = {
  ISSUED: '交付',
  SUSPENDED: '一時停止',
  SUSPENSION_LIFTED: '一時停止解除',
  REVOKED: '廃止',
  RECOVERED: '回収',
  RETURNED: '返還',
  CONTINUED_USE: '継続利用',
  EXPIRY_DATE_CHANGED: '有効期限変更',
};

/** The card system's code for an event the card's state does not allow. */
export const CARD_STATE_REFUSAL = 'C409';

/** What an event does to a card: the next state, or a refusal with a reason (no personal data). */
export type CardTransition =
  | { readonly ok: true; readonly state: CardState }
  | {
      readonly ok: false;
      readonly code: string;
      readonly reason: { readonly ja: string; readonly en: string };
    };

const allowed: Readonly<Record<CardEvent, readonly (CardState | undefined)[]>> = {
  ISSUED: [undefined, 'REVOKED', 'RECOVERED', 'RETURNED'],
  SUSPENDED: ['ACTIVE'],
  SUSPENSION_LIFTED: ['SUSPENDED'],
  REVOKED: ['ACTIVE', 'SUSPENDED'],
  RECOVERED: ['REVOKED'],
  RETURNED: ['REVOKED'],
  CONTINUED_USE: ['ACTIVE'],
  EXPIRY_DATE_CHANGED: ['ACTIVE', 'SUSPENDED'],
};

const target: Readonly<Record<CardEvent, CardState | 'SAME'>> = {
  ISSUED: 'ACTIVE',
  SUSPENDED: 'SUSPENDED',
  SUSPENSION_LIFTED: 'ACTIVE',
  REVOKED: 'REVOKED',
  RECOVERED: 'RECOVERED',
  RETURNED: 'RETURNED',
  CONTINUED_USE: 'ACTIVE',
  EXPIRY_DATE_CHANGED: 'SAME',
};

/** The transition `event` makes from `current` (undefined: no card yet). */
export function cardTransition(current: CardState | undefined, event: CardEvent): CardTransition {
  if (allowed[event].includes(current)) {
    const next = target[event];
    return { ok: true, state: next === 'SAME' ? (current ?? 'ACTIVE') : next };
  }
  const from = current ?? 'NONE';
  return {
    ok: false,
    code: CARD_STATE_REFUSAL,
    reason: {
      ja: `カードの状態（${cardStateNames[from]}）では「${cardEventNames[event]}」を受け付けられません`,
      en: `a card in state ${from} does not allow ${event}`,
    },
  };
}

/**
 * The 支援措置 and issuance-refusal rule, one module for every channel that issues or discloses a
 * certificate: the kiosk (コンビニ交付, affair 11) now, the counter (住民票の写し, issue 19) next. Pure:
 * data in, a decision out; no I/O, no clock (the caller passes `today`), so each system applies the same
 * rule to what it holds and a test pins it with plain values.
 *
 * API (small on purpose):
 * - `applySuppressionChange(book, change)` — the measures a system holds after one `suppression.changed`;
 * - `propagates(kind)` — whether a change at the registry is sent on at all (一時解除 never is, j410);
 * - `decideIssuance(request, book)` — issue, or refuse with the rule, the outcome a kiosk may see
 *   (never why) and the blocked reason for the catalogue;
 * - `refusalText(outcome)` — the generic text shown at the kiosk, which never reveals a 支援措置.
 * The audit record of a refusal (keyed hashes) is `audit.ts`.
 */

/** Where a certificate is asked for. 一時解除 (a lift for one counter issuance) counts only at COUNTER. */
export type IssuanceChannel = 'KIOSK' | 'COUNTER';

/** Which rule refused: recorded in the audit, never shown to the person asking. */
export type RefusalRule =
  | 'SUPPORT_MEASURE_SUBJECT'
  | 'SUPPORT_MEASURE_HOUSEHOLD'
  | 'PENDING_MOVE_OUT'
  | 'DECEASED'
  | 'NO_HONSEKI_REGISTRATION'
  | 'NOT_OFFERED'
  | 'NOT_FOUND';

/** The outcome a requester may see (the catalogue's certificate.data.replied outcome). */
export type RefusalOutcome = 'BLOCKED' | 'NOT_AVAILABLE' | 'NOT_FOUND';

/** A change of a measure as the registry makes it; TEMPORARY_LIFT stays at the registry. */
export type SuppressionChangeKind = 'START' | 'EXTEND' | 'END' | 'TEMPORARY_LIFT';

/** One measure a system holds (from `suppression.changed`). */
export interface Suppression {
  readonly scope: 'PERSON' | 'HOUSEHOLD';
  readonly atenaNumber?: string | undefined;
  readonly setaiNumber?: string | undefined;
  readonly processes: readonly string[];
  readonly validFrom: string;
  readonly validTo?: string | undefined;
}

/** A `suppression.changed` body, as far as the rule reads it. */
export interface SuppressionChange extends Suppression {
  readonly changeKind: 'START' | 'EXTEND' | 'END';
}

/** The measures a system holds, keyed by whom they protect (`P:<宛名番号>` or `H:<世帯番号>`). */
export type SuppressionBook = ReadonlyMap<string, Suppression>;

/** The resident record fields the rule reads (from the 住民票関係情報 the system received). */
export interface ResidentView {
  readonly atenaNumber: string;
  readonly setaiNumber: string;
  readonly residentStatus: 'RESIDENT' | 'MOVED_OUT' | 'DECEASED' | 'DELETED';
  /** 転出予定日: set while a 転出届 is recorded and the person has not yet left the register. */
  readonly plannedMoveOutOn?: string | undefined;
  /** Whether the 本籍 is in this city (戸籍 certificates need 利用登録 otherwise). */
  readonly honsekiInCity: boolean;
}

/** One certificate request, with the records it concerns. */
export interface IssuanceRequest {
  readonly channel: IssuanceChannel;
  readonly certificateType: string;
  /** HOUSEHOLD_ALL: the certificate shows every member of the subject's 世帯. */
  readonly householdScope: 'SELF' | 'HOUSEHOLD_ALL';
  /** The subject's record; undefined when the system holds none for the card. */
  readonly subject: ResidentView | undefined;
  /** The current members of the subject's 世帯 (including the subject). */
  readonly household: readonly ResidentView[];
  /** Certificate kinds this channel offers (a city need not offer every kind at kiosks). */
  readonly offered: ReadonlySet<string>;
  /** 本籍地 利用登録 done for the subject (needed for 戸籍 kinds when the 本籍 is elsewhere). */
  readonly honsekiRegistered: boolean;
  /** Today in Japan, YYYY-MM-DD. */
  readonly today: string;
  /** 宛名番号 with a 一時解除 for this one issuance; honoured only at the COUNTER. */
  readonly temporaryLifts?: ReadonlySet<string> | undefined;
}

/** What to do with a request. */
export type IssuanceDecision =
  | { readonly kind: 'issue' }
  | {
      readonly kind: 'refuse';
      readonly rule: RefusalRule;
      readonly outcome: RefusalOutcome;
      /** For outcome BLOCKED (the catalogue's blockedReason). */
      readonly blockedReason?: 'SUPPORT_MEASURE' | 'PENDING_MOVE_OUT' | undefined;
    };

const kosekiKinds = new Set(['KOSEKI_ZENBU', 'KOSEKI_KOJIN']);
const juminhyoKinds = new Set(['JUMINHYO', 'JUMINHYO_KISAI']);

function keyOf(measure: Suppression): string | undefined {
  if (measure.scope === 'PERSON')
    return measure.atenaNumber === undefined ? undefined : `P:${measure.atenaNumber}`;
  return measure.setaiNumber === undefined ? undefined : `H:${measure.setaiNumber}`;
}

/** Whether a change made at the registry is sent to other systems: 一時解除 never is (j410). */
export function propagates(kind: SuppressionChangeKind): boolean {
  return kind !== 'TEMPORARY_LIFT';
}

/** The book after one propagated change: START/EXTEND set the measure, END removes it. */
export function applySuppressionChange(
  book: SuppressionBook,
  change: SuppressionChange,
): SuppressionBook {
  const key = keyOf(change);
  if (key === undefined) return book;
  const next = new Map(book);
  if (change.changeKind === 'END') next.delete(key);
  else {
    next.set(key, {
      scope: change.scope,
      atenaNumber: change.atenaNumber,
      setaiNumber: change.setaiNumber,
      processes: change.processes,
      validFrom: change.validFrom,
      validTo: change.validTo,
    });
  }
  return next;
}

function inForce(measure: Suppression | undefined, today: string): boolean {
  if (measure === undefined) return false;
  if (!measure.processes.includes('ISSUANCE')) return false;
  if (measure.validFrom > today) return false;
  return measure.validTo === undefined || measure.validTo >= today;
}

/** Whether `resident` is protected by a measure in force (its own, or its 世帯's). */
function protectedBy(
  book: SuppressionBook,
  resident: ResidentView,
  today: string,
): 'PERSON' | 'HOUSEHOLD' | undefined {
  if (inForce(book.get(`P:${resident.atenaNumber}`), today)) return 'PERSON';
  if (inForce(book.get(`H:${resident.setaiNumber}`), today)) return 'HOUSEHOLD';
  return undefined;
}

const refuse = (
  rule: RefusalRule,
  outcome: RefusalOutcome,
  blockedReason?: 'SUPPORT_MEASURE' | 'PENDING_MOVE_OUT',
): IssuanceDecision => ({
  kind: 'refuse',
  rule,
  outcome,
  ...(blockedReason === undefined ? {} : { blockedReason }),
});

/**
 * Decides one request. Order: not offered, unknown, deceased, 支援措置 (the subject, then a covered
 * member the certificate would show), 転出予定者 in the 世帯 (住民票 kinds), 戸籍 without 利用登録.
 */
export function decideIssuance(request: IssuanceRequest, book: SuppressionBook): IssuanceDecision {
  const { subject, today } = request;
  if (!request.offered.has(request.certificateType)) return refuse('NOT_OFFERED', 'NOT_AVAILABLE');
  if (subject === undefined || subject.residentStatus === 'DELETED')
    return refuse('NOT_FOUND', 'NOT_FOUND');
  if (subject.residentStatus === 'DECEASED') return refuse('DECEASED', 'NOT_AVAILABLE');
  const lifted = (resident: ResidentView) =>
    request.channel === 'COUNTER' && request.temporaryLifts?.has(resident.atenaNumber) === true;
  const own = protectedBy(book, subject, today);
  if (own !== undefined && !lifted(subject)) {
    return refuse(
      own === 'PERSON' ? 'SUPPORT_MEASURE_SUBJECT' : 'SUPPORT_MEASURE_HOUSEHOLD',
      'BLOCKED',
      'SUPPORT_MEASURE',
    );
  }
  if (request.householdScope === 'HOUSEHOLD_ALL') {
    const covered = request.household.some(
      (member) =>
        member.atenaNumber !== subject.atenaNumber &&
        protectedBy(book, member, today) !== undefined &&
        !lifted(member),
    );
    if (covered) return refuse('SUPPORT_MEASURE_HOUSEHOLD', 'BLOCKED', 'SUPPORT_MEASURE');
  }
  const pendingMoveOut = (resident: ResidentView) =>
    resident.plannedMoveOutOn !== undefined || resident.residentStatus === 'MOVED_OUT';
  if (juminhyoKinds.has(request.certificateType)) {
    // A 世帯 with a 転出予定者 gets no 住民票 at a kiosk (city.tamba); at the counter staff decide.
    const members = [subject, ...request.household];
    if (request.channel === 'KIOSK' && members.some(pendingMoveOut))
      return refuse('PENDING_MOVE_OUT', 'BLOCKED', 'PENDING_MOVE_OUT');
  } else if (pendingMoveOut(subject) && request.channel === 'KIOSK') {
    return refuse('PENDING_MOVE_OUT', 'BLOCKED', 'PENDING_MOVE_OUT');
  }
  if (kosekiKinds.has(request.certificateType) || request.certificateType === 'KOSEKI_FUHYO') {
    if (!subject.honsekiInCity && !request.honsekiRegistered)
      return refuse('NO_HONSEKI_REGISTRATION', 'NOT_AVAILABLE');
  }
  return { kind: 'issue' };
}

/** What a kiosk shows for each outcome: generic, so a 支援措置 is never revealed. */
export const refusalText: Readonly<Record<RefusalOutcome | 'TIMEOUT', string>> = {
  NOT_FOUND: '該当する証明書情報がありません。市区町村の窓口にお問い合わせください。',
  BLOCKED: 'この証明書はコンビニ交付できません。市区町村の窓口にお問い合わせください。',
  NOT_AVAILABLE: 'この証明書はコンビニ交付できません。市区町村の窓口にお問い合わせください。',
  TIMEOUT: 'ただいま証明書を発行できません。市区町村の窓口でお受け取りください。',
};

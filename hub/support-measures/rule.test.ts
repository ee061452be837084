import { expect } from 'chai';
import {
  applySuppressionChange,
  decideIssuance,
  propagates,
  type IssuanceRequest,
  type ResidentView,
  type SuppressionBook,
} from './rule.js';

const today = '2026-12-04';
const person = (atenaNumber: string, extra: Partial<ResidentView> = {}): ResidentView => ({
  atenaNumber,
  setaiNumber: 'S1',
  residentStatus: 'RESIDENT',
  honsekiInCity: true,
  ...extra,
});
const victim = person('A1');
const child = person('A2');
const other = person('A3', { setaiNumber: 'S2' });
const request = (extra: Partial<IssuanceRequest> = {}): IssuanceRequest => ({
  channel: 'KIOSK',
  certificateType: 'JUMINHYO',
  householdScope: 'SELF',
  subject: victim,
  household: [victim, child],
  offered: new Set(['JUMINHYO', 'KOSEKI_ZENBU', 'KOSEKI_FUHYO']),
  honsekiRegistered: false,
  today,
  ...extra,
});
const start = (book: SuppressionBook, who: { atenaNumber?: string; setaiNumber?: string }) =>
  applySuppressionChange(book, {
    changeKind: 'START',
    scope: who.setaiNumber === undefined ? 'PERSON' : 'HOUSEHOLD',
    ...who,
    processes: ['ISSUANCE'],
    validFrom: today,
  });

describe('支援措置 and issuance refusal rule', () => {
  it('issues when nothing applies', () => {
    expect(decideIssuance(request(), new Map())).to.deep.equal({ kind: 'issue' });
  });

  it('refuses the protected person with BLOCKED and the rule, at kiosk and counter alike', () => {
    const book = start(new Map(), { atenaNumber: 'A1' });
    for (const channel of ['KIOSK', 'COUNTER'] as const) {
      expect(decideIssuance(request({ channel }), book)).to.deep.equal({
        kind: 'refuse',
        rule: 'SUPPORT_MEASURE_SUBJECT',
        outcome: 'BLOCKED',
        blockedReason: 'SUPPORT_MEASURE',
      });
    }
  });

  it('covers every member of a protected 世帯, and a household certificate showing a protected member', () => {
    const household = start(new Map(), { setaiNumber: 'S1' });
    expect(decideIssuance(request({ subject: child }), household)).to.include({
      rule: 'SUPPORT_MEASURE_HOUSEHOLD',
    });
    const personOnly = start(new Map(), { atenaNumber: 'A1' });
    expect(decideIssuance(request({ subject: child }), personOnly)).to.deep.equal({
      kind: 'issue',
    });
    expect(
      decideIssuance(request({ subject: child, householdScope: 'HOUSEHOLD_ALL' }), personOnly),
    ).to.include({ rule: 'SUPPORT_MEASURE_HOUSEHOLD' });
    expect(
      decideIssuance(request({ subject: other, household: [other] }), household),
    ).to.deep.equal({ kind: 'issue' });
  });

  it('honours a 一時解除 at the counter only; the lift itself is never propagated', () => {
    const book = start(new Map(), { atenaNumber: 'A1' });
    const lifts = new Set(['A1']);
    expect(
      decideIssuance(request({ channel: 'COUNTER', temporaryLifts: lifts }), book),
    ).to.deep.equal({ kind: 'issue' });
    expect(decideIssuance(request({ temporaryLifts: lifts }), book)).to.include({ kind: 'refuse' });
    expect(propagates('TEMPORARY_LIFT')).to.equal(false);
    expect(propagates('START')).to.equal(true);
  });

  it('ends a measure with END and ignores one not yet in force or for other processes', () => {
    const book = start(new Map(), { atenaNumber: 'A1' });
    const ended = applySuppressionChange(book, {
      changeKind: 'END',
      scope: 'PERSON',
      atenaNumber: 'A1',
      processes: ['ISSUANCE'],
      validFrom: today,
    });
    expect(decideIssuance(request(), ended)).to.deep.equal({ kind: 'issue' });
    const later = applySuppressionChange(new Map(), {
      changeKind: 'START',
      scope: 'PERSON',
      atenaNumber: 'A1',
      processes: ['ISSUANCE'],
      validFrom: '2027-01-01',
    });
    expect(decideIssuance(request(), later)).to.deep.equal({ kind: 'issue' });
    const inquiryOnly = applySuppressionChange(new Map(), {
      changeKind: 'START',
      scope: 'PERSON',
      atenaNumber: 'A1',
      processes: ['INQUIRY'],
      validFrom: today,
    });
    expect(decideIssuance(request(), inquiryOnly)).to.deep.equal({ kind: 'issue' });
  });

  it('refuses 転出予定者 (the whole 世帯 for 住民票), the deceased, 戸籍 without 利用登録, kinds not offered', () => {
    const leaving = person('A2', { plannedMoveOutOn: '2026-12-20', residentStatus: 'MOVED_OUT' });
    expect(decideIssuance(request({ household: [victim, leaving] }), new Map())).to.deep.equal({
      kind: 'refuse',
      rule: 'PENDING_MOVE_OUT',
      outcome: 'BLOCKED',
      blockedReason: 'PENDING_MOVE_OUT',
    });
    expect(
      decideIssuance(request({ subject: person('A1', { residentStatus: 'DECEASED' }) }), new Map()),
    ).to.deep.equal({ kind: 'refuse', rule: 'DECEASED', outcome: 'NOT_AVAILABLE' });
    const elsewhere = person('A1', { honsekiInCity: false });
    for (const certificateType of ['KOSEKI_ZENBU', 'KOSEKI_FUHYO']) {
      expect(
        decideIssuance(request({ subject: elsewhere, certificateType }), new Map()),
      ).to.include({
        rule: 'NO_HONSEKI_REGISTRATION',
      });
      expect(
        decideIssuance(
          request({ subject: elsewhere, certificateType, honsekiRegistered: true }),
          new Map(),
        ),
      ).to.deep.equal({ kind: 'issue' });
    }
    expect(decideIssuance(request({ certificateType: 'TAX_INCOME' }), new Map())).to.include({
      rule: 'NOT_OFFERED',
    });
    expect(decideIssuance(request({ subject: undefined }), new Map())).to.include({
      rule: 'NOT_FOUND',
      outcome: 'NOT_FOUND',
    });
  });
});

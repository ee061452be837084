/**
 * Affair 3: 住民票の写し at the counter (3-①②). The counter staff send a request — 本人 or 代理 with
 * the requester's identity and relation, the items chosen — to the hub; the hub asks 既存住基's 窓口
 * (connectors/kizon-juki/counter.ts) for the record, the 世帯, the 支援措置 and any 一時解除, decides
 * with the shared rule (hub/support-measures/rule.ts, channel COUNTER), renders the copy with a
 * Japanese font and a verification code, and records the issuance (or the refusal) in the access
 * record; a refusal is also published as `issuance.refusal.recorded` (channel COUNTER), which the
 * affair-3 route delivers to the 支援措置 audit (hub/support-measures/audit.ts), as affair 11 does.
 *
 * 個人番号 is printed only when asked, and only for the person themself or a member of the same 世帯
 * as the registry holds it (番号法 / 住基法 12条); a 代理 asking for it is refused as a whole, so the
 * requester learns nothing from a partial copy.
 */
import { createHash } from 'node:crypto';
import type { CounterJuminhyoData, CounterPerson } from '../../connectors/kizon-juki/counter.js';
import type { Address, IssuanceRefusalRecorded } from '../../schemas/types.gen.js';
import type { KeyedHasher } from '../security/keyed-hash.js';
import type { AccessRecords } from '../store/access-records.js';
import {
  applySuppressionChange,
  decideIssuance,
  type ResidentView,
  type SuppressionBook,
} from '../support-measures/rule.js';
import { recordAccess } from './access.js';
import { renderJuminhyoPdf, type CertificateLine, type JuminhyoCopy } from './pdf.js';

/** Who asks. */
export interface Requester {
  readonly kind: 'SELF' | 'PROXY';
  /** The requester's 宛名番号 when they are registered here (a member of the 世帯, for instance). */
  readonly atenaNumber?: string;
  /** 本人確認書類 seen at the counter (kind only, e.g. MYNUMBER_CARD, DRIVER_LICENSE). */
  readonly identityDocument: string;
  /** Relation to the person (代理: 委任, 法定代理人, 同一世帯 …). */
  readonly relation?: string;
}

/** The items asked for. */
export interface JuminhyoItems {
  readonly scope: 'HOUSEHOLD_ALL' | 'PART';
  /** PART: the 宛名番号 of the members to show (the person always). */
  readonly members?: readonly string[];
  readonly honseki: boolean;
  readonly relationship: boolean;
  readonly myNumber: boolean;
}

/** One counter request. */
export interface JuminhyoRequest {
  readonly requestId: string;
  readonly operator: string;
  readonly terminal: string;
  readonly subjectAtenaNumber: string;
  readonly requester: Requester;
  readonly items: JuminhyoItems;
}

/** The answer. */
export type JuminhyoResult =
  | {
      readonly status: 'ISSUED';
      readonly requestId: string;
      readonly verificationCode: string;
      readonly pdf: Buffer;
    }
  | {
      readonly status: 'REFUSED';
      readonly requestId: string;
      /** For the staff (never printed for the requester). */
      readonly reason: string;
      readonly message: { readonly ja: string; readonly en: string };
    };

/** What the service needs. */
export interface JuminhyoDeps {
  readonly registry: (atenaNumber: string) => Promise<CounterJuminhyoData | undefined>;
  readonly records: AccessRecords;
  /** Publishes the refusal for the 支援措置 audit (route affair-3.counter-refusal-audit). */
  readonly publishRefusal: (refusal: IssuanceRefusalRecorded) => Promise<void>;
  readonly hasher: KeyedHasher;
  readonly fontPath: string;
  readonly lgCode: string;
  readonly issuer: string;
  readonly now?: () => Date;
}

function japanDay(now: Date): string {
  return new Date(now.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}

function addressText(address: Address): string {
  return [
    address.prefecture,
    address.municipalityName,
    address.choaza ?? '',
    address.banchiGo ?? '',
    address.katagaki ?? '',
  ].join('');
}

function viewOf(person: CounterPerson): ResidentView {
  return {
    atenaNumber: person.resident.atenaNumber,
    setaiNumber: person.resident.setaiNumber,
    residentStatus: person.resident.residentStatus,
    honsekiInCity: true,
  };
}

const sexText: Record<string, string> = { MALE: '男', FEMALE: '女' };

/** The verification code printed on a copy: a keyed hash of the request id (checkable by the city). */
export function verificationCodeOf(hasher: KeyedHasher, requestId: string): string {
  const hex = createHash('sha256')
    .update(hasher.hash('juminhyo.verification', requestId))
    .digest('hex')
    .slice(0, 16)
    .toUpperCase();
  return hex.match(/.{4}/g)?.join('-') ?? hex;
}

/** Handles one counter request. */
export async function issueJuminhyo(
  request: JuminhyoRequest,
  deps: JuminhyoDeps,
): Promise<JuminhyoResult> {
  const now = deps.now?.() ?? new Date();
  const data = await deps.registry(request.subjectAtenaNumber);
  const criteria = { atenaNumber: request.subjectAtenaNumber };
  const access = (result: string, count: number) =>
    recordAccess(deps.records, deps.hasher, {
      requestId: request.requestId,
      affair: 'affair-3',
      action: 'ISSUANCE',
      operator: request.operator,
      terminal: request.terminal,
      purpose: request.requester.kind === 'SELF' ? 'JUMINHYO_SELF' : 'JUMINHYO_PROXY',
      criteria,
      source: data === undefined ? null : 'REGISTRY',
      result,
      resultCount: count,
      at: now,
    });
  const refuse = async (reason: string, ja: string, en: string): Promise<JuminhyoResult> => {
    await access(`REFUSED:${reason}`, 0);
    return { status: 'REFUSED', requestId: request.requestId, reason, message: { ja, en } };
  };
  if (data === undefined) {
    return refuse('NOT_FOUND', '該当する住民が見つかりません', 'no such resident');
  }
  const household = data.household.filter(
    (member) => member.resident.residentStatus === 'RESIDENT',
  );
  const sameHousehold =
    request.requester.kind === 'SELF' ||
    (request.requester.atenaNumber !== undefined &&
      household.some((member) => member.resident.atenaNumber === request.requester.atenaNumber));
  if (request.items.myNumber && !sameHousehold) {
    return refuse(
      'MY_NUMBER_NOT_ALLOWED',
      '個人番号の記載は本人または同一世帯の方の請求に限ります',
      'a My Number is printed only for the person or a member of the same household',
    );
  }
  const shown =
    request.items.scope === 'HOUSEHOLD_ALL'
      ? household
      : household.filter(
          (member) =>
            member.resident.atenaNumber === request.subjectAtenaNumber ||
            (request.items.members ?? []).includes(member.resident.atenaNumber),
        );
  let book: SuppressionBook = new Map();
  for (const measure of data.suppressions)
    book = applySuppressionChange(book, { ...measure, changeKind: 'START' });
  const decision = decideIssuance(
    {
      channel: 'COUNTER',
      certificateType: 'JUMINHYO',
      householdScope: shown.length > 1 ? 'HOUSEHOLD_ALL' : 'SELF',
      subject: viewOf(data.subject),
      household: shown.map(viewOf),
      offered: new Set(['JUMINHYO']),
      honsekiRegistered: true,
      today: japanDay(now),
      temporaryLifts: new Set(data.temporaryLifts),
    },
    book,
  );
  if (decision.kind === 'refuse') {
    const refusal: IssuanceRefusalRecorded = {
      lgCode: deps.lgCode,
      channel: 'COUNTER',
      requestId: request.requestId,
      // The terminal (the access record names the operator).
      requesterKey: `counter:${request.terminal}`,
      subjectAtenaNumber: request.subjectAtenaNumber,
      certificateType: 'JUMINHYO',
      rule: decision.rule,
      refusedAt: now.toISOString(),
    };
    await deps.publishRefusal(refusal);
    return refuse(
      decision.rule,
      'この請求には交付できません。担当者に確認してください',
      'this copy cannot be issued; see the supervisor',
    );
  }
  const verificationCode = verificationCodeOf(deps.hasher, request.requestId);
  const subject = data.subject.resident;
  const head = household.find((member) => member.resident.relationship?.text === '世帯主');
  const copy: JuminhyoCopy = {
    title: '住民票の写し',
    header: [
      { label: '住所', value: addressText(subject.address) },
      {
        label: '世帯主',
        value: subject.householderName ?? head?.resident.name.name ?? '',
      },
    ],
    people: shown.map((member) => {
      const resident = member.resident;
      const lines: CertificateLine[] = [
        { label: '氏名', value: resident.name.name },
        { label: '生年月日', value: resident.birthDate.value ?? '' },
        { label: '性別', value: sexText[resident.sex] ?? '' },
      ];
      if (request.items.relationship && resident.relationship?.text !== undefined)
        lines.push({ label: '続柄', value: resident.relationship.text });
      if (request.items.honseki && resident.honseki?.state === 'PRESENT') {
        lines.push({ label: '本籍', value: resident.honseki.address ?? '' });
        lines.push({ label: '筆頭者', value: resident.honseki.hittosha ?? '' });
      }
      if (request.items.myNumber && member.myNumber !== undefined)
        lines.push({ label: '個人番号', value: member.myNumber });
      return { lines };
    }),
    verificationCode,
    issuedOn: japanDay(now),
    issuer: deps.issuer,
  };
  const pdf = await renderJuminhyoPdf(copy, deps.fontPath);
  await access('ISSUED', shown.length);
  return { status: 'ISSUED', requestId: request.requestId, verificationCode, pdf };
}

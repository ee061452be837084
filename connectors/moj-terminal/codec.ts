/**
 * The 法務省情報連携端末's files: fixed-width CP932 records, CRLF-separated. This project's stand-in
 * for the 市町村連携仕様 (法務省仕様), which is not public. A 法務省通知 file is a header record (`H`,
 * file date, record count), one `D` record per notice, and a trailer (`T`, record count); a 市町村通知
 * file is one `M` record per notice. Codes for enums are two digits, as such files carry them.
 */
import { defineLayout } from '../codec/fixed-width.js';
import type { MojNoticeReceived, MunicipalityNoticeSent } from '../../schemas/types.gen.js';

export const MOJ_SEPARATOR = Buffer.from('\r\n');

/** Header record of a 法務省通知 file. */
export const mojHeaderLayout = defineLayout({
  name: 'moj-notice-header',
  recordLength: 20,
  encoding: 'cp932',
  fields: [
    { name: 'kind', offset: 0, length: 1, type: 'text' },
    { name: 'fileDate', offset: 1, length: 8, type: 'date' },
    { name: 'count', offset: 9, length: 11, type: 'numeric' },
  ],
});

/** Trailer record of a 法務省通知 file. */
export const mojTrailerLayout = defineLayout({
  name: 'moj-notice-trailer',
  recordLength: 12,
  encoding: 'cp932',
  fields: [
    { name: 'kind', offset: 0, length: 1, type: 'text' },
    { name: 'count', offset: 1, length: 11, type: 'numeric' },
  ],
});

/** One 法務省通知 (`D` record). */
export const mojNoticeLayout = defineLayout({
  name: 'moj-notice',
  recordLength: 250,
  encoding: 'cp932',
  fields: [
    { name: 'kind', offset: 0, length: 1, type: 'text' },
    { name: 'sequenceNo', offset: 1, length: 10, type: 'numeric' },
    { name: 'noticeId', offset: 11, length: 40, type: 'text' },
    { name: 'noticeKind', offset: 51, length: 2, type: 'numeric' },
    { name: 'notifiedOn', offset: 53, length: 8, type: 'date' },
    { name: 'cardNumber', offset: 61, length: 12, type: 'text' },
    { name: 'cardKind', offset: 73, length: 1, type: 'numeric' },
    { name: 'romanName', offset: 74, length: 100, type: 'text' },
    { name: 'kanjiName', offset: 174, length: 40, type: 'zenkaku' },
    { name: 'birthDate', offset: 214, length: 8, type: 'date' },
    { name: 'sex', offset: 222, length: 1, type: 'numeric' },
    { name: 'nationalityCode', offset: 223, length: 3, type: 'text' },
    { name: 'category', offset: 226, length: 1, type: 'numeric' },
    { name: 'statusCode', offset: 227, length: 3, type: 'text' },
    { name: 'periodYears', offset: 230, length: 2, type: 'numeric' },
    { name: 'periodMonths', offset: 232, length: 2, type: 'numeric' },
    { name: 'periodDays', offset: 234, length: 3, type: 'numeric' },
    { name: 'expiresOn', offset: 237, length: 8, type: 'date' },
    { name: 'specialPermanent', offset: 245, length: 1, type: 'numeric' },
    { name: 'filler', offset: 246, length: 4, type: 'text' },
  ],
});

/** One 市町村通知 (`M` record). */
export const municipalityNoticeLayout = defineLayout({
  name: 'moj-municipality-notice',
  recordLength: 400,
  encoding: 'cp932',
  fields: [
    { name: 'kind', offset: 0, length: 1, type: 'text' },
    { name: 'lgCode', offset: 1, length: 6, type: 'numeric' },
    { name: 'noticeId', offset: 7, length: 40, type: 'text' },
    { name: 'legalBasis', offset: 47, length: 1, type: 'numeric' },
    { name: 'eventKind', offset: 48, length: 1, type: 'numeric' },
    { name: 'cardNumber', offset: 49, length: 12, type: 'text' },
    { name: 'cardKind', offset: 61, length: 1, type: 'numeric' },
    { name: 'romanName', offset: 62, length: 100, type: 'text' },
    { name: 'alias', offset: 162, length: 40, type: 'zenkaku' },
    { name: 'aliasAction', offset: 202, length: 1, type: 'numeric' },
    { name: 'aliasOn', offset: 203, length: 8, type: 'date' },
    { name: 'birthDate', offset: 211, length: 8, type: 'date' },
    { name: 'sex', offset: 219, length: 1, type: 'numeric' },
    { name: 'nationalityCode', offset: 220, length: 3, type: 'text' },
    { name: 'category', offset: 223, length: 1, type: 'numeric' },
    { name: 'statusCode', offset: 224, length: 3, type: 'text' },
    { name: 'periodYears', offset: 227, length: 2, type: 'numeric' },
    { name: 'periodMonths', offset: 229, length: 2, type: 'numeric' },
    { name: 'periodDays', offset: 231, length: 3, type: 'numeric' },
    { name: 'expiresOn', offset: 234, length: 8, type: 'date' },
    { name: 'address', offset: 242, length: 150, type: 'zenkaku' },
    { name: 'effectiveOn', offset: 392, length: 8, type: 'date' },
  ],
});

const noticeKinds: readonly MojNoticeReceived['noticeKind'][] = [
  'NAME_CHANGE',
  'BIRTHDATE_SEX_CHANGE',
  'NATIONALITY_CHANGE',
  'STATUS_CHANGE',
  'PERIOD_RENEWAL',
  'CARD_REISSUE',
  'STATUS_REVOKED',
  'OUT_OF_SCOPE',
  'CORRECTION',
];
const categories = [
  'MID_LONG_TERM',
  'SPECIAL_PERMANENT',
  'TEMPORARY_REFUGE',
  'PROVISIONAL_STAY',
  'TRANSITIONAL_BIRTH',
  'TRANSITIONAL_NATIONALITY_LOSS',
] as const;
const cardKinds = ['ZAIRYU_CARD', 'TOKUEI_CERT', 'OTHER'] as const;
const legalBases: readonly MunicipalityNoticeSent['legalBasis'][] = [
  'JUKI_AND_NYUKAN',
  'NYUKAN_ONLY',
  'JUKI_ONLY',
];
const eventKinds: readonly MunicipalityNoticeSent['eventKind'][] = [
  'ENTRY',
  'DELETION',
  'CORRECTION',
  'ADDRESS_CHANGE',
];

/** 1-based code of a value in a code table (0 = absent). */
const codeOf = <T>(table: readonly T[], value: T | undefined): number =>
  value === undefined ? 0 : table.indexOf(value) + 1;
/** The value of a 1-based code; the code itself (as text) when it is not in the table, so the schema refuses it. */
const valueOf = <T>(table: readonly T[], code: string): T | string =>
  table[Number(code) - 1] ?? `code ${code}`;

/** Encodes one 法務省通知 as a `D` record (the terminal simulator writes these). */
export function encodeMojNotice(notice: MojNoticeReceived): Buffer {
  const after = notice.after;
  return mojNoticeLayout.encode({
    kind: 'D',
    sequenceNo: notice.sequenceNo,
    noticeId: notice.noticeId,
    noticeKind: codeOf(noticeKinds, notice.noticeKind),
    notifiedOn: notice.notifiedOn,
    cardNumber: notice.residenceCard.number,
    cardKind: codeOf(cardKinds, notice.residenceCard.cardKind),
    romanName: after.romanName,
    kanjiName: after.foreignKanjiName ?? '',
    birthDate: after.birthDate,
    sex: after.sex === 'MALE' ? 1 : 2,
    nationalityCode: after.nationalityCode,
    category: codeOf(categories, after.category),
    statusCode: after.statusOfResidenceCode ?? '',
    periodYears: after.periodOfStay?.years ?? 0,
    periodMonths: after.periodOfStay?.months ?? 0,
    periodDays: after.periodOfStay?.days ?? 0,
    expiresOn: after.periodExpiresOn ?? null,
    specialPermanent: notice.isSpecialPermanent === true ? 1 : 0,
    filler: '',
  });
}

/** Encodes a header or trailer record. */
export function encodeMojHeader(fileDate: string, count: number): Buffer {
  return mojHeaderLayout.encode({ kind: 'H', fileDate, count });
}
export function encodeMojTrailer(count: number): Buffer {
  return mojTrailerLayout.encode({ kind: 'T', count });
}

/**
 * Maps a decoded `D` record to the catalogue's body (validated by the caller): codes become enums,
 * empty fields are left out, the 地方公共団体コード is the receiving city's.
 */
export function mojNoticeBody(bytes: Buffer, lgCode: string): unknown {
  const r = mojNoticeLayout.decode(bytes);
  const period =
    r.periodYears === '0' && r.periodMonths === '0' && r.periodDays === '0'
      ? undefined
      : {
          years: Number(r.periodYears),
          months: Number(r.periodMonths),
          days: Number(r.periodDays),
        };
  return {
    lgCode,
    sequenceNo: Number(r.sequenceNo),
    noticeId: r.noticeId,
    noticeKind: valueOf(noticeKinds, r.noticeKind),
    notifiedOn: r.notifiedOn,
    residenceCard: { number: r.cardNumber, cardKind: valueOf(cardKinds, r.cardKind) },
    after: {
      romanName: r.romanName,
      ...(r.kanjiName === '' ? {} : { foreignKanjiName: r.kanjiName }),
      birthDate: r.birthDate,
      sex: r.sex === '1' ? 'MALE' : r.sex === '2' ? 'FEMALE' : `code ${r.sex}`,
      nationalityCode: r.nationalityCode,
      category: valueOf(categories, r.category),
      ...(r.statusCode === '' ? {} : { statusOfResidenceCode: r.statusCode }),
      ...(period === undefined ? {} : { periodOfStay: period }),
      ...(r.expiresOn === null ? {} : { periodExpiresOn: r.expiresOn }),
    },
    ...(r.specialPermanent === '1' ? { isSpecialPermanent: true } : {}),
  };
}

/** Encodes a 市町村通知 as the terminal's `M` record. */
export function encodeMunicipalityNotice(notice: MunicipalityNoticeSent): Buffer {
  const foreign = notice.foreign;
  const history = notice.aliasHistory?.[0];
  const address = notice.address;
  return municipalityNoticeLayout.encode({
    kind: 'M',
    lgCode: notice.lgCode,
    noticeId: notice.noticeId,
    legalBasis: codeOf(legalBases, notice.legalBasis),
    eventKind: codeOf(eventKinds, notice.eventKind),
    cardNumber: notice.residenceCard.number,
    cardKind: codeOf(cardKinds, notice.residenceCard.cardKind),
    romanName: notice.name.romanName ?? '',
    alias: history?.alias ?? notice.name.alias ?? '',
    aliasAction: history === undefined ? 0 : history.action === 'RECORDED' ? 1 : 2,
    aliasOn: history?.on ?? null,
    birthDate: notice.birthDate.value ?? null,
    sex: notice.sex === 'MALE' ? 1 : 2,
    nationalityCode: foreign.nationalityCode,
    category: codeOf(categories, foreign.category),
    statusCode: foreign.statusOfResidenceCode ?? '',
    periodYears: foreign.periodOfStay?.years ?? 0,
    periodMonths: foreign.periodOfStay?.months ?? 0,
    periodDays: foreign.periodOfStay?.days ?? 0,
    expiresOn: foreign.periodExpiresOn ?? null,
    address:
      address === undefined
        ? ''
        : `${address.prefecture}${address.municipalityName}${address.choaza ?? ''}${address.banchiGo ?? ''}`,
    effectiveOn: notice.effectiveOn.value ?? null,
  });
}

/** Decodes an `M` record (the terminal simulator's view of what it will send to MOJ). */
export function decodeMunicipalityNotice(bytes: Buffer): Record<string, unknown> {
  const r = municipalityNoticeLayout.decode(bytes);
  return {
    ...r,
    legalBasis: valueOf(legalBases, r.legalBasis),
    eventKind: valueOf(eventKinds, r.eventKind),
    category: valueOf(categories, r.category),
  };
}

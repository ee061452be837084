/**
 * Deterministic synthetic messages for tests, fixtures, end-to-end runs and benchmarks. The same seed
 * always gives the same body. Every person is invented: My Numbers and 住民票コード start with 0000 (or
 * are the well-known documentation samples) and carry valid check digits; names mix kanji with ideographic
 * variation selectors, 和暦 and unknown dates, foreign residents and full/half-width forms.
 */
import { withFugoCheckChar } from '../hub/security/fugo.js';
import { withMyNumberCheckDigit } from '../hub/security/my-number.js';
import {
  certificateSubjectKey,
  residentKeyOf,
  stampKeywords,
  type CertificateStamps,
} from '../transformers/kiosk-subject.js';
import { juminhyoCodeCheckDigit } from './keywords.js';
import type {
  Address,
  CardDeliveryAddressRecord,
  Era,
  MessageType,
  MessageTypes,
  MovementReason,
  PersonName,
  ResidentCore,
  ResidentMovementRecorded,
  ResidentMovementRecordedTokutei,
} from './types.gen.js';

/** The city the samples belong to (千代田区, a valid 地方公共団体コード). */
export const sampleLgCode = '131016';

/** Other valid 地方公共団体コード for move-in/move-out partners (札幌市, 大阪市, 横浜市, 福岡市). */
export const sampleOtherLgCodes = ['011002', '271004', '141003', '401307'] as const;

/** Well-known synthetic My Numbers from documentation (valid check digits, nobody's number). */
export const documentedMyNumbers = ['123456789018', '621498320257', '983205673214'] as const;

/** A small seeded PRNG (mulberry32): deterministic, never Math.random. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** A synthetic My Number for `seed`: 0000 + 7 digits of the seed + check digit. */
export function sampleMyNumber(seed: number): string {
  return withMyNumberCheckDigit(`0000${pad(seed % 10_000_000, 7)}`);
}

/** A synthetic 住民票コード for `seed`: 0000 + 6 digits of the seed + check digit. */
export function sampleJuminhyoCode(seed: number): string {
  const base = `0000${pad(seed % 1_000_000, 6)}`;
  return `${base}${String(juminhyoCodeCheckDigit(base))}`;
}

/** A synthetic 宛名番号 for `seed` (10 digits starting with 9). */
export function sampleAtenaNumber(seed: number): string {
  return `9${pad(seed % 1_000_000_000, 9)}`;
}

/** A synthetic 世帯番号 for `seed` (10 digits starting with 8). */
export function sampleSetaiNumber(seed: number): string {
  return `8${pad(seed % 1_000_000_000, 9)}`;
}

/** Surnames with their kana; some need an ideographic variation selector (葛󠄀, 辻󠄀) or are 異体字. */
const surnames: readonly (readonly [string, string])[] = [
  ['葛\u{E0100}城', 'カツラギ'],
  ['辻\u{E0100}本', 'ツジモト'],
  ['髙橋', 'タカハシ'],
  ['齋藤', 'サイトウ'],
  ['渡邊', 'ワタナベ'],
  ['𠮷田', 'ヨシダ'],
  ['見本', 'ミホン'],
  ['試験', 'シケン'],
];
const givenNames: readonly (readonly [string, string, 'MALE' | 'FEMALE'])[] = [
  ['花子', 'ハナコ', 'FEMALE'],
  ['太郎', 'タロウ', 'MALE'],
  ['美咲', 'ミサキ', 'FEMALE'],
  ['翔', 'ショウ', 'MALE'],
  ['ヴィオラ', 'ヴィオラ', 'FEMALE'],
];
const choaza: readonly (readonly [string, string, string])[] = [
  ['千代田', '1000001', '１丁目１番１号'],
  ['丸の内', '1000005', '2-7-3'],
  ['神田錦町', '1010054', '三丁目２２番地'],
];
const eras: readonly (readonly [Era, number, number])[] = [
  ['S', 1950, 1988],
  ['H', 1990, 2018],
];

/** A domestic address in the sample city (full- or half-width 番地, optional 方書 with half-width kana). */
export function sampleAddress(seed: number, lgCode: string = sampleLgCode): Address {
  const random = createRandom(seed * 31 + 7);
  const [town, postalCode, banchi] = pick(choaza, random);
  const address: Address = {
    lgCode,
    prefecture: '東京都',
    municipalityName: '千代田区',
    choaza: town,
    banchiGo: banchi,
    postalCode,
  };
  if (random() < 0.5) {
    address.katagaki = seed % 2 === 0 ? 'ハイツ見本１０１号室' : 'ﾊｲﾂﾐﾎﾝ 201';
  }
  return address;
}

/** A Japanese name; even seeds get a surname with a variation selector. */
export function sampleJapaneseName(seed: number): { name: PersonName; sex: 'MALE' | 'FEMALE' } {
  const random = createRandom(seed * 17 + 3);
  const [surname, surnameKana] =
    seed % 2 === 0 ? pick(surnames.slice(0, 2), random) : pick(surnames, random);
  const [given, givenKana, sex] = pick(givenNames, random);
  return {
    name: {
      name: `${surname}\u3000${given}`,
      nameKana: `${surnameKana}\u3000${givenKana}`,
      kanaConfirmed: true,
    },
    sex,
  };
}

/** The kind of resident a sample is. */
export type SampleResidentKind = 'japanese' | 'mid-long-term' | 'special-permanent';

/** A resident (住民票本体) of the given kind. */
export function sampleResident(seed: number, kind: SampleResidentKind = 'japanese'): ResidentCore {
  const random = createRandom(seed);
  const base = {
    atenaNumber: sampleAtenaNumber(seed),
    setaiNumber: sampleSetaiNumber(seed),
    juminhyoCode: sampleJuminhyoCode(seed),
    residentStatus: 'RESIDENT' as const,
    address: sampleAddress(seed),
    relationship: { codes: ['01'], text: '世帯主' },
  };
  if (kind === 'japanese') {
    const [era, from, to] = pick(eras, random);
    const year = from + Math.floor(random() * (to - from));
    const { name, sex } = sampleJapaneseName(seed);
    return {
      ...base,
      residentType: 'JAPANESE',
      name,
      sex,
      birthDate: {
        value: `${String(year)}-${pad(1 + (seed % 12), 2)}-${pad(1 + (seed % 28), 2)}`,
        era,
      },
      householderName: name.name,
      honseki: {
        state: 'PRESENT',
        address: '東京都千代田区千代田１番',
        hittosha: name.name,
        lgCode: sampleLgCode,
      },
      becameResidentOn: { value: '2015-04-01', era: 'H' },
      addressFixedOn: { value: '2015-04-01', era: 'H' },
    };
  }
  if (kind === 'mid-long-term') {
    return {
      ...base,
      residentType: 'FOREIGN',
      name: {
        name: 'NGUYEN VAN AN',
        romanName: 'NGUYEN VAN AN',
        nameKana: 'グエン　ヴァン　アン',
        alias: '見本　安',
        aliasKana: 'ミホン　ヤス',
        namePriority: 'NAME',
      },
      sex: 'MALE',
      birthDate: { value: '1996-11-03' },
      householderName: 'NGUYEN VAN AN',
      foreign: {
        nationalityCode: '704',
        nationalityName: 'ベトナム',
        becameForeignResidentOn: { value: '2022-10-01' },
        category: 'MID_LONG_TERM',
        statusOfResidenceCode: '14',
        periodOfStay: { years: 3, months: 0, days: 0 },
        periodExpiresOn: '2028-09-30',
        residenceCard: { number: 'AB12345678CD', cardKind: 'ZAIRYU_CARD' },
      },
    };
  }
  return {
    ...base,
    residentType: 'FOREIGN',
    name: {
      name: 'KIM MINJUN',
      romanName: 'KIM MINJUN',
      foreignKanjiName: '金　敏俊',
      nameKana: 'キム　ミンジュン',
      alias: '金田　敏俊',
      namePriority: 'ALIAS',
    },
    sex: 'MALE',
    birthDate: { value: '1971-02-14' },
    householderName: '金田　敏俊',
    foreign: {
      nationalityCode: '410',
      nationalityName: '韓国',
      becameForeignResidentOn: { isUnknown: true, unknownText: '年月日不詳' },
      category: 'SPECIAL_PERMANENT',
      residenceCard: { number: 'SP00000001ZZ', cardKind: 'TOKUEI_CERT' },
    },
  };
}

const reasonCategory: Record<string, MovementReason['category']> = {
  DOMESTIC_MOVE_IN: 'ENTRY',
  OVERSEAS_MOVE_IN: 'ENTRY',
  BIRTH: 'ENTRY',
  DOMESTIC_MOVE_OUT: 'DELETION',
  OVERSEAS_MOVE_OUT: 'DELETION',
  DEATH: 'DELETION',
};

/** A movement reason with the category it belongs to (correction reasons default to CORRECTION). */
export function sampleMovementReason(reason: MovementReason['reason']): MovementReason {
  return { category: reasonCategory[reason] ?? 'CORRECTION', reason };
}

/** A valid resident.movement.recorded; the reason shapes the rest (move-out gets a destination, …). */
export function sampleMovementRecorded(
  overrides: Partial<ResidentMovementRecorded> = {},
  seed = 1,
  reason: MovementReason['reason'] = 'DOMESTIC_MOVE_IN',
  kind: SampleResidentKind = 'japanese',
): ResidentMovementRecorded {
  const resident = sampleResident(seed, kind);
  const movement: ResidentMovementRecorded = {
    lgCode: sampleLgCode,
    historyNo: 1 + (seed % 40),
    movementReason: sampleMovementReason(reason),
    movedOn: { value: '2026-11-20', era: 'R' },
    processedOn: '2026-11-27',
    notifiedOn: '2026-11-27',
    resident,
    changedFields: ['/address'],
  };
  if (reason === 'DOMESTIC_MOVE_IN') {
    resident.priorAddress = {
      domestic: {
        lgCode: '011002',
        prefecture: '北海道',
        municipalityName: '札幌市',
        choaza: '中央区北一条西',
        banchiGo: '２丁目',
      },
    };
  } else if (reason === 'OVERSEAS_MOVE_IN') {
    resident.priorAddress = {
      overseas: { countryCode: '840', countryName: 'アメリカ合衆国', foreignAddress: 'NEW YORK' },
    };
  } else if (reason === 'DOMESTIC_MOVE_OUT' || reason === 'OVERSEAS_MOVE_OUT') {
    resident.residentStatus = 'MOVED_OUT';
    movement.plannedMoveOutOn = '2026-12-10';
    movement.plannedDestination =
      reason === 'DOMESTIC_MOVE_OUT'
        ? {
            domestic: {
              lgCode: '271004',
              prefecture: '大阪府',
              municipalityName: '大阪市',
              choaza: '北区中之島',
            },
          }
        : { overseas: { countryCode: '276', countryName: 'ドイツ' } };
  } else if (reason === 'DEATH') {
    resident.residentStatus = 'DECEASED';
  } else if (reason === 'BIRTH') {
    resident.birthDate = { value: '2026-11-20', era: 'R' };
    resident.relationship = { codes: ['20'], text: '子' };
    delete resident.householderName;
  }
  return { ...movement, ...overrides };
}

/** A valid resident.movement.recorded.tokutei (the movement plus a synthetic My Number). */
export function sampleMovementRecordedTokutei(
  overrides: Partial<ResidentMovementRecordedTokutei> = {},
  seed = 1,
  reason: MovementReason['reason'] = 'DOMESTIC_MOVE_IN',
  kind: SampleResidentKind = 'japanese',
): ResidentMovementRecordedTokutei {
  return {
    ...sampleMovementRecorded({}, seed, reason, kind),
    myNumber: sampleMyNumber(seed),
    ...overrides,
  };
}

const pdfStub =
  'JVBERi0xLjcKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCnRyYWlsZXIKPDw+PgolJUVPRgo=';
/** A minimal PDF whose Keywords carry the certificate stamps (what the route's subject check reads). */
function stampedPdfStub(stamps: CertificateStamps): string {
  return Buffer.from(
    `%PDF-1.7\n1 0 obj\n<</Keywords (${stampKeywords(stamps)})>>\nendobj\n%%EOF\n`,
    'latin1',
  ).toString('base64');
}
const sha = (seed: number): string => pad(seed, 8).repeat(8);
const at = (time: string): string => `2026-11-27T${time}+09:00`;

/** A synthetic 利用者証明用電子証明書 serial for `seed`. */
export function sampleCertSerial(seed: number): string {
  return `0A${pad(seed, 8)}F`;
}

type Factories = { [K in MessageType]: (seed: number) => MessageTypes[K] };

/** One valid body per message type (the basis of the checked-in valid fixtures). */
export const sampleFactories: Factories = {
  'resident.movement.recorded': (seed) => sampleMovementRecorded({}, seed),
  'resident.movement.recorded.tokutei': (seed) => sampleMovementRecordedTokutei({}, seed),
  'mynumber.generation.requested': (seed) => ({
    lgCode: sampleLgCode,
    juminhyoCode: sampleJuminhyoCode(seed),
    atenaNumber: sampleAtenaNumber(seed),
    historyNo: 1,
    reason: 'BIRTH',
    requestedOn: '2026-11-27',
  }),
  'mynumber.generation.completed': (seed) => ({
    lgCode: sampleLgCode,
    juminhyoCode: sampleJuminhyoCode(seed),
    atenaNumber: sampleAtenaNumber(seed),
    myNumber: sampleMyNumber(seed),
    generatedAt: at('10:15:00'),
  }),
  'mynumber.change.requested': (seed) => ({
    lgCode: sampleLgCode,
    juminhyoCode: sampleJuminhyoCode(seed),
    atenaNumber: sampleAtenaNumber(seed),
    currentMyNumber: sampleMyNumber(seed),
    changeKind: 'REQUEST',
    requestedOn: '2026-11-27',
  }),
  'mynumber.change.completed': (seed) => ({
    lgCode: sampleLgCode,
    juminhyoCode: sampleJuminhyoCode(seed),
    atenaNumber: sampleAtenaNumber(seed),
    previousMyNumber: sampleMyNumber(seed),
    newMyNumber: sampleMyNumber(seed + 5_000_000),
    changedAt: at('11:00:00'),
  }),
  'identity-info.update.submitted': (seed) => {
    const resident = sampleResident(seed);
    return {
      lgCode: sampleLgCode,
      atenaNumber: resident.atenaNumber,
      historyNo: 2,
      juminhyoCode: resident.juminhyoCode,
      myNumber: sampleMyNumber(seed),
      name: resident.name.name,
      nameKanaHalfWidth: 'ﾐﾎﾝ ﾊﾅｺ',
      birthDate: resident.birthDate,
      sex: resident.sex,
      addressText: '東京都千代田区千代田１丁目１番１号',
      address: resident.address,
      movementReason: sampleMovementReason('DOMESTIC_MOVE_IN'),
      movedOn: { value: '2026-11-20', era: 'R' },
      processedOn: '2026-11-27',
      csUpdateReason: 'ENTRY',
    };
  },
  'identity-info.update.acknowledged': (seed) => ({
    lgCode: sampleLgCode,
    juminhyoCode: sampleJuminhyoCode(seed),
    atenaNumber: sampleAtenaNumber(seed),
    historyNo: 2,
    acceptedAt: at('10:20:00'),
  }),
  'identity-info.update.rejected': (seed) => ({
    lgCode: sampleLgCode,
    juminhyoCode: sampleJuminhyoCode(seed),
    atenaNumber: sampleAtenaNumber(seed),
    historyNo: 2,
    errorCode: 'E1023',
    errorText: '住所コードが未登録です',
    rejectedAt: at('10:20:00'),
  }),
  'move-in.notice.sent': (seed) => {
    const resident = sampleResident(seed);
    return {
      lgCode: sampleLgCode,
      toLgCode: '011002',
      atenaNumber: resident.atenaNumber,
      historyNo: 3,
      juminhyoCode: resident.juminhyoCode,
      myNumber: sampleMyNumber(seed),
      name: resident.name,
      birthDate: resident.birthDate,
      sex: resident.sex,
      newAddress: resident.address,
      movedInOn: { value: '2026-11-20', era: 'R' },
      notifiedOn: '2026-11-27',
    };
  },
  'move-in.notice.received': (seed) => {
    const resident = sampleResident(seed);
    return {
      lgCode: sampleLgCode,
      fromLgCode: '271004',
      noticeIssuedAt: at('09:00:00'),
      juminhyoCode: resident.juminhyoCode,
      name: resident.name,
      birthDate: resident.birthDate,
      sex: resident.sex,
      newAddress: {
        lgCode: '271004',
        prefecture: '大阪府',
        municipalityName: '大阪市',
        choaza: '北区中之島',
        banchiGo: '1-3-20',
      },
      movedInOn: { value: '2026-11-18', era: 'R' },
      notifiedOn: '2026-11-25',
    };
  },
  'special-move-in.accepted': (seed) => ({
    correlationId: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
    lgCode: sampleLgCode,
    fromLgCode: '271004',
    cardHolderJuminhyoCode: sampleJuminhyoCode(seed),
    atenaNumber: sampleAtenaNumber(seed),
    movedInOn: '2026-12-01',
  }),
  'special-move-in.certificate-info.requested': (seed) => ({
    correlationId: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
    lgCode: '271004',
    fromLgCode: sampleLgCode,
    cardHolderJuminhyoCode: sampleJuminhyoCode(seed),
  }),
  'special-move-in.certificate-info.received': (seed) => ({
    correlationId: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
    lgCode: sampleLgCode,
    issuedBy: '271004',
    cardHolderJuminhyoCode: sampleJuminhyoCode(seed),
    members: [{ juminhyoCode: sampleJuminhyoCode(seed), cardHolder: true }],
    issuedAt: at('10:00:00'),
  }),
  'special-move-in.move-in-notice.forwarded': () => ({
    correlationId: '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f',
    forwardedAt: at('10:05:00'),
  }),
  'move-in.notice.overdue': (seed) => ({
    lgCode: sampleLgCode,
    atenaNumber: sampleAtenaNumber(seed),
    historyNo: 5,
    plannedMoveOutOn: '2026-10-10',
    plannedDestinationLgCode: '271004',
    daysOverdue: 48,
    detectedAt: at('06:00:00'),
  }),
  'atena.changed': (seed) => {
    const movement = sampleMovementRecorded({}, seed);
    const { resident } = movement;
    return {
      lgCode: sampleLgCode,
      mode: 'DIFF',
      record: {
        atenaNumber: resident.atenaNumber,
        setaiNumber: resident.setaiNumber,
        historyNo: movement.historyNo,
        residentType: resident.residentType,
        residentStatus: resident.residentStatus,
        name: resident.name,
        birthDate: resident.birthDate,
        sex: resident.sex,
        address: resident.address,
        movementReason: movement.movementReason,
        movedOn: movement.movedOn,
      },
      asOf: at('10:00:00'),
    };
  },
  'chukan.juminhyo-kankei.updated': (seed) => {
    const movement = sampleMovementRecorded({}, seed);
    const { resident } = movement;
    return {
      lgCode: sampleLgCode,
      myNumber: sampleMyNumber(seed),
      integratedAtenaNumber: `T${pad(seed, 9)}`,
      atenaNumber: resident.atenaNumber,
      setaiNumber: resident.setaiNumber,
      historyNo: movement.historyNo,
      residentType: resident.residentType,
      residentStatus: resident.residentStatus,
      name: resident.name,
      birthDate: resident.birthDate,
      sex: resident.sex,
      address: resident.address,
      movementReason: movement.movementReason,
      movedOn: movement.movedOn,
      processedOn: movement.processedOn,
    };
  },
  'juminhyo-code.pool.replenished': (seed) => ({
    lgCode: sampleLgCode,
    prefectureCode: '13',
    codes: [sampleJuminhyoCode(seed + 500_000), sampleJuminhyoCode(seed + 500_001)],
    receivedAt: at('08:00:00'),
  }),
  'jukinet.consistency-check.extract-ready': (seed) => ({
    lgCode: sampleLgCode,
    fileRef: `file:///var/lib/hub/tokutei/consistency/extract-${pad(seed, 6)}.dat`,
    sha256: sha(seed),
    recordCount: 300_000,
    asOf: at('02:00:00'),
    encoding: 'JUKINET',
    layoutVersion: '1.0',
  }),
  'jukinet.consistency-check.record': (seed) => {
    const resident = sampleResident(seed);
    return {
      recordNo: seed,
      juminhyoCode: resident.juminhyoCode,
      myNumber: sampleMyNumber(seed),
      name: resident.name.name,
      nameKanaHalfWidth: 'ﾐﾎﾝ ﾀﾛｳ',
      birthDate: resident.birthDate,
      sex: resident.sex,
      addressText: '東京都千代田区千代田１丁目１番１号',
      residentStatus: 'RESIDENT',
    };
  },
  'jukinet.consistency-check.result-ready': (seed) => ({
    lgCode: sampleLgCode,
    fileRef: `file:///var/lib/hub/tokutei/consistency/result-${pad(seed, 6)}.dat`,
    sha256: sha(seed + 1),
    extractSha256: sha(seed),
    checkedCount: 300_000,
    mismatchCount: 2,
    source: 'PREFECTURE',
    asOf: at('02:00:00'),
    encoding: 'JUKINET',
  }),
  'jukinet.consistency-check.mismatch': (seed) => ({
    recordNo: seed,
    juminhyoCode: sampleJuminhyoCode(seed),
    field: 'ADDRESS',
    localValueHash: sha(seed + 2),
    serverValueHash: sha(seed + 3),
  }),
  'jukinet.consistency-check.completed': (seed) => ({
    lgCode: sampleLgCode,
    source: 'PREFECTURE',
    checkedCount: 300_000,
    mismatchCount: 2,
    asOf: at('02:00:00'),
    resultSha256: sha(seed + 1),
  }),
  'kiosk.certificate.requested': (seed) => ({
    lgCode: sampleLgCode,
    centerRequestId: `JLIS-20261127-${pad(seed, 8)}`,
    authCertSerial: sampleCertSerial(seed),
    certificateType: 'JUMINHYO',
    options: {
      householdScope: 'SELF',
      includeHonseki: false,
      includeRelation: true,
      includeMyNumber: false,
    },
    copies: 1,
    kioskVendor: 'VENDOR-A',
    requestedAt: at('10:00:00'),
    respondBy: at('10:00:30'),
  }),
  'certificate.data.query': (seed) => ({
    lgCode: sampleLgCode,
    centerRequestId: `JLIS-20261127-${pad(seed, 8)}`,
    subjectKey: certificateSubjectKey(sampleLgCode, sampleCertSerial(seed)),
    authCertSerial: sampleCertSerial(seed),
    certificateType: 'JUMINHYO',
    options: {
      householdScope: 'SELF',
      includeHonseki: false,
      includeRelation: true,
      includeMyNumber: false,
    },
    copies: 1,
    respondBy: at('10:00:30'),
  }),
  'certificate.data.replied': (seed) => {
    const subjectKey = certificateSubjectKey(sampleLgCode, sampleCertSerial(seed));
    return {
      lgCode: sampleLgCode,
      centerRequestId: `JLIS-20261127-${pad(seed, 8)}`,
      requestSubjectKey: subjectKey,
      certificateType: 'JUMINHYO',
      outcome: 'ISSUED',
      subject: {
        authCertSerial: sampleCertSerial(seed),
        atenaNumber: sampleAtenaNumber(seed),
        residentKey: residentKeyOf(sampleLgCode, sampleJuminhyoCode(seed)),
      },
      document: {
        pdfBase64: stampedPdfStub({
          subjectKey,
          requestId: `JLIS-20261127-${pad(seed, 8)}`,
          certificateType: 'JUMINHYO',
          residentKey: residentKeyOf(sampleLgCode, sampleJuminhyoCode(seed)),
        }),
        pageCount: 1,
        subjectKey,
        issueNumber: `20261127 千代田区 コンビニ KIOSK ${pad(seed % 1000, 3)} 1/1`,
        fee: 200,
      },
    };
  },
  'kiosk.certificate.produced': (seed) => ({
    lgCode: sampleLgCode,
    centerRequestId: `JLIS-20261127-${pad(seed, 8)}`,
    subjectKey: certificateSubjectKey(sampleLgCode, sampleCertSerial(seed)),
    pdfBase64: pdfStub,
    pageCount: 1,
    fee: 200,
    issueNumber: `20261127 千代田区 コンビニ KIOSK ${pad(seed % 1000, 3)} 1/1`,
    producedAt: at('10:00:04'),
  }),
  'kiosk.certificate.failed': (seed) => ({
    lgCode: sampleLgCode,
    centerRequestId: `JLIS-20261127-${pad(seed, 8)}`,
    errorKind: 'BLOCKED',
    message: '証明書の交付が制限されています',
    failedAt: at('10:00:03'),
  }),
  'issuance.refusal.recorded': (seed) => ({
    lgCode: sampleLgCode,
    channel: 'KIOSK',
    requestId: `JLIS-20261127-${pad(seed, 8)}`,
    requesterKey: certificateSubjectKey(sampleLgCode, sampleCertSerial(seed)),
    subjectAtenaNumber: sampleAtenaNumber(seed),
    certificateType: 'JUMINHYO',
    rule: 'SUPPORT_MEASURE_SUBJECT',
    refusedAt: at('10:00:02'),
  }),
  'suppression.changed': (seed) => ({
    lgCode: sampleLgCode,
    scope: 'PERSON',
    atenaNumber: sampleAtenaNumber(seed),
    changeKind: 'START',
    processes: ['ISSUANCE', 'INQUIRY'],
    level: 'ERROR',
    supportMeasure: true,
    validFrom: '2026-11-27',
    validTo: '2027-11-26',
    changedAt: at('09:30:00'),
  }),
  'registry.cs-reply.received': (seed) => ({
    lgCode: sampleLgCode,
    replyKind: 'MYNUMBER_GENERATED',
    juminhyoCode: sampleJuminhyoCode(seed),
    atenaNumber: sampleAtenaNumber(seed),
    myNumber: sampleMyNumber(seed),
    receivedAt: at('10:15:00'),
  }),
  'registry.resident.extracted': (seed) => ({
    lgCode: sampleLgCode,
    recordNo: seed,
    asOf: at('02:00:00'),
    resident: sampleResident(seed),
    myNumber: sampleMyNumber(seed),
    lastMovementReason: sampleMovementReason('DOMESTIC_MOVE_IN'),
    lastMovedOn: { value: '2015-04-01', era: 'H' },
  }),
  'fugo.pairs.provided': (seed) => ({
    lgCode: sampleLgCode,
    batchId: `B-${pad(seed, 6)}`,
    resend: false,
    pairs: [
      { integratedAtenaNumber: sampleIntegratedAtenaNumber(seed), myNumber: sampleMyNumber(seed) },
    ],
  }),
  'fugo.serials.assigned': (seed) => ({
    lgCode: sampleLgCode,
    batchId: `B-${pad(seed, 6)}`,
    items: [
      {
        processingSerial: sampleProcessingSerial(seed),
        integratedAtenaNumber: sampleIntegratedAtenaNumber(seed),
        myNumber: sampleMyNumber(seed),
      },
    ],
  }),
  'fugo.acquisition.requested': (seed) => ({
    lgCode: sampleLgCode,
    batchId: `B-${pad(seed, 6)}`,
    items: [{ processingSerial: sampleProcessingSerial(seed), myNumber: sampleMyNumber(seed) }],
  }),
  'fugo.acquisition.completed': (seed) => ({
    lgCode: sampleLgCode,
    batchId: `B-${pad(seed, 6)}`,
    fugos: [{ processingSerial: sampleProcessingSerial(seed), fugo: sampleFugo(seed) }],
    failures: [],
  }),
  'fugo.acquisition.reported': (seed) => ({
    lgCode: sampleLgCode,
    batchId: `B-${pad(seed, 6)}`,
    requestedCount: 2,
    acquiredCount: 1,
    failures: [
      {
        processingSerial: sampleProcessingSerial(seed + 1),
        errorCode: 'F404',
        reasonJa: '該当する個人番号がありません',
        reasonEn: 'no person holds this My Number',
      },
    ],
  }),
  'card.delivery-address.extract-ready': (seed) => ({
    lgCode: sampleLgCode,
    fileRef: `file:///var/lib/hub/exchange/kizon-juki/delivery-${pad(seed, 6)}.jsonl`,
    sha256: sha(seed),
    recordCount: 100_000,
    asOf: at('02:00:00'),
    encoding: 'UTF-8',
    layoutVersion: '1.0',
  }),
  'card.delivery-address.record': (seed) => sampleDeliveryAddressRecord(seed),
  'card.delivery-address.acknowledged': (seed) => ({
    lgCode: sampleLgCode,
    extractSha256: sha(seed),
    recordCount: 100_000,
    acceptedCount: 99_997,
    rejectedCount: 3,
    importedCount: 99_997,
    rejectsRef: `file:///var/lib/hub/exchange/jukinet-cs/delivery-rejects-${pad(seed, 6)}.jsonl`,
    asOf: at('02:00:00'),
  }),
  'mynumber-card.status-changed': (seed) => ({
    lgCode: sampleLgCode,
    juminhyoCode: sampleJuminhyoCode(seed),
    cardEvent: 'ISSUED',
    eventAt: at('10:00:00'),
    cardExpiresOn: '2036-11-27',
    authCertSerial: sampleCertSerial(seed),
  }),
  'koseki-fuhyo.entry-notice.sent': (seed) => {
    const resident = sampleResident(seed);
    return {
      lgCode: sampleLgCode,
      residenceLgCode: sampleLgCode,
      noticeId: `${resident.atenaNumber}:${String(1 + (seed % 40))}`,
      honsekiLgCode: sampleLgCode,
      honsekiInCity: true,
      honseki: { address: '東京都千代田区千代田１番', hittosha: resident.name.name },
      juminhyoCode: resident.juminhyoCode,
      historyNo: 1 + (seed % 40),
      name: resident.name,
      birthDate: resident.birthDate,
      sex: resident.sex,
      address: resident.address,
      addressFixedOn: { value: '2026-11-20', era: 'R' },
      movementReason: sampleMovementReason('RELOCATION'),
      notifiedOn: '2026-11-27',
    };
  },
  'koseki-fuhyo.entry-notice.received': (seed) => {
    const sent = sampleMessage('koseki-fuhyo.entry-notice.sent', seed);
    const rest: Partial<typeof sent> = { ...sent };
    type Rest = Omit<typeof sent, 'residenceLgCode' | 'honsekiInCity'>;
    const { residenceLgCode } = sent;
    delete rest.residenceLgCode;
    delete rest.honsekiInCity;
    return {
      ...(rest as Rest),
      lgCode: sampleLgCode,
      fromLgCode: residenceLgCode === '271004' ? '011002' : '271004',
    };
  },
  'koseki-fuhyo.entry-notice.applied': (seed) => ({
    lgCode: sampleLgCode,
    noticeId: `${sampleAtenaNumber(seed)}:${String(1 + (seed % 40))}`,
    residenceLgCode: '271004',
    juminhyoCode: sampleJuminhyoCode(seed),
    viaCs: true,
    appliedAt: at('10:20:00'),
  }),
  'koseki-fuhyo.entry-notice.acknowledged': (seed) => ({
    lgCode: sampleLgCode,
    noticeId: `${sampleAtenaNumber(seed)}:${String(1 + (seed % 40))}`,
    honsekiLgCode: '271004',
    juminhyoCode: sampleJuminhyoCode(seed),
    appliedAt: at('10:20:00'),
  }),
  'moj.notice.received': (seed) => sampleMojNotice(seed, seed),
  'moj.notice.sequence-gap': (seed) => ({
    lgCode: sampleLgCode,
    missingSequenceNo: seed,
    firstHeldSequenceNo: seed + 1,
    heldCount: 3,
    missingSince: at('10:00:00'),
    raisedAt: at('10:05:00'),
  }),
  'municipality.notice.sent': (seed) => {
    const resident = sampleResident(seed, 'mid-long-term');
    const foreign = resident.foreign;
    if (foreign?.residenceCard === undefined)
      throw new Error('sample foreign resident has no card');
    return {
      lgCode: sampleLgCode,
      noticeId: `${resident.atenaNumber}:${String(1 + (seed % 40))}`,
      legalBasis: 'JUKI_AND_NYUKAN',
      eventKind: 'ADDRESS_CHANGE',
      movementReason: sampleMovementReason('RELOCATION'),
      residenceCard: foreign.residenceCard,
      name: resident.name,
      aliasHistory: [
        { alias: '見本　安', action: 'RECORDED', on: '2023-04-01', lgCode: sampleLgCode },
      ],
      birthDate: resident.birthDate,
      sex: resident.sex,
      foreign,
      address: resident.address,
      effectiveOn: { value: '2026-11-20' },
    };
  },
};

/** A synthetic 団体内統合宛名番号 for `seed` (15 digits starting with 7). */
export function sampleIntegratedAtenaNumber(seed: number): string {
  return `7${pad(seed % 100_000_000_000_000, 14)}`;
}

/** A synthetic 処理通番 for `seed`. */
export function sampleProcessingSerial(seed: number): string {
  return `PS-${pad(seed, 10)}`;
}

/** A synthetic 情報提供用個人識別符号 for `seed` (valid check character, nobody's token). */
export function sampleFugo(seed: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let tail = '';
  for (let value = seed, index = 0; index < 12; index += 1, value = Math.floor(value / 32)) {
    tail = `${alphabet[value % 32] ?? 'A'}${tail}`;
  }
  return withFugoCheckChar(`SAMPLEFUGQ${'A'.repeat(9)}${tail}`);
}

/** One synthetic 送付先情報 record (resident `seed` of the synthetic city, sent to the 住所). */
export function sampleDeliveryAddressRecord(seed: number): CardDeliveryAddressRecord {
  const resident = sampleResident(seed);
  return {
    recordNo: seed,
    juminhyoCode: resident.juminhyoCode,
    recipientName: resident.name.name,
    deliveryAddress: resident.address,
    postalCode: resident.address.postalCode ?? '1000001',
    printCategory: 'NORMAL',
    specialCircumstance: false,
    purpose: seed % 3 === 0 ? 'APPLICATION_FORM' : 'NUMBER_NOTICE',
  };
}

/** A residence card number for resident `seed`: 2 letters, 8 digits, 2 letters. */
export function sampleResidenceCardNumber(seed: number): string {
  const letters = 'ABCDEFGHJKLMNPRSTUVWXYZ';
  const letter = (n: number) => letters[n % letters.length] ?? 'A';
  return `${letter(seed)}${letter(seed >> 3)}${pad(seed, 8)}${letter(seed >> 6)}${letter(seed >> 9)}`;
}

/** A 法務省通知 with sequence number `sequenceNo` about foreign resident `seed` (在留期間更新 by default). */
export function sampleMojNotice(
  sequenceNo: number,
  seed: number,
): MessageTypes['moj.notice.received'] {
  const kinds = ['PERIOD_RENEWAL', 'STATUS_CHANGE', 'CARD_REISSUE', 'NAME_CHANGE'] as const;
  const kind = kinds[seed % kinds.length] ?? 'PERIOD_RENEWAL';
  const year = 2027 + (seed % 5);
  return {
    lgCode: sampleLgCode,
    sequenceNo,
    noticeId: `MOJ-${pad(sequenceNo, 10)}`,
    noticeKind: kind,
    notifiedOn: '2026-11-27',
    residenceCard: { number: sampleResidenceCardNumber(seed), cardKind: 'ZAIRYU_CARD' },
    after: {
      romanName: seed % 2 === 0 ? 'NGUYEN VAN AN' : 'TRAN THI BINH',
      birthDate: `19${pad(70 + (seed % 29), 2)}-${pad(1 + (seed % 12), 2)}-${pad(1 + (seed % 28), 2)}`,
      sex: seed % 2 === 0 ? 'MALE' : 'FEMALE',
      nationalityCode: '704',
      category: 'MID_LONG_TERM',
      statusOfResidenceCode: kind === 'STATUS_CHANGE' ? '16' : '14',
      periodOfStay: { years: 3, months: 0, days: 0 },
      periodExpiresOn: `${String(year)}-09-30`,
    },
  };
}

/** A valid body of any message type for `seed` (deterministic). */
export function sampleMessage<T extends MessageType>(messageType: T, seed = 1): MessageTypes[T] {
  const factory: (seed: number) => MessageTypes[T] = sampleFactories[messageType];
  return factory(seed);
}

const streamReasons: readonly MovementReason['reason'][] = [
  'DOMESTIC_MOVE_IN',
  'RELOCATION',
  'DOMESTIC_MOVE_IN',
  'BIRTH',
  'MINOR_CORRECTION',
  'DOMESTIC_MOVE_OUT',
  'OVERSEAS_MOVE_IN',
  'DEATH',
  'HOUSEHOLD_SPLIT',
  'DOMESTIC_MOVE_IN',
];
const streamKinds: readonly SampleResidentKind[] = [
  'japanese',
  'japanese',
  'japanese',
  'mid-long-term',
  'japanese',
  'japanese',
  'special-permanent',
  'japanese',
  'japanese',
  'japanese',
];

/**
 * `count` valid tokutei movements for load tests: a deterministic mix of reasons and resident kinds over
 * `people` distinct residents, with `historyNo` increasing per resident (the per-subject order).
 */
export function sampleMovementStream(
  count: number,
  seed = 1,
  people = Math.max(1, Math.ceil(count / 3)),
): ResidentMovementRecordedTokutei[] {
  const random = createRandom(seed);
  const history = new Map<number, number>();
  const out: ResidentMovementRecordedTokutei[] = [];
  for (let index = 0; index < count; index += 1) {
    const person = seed * 1_000 + Math.floor(random() * people);
    const historyNo = (history.get(person) ?? 0) + 1;
    history.set(person, historyNo);
    const slot = index % streamReasons.length;
    const reason = streamReasons[slot] ?? 'RELOCATION';
    const kind = reason === 'BIRTH' ? 'japanese' : (streamKinds[slot] ?? 'japanese');
    out.push(sampleMovementRecordedTokutei({ historyNo }, person, reason, kind));
  }
  return out;
}

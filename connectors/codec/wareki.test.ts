import { expect } from 'chai';
import iconv from 'iconv-lite';
import { defineCsv } from './csv.js';
import { CodecError } from './errors.js';
import { defineLayout } from './fixed-width.js';
import {
  flexibleDateProblem,
  formatFlexibleDate,
  isoToWareki,
  parseDateValue,
  todayInJapan,
  warekiRangeProblem,
} from './wareki.js';

// The era table written out here from the historical record, independently of wareki.ts:
// [code, first day as era parts, last day as era parts] (GYYMMDD).
const boundaries: readonly (readonly [string, string, string | undefined])[] = [
  ['明治', '1010101', '1450730'],
  ['大正', '2010730', '2151225'],
  ['昭和', '3011225', '3640107'],
  ['平成', '4010108', '4310430'],
  ['令和', '5010501', undefined],
];
// The day before each era began and the day after each ended (never existed under that name).
const neverExisted = [
  '1450731',
  '2010729',
  '2151226',
  '3011224',
  '3640108',
  '4010107',
  '4310501',
  '5010430',
];

const layout = defineLayout({
  name: 'dates',
  recordLength: 15,
  encoding: 'cp932',
  fields: [
    { name: 'born', offset: 0, length: 7, type: 'wareki' },
    { name: 'moved', offset: 7, length: 8, type: 'date' },
  ],
});

function record(born: string, moved = '20261120'): Buffer {
  return Buffer.from(`${born}${moved}`, 'ascii');
}

function codecError(run: () => unknown): CodecError {
  try {
    run();
  } catch (error) {
    if (error instanceof CodecError) return error;
    throw error;
  }
  expect.fail('expected a CodecError');
}

describe('和暦: era boundaries', () => {
  for (const [kanji, first, last] of boundaries) {
    it(`decodes the first${last === undefined ? '' : ' and last'} day of ${kanji}`, () => {
      expect(layout.decode(record(first)).born?.year).to.equal(Number(first.slice(1, 3)));
      if (last !== undefined)
        expect(layout.decode(record(last)).born?.day).to.equal(Number(last.slice(5, 7)));
    });
  }

  for (const code of neverExisted) {
    it(`refuses GYYMMDD ${code}, a day that never existed in that era, naming the era's range`, () => {
      const error = codecError(() => layout.decode(record(code)));
      expect(error.location).to.deep.include({ layout: 'dates', field: 'born' });
      expect(error.problem.en).to.match(
        /does not exist in that era \(.+ runs from \d{4}-\d{2}-\d{2}/,
      );
      expect(error.problem.ja).to.include('元号の期間外の日付です');
      expect(error.message).not.to.include(code);
    });
  }

  it('refuses 明治5年12月3日–31日 (skipped by the switch to the Gregorian calendar)', () => {
    expect(codecError(() => layout.decode(record('1051203'))).problem.ja).to.include('改暦');
    expect(layout.decode(record('1051202')).born?.day).to.equal(2);
    expect(layout.decode(record('1060101')).born?.iso).to.equal('1873-01-01');
  });

  it('keeps non-calendar days as recorded (the standard requires 2月29日 of any year)', () => {
    expect(layout.decode(record('4110229')).born?.iso).to.equal('1999-02-29');
    expect(layout.decode(record('5050230')).born?.iso).to.equal('2023-02-30');
  });

  it('refuses the same never-existing dates on encode', () => {
    for (const era of [
      { era: 'heisei', year: 31, month: 5, day: 1 },
      { era: 'reiwa', year: 1, month: 4, day: 30 },
      { era: 'showa', year: 64, month: 1, day: 8 },
    ] as const) {
      const error = codecError(() => layout.encode({ born: era, moved: null }));
      expect(error.location.field).to.equal('born');
    }
  });
});

describe('和暦: the recorded era travels with the value', () => {
  it('writes a boundary day in the era it was recorded in', () => {
    const meiji = layout.encode({ born: { value: '1912-07-30', era: 'M' }, moved: null });
    const taisho = layout.encode({ born: { value: '1912-07-30', era: 'T' }, moved: null });
    expect(meiji.subarray(0, 7).toString('ascii')).to.equal('1450730');
    expect(taisho.subarray(0, 7).toString('ascii')).to.equal('2010730');
    const showa = layout.encode({ born: { value: '1926-12-25', era: 'S' }, moved: null });
    expect(showa.subarray(0, 7).toString('ascii')).to.equal('3011225');
  });

  it('round-trips GYYMMDD → FlexibleDate → GYYMMDD for every boundary day', () => {
    for (const code of [
      '1450730',
      '2010730',
      '2151225',
      '3011225',
      '3640107',
      '4010108',
      '4310430',
      '5010501',
    ]) {
      const decoded = layout.decode(record(code)).born;
      if (decoded === null) expect.fail('decoded to null');
      const letter = { meiji: 'M', taisho: 'T', showa: 'S', heisei: 'H', reiwa: 'R' }[decoded.era];
      const again = layout.encode({ born: { value: decoded.iso, era: letter }, moved: null });
      expect(again.subarray(0, 7).toString('ascii')).to.equal(code);
    }
  });

  it('refuses a FlexibleDate whose era does not cover its value', () => {
    const error = codecError(() =>
      layout.encode({ born: { value: '2019-05-01', era: 'H' }, moved: null }),
    );
    expect(error.problem.en).to.equal('date does not exist in the recorded era');
  });

  it('without an era, picks the era that had begun (isoToWareki)', () => {
    expect(isoToWareki('2019-04-30')).to.deep.include({ era: 'heisei', year: 31 });
    expect(isoToWareki('2019-05-01')).to.deep.include({ era: 'reiwa', year: 1 });
    expect(isoToWareki('1989-01-07')).to.deep.include({ era: 'showa', year: 64 });
    expect(isoToWareki('1912-07-30', 'M')).to.deep.include({ era: 'meiji', year: 45 });
    expect(() => isoToWareki('2019-05-01', 'H')).to.throw(RangeError);
    expect(() => isoToWareki('1867-12-31')).to.throw(RangeError);
  });
});

describe('dates with unknown parts (日不詳, 月日不詳)', () => {
  it('decodes GYYMMDD with DD 00 or MMDD 0000 to a partial date', () => {
    expect(layout.decode(record('3250400')).born).to.deep.equal({
      era: 'showa',
      year: 25,
      month: 4,
      day: null,
      iso: '1950-04',
    });
    expect(layout.decode(record('2050000')).born).to.deep.include({ month: null, iso: '1916' });
    expect(layout.decode(record('0000000')).born).to.equal(null);
  });

  it('refuses a known day in an unknown month', () => {
    expect(codecError(() => layout.decode(record('3250005'))).problem.en).to.include(
      'the day must be unknown',
    );
  });

  it('checks era boundaries on partial dates by overlap', () => {
    expect(layout.decode(record('4310400')).born?.iso).to.equal('2019-04');
    expect(codecError(() => layout.decode(record('4310500'))).location.field).to.equal('born');
    expect(codecError(() => layout.decode(record('5010400'))).location.field).to.equal('born');
    expect(layout.decode(record('3640000')).born?.iso).to.equal('1989');
    expect(layout.decode(record('4010000')).born?.iso).to.equal('1989');
  });

  it('encodes a partial date back with 00 (和暦 and YYYYMMDD)', () => {
    const bytes = layout.encode({ born: { value: '1950-04', era: 'S' }, moved: '1950-04' });
    expect(bytes.toString('ascii')).to.equal('325040019500400');
    const year = layout.encode({ born: '1916', moved: '1916' });
    expect(year.toString('ascii')).to.equal('205000019160000');
  });

  it('decodes YYYYMMDD with 00 parts to YYYY-MM / YYYY', () => {
    expect(layout.decode(record('0000000', '19500400')).moved).to.equal('1950-04');
    expect(layout.decode(record('0000000', '19500000')).moved).to.equal('1950');
    expect(codecError(() => layout.decode(record('0000000', '19500012'))).location.field).to.equal(
      'moved',
    );
  });

  it('parses the canonical and register forms alike', () => {
    expect(parseDateValue('1950-04')).to.deep.equal({ year: 1950, month: 4, day: null });
    expect(parseDateValue('1950-04-00')).to.deep.equal({ year: 1950, month: 4, day: null });
    expect(parseDateValue('1950-00-00')).to.deep.equal({ year: 1950, month: null, day: null });
    expect(parseDateValue('1950-00-05')).to.equal(undefined);
    expect(parseDateValue('1950-13')).to.equal(undefined);
  });

  it('shows partial dates to people in 和暦 with the unknown part named', () => {
    expect(formatFlexibleDate({ value: '1950-04', era: 'S' })).to.equal('昭和25年4月（日不詳）');
    expect(formatFlexibleDate({ value: '1916', era: 'T' })).to.equal('大正5年（月日不詳）');
    expect(formatFlexibleDate({ value: '2019-05-01', era: 'R' })).to.equal('令和元年5月1日');
    expect(formatFlexibleDate({ value: '1912-07-30', era: 'M' })).to.equal('明治45年7月30日');
    expect(formatFlexibleDate({ value: '1950-04' }, 'en')).to.equal('1950-04 (day unknown)');
    expect(formatFlexibleDate({ isUnknown: true, unknownText: '令和5年頃' })).to.equal('令和5年頃');
  });

  it('checks a FlexibleDate era against its (partial) value', () => {
    expect(flexibleDateProblem('2019-04', 'R')?.on).to.equal('era');
    expect(flexibleDateProblem('2019-05', 'R')).to.equal(undefined);
    expect(flexibleDateProblem('2019', 'H')).to.equal(undefined);
    expect(flexibleDateProblem('1950-04-01', 'H')?.on).to.equal('era');
    expect(flexibleDateProblem('1950-04-01', undefined)).to.equal(undefined);
  });

  it('ranges: warekiRangeProblem accepts 00 parts and refuses out-of-range ones', () => {
    expect(warekiRangeProblem({ code: 3, year: 25, month: 0, day: 0 })).to.equal(undefined);
    expect(warekiRangeProblem({ code: 3, year: 25, month: 13, day: 0 })).not.to.equal(undefined);
    expect(warekiRangeProblem({ code: 6, year: 1, month: 1, day: 1 })).not.to.equal(undefined);
  });

  it('today is the date in Japan (UTC+9)', () => {
    expect(todayInJapan(new Date('2026-12-03T14:59:59Z'))).to.equal('2026-12-03');
    expect(todayInJapan(new Date('2026-12-03T15:00:00Z'))).to.equal('2026-12-04');
  });
});

describe('CSV date columns', () => {
  const csv = defineCsv({
    name: 'dates-csv',
    columns: [
      { name: 'moved', kind: 'date' },
      { name: 'born', kind: 'wareki' },
    ],
    encoding: 'cp932',
    header: false,
  });

  it('normalises unknown parts to the canonical partial date', () => {
    const rows = csv.decode(Buffer.from('1950-04-00,3250400\r\n19500000,2050000\r\n1950-04,\r\n'));
    expect(rows.map((row) => row.moved)).to.deep.equal(['1950-04', '1950', '1950-04']);
    expect(rows.map((row) => row.born)).to.deep.equal(['3250400', '2050000', '']);
  });

  it('refuses a 和暦 date that never existed, and a malformed date, by line and column', () => {
    const era = codecError(() => csv.decode(Buffer.from('2026-11-20,4310501\r\n')));
    expect(era.location).to.deep.include({ line: 1, field: 'born' });
    expect(era.problem.ja).to.include('元号の期間外');
    const bad = codecError(() => csv.decode(Buffer.from('2026-13-01,\r\n')));
    expect(bad.location).to.deep.include({ line: 1, field: 'moved' });
    expect(bad.message).not.to.include('2026-13-01');
  });
});

describe('CSV look-alikes', () => {
  const csv = defineCsv({
    name: 'text-csv',
    columns: [{ name: 'address' }],
    encoding: 'cp932',
    header: false,
  });

  it('writes U+2212 and U+301C as their CP932 codes (no ? substitution) and reads back the same', () => {
    const bytes = csv.encode([{ address: '１−２−３〜' }]);
    expect(bytes.includes(0x3f)).to.equal(false);
    expect(bytes.equals(iconv.encode('１－２－３～\r\n', 'cp932'))).to.equal(true);
    expect(csv.decode(bytes)[0]?.address).to.equal('１−２−３〜');
  });
});

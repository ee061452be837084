/**
 * 和暦 dates as legacy records carry them: GYYMMDD with G = 1 明治, 2 大正, 3 昭和, 4 平成, 5 令和, and
 * the one calendar module for era dates (the schema keyword, `hub validate` and every codec use it).
 *
 * - Era boundaries are checked against the real first and last days of each era: 平成31年5月1日 and
 *   令和元年4月30日 never existed and are refused; the two days that belong to two eras (明治45年7月30日
 *   = 大正元年7月30日, 大正15年12月25日 = 昭和元年12月25日) are valid under both names, and the recorded
 *   era decides which one goes back out.
 * - Unknown parts are first-class: MM = 00 and DD = 00 mean 月不詳 / 日不詳 (日不詳 = YYMM00, 月日不詳 =
 *   YY0000). Their Gregorian form is the ISO 8601 reduced precision `YYYY-MM` or `YYYY`.
 * - Day numbers are not checked against the month (令和5年2月30日 decodes), because the 住民記録
 *   standard requires registers to keep non-calendar dates as recorded (DOMAIN.md §0.5). The one
 *   calendar hole that is refused is 明治5年12月3日–31日 (skipped by the switch to the Gregorian
 *   calendar). 明治 dates before 明治6年 are 旧暦 and their Gregorian form is by year arithmetic only.
 */

/** The eras a GYYMMDD code can name. */
export type WarekiEra = 'meiji' | 'taisho' | 'showa' | 'heisei' | 'reiwa';

/** The era letters of the canonical FlexibleDate (`era`). */
export type EraLetter = 'M' | 'T' | 'S' | 'H' | 'R';

/** A decoded 和暦 date and its Gregorian form. `month`/`day` are null when unknown (不詳). */
export interface WarekiDate {
  readonly era: WarekiEra;
  readonly year: number;
  readonly month: number | null;
  readonly day: number | null;
  /** YYYY-MM-DD, YYYY-MM (日不詳) or YYYY (月日不詳), by year arithmetic only. */
  readonly iso: string;
}

/** What an encoder accepts: the era parts (an `iso` present is ignored); null/0 parts are 不詳. */
export interface WarekiInput {
  readonly era: WarekiEra;
  readonly year: number;
  readonly month: number | null;
  readonly day: number | null;
}

/** One era: code, letter, kanji, first and last day (YYYY-MM-DD; the last of 令和 is open). */
export interface EraSpan {
  readonly era: WarekiEra;
  readonly code: number;
  readonly letter: EraLetter;
  readonly kanji: string;
  /** First day; 明治's is 明治元年1月1日 (旧暦, the 改元 applied from the start of 慶応4年). */
  readonly first: string;
  /** Last day; undefined for the current era. */
  readonly last: string | undefined;
  /** Kept for callers of the older table: the first day. */
  readonly start: string;
}

function span(
  era: WarekiEra,
  code: number,
  letter: EraLetter,
  kanji: string,
  first: string,
  last: string | undefined,
): EraSpan {
  return { era, code, letter, kanji, first, last, start: first };
}

/** The eras, oldest first. */
export const eras: readonly EraSpan[] = [
  span('meiji', 1, 'M', '明治', '1868-01-01', '1912-07-30'),
  span('taisho', 2, 'T', '大正', '1912-07-30', '1926-12-25'),
  span('showa', 3, 'S', '昭和', '1926-12-25', '1989-01-07'),
  span('heisei', 4, 'H', '平成', '1989-01-08', '2019-04-30'),
  span('reiwa', 5, 'R', '令和', '2019-05-01', undefined),
];

/** A bilingual problem text; never contains the value. */
export interface DateProblem {
  readonly ja: string;
  readonly en: string;
}

function two(value: number): string {
  return String(value).padStart(2, '0');
}

function four(value: number): string {
  return String(value).padStart(4, '0');
}

/** The era entry for a code, a name or a letter, or undefined. */
export function eraOf(key: number | string): EraSpan | undefined {
  return eras.find(
    (entry) =>
      entry.code === key || entry.era === key || entry.letter === key || entry.kanji === key,
  );
}

/** The era code (1–5) of an era name. */
export function eraCode(era: WarekiEra): number {
  const entry = eraOf(era);
  if (entry === undefined) throw new RangeError('unknown era');
  return entry.code;
}

/** A Gregorian date or partial date: year, and month/day or null when unknown. */
export interface DateParts {
  readonly year: number;
  readonly month: number | null;
  readonly day: number | null;
}

/**
 * Parses the canonical date value: YYYY-MM-DD, YYYY-MM (日不詳), YYYY (月日不詳), and the register
 * forms with zeros (YYYY-MM-00, YYYY-00-00, also without hyphens). Ranges: month 1–12, day 1–31.
 * Returns undefined when the text is none of these.
 */
export function parseDateValue(text: string): DateParts | undefined {
  const match = /^([0-9]{4})(?:-?([0-9]{2})(?:-?([0-9]{2}))?)?$/.exec(text);
  if (match === null) return undefined;
  const year = Number(match[1]);
  const month = match[2] === undefined ? 0 : Number(match[2]);
  const day = match[3] === undefined ? 0 : Number(match[3]);
  if (month > 12 || day > 31) return undefined;
  if (month === 0 && day !== 0) return undefined;
  return { year, month: month === 0 ? null : month, day: day === 0 ? null : day };
}

/** The canonical text of date parts: YYYY-MM-DD, YYYY-MM or YYYY. */
export function formatDateValue(parts: DateParts): string {
  if (parts.month === null) return four(parts.year);
  if (parts.day === null) return `${four(parts.year)}-${two(parts.month)}`;
  return `${four(parts.year)}-${two(parts.month)}-${two(parts.day)}`;
}

/** The earliest and latest full date a (partial) date can be, as YYYY-MM-DD. */
export function dateBounds(parts: DateParts): { readonly from: string; readonly to: string } {
  const y = four(parts.year);
  if (parts.month === null) return { from: `${y}-01-01`, to: `${y}-12-31` };
  const m = two(parts.month);
  if (parts.day === null) return { from: `${y}-${m}-01`, to: `${y}-${m}-31` };
  const d = two(parts.day);
  return { from: `${y}-${m}-${d}`, to: `${y}-${m}-${d}` };
}

function rangeText(entry: EraSpan): { ja: string; en: string } {
  return {
    ja: `${entry.kanji}は ${entry.first} から${entry.last === undefined ? '' : ` ${entry.last} まで`}`,
    en: `${entry.kanji} (${entry.era}) runs from ${entry.first}${entry.last === undefined ? '' : ` to ${entry.last}`}`,
  };
}

/**
 * Why (Gregorian) date parts cannot be in `entry`'s era, or undefined when at least one day they can
 * stand for lies inside it (a partial date only needs to overlap the era).
 */
export function eraSpanProblem(entry: EraSpan, parts: DateParts): DateProblem | undefined {
  const { from, to } = dateBounds(parts);
  if (to < entry.first || (entry.last !== undefined && from > entry.last)) {
    const range = rangeText(entry);
    return {
      ja: `元号の期間外の日付です（${range.ja}）`,
      en: `date does not exist in that era (${range.en})`,
    };
  }
  if (
    entry.era === 'meiji' &&
    parts.year === 1872 &&
    parts.month === 12 &&
    parts.day !== null &&
    parts.day >= 3
  ) {
    return {
      ja: '明治5年12月3日〜31日は存在しません（太陽暦への改暦）',
      en: '明治5年12月3日–31日 do not exist (the switch to the Gregorian calendar)',
    };
  }
  return undefined;
}

/** The problem with the parts of a 和暦 date (ranges, unknown parts, era boundaries), or undefined. */
export function warekiRangeProblem(parts: {
  code: number;
  year: number;
  month: number | null;
  day: number | null;
}): DateProblem | undefined {
  if (!Number.isInteger(parts.code) || parts.code < 1 || parts.code > 5) {
    return { ja: '元号コードは 1〜5 です', en: 'era code must be 1 to 5' };
  }
  if (!Number.isInteger(parts.year) || parts.year < 1 || parts.year > 99) {
    return { ja: '和暦年は 1〜99 です', en: 'era year must be 1 to 99' };
  }
  const month = parts.month ?? 0;
  const day = parts.day ?? 0;
  if (!Number.isInteger(month) || month < 0 || month > 12) {
    return { ja: '月は 1〜12（不詳は 00）です', en: 'month must be 1 to 12 (00 when unknown)' };
  }
  if (!Number.isInteger(day) || day < 0 || day > 31) {
    return { ja: '日は 1〜31（不詳は 00）です', en: 'day must be 1 to 31 (00 when unknown)' };
  }
  if (month === 0 && day !== 0) {
    return {
      ja: '月が不詳なら日も不詳（00）です',
      en: 'the day must be unknown (00) when the month is unknown',
    };
  }
  const entry = eraOf(parts.code);
  if (entry === undefined) return { ja: '元号コードは 1〜5 です', en: 'era code must be 1 to 5' };
  return eraSpanProblem(entry, {
    year: Number(entry.first.slice(0, 4)) + parts.year - 1,
    month: month === 0 ? null : month,
    day: day === 0 ? null : day,
  });
}

/** Builds the decoded form from an era code and parts (check them with warekiRangeProblem first). */
export function warekiFromParts(
  code: number,
  year: number,
  month: number | null,
  day: number | null,
): WarekiDate {
  const entry = eraOf(code);
  if (entry === undefined) throw new RangeError('era code must be 1 to 5');
  const known = (value: number | null): number | null =>
    value === null || value === 0 ? null : value;
  const m = known(month);
  const d = m === null ? null : known(day);
  const gregorian = Number(entry.first.slice(0, 4)) + year - 1;
  return {
    era: entry.era,
    year,
    month: m,
    day: d,
    iso: formatDateValue({ year: gregorian, month: m, day: d }),
  };
}

/**
 * A Gregorian date (YYYY-MM-DD, or partial YYYY-MM / YYYY) as a 和暦 date. With `preferred` (the
 * recorded era: a letter, a name or a code), that era is used and must cover the date (a boundary
 * day keeps the era it was recorded in); without it, the latest era that had begun by the date's
 * first possible day. Throws RangeError (no value in the message) for a date before 明治 or outside
 * the preferred era.
 */
export function isoToWareki(iso: string, preferred?: string | number): WarekiDate {
  const parts = parseDateValue(iso);
  if (parts === undefined || !/^[0-9]{4}(?:-[0-9]{2}){0,2}$/.test(iso)) {
    throw new RangeError('expected YYYY-MM-DD, YYYY-MM or YYYY');
  }
  const { from } = dateBounds(parts);
  let entry: EraSpan | undefined;
  if (preferred !== undefined && preferred !== '') {
    entry = eraOf(preferred);
    if (entry === undefined) throw new RangeError('unknown era');
    const problem = eraSpanProblem(entry, parts);
    if (problem !== undefined) throw new RangeError(problem.en);
  } else {
    entry =
      [...eras].reverse().find((candidate) => candidate.first <= from) ??
      eras.find((candidate) => eraSpanProblem(candidate, parts) === undefined);
  }
  if (entry === undefined) throw new RangeError('date is before 明治');
  const year = parts.year - Number(entry.first.slice(0, 4)) + 1;
  return warekiFromParts(entry.code, year, parts.month, parts.day);
}

/** The FlexibleDate (canonical message form) of a decoded 和暦 date: Gregorian value plus era letter. */
export function warekiToFlexibleDate(date: WarekiDate): { value: string; era: EraLetter } {
  return { value: date.iso, era: eraOf(date.era)?.letter ?? 'R' };
}

/**
 * Why a FlexibleDate's value and era disagree (or the value is malformed), or undefined. The value
 * may be partial; the era must cover at least one day the value can stand for.
 */
export function flexibleDateProblem(
  value: string,
  era: string | undefined,
): { readonly on: 'value' | 'era'; readonly problem: DateProblem } | undefined {
  const parts = parseDateValue(value);
  if (parts === undefined) {
    return {
      on: 'value',
      problem: {
        ja: '年月日は YYYY-MM-DD、YYYY-MM（日不詳）または YYYY（月日不詳）です',
        en: 'value must be YYYY-MM-DD, YYYY-MM (day unknown) or YYYY (month and day unknown)',
      },
    };
  }
  if (era === undefined) return undefined;
  const entry = eraOf(era);
  if (entry === undefined) return undefined; // the enum reports it
  const problem = eraSpanProblem(entry, parts);
  if (problem === undefined) return undefined;
  return {
    on: 'era',
    problem: {
      ja: `元号と年月日が一致しません: ${problem.ja}`,
      en: `era does not match the date: ${problem.en}`,
    },
  };
}

/** Today's date in Japan (JST, UTC+9, no daylight saving) as YYYY-MM-DD. */
export function todayInJapan(now: Date = new Date()): string {
  return new Date(now.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * A FlexibleDate for people: 和暦 when an era is recorded (昭和25年4月（日不詳）), Gregorian otherwise
 * (1950年4月（日不詳）); English gives ISO with the unknown parts named. `unknownText` wins when set.
 */
export function formatFlexibleDate(
  date: {
    readonly value?: string | undefined;
    readonly era?: string | undefined;
    readonly isUnknown?: boolean | undefined;
    readonly unknownText?: string | undefined;
  },
  language: 'ja' | 'en' = 'ja',
): string {
  if (date.isUnknown === true && date.unknownText !== undefined) return date.unknownText;
  const parts = date.value === undefined ? undefined : parseDateValue(date.value);
  if (parts === undefined) return language === 'ja' ? '年月日不詳' : 'date unknown';
  const unknown =
    parts.month === null
      ? language === 'ja'
        ? '（月日不詳）'
        : ' (month and day unknown)'
      : parts.day === null
        ? language === 'ja'
          ? '（日不詳）'
          : ' (day unknown)'
        : '';
  if (language === 'en') return `${formatDateValue(parts)}${unknown}`;
  let prefix = `${String(parts.year)}年`;
  const entry = date.era === undefined ? undefined : eraOf(date.era);
  if (entry !== undefined && eraSpanProblem(entry, parts) === undefined) {
    const year = parts.year - Number(entry.first.slice(0, 4)) + 1;
    prefix = `${entry.kanji}${year === 1 ? '元' : String(year)}年`;
  }
  const month = parts.month === null ? '' : `${String(parts.month)}月`;
  const day = parts.day === null ? '' : `${String(parts.day)}日`;
  return `${prefix}${month}${day}${unknown}`;
}

/**
 * A FlexibleDate with its value in the one canonical spelling (`1950-04-00` → `1950-04`,
 * `1950-00-00` → `1950`), everything else unchanged; for transformers whose output is compared
 * (the CS record, 整合性確認) so that two spellings of 日不詳 never differ.
 */
export function canonicalFlexibleDate<T extends { readonly value?: string }>(date: T): T {
  if (date.value === undefined) return date;
  const parts = parseDateValue(date.value);
  if (parts === undefined) return date;
  const value = formatDateValue(parts);
  return value === date.value ? date : { ...date, value };
}

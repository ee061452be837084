/**
 * 和暦 dates as legacy records carry them: GYYMMDD with G = 1 明治, 2 大正, 3 昭和, 4 平成, 5 令和.
 * Ranges are checked (year 1–99, month 1–12, day 1–31); the calendar is not (令和5年2月30日
 * decodes), because registers hold dates as recorded and a codec is no place to correct them.
 */

/** The eras a GYYMMDD code can name. */
export type WarekiEra = 'meiji' | 'taisho' | 'showa' | 'heisei' | 'reiwa';

/** A decoded 和暦 date and its Gregorian form. */
export interface WarekiDate {
  readonly era: WarekiEra;
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** YYYY-MM-DD, by year arithmetic only (not calendar-checked). */
  readonly iso: string;
}

/** What an encoder accepts: the era parts (an `iso` present is ignored). */
export interface WarekiInput {
  readonly era: WarekiEra;
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Era code, kanji and first day (Gregorian), oldest first. */
export const eras: readonly {
  readonly era: WarekiEra;
  readonly code: number;
  readonly kanji: string;
  readonly start: string;
}[] = [
  { era: 'meiji', code: 1, kanji: '明治', start: '1868-01-25' },
  { era: 'taisho', code: 2, kanji: '大正', start: '1912-07-30' },
  { era: 'showa', code: 3, kanji: '昭和', start: '1926-12-25' },
  { era: 'heisei', code: 4, kanji: '平成', start: '1989-01-08' },
  { era: 'reiwa', code: 5, kanji: '令和', start: '2019-05-01' },
];

function two(value: number): string {
  return String(value).padStart(2, '0');
}

/** The problem with the parts of a 和暦 date, or undefined when they are in range. */
export function warekiRangeProblem(parts: {
  code: number;
  year: number;
  month: number;
  day: number;
}): { ja: string; en: string } | undefined {
  if (!Number.isInteger(parts.code) || parts.code < 1 || parts.code > 5) {
    return { ja: '元号コードは 1〜5 です', en: 'era code must be 1 to 5' };
  }
  if (!Number.isInteger(parts.year) || parts.year < 1 || parts.year > 99) {
    return { ja: '和暦年は 1〜99 です', en: 'era year must be 1 to 99' };
  }
  if (!Number.isInteger(parts.month) || parts.month < 1 || parts.month > 12) {
    return { ja: '月は 1〜12 です', en: 'month must be 1 to 12' };
  }
  if (!Number.isInteger(parts.day) || parts.day < 1 || parts.day > 31) {
    return { ja: '日は 1〜31 です', en: 'day must be 1 to 31' };
  }
  return undefined;
}

/** Builds the decoded form from an era code and parts (ranges must already be checked). */
export function warekiFromParts(
  code: number,
  year: number,
  month: number,
  day: number,
): WarekiDate {
  const entry = eras[code - 1];
  if (entry === undefined) throw new RangeError('era code must be 1 to 5');
  const gregorian = Number(entry.start.slice(0, 4)) + year - 1;
  return {
    era: entry.era,
    year,
    month,
    day,
    iso: `${String(gregorian).padStart(4, '0')}-${two(month)}-${two(day)}`,
  };
}

/** The era code (1–5) of an era name. */
export function eraCode(era: WarekiEra): number {
  const entry = eras.find((candidate) => candidate.era === era);
  if (entry === undefined) throw new RangeError('unknown era');
  return entry.code;
}

/** A Gregorian YYYY-MM-DD (on or after 1868-01-25) as a 和暦 date, using the era start days. */
export function isoToWareki(iso: string): WarekiDate {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(iso);
  if (match === null) throw new RangeError('expected YYYY-MM-DD');
  const entry = [...eras].reverse().find((candidate) => candidate.start <= iso);
  if (entry === undefined) throw new RangeError('date is before 明治');
  const year = Number(match[1]) - Number(entry.start.slice(0, 4)) + 1;
  return warekiFromParts(entry.code, year, Number(match[2]), Number(match[3]));
}

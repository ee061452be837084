/**
 * The city's business calendar, one module for the whole hub: overdue timers, batch windows and
 * replays scheduled for "the next business morning" all read it.
 *
 * A day is a business day unless it is a Saturday or Sunday, a national holiday (国民の祝日に関する法律:
 * the fixed and Happy-Monday days, 春分・秋分 by the usual astronomical approximation, the special
 * years 2019–2021, 振替休日 and 国民の休日 computed), in 年末年始 (12/29–1/3), or one of the city's own
 * closures (configuration, `HUB_CITY_CLOSURES`). Days are Japanese calendar days (Asia/Tokyo, no
 * daylight saving: +09:00 all year). Pure: no clock, no I/O; the caller passes "now".
 */

/** A calendar day `YYYY-MM-DD` in Japan time. */
export type IsoDay = string;

/** One national holiday. */
export interface Holiday {
  readonly date: IsoDay;
  readonly name: { readonly ja: string; readonly en: string };
}

/** Years whose holidays the rules below cover (the law's current form; earlier years differ). */
export const supportedYears = { from: 2000, to: 2099 } as const;

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const dayPattern = /^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

function dayOf(year: number, month: number, day: number): IsoDay {
  return `${String(year)}-${pad(month)}-${pad(day)}`;
}

/** Days since 1970-01-01 for a calendar day (UTC arithmetic on the date alone). */
function ordinal(day: IsoDay): number {
  const match = dayPattern.exec(day);
  if (match === null) throw new RangeError(`not a calendar day (YYYY-MM-DD): ${day}`);
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const time = Date.UTC(year, month - 1, date);
  const check = new Date(time);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== date) {
    throw new RangeError(`no such calendar day: ${day}`);
  }
  return Math.round(time / DAY_MS);
}

function fromOrdinal(value: number): IsoDay {
  const date = new Date(value * DAY_MS);
  return dayOf(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

/** 0 = Sunday … 6 = Saturday. */
function weekday(day: IsoDay): number {
  return (((ordinal(day) + 4) % 7) + 7) % 7;
}

/** The `nth` Monday of a month (Happy Monday). */
function nthMonday(year: number, month: number, nth: number): IsoDay {
  const first = weekday(dayOf(year, month, 1));
  const offset = (8 - first) % 7;
  return dayOf(year, month, 1 + offset + (nth - 1) * 7);
}

/** 春分日 / 秋分日 by the approximation the Cabinet Office list agrees with for 1980–2099. */
function equinox(year: number, base: number): number {
  return Math.floor(base + 0.242194 * (year - 1980) - Math.floor((year - 1980) / 4));
}

/** The holidays the law names for a year, before 振替休日 and 国民の休日. */
function namedHolidays(year: number): Holiday[] {
  const list: Holiday[] = [];
  const add = (date: IsoDay, ja: string, en: string) => list.push({ date, name: { ja, en } });
  add(dayOf(year, 1, 1), '元日', "New Year's Day");
  add(nthMonday(year, 1, 2), '成人の日', 'Coming of Age Day');
  add(dayOf(year, 2, 11), '建国記念の日', 'National Foundation Day');
  if (year >= 2020) add(dayOf(year, 2, 23), '天皇誕生日', "Emperor's Birthday");
  add(dayOf(year, 3, equinox(year, 20.8431)), '春分の日', 'Vernal Equinox Day');
  add(dayOf(year, 4, 29), year >= 2007 ? '昭和の日' : 'みどりの日', 'Showa Day');
  add(dayOf(year, 5, 3), '憲法記念日', 'Constitution Memorial Day');
  if (year >= 2007) add(dayOf(year, 5, 4), 'みどりの日', 'Greenery Day');
  add(dayOf(year, 5, 5), 'こどもの日', "Children's Day");
  if (year === 2019) {
    add('2019-05-01', '即位の日', 'Enthronement Day');
    add('2019-10-22', '即位礼正殿の儀の行われる日', 'Enthronement Ceremony Day');
  }
  // 2020 and 2021 moved 海の日, スポーツの日 and 山の日 for the Olympic Games (special laws).
  const marine =
    year === 2020 ? '2020-07-23' : year === 2021 ? '2021-07-22' : nthMonday(year, 7, 3);
  add(marine, '海の日', 'Marine Day');
  if (year >= 2016) {
    const mountain =
      year === 2020 ? '2020-08-10' : year === 2021 ? '2021-08-08' : dayOf(year, 8, 11);
    add(mountain, '山の日', 'Mountain Day');
  }
  add(nthMonday(year, 9, 3), '敬老の日', 'Respect for the Aged Day');
  add(dayOf(year, 9, equinox(year, 23.2488)), '秋分の日', 'Autumnal Equinox Day');
  const sports =
    year === 2020 ? '2020-07-24' : year === 2021 ? '2021-07-23' : nthMonday(year, 10, 2);
  add(sports, year >= 2020 ? 'スポーツの日' : '体育の日', 'Sports Day');
  add(dayOf(year, 11, 3), '文化の日', 'Culture Day');
  add(dayOf(year, 11, 23), '勤労感謝の日', 'Labour Thanksgiving Day');
  if (year <= 2018) add(dayOf(year, 12, 23), '天皇誕生日', "Emperor's Birthday");
  return list;
}

const holidayCache = new Map<number, readonly Holiday[]>();

/**
 * The national holidays of a year, in date order, with 振替休日 (a holiday on a Sunday moves to the
 * next day that is not a holiday) and 国民の休日 (a day between two holidays) computed.
 */
export function holidaysOf(year: number): readonly Holiday[] {
  if (!Number.isInteger(year) || year < supportedYears.from || year > supportedYears.to) {
    throw new RangeError(
      `holidays are computed for ${String(supportedYears.from)}–${String(supportedYears.to)}, not ${String(year)}`,
    );
  }
  const cached = holidayCache.get(year);
  if (cached !== undefined) return cached;
  const named = namedHolidays(year);
  const dates = new Set(named.map((holiday) => holiday.date));
  const extra: Holiday[] = [];
  // 国民の休日 (祝日法3条3項): a day that is not a holiday, with a holiday before and after it.
  for (const holiday of named) {
    const between = fromOrdinal(ordinal(holiday.date) + 1);
    const after = fromOrdinal(ordinal(holiday.date) + 2);
    if (!dates.has(between) && dates.has(after) && between.startsWith(String(year))) {
      extra.push({ date: between, name: { ja: '国民の休日', en: "Citizens' Holiday" } });
    }
  }
  for (const holiday of extra) dates.add(holiday.date);
  // 振替休日 (3条2項): a holiday on a Sunday → the nearest following day that is not a holiday.
  for (const holiday of named) {
    if (weekday(holiday.date) !== 0) continue;
    let next = ordinal(holiday.date) + 1;
    while (dates.has(fromOrdinal(next))) next += 1;
    const substitute = fromOrdinal(next);
    dates.add(substitute);
    extra.push({ date: substitute, name: { ja: '休日（振替休日）', en: 'Substitute Holiday' } });
  }
  const all = [...named, ...extra].sort((a, b) => a.date.localeCompare(b.date));
  holidayCache.set(year, all);
  return all;
}

/** The holiday on a day, if it is one. */
export function holidayOn(day: IsoDay): Holiday | undefined {
  ordinal(day);
  return holidaysOf(Number(day.slice(0, 4))).find((holiday) => holiday.date === day);
}

/** A closure rule of the city: one day, a range, or a day every year (`MM-DD`). */
export type Closure =
  | { readonly kind: 'day'; readonly day: IsoDay }
  | { readonly kind: 'range'; readonly from: IsoDay; readonly to: IsoDay }
  | { readonly kind: 'yearly'; readonly monthDay: string };

/** A closure list that cannot be read: the entry and what is wrong, in Japanese and English. */
export class ClosureSyntaxError extends Error {
  readonly ja: string;
  constructor(entry: string, en: string, ja: string) {
    super(`city closure "${entry}": ${en}`);
    this.name = 'ClosureSyntaxError';
    this.ja = `市の閉庁日「${entry}」: ${ja}`;
  }
}

/**
 * Reads the city's closures from their text form (`HUB_CITY_CLOSURES`, or a file's lines): entries
 * separated by commas or new lines, each `YYYY-MM-DD`, `YYYY-MM-DD..YYYY-MM-DD` (inclusive) or
 * `MM-DD` (every year); `#` starts a comment. Throws ClosureSyntaxError naming the entry.
 */
export function parseClosures(text: string): Closure[] {
  const closures: Closure[] = [];
  for (const line of text.split(/\r?\n/)) {
    const content = line.replace(/#.*$/, '');
    for (const raw of content.split(',')) {
      const entry = raw.trim();
      if (entry === '') continue;
      const range = /^(\S+)\s*\.\.\s*(\S+)$/.exec(entry);
      const valid = (day: string) => {
        try {
          ordinal(day);
          return true;
        } catch {
          return false;
        }
      };
      if (range !== null) {
        const [from, to] = [range[1] ?? '', range[2] ?? ''];
        if (!valid(from) || !valid(to)) {
          throw new ClosureSyntaxError(
            entry,
            'a range is YYYY-MM-DD..YYYY-MM-DD with real days',
            '期間は YYYY-MM-DD..YYYY-MM-DD（実在する日）で書きます',
          );
        }
        if (from > to) {
          throw new ClosureSyntaxError(
            entry,
            'the range ends before it starts',
            '期間の終わりが始まりより前です',
          );
        }
        closures.push({ kind: 'range', from, to });
      } else if (/^[0-9]{2}-[0-9]{2}$/.test(entry)) {
        if (!valid(`2024-${entry}`)) {
          throw new ClosureSyntaxError(entry, 'no such month and day', '存在しない月日です');
        }
        closures.push({ kind: 'yearly', monthDay: entry });
      } else if (valid(entry)) {
        closures.push({ kind: 'day', day: entry });
      } else {
        throw new ClosureSyntaxError(
          entry,
          'write YYYY-MM-DD, YYYY-MM-DD..YYYY-MM-DD or MM-DD',
          'YYYY-MM-DD、YYYY-MM-DD..YYYY-MM-DD または MM-DD で書きます',
        );
      }
    }
  }
  return closures;
}

/** Options of a business calendar. */
export interface BusinessCalendarOptions {
  /** The city's own closures (configuration). */
  readonly closures?: readonly Closure[];
  /** When the business morning starts, `HH:MM` Japan time (default 08:30). */
  readonly morning?: string;
}

/** Why a day is not a business day (or that it is one). */
export type DayKind = 'BUSINESS' | 'WEEKEND' | 'HOLIDAY' | 'YEAR_END' | 'CITY_CLOSURE';

/** The calendar the hub reads. */
export interface BusinessCalendar {
  /** What a day is (`BUSINESS` or the reason it is not). */
  kindOf(day: IsoDay): DayKind;
  isBusinessDay(day: IsoDay): boolean;
  /**
   * The day `count` business days after `day` (before it when negative); 0 gives `day` itself
   * if it is a business day, else the next business day.
   */
  addBusinessDays(day: IsoDay, count: number): IsoDay;
  /** The next business day strictly after `day`. */
  nextBusinessDay(day: IsoDay): IsoDay;
  /** Business days after `from` up to and including `to` (0 when `to` ≤ `from`). */
  businessDaysBetween(from: IsoDay, to: IsoDay): number;
  /**
   * The first business morning at or after `instant`: today's morning if today is a business day
   * and the morning has not begun, else the next business day's morning (a Date, exact instant).
   */
  nextBusinessMorning(instant: Date): Date;
}

/** The Japan-time calendar day of an instant. */
export function japanDayOf(instant: Date): IsoDay {
  const shifted = new Date(instant.getTime() + JST_OFFSET_MS);
  return dayOf(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
}

/** Builds the calendar. */
export function businessCalendar(options: BusinessCalendarOptions = {}): BusinessCalendar {
  const closures = options.closures ?? [];
  const morning = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(options.morning ?? '08:30');
  if (morning === null) throw new RangeError('the business morning is HH:MM');
  const morningMs = (Number(morning[1]) * 60 + Number(morning[2])) * 60 * 1000;
  const closed = (day: IsoDay) =>
    closures.some((closure) =>
      closure.kind === 'day'
        ? closure.day === day
        : closure.kind === 'range'
          ? closure.from <= day && day <= closure.to
          : day.slice(5) === closure.monthDay,
    );
  const kindOf = (day: IsoDay): DayKind => {
    const dow = weekday(day);
    const monthDay = day.slice(5);
    if (monthDay >= '12-29' || monthDay <= '01-03') return 'YEAR_END';
    if (holidayOn(day) !== undefined) return 'HOLIDAY';
    if (dow === 0 || dow === 6) return 'WEEKEND';
    if (closed(day)) return 'CITY_CLOSURE';
    return 'BUSINESS';
  };
  const isBusinessDay = (day: IsoDay) => kindOf(day) === 'BUSINESS';
  const step = (day: IsoDay, direction: 1 | -1): IsoDay => {
    let at = ordinal(day);
    // At most a few weeks of closures in a row; a year bounds a misconfiguration.
    for (let guard = 0; guard < 366; guard += 1) {
      at += direction;
      const candidate = fromOrdinal(at);
      if (isBusinessDay(candidate)) return candidate;
    }
    throw new RangeError(`no business day within a year of ${day}: check HUB_CITY_CLOSURES`);
  };
  const calendar: BusinessCalendar = {
    kindOf,
    isBusinessDay,
    nextBusinessDay: (day) => step(day, 1),
    addBusinessDays(day, count) {
      if (!Number.isInteger(count)) throw new RangeError('count is a whole number of days');
      let at = count === 0 && !isBusinessDay(day) ? step(day, 1) : day;
      for (let done = 0; done < Math.abs(count); done += 1) at = step(at, count > 0 ? 1 : -1);
      return at;
    },
    businessDaysBetween(from, to) {
      let count = 0;
      for (let at = ordinal(from) + 1; at <= ordinal(to); at += 1) {
        if (isBusinessDay(fromOrdinal(at))) count += 1;
      }
      return count;
    },
    nextBusinessMorning(instant) {
      const today = japanDayOf(instant);
      const morningOf = (day: IsoDay) =>
        new Date(ordinal(day) * DAY_MS - JST_OFFSET_MS + morningMs);
      if (isBusinessDay(today) && instant.getTime() <= morningOf(today).getTime()) {
        return morningOf(today);
      }
      return morningOf(step(today, 1));
    },
  };
  return calendar;
}

/**
 * The calendar from the environment: `HUB_CITY_CLOSURES` (the closures inline) and
 * `HUB_BUSINESS_MORNING` (HH:MM). Throws ClosureSyntaxError for an unreadable entry.
 */
export function businessCalendarFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): BusinessCalendar {
  const morning = env['HUB_BUSINESS_MORNING']?.trim();
  return businessCalendar({
    closures: parseClosures(env['HUB_CITY_CLOSURES'] ?? ''),
    ...(morning === undefined || morning === '' ? {} : { morning }),
  });
}

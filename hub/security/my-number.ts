/**
 * 個人番号 (My Number) check digit and detection. The check digit rule is 総務省令第85号 第5条:
 * weights 6 5 4 3 2 7 6 5 4 3 2 over the 11 base digits (left to right); cd = 11 − (Σ mod 11),
 * or 0 when the remainder is 0 or 1.
 */

const weights = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;

/** The check digit for 11 base digits (a string of ASCII digits). */
export function myNumberCheckDigit(base: string): number {
  let sum = 0;
  for (let index = 0; index < 11; index += 1) {
    sum += (base.charCodeAt(index) - 48) * (weights[index] ?? 0);
  }
  const remainder = sum % 11;
  return remainder <= 1 ? 0 : 11 - remainder;
}

/** True when `value` is 12 ASCII digits whose last one is the right check digit. */
export function isValidMyNumber(value: string): boolean {
  return /^[0-9]{12}$/.test(value) && myNumberCheckDigit(value) === Number(value[11]);
}

/** Appends the check digit to 11 base digits. */
export function withMyNumberCheckDigit(base: string): string {
  if (!/^[0-9]{11}$/.test(base)) throw new RangeError('a My Number base is 11 digits');
  return `${base}${String(myNumberCheckDigit(base))}`;
}

// ---------------------------------------------------------------------------------------------
// Detection (issue 13, build item 6). How a number can be written, and what counts as one:
//
// - Digits: ASCII, full width (０-９) and kanji numerals (〇一二三四五六七八九; 零 and ○ are also read
//   as zero, they are how 〇 is often typed).
// - Groups of digits are joined into one chain by a separator: a run of 1-3 characters that are
//   neither letters nor digits (spaces of any width, hyphens and dashes, dots, underscores, 「ー」,
//   line breaks (a number wrapped in a memo), mixed, doubled) or a JSON-escaped \n \r \t. The
//   characters that delimit fields or list items (, ; : = / | " ' ` \ brackets, 、 and 。) are not
//   separators: they end a chain, so two values next to each other (a phone number, then a date)
//   are never read as one number.
// - A candidate window of 12 digits either (a) starts at the start of a group and ends at the end of
//   a group (a number written in groups: 1234-5678-9018, 1234.5678.9018, 1 2 3 … 8; groups of one
//   digit mixed with longer ones are not read as one number, so "01234567890-1" — an id and a
//   sequence number — passes, at the cost of missing a check digit written apart), or (b) lies
//   inside one group of 12 or more digits at any offset: a number glued inside a longer run of digits
//   ("住民票コード+個人番号" concatenated in a fixed-width record) or of hex (letters end a group, so
//   "deadbeef123456789018cafe" holds a 12-digit group).
// - Trade-off for (b): a window of random digits has the right check digit 1 time in 10, so a run of
//   L ≥ 13 digits that is not a My Number is flagged with probability 1 − 0.9^(L−11) (19 % for 13
//   digits, 61 % for 20). We accept that: the policy's answer to a flag is quarantine for an operator
//   to look at, never a silent loss, and a 13+ digit run in a 住基 message is either a concatenation
//   that can hold a number or an identifier that should not be personal data. JSON numbers are not
//   runs: a number value counts only when it is exactly 12 digits (13+ digit numbers are amounts and
//   epoch-millisecond times; the hub's own logs write their time as ISO text for the same reason).
// - RFC 4122 UUIDs (version 1-8, variant 8-b) and hex strings of digest lengths are machine ids: their digits are not candidates,
//   otherwise one random message id in ≈ 2,800 would be quarantined (its 12-hex last group all
//   decimal with a valid check digit). A UUID-like string without a valid version and variant is
//   read like any text, so "00000000-0000-0000-0000-123456789018" is caught.
// ---------------------------------------------------------------------------------------------

const kanjiDigits: Readonly<Record<string, number>> = {
  〇: 0,
  零: 0,
  '○': 0,
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** The value of one digit character (ASCII, full width, kanji), or -1. */
export function digitValue(char: string): number {
  const code = char.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 0xff10 && code <= 0xff19) return code - 0xff10;
  return kanjiDigits[char] ?? -1;
}

/** Characters that end a chain although they are neither letters nor digits (field and list delimiters, line breaks). */
const delimiter = /[,;:=/|"'`\\()[\]{}<>、。，；：＝／｜（）［］｛｝「」『』]/u;
/** Letters that are dashes: the katakana long-vowel mark, written for a hyphen in Japanese text. */
const dashLetters = /[ー－ｰ]/u;
const letterOrDigit = /[\p{L}\p{N}]/u;
const escapedWhitespace = /\\[nrt]/uy;

/** True when `gap` (the text between two digit groups) joins them into one chain. */
function joins(gap: string): boolean {
  let count = 0;
  let index = 0;
  while (index < gap.length) {
    escapedWhitespace.lastIndex = index;
    if (escapedWhitespace.test(gap)) {
      index += 2;
    } else {
      const char = String.fromCodePoint(gap.codePointAt(index) ?? 0);
      if (delimiter.test(char) || (letterOrDigit.test(char) && !dashLetters.test(char))) {
        return false;
      }
      index += char.length;
    }
    count += 1;
    if (count > 3) return false;
  }
  return count > 0;
}

// RFC 4122 UUIDs: machine ids, not candidates (see above).
const rfcUuid =
  /(?<![0-9a-z])[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}(?![0-9a-z])/giu;

// Hex digests and ids of the usual lengths (span ids, MD5, SHA-1, SHA-256, SHA-384, SHA-512, trace
// ids): machine values — at 16 characters only with a letter (16 digits can be a number with four
// glued on); from 32 on also all-decimal (a hash chain's zero seed), where a long run would be
// flagged 9 times in 10 anyway. A 12-digit run inside one of them would otherwise
// be a candidate in ≈ 0.7 % of SHA-256 hex strings (and 0.3 % of W3C trace ids).
const hexRun = /(?<![0-9a-z])[0-9a-f]{16,}(?![0-9a-z])/giu;
const digestLengths = new Set([16, 32, 40, 64, 96, 128]);

// W3C trace context (version-traceid-spanid-flags): its 16-hex span id is all decimal 1 time in
// 1,700 and would then be read as a run, quarantining ≈ 1 message in 4,000 for its trace header.
const w3cTraceparent =
  /(?<![0-9a-z])[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(?![0-9a-z])/giu;

interface Digit {
  readonly index: number;
  readonly end: number;
  readonly value: number;
}

/** Chains of digit groups: each chain is a list of groups, each group a list of adjacent digits. */
function chainsOf(text: string): Digit[][][] {
  const excluded: [number, number][] = [];
  for (const pattern of [rfcUuid, w3cTraceparent]) {
    for (const match of text.matchAll(pattern)) {
      excluded.push([match.index, match.index + match[0].length]);
    }
  }
  for (const match of text.matchAll(hexRun)) {
    const run = match[0];
    if (digestLengths.has(run.length) && (run.length >= 32 || /[a-f]/iu.test(run))) {
      excluded.push([match.index, match.index + run.length]);
    }
  }
  excluded.sort((a, b) => a[0] - b[0]);
  const chains: Digit[][][] = [];
  let chain: Digit[][] = [];
  let group: Digit[] = [];
  let range = 0;
  let index = 0;
  let lastEnd = -1;
  const close = () => {
    if (group.length > 0) chain.push(group);
    group = [];
  };
  const end = () => {
    close();
    if (chain.reduce((sum, g) => sum + g.length, 0) >= 12) chains.push(chain);
    chain = [];
    lastEnd = -1;
  };
  while (index < text.length) {
    while ((excluded[range]?.[1] ?? Infinity) <= index) range += 1;
    if ((excluded[range]?.[0] ?? Infinity) <= index) {
      end();
      index = excluded[range]?.[1] ?? text.length;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(index) ?? 0);
    const value = digitValue(char);
    if (value < 0) {
      index += char.length;
      continue;
    }
    if (lastEnd >= 0 && lastEnd !== index) {
      if (joins(text.slice(lastEnd, index))) close();
      else end();
    }
    group.push({ index, end: index + char.length, value });
    index += char.length;
    lastEnd = index;
  }
  end();
  return chains;
}

function windowIsValid(digits: readonly Digit[], start: number): boolean {
  let sum = 0;
  for (let offset = 0; offset < 11; offset += 1) {
    sum += (digits[start + offset]?.value ?? 0) * (weights[offset] ?? 0);
  }
  const remainder = sum % 11;
  return digits[start + 11]?.value === (remainder <= 1 ? 0 : 11 - remainder);
}

/**
 * Groups that can be one number written in parts: every group one digit (spelled out), or every
 * group at least two. An 11-digit value with a one-digit suffix ("01234567890-1", an id and a
 * sequence number) is two values, not a number with its check digit split off.
 */
function groupsAreEven(sizes: readonly number[]): boolean {
  return sizes.every((size) => size === 1) || sizes.every((size) => size >= 2);
}

const kanjiDigitCodes = new Set(Object.keys(kanjiDigits).map((char) => char.charCodeAt(0)));

/**
 * ASCII characters that end a chain wherever they stand between two digits (see `joins`): letters
 * and the field delimiters. A backslash followed by n, r or t is an escaped line break, which joins;
 * `hasTwelveDigits` treats those two characters as a separator.
 */
const chainBreakers = new Uint8Array(128);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz,;:=/|"\'`()[]{}<>\\') {
  chainBreakers[char.charCodeAt(0)] = 1;
}

/**
 * True when `text` may hold a number: some stretch of it that no ASCII letter or field delimiter
 * breaks holds at least 12 digit characters (ASCII, full width or kanji). A necessary condition of a
 * hit, never a sufficient one: every window `findMyNumbers` reports lies in one chain, a chain holds
 * no such character between its digits, and a chain of fewer than 12 digits is never read. Other
 * characters (separators, non-ASCII letters) are left to the full reading. Most strings — ids,
 * types, UUIDs, JSON with short values — are answered here in one pass without a regular expression
 * (issue 23: the policy scan was the largest hub-owned share of the route hop's CPU).
 */
function hasTwelveDigits(text: string): boolean {
  let count = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (
      (code >= 48 && code <= 57) ||
      (code >= 0xff10 && code <= 0xff19) ||
      (code >= 0x25cb && kanjiDigitCodes.has(code))
    ) {
      count += 1;
      if (count >= 12) return true;
    } else if (code < 128 && chainBreakers[code] === 1) {
      if (code === 92) {
        // "\n", "\r", "\t" (JSON-escaped whitespace) join like a space; any other backslash ends.
        const next = text.charCodeAt(index + 1);
        if (next === 110 || next === 114 || next === 116) {
          index += 1;
          continue;
        }
      }
      count = 0;
    }
  }
  return false;
}

/** One place in a text where a valid My Number is written (UTF-16 offsets). */
export interface MyNumberHit {
  readonly index: number;
  readonly length: number;
}

/**
 * Finds every valid My Number written in `text`: ASCII, full-width or kanji digits, in groups joined
 * by separators, or as a 12-digit window of a longer run. Hits are sorted and may overlap.
 */
export function findMyNumbers(text: string): MyNumberHit[] {
  // Fast path: most strings (ids, types, names) hold no 12 chained digits and cannot hold a number.
  if (!hasTwelveDigits(text)) return [];
  return findMyNumbersUnfiltered(text);
}

/** `findMyNumbers` without its one-pass pre-check (exported for the test that they agree). */
export function findMyNumbersUnfiltered(text: string): MyNumberHit[] {
  const hits: MyNumberHit[] = [];
  const hit = (digits: readonly Digit[], start: number) => {
    const first = digits[start];
    const last = digits[start + 11];
    if (first !== undefined && last !== undefined && windowIsValid(digits, start)) {
      hits.push({ index: first.index, length: last.end - first.index });
    }
  };
  for (const chain of chainsOf(text)) {
    const digits = chain.flat();
    const sizes = chain.map((group) => group.length);
    let groupStart = 0;
    for (const [groupIndex, group] of chain.entries()) {
      // (b) every window inside one long group.
      for (let start = 0; start + 12 <= group.length; start += 1) hit(group, start);
      // (a) windows made of whole groups (two or more).
      let total = group.length;
      let next = groupIndex + 1;
      while (total < 12 && next < chain.length) {
        total += sizes[next] ?? 0;
        next += 1;
      }
      if (total === 12 && next - groupIndex > 1 && groupsAreEven(sizes.slice(groupIndex, next))) {
        hit(digits, groupStart);
      }
      groupStart += group.length;
    }
  }
  return hits.sort((a, b) => a.index - b.index || b.length - a.length);
}

/** True when a number value is a My Number: an integer of exactly 12 digits with a valid check digit. */
function numberIsMyNumber(value: number | bigint): boolean {
  const text = value.toString();
  return /^[0-9]{12}$/.test(text) && isValidMyNumber(text);
}

/** The digits of a value made of 2-11 digits and nothing else (one part of a split number). */
function partDigits(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length < 2 || value.length > 11) return undefined;
  let digits = '';
  for (const char of value) {
    const digit = digitValue(char);
    if (digit < 0) return undefined;
    digits += String(digit);
  }
  return digits;
}

/**
 * A number split across fields (leak corpus, issue 25): the positions of sibling values — object
 * values in order, array items — that are consecutive strings of digits only, of one size (4-4-4,
 * 6-6, 3-3-3-3, 2×6), 12 digits together, with a valid check digit. One size only, so that a
 * 地方公共団体コード next to a postal code, or a date in year/month/day fields, is not read as one
 * number; the rest of the trade-off is that of a glued run (a flag means quarantine, not loss).
 */
export function splitMyNumberParts(values: readonly unknown[]): number[] {
  const parts = values.map(partDigits);
  const found = new Set<number>();
  for (let start = 0; start < parts.length; start += 1) {
    const size = parts[start]?.length;
    if (size === undefined || 12 % size !== 0) continue;
    const count = 12 / size;
    const run = parts.slice(start, start + count);
    if (run.length === count && run.every((part) => part?.length === size)) {
      if (isValidMyNumber(run.join(''))) {
        for (let index = start; index < start + count; index += 1) found.add(index);
      }
    }
  }
  return [...found].sort((a, b) => a - b);
}

/**
 * True when any string, number or object key anywhere inside `value` (objects, arrays, Maps, nested)
 * contains a valid My Number, or sibling values write one split across fields.
 */
export function containsMyNumber(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return findMyNumbers(value).length > 0;
  if (typeof value === 'number') return Number.isInteger(value) && numberIsMyNumber(value);
  if (typeof value === 'bigint') return numberIsMyNumber(value);
  if (value === null || typeof value !== 'object' || depth > 64) return false;
  if (Buffer.isBuffer(value)) return findMyNumbers(value.toString('utf8')).length > 0;
  if (Array.isArray(value)) {
    return (
      value.some((item) => containsMyNumber(item, depth + 1)) ||
      splitMyNumberParts(value).length > 0
    );
  }
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return (
    entries.some(
      ([key, item]) => containsMyNumber(key, depth + 1) || containsMyNumber(item, depth + 1),
    ) || splitMyNumberParts(entries.map(([, item]) => item as unknown)).length > 0
  );
}

/** Replaces every valid My Number in `text` by a fixed mask (overlapping hits are merged). */
export function maskMyNumbers(text: string): string {
  const hits = findMyNumbers(text);
  if (hits.length === 0) return text;
  let out = '';
  let last = 0;
  for (const hit of hits) {
    const end = hit.index + hit.length;
    if (end <= last) continue;
    if (hit.index >= last) out += `${text.slice(last, hit.index)}[個人番号]`;
    last = end;
  }
  return out + text.slice(last);
}

/**
 * The tests' own My Number detector, written from DOMAIN.md §3.1 and deliberately independent of
 * hub/security (a bug there must not hide a leak here; nothing is imported from it).
 *
 * What it reads as a number:
 * - digits: ASCII, full width (０-９) and kanji numerals (〇 零 ○ 一 … 九);
 * - groups of digits joined by a separator of one to three characters, each a space of any width,
 *   a tab or line break (also JSON-escaped: \n \r \t, once or twice), a hyphen, dash or minus of any width, the
 *   long-vowel marks ー ｰ, a dot (. ． ・ ･) or an underscore;
 * - a candidate is 12 digits that are whole groups (1234-5678-9018, 1 2 3 … 8) or 12 digits at any
 *   offset inside one group (a number glued inside a longer run), with a valid check digit.
 * Machine ids are not read: RFC 4122 UUIDs, W3C traceparents and hex digests (16 hex with a letter,
 * 32/40/64/96/128 hex), whose decimal stretches would otherwise look like numbers by chance.
 * It may over-report (a split "01234567890-1" is read as one number); tests feed it text where that
 * does not happen by accident.
 */
import iconv from 'iconv-lite';

/** Weights of the 11 base digits, left to right (DOMAIN.md §3.1: 2..7, 2..6 from the right). */
const weights = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/** The check digit of 11 ASCII base digits (DOMAIN.md §3.1). */
export function myNumberCheckDigit(base: string): number {
  if (!/^[0-9]{11}$/.test(base)) throw new RangeError('11 digits expected');
  let sum = 0;
  for (let index = 0; index < 11; index += 1) sum += Number(base[index]) * (weights[index] ?? 0);
  const remainder = sum % 11;
  return remainder <= 1 ? 0 : 11 - remainder;
}

/** 11 base digits with their check digit appended. */
export function withCheckDigit(base: string): string {
  return `${base}${String(myNumberCheckDigit(base))}`;
}

/** True when `digits` is 12 ASCII digits with a valid check digit. */
export function isMyNumber(digits: string): boolean {
  return (
    /^[0-9]{12}$/.test(digits) && myNumberCheckDigit(digits.slice(0, 11)) === Number(digits[11])
  );
}

const kanji: Readonly<Record<string, string>> = {
  〇: '0',
  零: '0',
  '○': '0',
  一: '1',
  二: '2',
  三: '3',
  四: '4',
  五: '5',
  六: '6',
  七: '7',
  八: '8',
  九: '9',
};

/** One character as an ASCII digit, or undefined. */
function digitOf(char: string): string | undefined {
  if (char >= '0' && char <= '9') return char;
  const code = char.charCodeAt(0);
  if (code >= 0xff10 && code <= 0xff19) return String(code - 0xff10);
  return kanji[char];
}

/** Separator characters (see above); everything else ends a chain of groups. */
const separatorChars = new Set([
  ' ',
  '\u00a0',
  '\u2002',
  '\u2003',
  '\u2009',
  '\u3000',
  '\t',
  '\n',
  '\r',
  '-',
  '\u2010',
  '\u2011',
  '\u2012',
  '\u2013',
  '\u2014',
  '\u2015',
  '\u2212',
  '\uff0d',
  '\u30fc',
  '\uff70',
  '.',
  '\uff0e',
  '\u30fb',
  '\uff65',
  '_',
]);

const machineIds = [
  /[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/giu,
  /[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}/giu,
];

/** Blanks out machine ids (same length, so offsets stay). */
function withoutMachineIds(text: string): string {
  let out = text;
  for (const pattern of machineIds) out = out.replace(pattern, (id) => 'x'.repeat(id.length));
  return out.replace(/(?<![0-9a-z])[0-9a-f]{16,}(?![0-9a-z])/giu, (hex) =>
    [32, 40, 64, 96, 128].includes(hex.length) || (hex.length === 16 && /[a-f]/iu.test(hex))
      ? 'x'.repeat(hex.length)
      : hex,
  );
}

/** Chains of digit groups in `text` (each group a string of ASCII digits). */
function chains(text: string): string[][] {
  const found: string[][] = [];
  let chain: string[] = [];
  let group = '';
  let gap = 0; // separator characters since the last digit
  const endChain = () => {
    if (group !== '') chain.push(group);
    if (chain.length > 0) found.push(chain);
    chain = [];
    group = '';
    gap = 0;
  };
  const chars = Array.from(withoutMachineIds(text));
  for (let index = 0; index < chars.length; index += 1) {
    const char = chars[index] ?? '';
    const digit = digitOf(char);
    if (digit !== undefined) {
      if (gap > 0) {
        chain.push(group);
        group = '';
        gap = 0;
      }
      group += digit;
      continue;
    }
    if (group === '') continue;
    let width = 0;
    if (separatorChars.has(char)) width = 1;
    else if (char === '\\') {
      // \n, and \\n (a literal backslash-n in a string, escaped once more when serialised)
      const after = chars[index + 1] === '\\' ? 2 : 1;
      if (['n', 'r', 't'].includes(chars[index + after] ?? '')) width = after + 1;
    }
    if (width === 0 || gap >= 3) {
      endChain();
      continue;
    }
    gap += 1;
    index += width - 1;
  }
  endChain();
  return found;
}

/** Valid My Numbers (as 12 ASCII digits) written anywhere in `text`. */
export function validMyNumbersIn(text: string): string[] {
  const found: string[] = [];
  for (const groups of chains(text)) {
    for (let first = 0; first < groups.length; first += 1) {
      const group = groups[first] ?? '';
      for (let start = 0; start + 12 <= group.length; start += 1) {
        const window = group.slice(start, start + 12);
        if (isMyNumber(window)) found.push(window);
      }
      let joined = group;
      for (let last = first + 1; last < groups.length && joined.length < 12; last += 1) {
        joined += groups[last] ?? '';
        if (joined.length === 12 && isMyNumber(joined)) found.push(joined);
      }
    }
  }
  return found;
}

/** Valid My Numbers in bytes decoded as UTF-8 and as CP932 (Shift_JIS). */
export function validMyNumbersInBytes(bytes: Buffer): string[] {
  return [
    ...new Set([
      ...validMyNumbersIn(bytes.toString('utf8')),
      ...validMyNumbersIn(iconv.decode(bytes, 'cp932')),
    ]),
  ];
}

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

// Digits in ASCII or full width, optionally split by single separators (spaces or hyphens of any
// width, or a JSON-escaped \n \r \t), not glued to other digits. Every 12-digit window of such a chain is checked, overlapping
// ones included, so an invalid window cannot hide a valid one next to it.
const separator = /[\s\-\u2010-\u2015\u2212\uFF0D\u30FC]/u;
// In JSON text (log files) a line break or tab inside a string is written as \n, \r or \t.
const escapedWhitespace = /^\\[nrt]$/u;

function digitValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 0xff10 && code <= 0xff19) return code - 0xff10;
  return -1;
}

interface ChainDigit {
  readonly index: number;
  readonly value: number;
  readonly separated: boolean;
}

// Machine identifiers that are not personal data and often hold 12 digits in a row: UUIDs (message
// ids) and long hex strings with a letter (hashes, trace ids). Digits inside them are not candidates.
const machineIds = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32,}/giu;

function machineIdRanges(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  for (const match of text.matchAll(machineIds)) {
    if (/[a-f]/iu.test(match[0])) ranges.push([match.index, match.index + match[0].length]);
  }
  return ranges;
}

function* digitChains(text: string): Generator<ChainDigit[]> {
  let chain: ChainDigit[] = [];
  let lastDigitIndex = -2;
  const excluded = machineIdRanges(text);
  let range = 0;
  for (let index = 0; index < text.length; index += 1) {
    const value = digitValue(text.charCodeAt(index));
    if (value < 0) continue;
    while ((excluded[range]?.[1] ?? Infinity) <= index) range += 1;
    if ((excluded[range]?.[0] ?? Infinity) <= index) {
      lastDigitIndex = -2;
      if (chain.length >= 12) yield chain;
      chain = [];
      continue;
    }
    const gap = index - lastDigitIndex - 1;
    const joined =
      gap === 0 ||
      (gap === 1 && separator.test(text.charAt(index - 1))) ||
      (gap === 2 && escapedWhitespace.test(text.slice(index - 2, index)));
    if (!joined || chain.length === 0) {
      if (chain.length >= 12) yield chain;
      chain = [];
    }
    chain.push({ index, value, separated: gap !== 0 });
    lastDigitIndex = index;
  }
  if (chain.length >= 12) yield chain;
}

function windowIsValid(chain: readonly ChainDigit[], start: number): boolean {
  let sum = 0;
  for (let offset = 0; offset < 11; offset += 1) {
    sum += (chain[start + offset]?.value ?? 0) * (weights[offset] ?? 0);
  }
  const remainder = sum % 11;
  const check = remainder <= 1 ? 0 : 11 - remainder;
  return chain[start + 11]?.value === check;
}

/** Finds every substring of `text` that is a valid My Number (ASCII or full width, with separators). */
export function findMyNumbers(text: string): { index: number; length: number }[] {
  const hits: { index: number; length: number }[] = [];
  for (const chain of digitChains(text)) {
    for (let start = 0; start + 12 <= chain.length; start += 1) {
      const first = chain[start];
      const last = chain[start + 11];
      const next = chain[start + 12];
      if (first === undefined || last === undefined) break;
      if (start > 0 && !first.separated) continue;
      if (next !== undefined && !next.separated) continue;
      if (windowIsValid(chain, start)) {
        hits.push({ index: first.index, length: last.index + 1 - first.index });
      }
    }
  }
  return hits;
}

/** True when any string anywhere inside `value` (objects, arrays, nested) contains a valid My Number. */
export function containsMyNumber(value: unknown): boolean {
  if (typeof value === 'string') return findMyNumbers(value).length > 0;
  if (typeof value === 'number') return Number.isInteger(value) && isValidMyNumber(String(value));
  if (Array.isArray(value)) return value.some(containsMyNumber);
  if (value !== null && typeof value === 'object')
    return Object.values(value).some(containsMyNumber);
  return false;
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

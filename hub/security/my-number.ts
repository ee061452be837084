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
    sum += Number(base.charCodeAt(index) - 48) * (weights[index] ?? 0);
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

// Digits in ASCII or full width, optionally split by spaces or hyphens of any width, not glued to
// other digits. A candidate is a My Number only if its 12 digits pass the check digit.
const digit = '[0-9\\uFF10-\\uFF19]';
const separator = '[\\s\\u3000\\-\\u2010-\\u2015\\u2212\\uFF0D\\u30FC]?';
const candidate = new RegExp(
  `(?<![0-9\\uFF10-\\uFF19])${digit}(?:${separator}${digit}){11}(?![0-9\\uFF10-\\uFF19])`,
  'gu',
);

function asciiDigits(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code >= 48 && code <= 57) out += char;
    else if (code >= 0xff10 && code <= 0xff19) out += String.fromCharCode(code - 0xff10 + 48);
  }
  return out;
}

/** Finds every substring of `text` that is a valid My Number (ASCII or full width, with separators). */
export function findMyNumbers(text: string): { index: number; length: number }[] {
  const hits: { index: number; length: number }[] = [];
  for (const match of text.matchAll(candidate)) {
    if (isValidMyNumber(asciiDigits(match[0]))) hits.push({ index: match.index, length: match[0].length });
  }
  return hits;
}

/** True when any string anywhere inside `value` (objects, arrays, nested) contains a valid My Number. */
export function containsMyNumber(value: unknown): boolean {
  if (typeof value === 'string') return findMyNumbers(value).length > 0;
  if (typeof value === 'number') return Number.isInteger(value) && isValidMyNumber(String(value));
  if (Array.isArray(value)) return value.some(containsMyNumber);
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsMyNumber);
  return false;
}

/** Replaces every valid My Number in `text` by a fixed mask. */
export function maskMyNumbers(text: string): string {
  const hits = findMyNumbers(text);
  if (hits.length === 0) return text;
  let out = '';
  let last = 0;
  for (const hit of hits) {
    out += `${text.slice(last, hit.index)}[個人番号]`;
    last = hit.index + hit.length;
  }
  return out + text.slice(last);
}

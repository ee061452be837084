/**
 * 情報提供用個人識別符号 (符号): the token 情報提供ネットワークシステム uses instead of the 個人番号
 * (affair 5). Its real format is not public [NP]; the hub fixes one so it can be recognised wherever
 * it might leak, like a My Number: 32 characters of the RFC 4648 base32 alphabet (A–Z, 2–7), the
 * last a check character (Σ value × position over the first 31, mod 32). Upper case only: base32 of
 * the machine ids the hub writes is lower case, hex digests have no letters beyond f, so a 32-run of
 * this alphabet with the right check character is a 符号 1 time in 32 at worst and never in the
 * hub's own ids.
 */

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const pattern = /^[A-Z2-7]{32}$/u;
const candidate = /(?<![A-Za-z0-9])[A-Z2-7]{32}(?![A-Za-z0-9])/gu;

function valueOf(char: string): number {
  return alphabet.indexOf(char);
}

/** The check character for the 31 characters of `base`. */
export function fugoCheckChar(base: string): string {
  let sum = 0;
  for (let index = 0; index < 31; index += 1) sum += valueOf(base[index] ?? 'A') * (index + 1);
  return alphabet[sum % 32] ?? 'A';
}

/** True when `value` is a 符号: 32 base32 characters whose last is the check character. */
export function isValidFugo(value: string): boolean {
  return pattern.test(value) && fugoCheckChar(value) === value[31];
}

/** Appends the check character to 31 base32 characters. */
export function withFugoCheckChar(base: string): string {
  if (!/^[A-Z2-7]{31}$/u.test(base)) throw new RangeError('a 符号 base is 31 base32 characters');
  return `${base}${fugoCheckChar(base)}`;
}

/** Where a 符号 is written in `text` (index and length), never the value. */
/**
 * True when `text` holds a run of 32 base32 characters (A-Z, 2-7): a necessary condition of a hit,
 * checked in one pass before the regular expression (issue 23: most scanned strings are short ids).
 */
function hasBase32Run(text: string): boolean {
  if (text.length < 32) return false;
  let run = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if ((code >= 65 && code <= 90) || (code >= 50 && code <= 55)) {
      run += 1;
      if (run >= 32) return true;
    } else {
      run = 0;
    }
  }
  return false;
}

export function findFugos(text: string): { index: number; length: number }[] {
  return hasBase32Run(text) ? findFugosUnfiltered(text) : [];
}

/** `findFugos` without its one-pass pre-check (exported for the test that they agree). */
export function findFugosUnfiltered(text: string): { index: number; length: number }[] {
  const hits: { index: number; length: number }[] = [];
  for (const match of text.matchAll(candidate)) {
    if (isValidFugo(match[0])) hits.push({ index: match.index, length: match[0].length });
  }
  return hits;
}

/** Every 符号 in `text` replaced by `[符号]`. */
export function maskFugos(text: string): string {
  const hits = findFugos(text);
  if (hits.length === 0) return text;
  let out = '';
  let last = 0;
  for (const hit of hits) {
    out += `${text.slice(last, hit.index)}[符号]`;
    last = hit.index + hit.length;
  }
  return out + text.slice(last);
}

/** True when a string, or any key or string inside an object or array, holds a 符号. */
export function containsFugo(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return findFugos(value).length > 0;
  if (value === null || typeof value !== 'object' || depth > 64) return false;
  if (Buffer.isBuffer(value)) return findFugos(value.toString('utf8')).length > 0;
  if (Array.isArray(value)) return value.some((item) => containsFugo(item, depth + 1));
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return entries.some(
    ([key, item]) => containsFugo(key, depth + 1) || containsFugo(item, depth + 1),
  );
}

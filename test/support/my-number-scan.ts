/**
 * The tests' own My Number detector, written from DOMAIN.md §3.1 and deliberately independent of
 * hub/security (a bug there must not hide a leak here). It reads ASCII, full-width and kanji digits,
 * joins digits separated by single spaces, hyphens or dots, and checks every 12-digit window of every
 * run. It may over-report (a window of a longer run); tests feed it corpora where that is unlikely.
 */
import iconv from 'iconv-lite';

const weights = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
const kanji = '〇一二三四五六七八九';

function normalise(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (code >= 0xff10 && code <= 0xff19) out += String(code - 0xff10);
    else if (kanji.includes(char)) out += String(kanji.indexOf(char));
    else out += char;
  }
  return out;
}

/** Valid My Numbers (as 12 ASCII digits) written anywhere in `text`. */
export function validMyNumbersIn(text: string): string[] {
  const found: string[] = [];
  for (const match of normalise(text).matchAll(/[0-9](?:[ .-]?[0-9])+/g)) {
    const digits = match[0].replace(/[^0-9]/g, '');
    for (let start = 0; start + 12 <= digits.length; start += 1) {
      const window = digits.slice(start, start + 12);
      let sum = 0;
      for (let index = 0; index < 11; index += 1)
        sum += Number(window[index]) * (weights[index] ?? 0);
      const check = sum % 11 <= 1 ? 0 : 11 - (sum % 11);
      if (check === Number(window[11])) found.push(window);
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

/**
 * Full-width katakana ⇄ half-width katakana (JIS X 0201), exact and reversible for katakana:
 * ガ ⇄ ｶﾞ, パ ⇄ ﾊﾟ, ヴ ⇄ ｳﾞ, ー ⇄ ｰ, and the punctuation of the half-width block (。「」、・).
 * The ideographic space U+3000 maps to U+0020 and back, as legacy kana name fields expect.
 * Katakana with no half-width form (ヰ ヱ ヵ ヶ ヮ ヸ ヹ) are mapped as the character policy prescribes
 * (hub/characters.ts: ヰ→ｲ, ヶ→ｹ, …; one way only) or refused by code point; every other character
 * passes through or fails, as the caller chooses.
 */
import { CodecError, formatCodePoint } from './errors.js';
import { kanaWithoutHalfWidth, type KanaWithoutHalfWidthPolicy } from '../../hub/characters.js';

// Full-width counterparts of U+FF61..U+FF9F, in order.
const fullForHalf =
  '。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン゛゜';
const voicedBase = 'カキクケコサシスセソタチツテトハヒフヘホウワヲ';
const voiced = 'ガギグゲゴザジズゼゾダヂヅデドバビブベボヴヷヺ';
const semiVoicedBase = 'ハヒフヘホ';
const semiVoiced = 'パピプペポ';
const halfVoiced = '\uFF9E';
const halfSemiVoiced = '\uFF9F';

const toHalf = new Map<string, string>();
const toFull = new Map<string, string>();
for (const [offset, full] of Array.from(fullForHalf).entries()) {
  const half = String.fromCharCode(0xff61 + offset);
  toHalf.set(full, half);
  toFull.set(half, full);
}
const composeVoiced = new Map<string, string>();
const composeSemiVoiced = new Map<string, string>();
for (const [offset, full] of Array.from(voiced).entries()) {
  const base = voicedBase.charAt(offset);
  toHalf.set(full, `${toHalf.get(base) ?? base}${halfVoiced}`);
  composeVoiced.set(base, full);
}
for (const [offset, full] of Array.from(semiVoiced).entries()) {
  const base = semiVoicedBase.charAt(offset);
  toHalf.set(full, `${toHalf.get(base) ?? base}${halfSemiVoiced}`);
  composeSemiVoiced.set(base, full);
}
// Combining sound marks (as left by NFD) become the half-width marks.
toHalf.set('\u3099', halfVoiced);
toHalf.set('\u309A', halfSemiVoiced);

/**
 * The half-width form toHalfWidthKana gives one UTF-16 code unit that it converts (full-width
 * katakana, voiced forms, the combining sound marks), or undefined for anything else, including
 * half-width katakana and spaces, which it passes through.
 */
export function halfWidthKanaOf(unit: number): string | undefined {
  const char = String.fromCharCode(unit);
  return toHalf.get(char) ?? kanaWithoutHalfWidth.get(char);
}

/** What to do with a character that has no counterpart. */
export interface KanaOptions {
  /** 'pass' (default) keeps it unchanged; 'error' throws a CodecError naming its position. */
  readonly other?: 'pass' | 'error';
  /** Map U+3000 ⇄ U+0020 (default true). */
  readonly spaces?: boolean;
  /** Field name for error messages. */
  readonly field?: string;
  /** Kana without a half-width form (ヰ ヱ ヵ ヶ ヮ ヸ ヹ): 'map' (default, the policy's table) or 'refuse'. */
  readonly withoutHalfWidth?: KanaWithoutHalfWidthPolicy;
}

function unconvertible(options: KanaOptions, index: number, char: string, toForm: string): never {
  throw new CodecError(
    {
      ja: `${toForm === 'half' ? '半角' : '全角'}カナに変換できない文字があります`,
      en: `character cannot be converted to ${toForm}-width katakana`,
    },
    {
      ...(options.field === undefined ? {} : { field: options.field }),
      codePointIndex: index,
      codePoint: formatCodePoint(char.codePointAt(0) ?? 0),
    },
  );
}

/** Full-width katakana → half-width katakana (ガ → ｶﾞ). Half-width input passes unchanged. */
export function toHalfWidthKana(text: string, options: KanaOptions = {}): string {
  const spaces = options.spaces ?? true;
  let out = '';
  let index = 0;
  const archaic = options.withoutHalfWidth ?? 'map';
  for (const char of text) {
    const half = toHalf.get(char);
    const mapped = half === undefined ? kanaWithoutHalfWidth.get(char) : undefined;
    if (half !== undefined) out += half;
    else if (mapped !== undefined) {
      if (archaic === 'refuse') unconvertible(options, index, char, 'half');
      out += mapped;
    } else if (spaces && char === '\u3000') out += ' ';
    else if (toFull.has(char) || (spaces && char === ' ')) out += char;
    else if (options.other === 'error') unconvertible(options, index, char, 'half');
    else out += char;
    index += 1;
  }
  return out;
}

/** Half-width katakana → full-width katakana (ｶﾞ → ガ). Full-width input passes unchanged. */
export function toFullWidthKana(text: string, options: KanaOptions = {}): string {
  const spaces = options.spaces ?? true;
  const chars = Array.from(text);
  let out = '';
  for (let index = 0; index < chars.length; index += 1) {
    const char = chars[index] ?? '';
    const full = toFull.get(char);
    if (full !== undefined) {
      const next = chars[index + 1];
      const composed =
        next === halfVoiced
          ? composeVoiced.get(full)
          : next === halfSemiVoiced
            ? composeSemiVoiced.get(full)
            : undefined;
      if (composed === undefined) out += full;
      else {
        out += composed;
        index += 1;
      }
    } else if (spaces && char === ' ') out += '\u3000';
    else if (toHalf.has(char) || (spaces && char === '\u3000')) out += char;
    else if (options.other === 'error') unconvertible(options, index, char, 'full');
    else out += char;
  }
  return out;
}

/** True when every character of `text` is half-width katakana (U+FF61–U+FF9F) or a space. */
export function isHalfWidthKana(text: string): boolean {
  return /^[\uFF61-\uFF9F ]*$/u.test(text);
}

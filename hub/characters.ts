/**
 * The character policy: what text the hub accepts and how it crosses a character-set edge. Every
 * place that judges characters asks this module (the `mjText`/`notBlank` schema keywords behind
 * `hub validate` and every ingest, the CP932 codec, the half-width kana codec, the 住基ネット mapping
 * of the CS transformers), so a name is judged the same way on every hop.
 *
 * - Look-alikes: CP932 (Windows-31J) and the JIS/Unicode mapping disagree on a handful of characters
 *   (WAVE DASH U+301C vs FULLWIDTH TILDE U+FF5E, MINUS SIGN U+2212 vs FULLWIDTH HYPHEN-MINUS U+FF0D,
 *   DOUBLE VERTICAL LINE U+2016 vs PARALLEL TO U+2225, NOT SIGN U+00AC vs U+FFE2, …). Both forms are
 *   accepted everywhere; a CP932 encoder writes either as the one CP932 code, and a CP932 decoder gives
 *   the Unicode-standard (JIS) form back, which is the hub's canonical form. YEN SIGN U+00A5 is 0x5C in
 *   a half-width field and ￥ (0x818F) in a full-width one.
 * - Kana without a half-width form (ヰ ヱ ヵ ヶ ヮ ヸ ヹ): mapped to the nearest half-width kana as
 *   legacy 住基 半角カナ items do (ヰ→ｲ, ヱ→ｴ, ヵ→ｶ, ヶ→ｹ, ヮ→ﾜ, ヸ→ｲﾞ, ヹ→ｴﾞ), or refused when the
 *   policy says so. The official CS 電文 layout is not public (DOMAIN.md §9); the map is the one table.
 * - Repertoire: 外字 is anything outside the target's repertoire. For canonical MJ text that is:
 *   control and format characters (zero-width, bidi controls, BOM, soft hyphen), emoji and emoji
 *   presentation selectors, scripts MJ does not hold (Hangul, Arabic, Thai, …), unassigned code points,
 *   spaces other than U+0020/U+3000, U+FFFD and lone surrogates. Private-use characters (MJ+ additions,
 *   vendor 外字) are MJ text; they are outside the 住基ネット repertoire unless a table maps them.
 * - Text that is only spaces is not a name (nor any other MJ text or kana).
 *
 * Problems name the position and the code point (U+XXXX), never the text.
 */

/** A look-alike pair: the Unicode-standard (JIS) form and the form CP932 decodes to. */
export interface Lookalike {
  readonly unicode: number;
  readonly cp932: number;
  readonly name: string;
}

/** The CP932 look-alikes (Microsoft's mapping vs the Unicode/JIS one). */
export const lookalikes: readonly Lookalike[] = [
  { unicode: 0x301c, cp932: 0xff5e, name: 'WAVE DASH / FULLWIDTH TILDE' },
  { unicode: 0x2212, cp932: 0xff0d, name: 'MINUS SIGN / FULLWIDTH HYPHEN-MINUS' },
  { unicode: 0x2016, cp932: 0x2225, name: 'DOUBLE VERTICAL LINE / PARALLEL TO' },
  { unicode: 0x00ac, cp932: 0xffe2, name: 'NOT SIGN / FULLWIDTH NOT SIGN' },
  { unicode: 0x2014, cp932: 0x2015, name: 'EM DASH / HORIZONTAL BAR' },
  { unicode: 0x00a2, cp932: 0xffe0, name: 'CENT SIGN / FULLWIDTH CENT SIGN' },
  { unicode: 0x00a3, cp932: 0xffe1, name: 'POUND SIGN / FULLWIDTH POUND SIGN' },
  { unicode: 0x00a6, cp932: 0xffe4, name: 'BROKEN BAR / FULLWIDTH BROKEN BAR' },
];

/** YEN SIGN: 0x5C (shown as ¥ on Japanese systems) in half-width fields, ￥ in full-width ones. */
export const YEN_SIGN = 0x00a5;
const FULLWIDTH_YEN_SIGN = 0xffe5;
const REVERSE_SOLIDUS = 0x005c;

const towardCp932 = new Map(lookalikes.map((pair) => [pair.unicode, pair.cp932]));
const towardUnicode = new Map(lookalikes.map((pair) => [pair.cp932, pair.unicode]));

/**
 * The code point CP932 holds for a look-alike `codePoint` in a field of `width`, or undefined when the
 * code point is not a look-alike in that direction (it is left to CP932 as it is).
 */
export function cp932LookalikeOf(
  codePoint: number,
  width: 'single' | 'double' | 'any',
): number | undefined {
  if (codePoint === YEN_SIGN) return width === 'double' ? FULLWIDTH_YEN_SIGN : REVERSE_SOLIDUS;
  return towardCp932.get(codePoint);
}

/** Text with every look-alike replaced by the form CP932 holds (code point for code point). */
export function toCp932Lookalikes(
  text: string,
  width: 'single' | 'double' | 'any' = 'any',
): string {
  let out = '';
  for (const char of text) {
    const mapped = cp932LookalikeOf(char.codePointAt(0) ?? 0, width);
    out += mapped === undefined ? char : String.fromCodePoint(mapped);
  }
  return out;
}

/** Text decoded from CP932 with the look-alikes in the canonical (Unicode-standard) form. */
export function fromCp932Lookalikes(text: string): string {
  let out = '';
  for (const char of text) {
    const mapped = towardUnicode.get(char.codePointAt(0) ?? 0);
    out += mapped === undefined ? char : String.fromCodePoint(mapped);
  }
  return out;
}

/**
 * The canonical form for comparing two texts from different systems: look-alikes folded to the
 * Unicode-standard form (and ￥ to ¥). Nothing else changes: this is not NFKC.
 */
export function foldLookalikes(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const mapped = code === FULLWIDTH_YEN_SIGN ? YEN_SIGN : towardUnicode.get(code);
    out += mapped === undefined ? char : String.fromCodePoint(mapped);
  }
  return out;
}

/** Full-width katakana without a half-width form → the half-width text legacy 住基 items use. */
export const kanaWithoutHalfWidth: ReadonlyMap<string, string> = new Map([
  ['ヰ', 'ｲ'],
  ['ヱ', 'ｴ'],
  ['ヵ', 'ｶ'],
  ['ヶ', 'ｹ'],
  ['ヮ', 'ﾜ'],
  ['ヸ', 'ｲﾞ'],
  ['ヹ', 'ｴﾞ'],
]);

/** What to do with kana that has no half-width form: map it (default) or refuse it. */
export type KanaWithoutHalfWidthPolicy = 'map' | 'refuse';

/** The policy the CS edge uses. */
export const csKanaPolicy: KanaWithoutHalfWidthPolicy = 'map';

/** Which repertoire a text is judged against. */
export type Repertoire = 'mj' | 'jukinet';

/** Why a character is outside the repertoire. */
export type CharacterProblemKind =
  | 'replacement'
  | 'control'
  | 'surrogate'
  | 'format'
  | 'emoji'
  | 'script'
  | 'space'
  | 'unassigned'
  | 'private-use';

/** The first character a text may not hold: its kind, 0-based code point index and U+XXXX. */
export interface CharacterProblem {
  readonly kind: CharacterProblemKind;
  readonly position: number;
  readonly codePoint: string;
}

/** Formats a code point as U+XXXX (at least four hex digits). */
export function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

function isVariationSelector(code: number): boolean {
  return (code >= 0xfe00 && code <= 0xfe0d) || (code >= 0xe0100 && code <= 0xe01ef);
}

/** Private Use Area (BMP and the two supplementary planes). */
export function isPrivateUse(code: number): boolean {
  return (
    (code >= 0xe000 && code <= 0xf8ff) ||
    (code >= 0xf0000 && code <= 0xffffd) ||
    (code >= 0x100000 && code <= 0x10fffd)
  );
}

const allowedScript =
  /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Common}\p{Script=Inherited}]$/u;
const format = /^[\p{Cf}\p{Zl}\p{Zp}]$/u;
const space = /^\p{Zs}$/u;
const unassigned = /^\p{Cn}$/u;
const emojiPresentation = /^\p{Emoji_Presentation}$/u;
const pictographic = /^\p{Extended_Pictographic}$/u;

/** Pictographic symbols that are in JIS X 0213 / CP932 (so in MJ), not emoji for the register. */
const jisPictographs = new Set([
  0x00a9, 0x00ae, 0x203c, 0x2049, 0x2122, 0x2194, 0x2195, 0x2196, 0x2197, 0x2198, 0x2199, 0x21a9,
  0x21aa, 0x2600, 0x2601, 0x2602, 0x2603, 0x260e, 0x261d, 0x261e, 0x2640, 0x2642, 0x2660, 0x2661,
  0x2662, 0x2663, 0x2664, 0x2665, 0x2666, 0x2667, 0x2668,
]);

/** The common characters of Japanese text, accepted without the Unicode property tests. */
function isPlainJapanese(code: number): boolean {
  return (
    (code >= 0x20 && code <= 0x7e) ||
    (code >= 0x3000 && code <= 0x301f) ||
    (code >= 0x3041 && code <= 0x3096) ||
    (code >= 0x30a1 && code <= 0x30fe) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0xff01 && code <= 0xff9f)
  );
}

function kindOf(
  char: string,
  code: number,
  repertoire: Repertoire,
): CharacterProblemKind | undefined {
  if (isPlainJapanese(code)) return undefined;
  if (code === 0xfffd) return 'replacement';
  if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return 'control';
  if (code >= 0xd800 && code <= 0xdfff) return 'surrogate';
  if (isPrivateUse(code)) return repertoire === 'mj' ? undefined : 'private-use';
  if (isVariationSelector(code)) return undefined;
  if (code === 0xfe0e || code === 0xfe0f || code === 0x20e3) return 'emoji';
  if (format.test(char)) return 'format';
  if (space.test(char)) return code === 0x20 || code === 0x3000 ? undefined : 'space';
  if (unassigned.test(char)) return 'unassigned';
  if (emojiPresentation.test(char)) return 'emoji';
  if (pictographic.test(char) && !jisPictographs.has(code)) return 'emoji';
  if (!allowedScript.test(char)) return 'script';
  return undefined;
}

/**
 * The first character of `text` outside `repertoire` ('mj': canonical MJ text, private use allowed;
 * 'jukinet': what may reach the 住基ネット without a 外字 table), or undefined when all are inside.
 */
export function characterProblem(
  text: string,
  repertoire: Repertoire = 'mj',
): CharacterProblem | undefined {
  let position = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const kind = kindOf(char, code, repertoire);
    if (kind !== undefined) return { kind, position, codePoint: codePointLabel(code) };
    position += 1;
  }
  return undefined;
}

/** True when a unit (a base character and its variation selectors) is inside `repertoire`. */
export function isInRepertoire(unit: string, repertoire: Repertoire): boolean {
  return characterProblem(unit, repertoire) === undefined;
}

/** True when `text` is empty or only spaces (ASCII, ideographic or any other Unicode space). */
export function isBlank(text: string): boolean {
  return /^[\s\u3000]*$/u.test(text);
}

const kindText: Record<CharacterProblemKind, { ja: string; en: string }> = {
  replacement: {
    ja: '置換文字 U+FFFD（文字化け）',
    en: 'the replacement character U+FFFD (mojibake)',
  },
  control: { ja: '制御文字', en: 'a control character' },
  surrogate: { ja: '不正なサロゲート', en: 'an unpaired surrogate' },
  format: {
    ja: '書式制御文字（ゼロ幅文字・双方向制御など、外字）',
    en: 'an invisible format character (zero-width or bidi control; outside the repertoire)',
  },
  emoji: { ja: '絵文字（外字）', en: 'an emoji (outside the repertoire)' },
  script: {
    ja: '対象の文字集合にない文字（ハングル等、外字）',
    en: 'a character of a script outside the repertoire (e.g. Hangul)',
  },
  space: {
    ja: '使用できない空白文字（半角・全角空白以外）',
    en: 'a space character other than U+0020 or U+3000',
  },
  unassigned: { ja: '未割り当ての符号位置', en: 'an unassigned code point' },
  'private-use': {
    ja: '対応表のない私用領域の文字（外字）',
    en: 'a private-use character (外字) without a mapping',
  },
};

/** The bilingual text of a problem: what kind, where (0-based code point) and which code point. */
export function describeCharacterProblem(problem: {
  readonly kind: string;
  readonly position: number;
  readonly codePoint?: string;
}): { ja: string; en: string } {
  const kind = (kindText as Partial<Record<string, { ja: string; en: string }>>)[problem.kind] ?? {
    ja: '使用できない文字',
    en: 'a forbidden character',
  };
  const at = String(problem.position);
  const cp = problem.codePoint === undefined ? '' : ` ${problem.codePoint}`;
  return {
    ja: `使用できない文字を含みます: ${kind.ja}（${at} 文字目, 0 起点${cp === '' ? '' : `,${cp}`}）`,
    en: `contains ${kind.en} at code point ${at} (0-based)${cp === '' ? '' : `:${cp}`}`,
  };
}

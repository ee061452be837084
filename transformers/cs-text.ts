/**
 * Text at the 住基ネット (CS) boundary: the 住基ネット統一文字 mapping point and half-width kana. Both
 * fail loudly (TransformError naming the field and the code-point position, never the text) on a
 * character they cannot map, so 外字 are repaired by staff instead of reaching the CS as '?'.
 */
import { TransformError } from '../hub/errors.js';
import { CodecError, formatCodePoint } from '../connectors/codec/errors.js';
import { toHalfWidthKana as codecHalfWidthKana } from '../connectors/codec/kana.js';
import { codePointLength } from '../schemas/keywords.js';
import {
  characterProblem,
  csKanaPolicy,
  describeCharacterProblem,
  isInRepertoire,
  type KanaWithoutHalfWidthPolicy,
} from '../hub/characters.js';
import { maxCodePointsOf } from '../schemas/limits.js';
import type { Address } from '../schemas/types.gen.js';

/** Maps one character unit (a base character plus its variation selector, if any) or refuses it. */
export interface JukinetCharacterMapping {
  /** The text to send for `unit`, or undefined when the unit has no 住基ネット統一文字. */
  map(unit: string): string | undefined;
}

function isVariationSelector(code: number): boolean {
  return (code >= 0xfe00 && code <= 0xfe0f) || (code >= 0xe0100 && code <= 0xe01ef);
}

/** Splits text into units: each base code point with the variation selectors that follow it. */
export function characterUnits(text: string): string[] {
  const units: string[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const last = units.length - 1;
    if (isVariationSelector(code) && last >= 0) units[last] = `${units[last] ?? ''}${char}`;
    else units.push(char);
  }
  return units;
}

/**
 * The default mapping: identity for every character inside the 住基ネット repertoire of the character
 * policy (hub/characters.ts; IVS sequences pass through for the CS connector to encode), refusal for
 * 外字: private-use characters (only a table can give them meaning), emoji, Hangul and other scripts
 * outside MJ, zero-width and bidi controls.
 */
export const identityJukinetMapping: JukinetCharacterMapping = {
  map(unit) {
    return isInRepertoire(unit, 'jukinet') ? unit : undefined;
  },
};

/**
 * The table hook: a mapping that looks `unit` up in `table` first (e.g. built from the MJ文字情報一覧表
 * 住基ネット統一文字コード column, or a municipality's 外字 list) and falls back to `fallback`.
 */
export function jukinetTableMapping(
  table: ReadonlyMap<string, string>,
  fallback: JukinetCharacterMapping = identityJukinetMapping,
): JukinetCharacterMapping {
  return { map: (unit) => table.get(unit) ?? fallback.map(unit) };
}

/** The mapping the CS transformers use; replace the table here when the official one is available. */
export const jukinetMapping: JukinetCharacterMapping = jukinetTableMapping(new Map());

/** Maps text to 住基ネット統一文字 text, or throws TransformError naming `field` and the position. */
export function toJukinetText(
  transformer: string,
  field: string,
  text: string,
  mapping: JukinetCharacterMapping = jukinetMapping,
): string {
  let out = '';
  let position = 0;
  for (const unit of characterUnits(text)) {
    const mapped = mapping.map(unit);
    if (mapped === undefined) {
      throw new TransformError(
        transformer,
        `${field}: the character at code point ${String(position)} (${formatCodePoint(unit.codePointAt(0) ?? 0)}) has no 住基ネット統一文字 mapping (外字)`,
      );
    }
    out += mapped;
    position += codePointLength(unit);
  }
  return out;
}

/**
 * Converts canonical kana to half width (the CS wire form), or throws naming the code point: anything
 * that is not katakana, and ヮ ヰ ヱ ヵ ヶ ヸ ヹ when the policy refuses them (by default the character
 * policy maps them, ヶ→ｹ etc.). The table itself is the codec's (connectors/codec/kana.ts).
 */
export function toHalfWidthKana(
  transformer: string,
  field: string,
  kana: string,
  policy: KanaWithoutHalfWidthPolicy = csKanaPolicy,
): string {
  try {
    return codecHalfWidthKana(kana, { other: 'error', field, withoutHalfWidth: policy });
  } catch (error) {
    const position = error instanceof CodecError ? error.location.codePointIndex : undefined;
    const codePoint = error instanceof CodecError ? error.location.codePoint : undefined;
    throw new TransformError(
      transformer,
      `${field}: the character at code point ${String(position ?? '?')}${codePoint === undefined ? '' : ` (${codePoint})`} has no half-width kana form`,
      { cause: error },
    );
  }
}

/** The one-line address the CS shows: 都道府県 市区町村 町字 番地 (全角空白) 方書. */
export function addressText(address: Address): string {
  const main = `${address.prefecture}${address.municipalityName}${address.choaza ?? ''}${address.banchiGo ?? ''}`;
  return address.katagaki === undefined ? main : `${main}\u3000${address.katagaki}`;
}

/**
 * The per-record hook for batch encoders (整合性確認 extracts): why `text` cannot go into a CS record
 * field, as a reject reason in Japanese and English naming the position and code point only, or
 * undefined when it can. `kind` 'jukinet' checks the 住基ネット repertoire (外字), 'kana-half' the
 * half-width kana conversion under `policy` and the CS field length (KanaHalfWidth, in code points).
 */
export function csTextProblem(
  text: string,
  kind: 'jukinet' | 'kana-half',
  policy: KanaWithoutHalfWidthPolicy = csKanaPolicy,
): { ja: string; en: string } | undefined {
  if (kind === 'jukinet') {
    const problem = characterProblem(text, 'jukinet');
    return problem === undefined ? undefined : describeCharacterProblem(problem);
  }
  let half: string;
  try {
    half = codecHalfWidthKana(text, { other: 'error', withoutHalfWidth: policy });
  } catch (error) {
    const where = error instanceof CodecError ? error.location : {};
    const at = String(where.codePointIndex ?? '?');
    const code = where.codePoint ?? '';
    return {
      ja: `半角カナにできない文字があります（${at} 文字目, 0 起点, ${code}）`,
      en: `character at code point ${at} (0-based, ${code}) has no half-width kana form`,
    };
  }
  const limit = maxCodePointsOf('KanaHalfWidth');
  const length = codePointLength(half);
  return length > limit
    ? {
        ja: `半角カナが長すぎます（${String(length)} 文字、上限 ${String(limit)}）`,
        en: `half-width kana is too long (${String(length)} characters, at most ${String(limit)})`,
      }
    : undefined;
}

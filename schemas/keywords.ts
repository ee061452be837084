/**
 * Custom ajv keywords of the message catalogue: check digits (個人番号, 符号, 地方公共団体コード, 住民票コード),
 * MJ text rules and code-point lengths, plus the metadata keywords (`x-*`) that docs and the engine read.
 * Error texts for these keywords live in issues.ts, so no keyword ever formats the offending value.
 */
import type { Ajv2020, KeywordDefinition } from 'ajv/dist/2020.js';
import type { SchemaValidateFunction } from 'ajv/dist/types/index.js';
import { isValidFugo } from '../hub/security/fugo.js';
import { isValidMyNumber } from '../hub/security/my-number.js';
import { characterProblem, isBlank, type CharacterProblem } from '../hub/characters.js';
import { flexibleDateProblem } from '../connectors/codec/wareki.js';

/** Root and property annotations that carry meaning for docs and the engine, not for validation. */
export const metadataKeywords = {
  'x-carries-my-number': 'boolean',
  'x-from': 'string',
  'x-to': 'array',
  'x-affair': 'number',
  'x-title-en': 'string',
  'x-ja': 'string',
} as const;

/** Σ digit × weight over the first `weights.length` characters (no array per call: it runs per record). */
function weightedSum(value: string, weights: readonly number[]): number {
  let sum = 0;
  for (let index = 0; index < weights.length && index < value.length; index += 1) {
    sum += (value.charCodeAt(index) - 48) * (weights[index] ?? 0);
  }
  return sum;
}

const lgCodeWeights = [6, 5, 4, 3, 2] as const;
const juminhyoCodeWeights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const;

/** 全国地方公共団体コード check digit over the first 5 digits (weights 6 5 4 3 2; (11 − Σ mod 11) mod 10). */
export function lgCodeCheckDigit(base: string): number {
  const sum = weightedSum(base, lgCodeWeights);
  return (11 - (sum % 11)) % 10;
}

/** True when `value` is 6 ASCII digits whose last one is the 地方公共団体コード check digit. */
export function isValidLgCode(value: string): boolean {
  return /^[0-9]{6}$/.test(value) && lgCodeCheckDigit(value) === Number(value[5]);
}

/** 住民票コード check digit over 10 digits (weights 5 4 3 2 7 6 5 4 3 2; 11 − Σ mod 11, 0 if remainder ≤ 1). */
export function juminhyoCodeCheckDigit(base: string): number {
  const sum = weightedSum(base, juminhyoCodeWeights);
  const remainder = sum % 11;
  return remainder <= 1 ? 0 : 11 - remainder;
}

/** True when `value` is 11 ASCII digits whose last one is the 住民票コード check digit (告示436号, [S]). */
export function isValidJuminhyoCode(value: string): boolean {
  return /^[0-9]{11}$/.test(value) && juminhyoCodeCheckDigit(value) === Number(value[10]);
}

/**
 * Why a string is not acceptable MJ text, or undefined when it is: the first character outside the MJ
 * repertoire (hub/characters.ts), with its position and code point. Never returns the character itself.
 */
export function mjTextProblem(value: string): CharacterProblem | undefined {
  return characterProblem(value, 'mj');
}

/** Length in Unicode code points (an IVS selector and a PUA character count as one each). */
export function codePointLength(value: string): number {
  let length = 0;
  for (
    let index = 0;
    index < value.length;
    index += (value.codePointAt(index) ?? 0) > 0xffff ? 2 : 1
  ) {
    length += 1;
  }
  return length;
}

/** How the 住民票コード check digit is enforced: a warning (default) or a hard error. */
export type JuminhyoCodeCheckMode = 'warn' | 'reject';

type Check = (schema: unknown, data: string) => Record<string, unknown> | undefined;

/** A string keyword whose failure carries params (limits, positions) but never the value. */
function stringKeyword(
  keyword: string,
  schemaType: 'boolean' | 'number',
  check: Check,
): KeywordDefinition {
  const validate: SchemaValidateFunction = (schema: unknown, data: unknown) => {
    if (typeof data !== 'string') return true;
    const params = check(schema, data);
    validate.errors = params === undefined ? [] : [{ keyword, params }];
    return params === undefined;
  };
  return { keyword, type: 'string', schemaType, errors: true, validate };
}

/**
 * `flexibleDate: true` on the FlexibleDate object: the value (full or partial) and the recorded era
 * must agree: the era must cover at least one day the value can stand for (平成31年5月1日 and
 * 令和元年4月30日 never existed; 1912-07-30 is both 明治45年 and 大正元年). Reported at /value or /era.
 */
const flexibleDateKeyword: KeywordDefinition = (() => {
  const validate: SchemaValidateFunction = (schema: unknown, data: unknown, _parent, context) => {
    if (schema !== true || data === null || typeof data !== 'object' || Array.isArray(data)) {
      return true;
    }
    const { value, era } = data as { value?: unknown; era?: unknown };
    if (typeof value !== 'string') return true;
    const found = flexibleDateProblem(value, typeof era === 'string' ? era : undefined);
    if (found === undefined) {
      validate.errors = [];
      return true;
    }
    const base = context?.instancePath ?? '';
    validate.errors = [
      {
        keyword: 'flexibleDate',
        instancePath: `${base}/${found.on}`,
        params: { on: found.on, ja: found.problem.ja, en: found.problem.en },
      },
    ];
    return false;
  };
  return { keyword: 'flexibleDate', type: 'object', schemaType: 'boolean', errors: true, validate };
})();

/** Registers the catalogue's metadata and validation keywords on an ajv instance. */
export function addCatalogueKeywords(ajv: Ajv2020): void {
  for (const [keyword, schemaType] of Object.entries(metadataKeywords)) {
    ajv.addKeyword({ keyword, schemaType });
  }

  const flag =
    (test: (value: string) => boolean): Check =>
    (enabled, data) =>
      enabled !== true || test(data) ? undefined : {};
  ajv.addKeyword(stringKeyword('myNumberCheckDigit', 'boolean', flag(isValidMyNumber)));
  // The 符号 (affair 5) is checked like a 個人番号: its own check character, never its value in errors.
  ajv.addKeyword(stringKeyword('fugoCheckChar', 'boolean', flag(isValidFugo)));
  ajv.addKeyword(stringKeyword('lgCodeCheckDigit', 'boolean', flag(isValidLgCode)));
  ajv.addKeyword(stringKeyword('juminhyoCodeCheckDigit', 'boolean', flag(isValidJuminhyoCode)));
  ajv.addKeyword(
    stringKeyword('mjText', 'boolean', (enabled, data) => {
      const problem = enabled === true ? mjTextProblem(data) : undefined;
      return problem === undefined ? undefined : { ...problem };
    }),
  );
  ajv.addKeyword(
    stringKeyword('notBlank', 'boolean', (enabled, data) =>
      enabled === true && data !== '' && isBlank(data) ? {} : undefined,
    ),
  );
  ajv.addKeyword(flexibleDateKeyword);
  ajv.addKeyword(
    stringKeyword('maxCodePoints', 'number', (limit, data) =>
      typeof limit === 'number' && codePointLength(data) > limit ? { limit } : undefined,
    ),
  );
  ajv.addKeyword(
    stringKeyword('minCodePoints', 'number', (limit, data) =>
      typeof limit === 'number' && codePointLength(data) < limit ? { limit } : undefined,
    ),
  );
}

/**
 * Custom ajv keywords of the message catalogue: check digits (個人番号, 符号, 地方公共団体コード, 住民票コード),
 * MJ text rules and code-point lengths, plus the metadata keywords (`x-*`) that docs and the engine read.
 * Error texts for these keywords live in issues.ts, so no keyword ever formats the offending value.
 */
import type { Ajv2020, KeywordDefinition } from 'ajv/dist/2020.js';
import type { SchemaValidateFunction } from 'ajv/dist/types/index.js';
import { isValidFugo } from '../hub/security/fugo.js';
import { isValidMyNumber } from '../hub/security/my-number.js';

/** Root and property annotations that carry meaning for docs and the engine, not for validation. */
export const metadataKeywords = {
  'x-carries-my-number': 'boolean',
  'x-from': 'string',
  'x-to': 'array',
  'x-affair': 'number',
  'x-title-en': 'string',
  'x-ja': 'string',
} as const;

function digitsOf(value: string): number[] {
  return Array.from({ length: value.length }, (_, index) => value.charCodeAt(index) - 48);
}

/** 全国地方公共団体コード check digit over the first 5 digits (weights 6 5 4 3 2; (11 − Σ mod 11) mod 10). */
export function lgCodeCheckDigit(base: string): number {
  const weights = [6, 5, 4, 3, 2];
  const sum = digitsOf(base.slice(0, 5)).reduce(
    (total, digit, index) => total + digit * (weights[index] ?? 0),
    0,
  );
  return (11 - (sum % 11)) % 10;
}

/** True when `value` is 6 ASCII digits whose last one is the 地方公共団体コード check digit. */
export function isValidLgCode(value: string): boolean {
  return /^[0-9]{6}$/.test(value) && lgCodeCheckDigit(value) === Number(value[5]);
}

/** 住民票コード check digit over 10 digits (weights 5 4 3 2 7 6 5 4 3 2; 11 − Σ mod 11, 0 if remainder ≤ 1). */
export function juminhyoCodeCheckDigit(base: string): number {
  const weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const sum = digitsOf(base.slice(0, 10)).reduce(
    (total, digit, index) => total + digit * (weights[index] ?? 0),
    0,
  );
  const remainder = sum % 11;
  return remainder <= 1 ? 0 : 11 - remainder;
}

/** True when `value` is 11 ASCII digits whose last one is the 住民票コード check digit (告示436号, [S]). */
export function isValidJuminhyoCode(value: string): boolean {
  return /^[0-9]{11}$/.test(value) && juminhyoCodeCheckDigit(value) === Number(value[10]);
}

/** Why a string is not acceptable MJ text, or undefined when it is. Never returns the character itself. */
export function mjTextProblem(
  value: string,
): { kind: 'replacement' | 'control' | 'surrogate'; position: number } | undefined {
  let position = 0;
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code === 0xfffd) return { kind: 'replacement', position };
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return { kind: 'control', position };
    if (code >= 0xd800 && code <= 0xdfff) return { kind: 'surrogate', position };
    position += 1;
  }
  return undefined;
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
    stringKeyword('mjText', 'boolean', (enabled, data) =>
      enabled === true ? mjTextProblem(data) : undefined,
    ),
  );
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

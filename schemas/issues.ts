/**
 * Turns ajv errors into bilingual SchemaIssues. An issue names where (JSON pointer), which rule and its
 * limits, never the offending value: validation results may be logged and must hold no personal data.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { SchemaIssue } from '../hub/errors.js';
import { describeCharacterProblem } from '../hub/characters.js';

type Params = Record<string, unknown>;

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function allowedList(values: unknown): string {
  if (!Array.isArray(values)) return '';
  const shown = values.slice(0, 8).map(text).join(', ');
  return values.length > 8 ? `${shown}, … (${values.length})` : shown;
}

/** JSON pointer escape for one property name. */
function pointerToken(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}

function describe(error: ErrorObject): { ja: string; en: string } {
  const params: Params = error.params as Params;
  switch (error.keyword) {
    case 'required':
      return { ja: '必須項目がありません', en: 'required property is missing' };
    case 'additionalProperties':
      return { ja: '定義されていない項目です', en: 'property is not allowed by the schema' };
    case 'false schema':
      return {
        ja: 'この条件ではこの項目を指定できません',
        en: 'property is not allowed in this case',
      };
    case 'type':
      return {
        ja: `型が不正です（${text(params['type'])} であること）`,
        en: `must be of type ${text(params['type'])}`,
      };
    case 'pattern':
      return {
        ja: `形式が不正です（パターン ${text(params['pattern'])}）`,
        en: `must match pattern ${text(params['pattern'])}`,
      };
    case 'format':
      return {
        ja: `書式が不正です（${text(params['format'])}）`,
        en: `must be a valid ${text(params['format'])}`,
      };
    case 'enum':
      return {
        ja: `許可された値ではありません（${allowedList(params['allowedValues'])}）`,
        en: `must be one of the allowed values (${allowedList(params['allowedValues'])})`,
      };
    case 'const':
      return {
        ja: `この条件では ${text(params['allowedValue'])} であること`,
        en: `must be ${text(params['allowedValue'])} in this case`,
      };
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return {
        ja: `値の範囲外です（${text(params['comparison'])} ${text(params['limit'])}）`,
        en: `must be ${text(params['comparison'])} ${text(params['limit'])}`,
      };
    case 'minLength':
      return {
        ja: `${text(params['limit'])} 文字以上であること`,
        en: `must have at least ${text(params['limit'])} characters`,
      };
    case 'maxLength':
      return {
        ja: `${text(params['limit'])} 文字以下であること`,
        en: `must have at most ${text(params['limit'])} characters`,
      };
    case 'minCodePoints':
      return {
        ja: `${text(params['limit'])} 文字（コードポイント）以上であること`,
        en: `must have at least ${text(params['limit'])} code points`,
      };
    case 'maxCodePoints':
      return {
        ja: `${text(params['limit'])} 文字（コードポイント）以下であること`,
        en: `must have at most ${text(params['limit'])} code points`,
      };
    case 'minItems':
      return {
        ja: `${text(params['limit'])} 件以上であること`,
        en: `must have at least ${text(params['limit'])} items`,
      };
    case 'maxItems':
      return {
        ja: `${text(params['limit'])} 件以下であること`,
        en: `must have at most ${text(params['limit'])} items`,
      };
    case 'uniqueItems':
      return { ja: '要素が重複しています', en: 'items must be unique' };
    case 'minProperties':
    case 'maxProperties':
      return {
        ja: `項目数が不正です（${error.keyword === 'minProperties' ? '最小' : '最大'} ${text(params['limit'])}）`,
        en: `must have ${error.keyword === 'minProperties' ? 'at least' : 'at most'} ${text(params['limit'])} properties`,
      };
    case 'myNumberCheckDigit':
      return {
        ja: '個人番号の検査数字が一致しません',
        en: 'My Number check digit does not match',
      };
    case 'fugoCheckChar':
      return {
        ja: '情報提供用個人識別符号の検査文字が一致しません',
        en: 'check character of the information-provision token (符号) does not match',
      };
    case 'lgCodeCheckDigit':
      return {
        ja: '地方公共団体コードの検査数字が一致しません',
        en: 'local government code check digit does not match',
      };
    case 'juminhyoCodeCheckDigit':
      return {
        ja: '住民票コードの検査数字が一致しません',
        en: 'juminhyo code check digit does not match',
      };
    case 'mjText':
      return describeCharacterProblem({
        kind: text(params['kind']),
        position: Number(params['position']),
        ...(typeof params['codePoint'] === 'string' ? { codePoint: params['codePoint'] } : {}),
      });
    case 'notBlank':
      return { ja: '空白だけの値は使用できません', en: 'must not be only spaces' };
    case 'flexibleDate':
      return { ja: text(params['ja']), en: text(params['en']) };
    case 'dateRule':
      return { ja: text(params['ja']), en: text(params['en']) };
    case 'oneOf':
    case 'anyOf':
      return {
        ja: 'いずれの選択肢にも適合しません',
        en: 'does not match any of the alternatives',
      };
    case 'not':
      return { ja: '禁止された形式です', en: 'must not match the forbidden form' };
    case 'dependentRequired':
      return {
        ja: `${text(params['property'])} がある場合は ${text(params['missingProperty'])} が必要です`,
        en: `${text(params['missingProperty'])} is required when ${text(params['property'])} is present`,
      };
    default:
      return {
        ja: `規則 ${error.keyword} に違反しています`,
        en: `violates rule ${error.keyword}`,
      };
  }
}

/** The JSON pointer an issue is about: for required/additionalProperties, the property itself. */
function issuePath(error: ErrorObject): string {
  const params: Params = error.params as Params;
  if (error.keyword === 'required' || error.keyword === 'dependentRequired') {
    return `${error.instancePath}/${pointerToken(text(params['missingProperty']))}`;
  }
  if (error.keyword === 'additionalProperties') {
    return `${error.instancePath}/${pointerToken(text(params['additionalProperty']))}`;
  }
  return error.instancePath;
}

/** Keywords whose failure only summarises errors already reported by their subschemas. */
const summaryKeywords = new Set(['if', 'allOf', '$ref']);

/** Converts ajv errors into de-duplicated bilingual issues (no values, only paths, rules and limits). */
export function toIssues(errors: readonly ErrorObject[] | null | undefined): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors ?? []) {
    if (summaryKeywords.has(error.keyword)) continue;
    const path = issuePath(error);
    const { ja, en } = describe(error);
    const key = `${path}\u0000${error.keyword}\u0000${en}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path, keyword: error.keyword, ja, en });
  }
  return issues;
}

/**
 * The one masking helper. Everything that leaves the hub for a human (logs, error messages, metrics
 * labels, CLI output, traces) goes through `maskValue` or `maskText`. Two independent nets:
 * personal fields are masked by their key name, and every string is scanned for valid My Numbers
 * (ASCII or full-width digits, with separators, inside free text).
 */
import { containsMyNumber, findMyNumbers, maskMyNumbers, splitMyNumberParts } from './my-number.js';

/** The kinds of personal data a field name can reveal, with the fixed text that replaces it. */
export const masks = {
  myNumber: '[個人番号]',
  name: '[氏名]',
  address: '[住所]',
  birthDate: '[生年月日]',
  document: '[文書]',
  binary: '[バイナリ]',
} as const;

/** One kind of masked personal data. */
export type MaskKind = keyof typeof masks;

const nameKeys = new Set([
  'name',
  'nameKana',
  'kanaName',
  'romanName',
  'alias',
  'tsushoName',
  'formerSurname',
  'surname',
  'givenName',
  'fullName',
  'householderName',
  'hittosha',
  'hittoshaName',
  'recipientName',
  'previousName',
  'newName',
]);

const addressKeys = new Set([
  'address',
  'katagaki',
  'choaza',
  'banchiGo',
  'foreignAddress',
  'addressLine',
  'addressKana',
  'honseki',
]);

/** Keys ending in Address that name network endpoints, not residences. */
const technicalAddressKeys = new Set(['ipAddress', 'remoteAddress', 'localAddress', 'macAddress']);

const birthDateKeys = new Set(['birthDate', 'dateOfBirth']);
const documentKeys = new Set(['pdf', 'document', 'certificatePdf']);

/** The kind of personal data a field of this name holds, or undefined when the name says nothing. */
export function maskKindOf(key: string): MaskKind | undefined {
  if (/mynumber/i.test(key)) return 'myNumber';
  if (nameKeys.has(key) || /^(?:name|.+Name)Kana$/.test(key)) return 'name';
  if (addressKeys.has(key)) return 'address';
  if (/.Address$/.test(key) && !technicalAddressKeys.has(key)) return 'address';
  if (birthDateKeys.has(key)) return 'birthDate';
  if (documentKeys.has(key)) return 'document';
  return undefined;
}

/** Masks every valid My Number in free text. */
export function maskText(text: string): string {
  return maskMyNumbers(text);
}

/** One place in a text where a value that must not be shown was found. */
export interface Leak {
  readonly kind: 'my-number';
  readonly index: number;
}

/** Scans a text (a log file, CLI output) for My Numbers; returns where, never what. */
export function scanForLeaks(text: string): Leak[] {
  return findMyNumbers(text).map((hit) => ({ kind: 'my-number', index: hit.index }));
}

const maxDepth = 32;

/**
 * An object key with every My Number in it masked. Two keys that mask alike (two numbers used as
 * keys) stay two entries: the later one gets a counter, so a masked view never loses a value.
 */
function maskedKey(key: string, out: Readonly<Record<string, unknown>>): string {
  const masked = maskText(key);
  if (masked === key) return key;
  let candidate = masked;
  for (let n = 2; Object.hasOwn(out, candidate); n += 1) candidate = `${masked}#${String(n)}`;
  return candidate;
}

function maskInner(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return maskText(value);
  if (typeof value === 'number' || typeof value === 'bigint') {
    return containsMyNumber(value) ? masks.myNumber : value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return masks.binary;
  if (value instanceof Date) return value;
  if (seen.has(value)) return '[循環参照]';
  if (depth >= maxDepth) return '[省略]';
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const split = new Set(splitMyNumberParts(value));
      return value.map((item, index) =>
        split.has(index) ? masks.myNumber : maskInner(item, seen, depth + 1),
      );
    }
    if (value instanceof Error) {
      const code: unknown = (value as { code?: unknown }).code;
      return {
        name: value.name,
        message: maskText(value.message),
        ...(typeof code === 'string' ? { code } : {}),
      };
    }
    if (value instanceof Map) {
      return maskInner(Object.fromEntries(value), seen, depth + 1);
    }
    const out: Record<string, unknown> = {};
    const entries = Object.entries(value);
    // A number split across sibling fields: each part is masked as a whole number would be.
    const split = new Set(splitMyNumberParts(entries.map(([, item]) => item as unknown)));
    for (const [index, [key, item]] of entries.entries()) {
      const kind = split.has(index) ? 'myNumber' : maskKindOf(key);
      out[maskedKey(key, out)] =
        kind === undefined || item === null || item === undefined
          ? maskInner(item, seen, depth + 1)
          : masks[kind];
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/**
 * Returns a masked copy of `value`: personal fields (by key name) become a fixed marker, and every
 * My Number anywhere in a string or number becomes `[個人番号]`. The input is not modified.
 */
export function maskValue(value: unknown): unknown {
  return maskInner(value, new WeakSet(), 0);
}

/**
 * The one masking helper. Everything that leaves the hub for a human (logs, error messages, metrics
 * labels, CLI output, traces) goes through `maskValue` or `maskText`. Two independent nets:
 * personal fields are masked by their key name, and every string is scanned for valid My Numbers
 * (ASCII or full-width digits, with separators, inside free text).
 */
import { findFugos, maskFugos } from './fugo.js';
import { containsMyNumber, findMyNumbers, maskMyNumbers, splitMyNumberParts } from './my-number.js';

/** The kinds of personal data a field name can reveal, with the fixed text that replaces it. */
export const masks = {
  myNumber: '[個人番号]',
  fugo: '[符号]',
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
  if (/fugo/i.test(key)) return 'fugo';
  if (nameKeys.has(key) || /^(?:name|.+Name)Kana$/.test(key)) return 'name';
  if (addressKeys.has(key)) return 'address';
  if (/.Address$/.test(key) && !technicalAddressKeys.has(key)) return 'address';
  if (birthDateKeys.has(key)) return 'birthDate';
  if (documentKeys.has(key)) return 'document';
  return undefined;
}

/** Masks every valid My Number in free text. */
export function maskText(text: string): string {
  return maskFugos(maskMyNumbers(text));
}

/** One place in a text where a value that must not be shown was found. */
export interface Leak {
  readonly kind: 'my-number' | 'fugo';
  readonly index: number;
}

/** Scans a text (a log file, CLI output) for My Numbers; returns where, never what. */
export function scanForLeaks(text: string): Leak[] {
  return [
    ...findMyNumbers(text).map((hit) => ({ kind: 'my-number' as const, index: hit.index })),
    ...findFugos(text).map((hit) => ({ kind: 'fugo' as const, index: hit.index })),
  ];
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

/** One field of a fixed-width layout as masking reads it: name, byte position, optional kind. */
export interface MaskableField {
  readonly name: string;
  readonly offset: number;
  readonly length: number;
  /** What the field holds, when its name does not say (maskKindOf decides otherwise). */
  readonly personal?: MaskKind;
}

/** A fixed-width layout as masking reads it (connectors/codec/fixed-width.ts layouts fit). */
export interface MaskableLayout {
  readonly recordLength: number;
  readonly fields: readonly MaskableField[];
}

const MASK_BYTE = 0x2a; // '*'

/** The byte ranges [start, end) of a layout's personal fields (個人番号, 氏名, 住所, 生年月日). */
function personalRanges(layout: MaskableLayout): (readonly [number, number])[] {
  return layout.fields
    .filter((field) => (field.personal ?? maskKindOf(field.name)) !== undefined)
    .map((field) => [field.offset, field.offset + field.length] as const);
}

/** CP932 byte width of one code point: ASCII and half-width katakana 1, everything else 2. */
function cp932Width(code: number): number {
  return code <= 0x7f || (code >= 0xff61 && code <= 0xff9f) ? 1 : 2;
}

/**
 * Masks a fixed-width record by position: every byte of a personal field (a 個人番号 above all) becomes
 * '*', whatever its neighbours are — a number glued between other digits (recordNo, 住民票コード)
 * is found by where the layout puts it, not by scanning. The record keeps its length and the other
 * fields. A string record is read as CP932-decoded text (ASCII and half-width kana one byte, others
 * two), and a character that overlaps a personal field is masked whole.
 */
export function maskFixedWidthRecord(layout: MaskableLayout, record: Buffer): Buffer;
export function maskFixedWidthRecord(layout: MaskableLayout, record: string): string;
export function maskFixedWidthRecord(
  layout: MaskableLayout,
  record: Buffer | string,
): Buffer | string {
  const ranges = personalRanges(layout);
  if (Buffer.isBuffer(record)) {
    const out = Buffer.from(record);
    for (const [start, end] of ranges) out.fill(MASK_BYTE, start, Math.min(end, out.length));
    return out;
  }
  let out = '';
  let at = 0;
  for (const char of record) {
    const width = cp932Width(char.codePointAt(0) ?? 0);
    const hit = ranges.some(([start, end]) => at < end && at + width > start);
    out += hit ? '*'.repeat(width) : char;
    at += width;
  }
  return out;
}

/**
 * Masks every record of a fixed-width file (records of `layout.recordLength` bytes, each followed by
 * CRLF, LF or nothing — detected per record) by position; a short tail is masked as far as it goes.
 */
export function maskFixedWidthRecords(layout: MaskableLayout, bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  const ranges = personalRanges(layout);
  let offset = 0;
  while (offset < out.length) {
    for (const [start, end] of ranges) {
      out.fill(MASK_BYTE, Math.min(offset + start, out.length), Math.min(offset + end, out.length));
    }
    offset += layout.recordLength;
    if (out[offset] === 0x0d && out[offset + 1] === 0x0a) offset += 2;
    else if (out[offset] === 0x0a) offset += 1;
  }
  return out;
}

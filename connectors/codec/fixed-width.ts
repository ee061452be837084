/**
 * Fixed-width records in CP932 from a declarative layout. The layout is checked when it is defined
 * (no overlaps, no gaps, lengths add up, 全角 fields even). Encoding fails loudly: a character
 * CP932 cannot hold, a value too long for its field or bytes that are not CP932 raise a CodecError
 * naming the field and the position, never the value. iconv-lite turns what it cannot encode into
 * '?', so every field is checked by round trip.
 *
 * `encode` writes each field straight into the one record buffer when the value is the plain case
 * (digits, text whose every character has its own CP932 code of the field's width, kana that maps
 * character by character); anything else, including every error, goes through the checked encoder
 * of that field, so the bytes and the errors are the same either way.
 */
import { CodecError, formatCodePoint, type CodecLocation } from './errors.js';
import { cp932CodeOf, decodeCp932, encodeCp932, writeCp932, type GaijiMapping } from './cp932.js';
import { halfWidthKanaOf, toFullWidthKana, toHalfWidthKana } from './kana.js';
import {
  eraCode,
  formatDateValue,
  parseDateValue,
  warekiFromParts,
  warekiRangeProblem,
  isoToWareki,
  type WarekiDate,
  type WarekiInput,
} from './wareki.js';

/** How a field's bytes are written. */
export type FieldType = 'numeric' | 'text' | 'zenkaku' | 'kana-half' | 'wareki' | 'date';

/** One field of a layout: byte offset and byte length inside the record. */
export interface FieldSpec {
  readonly name: string;
  readonly offset: number;
  readonly length: number;
  readonly type: FieldType;
  /** For 'kana-half': decode to full-width katakana (default, the canonical form) or keep half-width. */
  readonly kana?: 'full' | 'half';
  /**
   * What personal data the field holds when its name does not say (hub/security/mask.ts masks a
   * record by position: `maskFixedWidthRecord(layout, bytes)`).
   */
  readonly personal?: 'myNumber' | 'name' | 'address' | 'birthDate';
}

/** The 外字 hook a layout may carry (see cp932.ts). */
export type { GaijiMapping } from './cp932.js';

/** A record layout as declared. */
export interface LayoutSpec<F extends readonly FieldSpec[]> {
  readonly name: string;
  readonly recordLength: number;
  readonly encoding: 'cp932';
  readonly fields: F;
  readonly gaiji?: GaijiMapping;
}

type DecodedValue<T extends FieldType> = T extends 'wareki'
  ? WarekiDate | null
  : T extends 'date'
    ? string | null
    : string;

/** A canonical FlexibleDate as a 和暦 field accepts it: the recorded era goes back out with it. */
export interface FlexibleDateInput {
  readonly value?: string;
  readonly era?: string;
  readonly isUnknown?: boolean;
}

type InputValue<T extends FieldType> = T extends 'wareki'
  ? WarekiInput | FlexibleDateInput | string | null
  : T extends 'date'
    ? string | null
    : T extends 'numeric'
      ? string | number
      : string;

/** The decoded record of a layout: field name → value. */
export type RecordOf<F extends readonly FieldSpec[]> = {
  [K in F[number] as K['name']]: DecodedValue<K['type']>;
};

/** What `encode` accepts for a layout. */
export type InputOf<F extends readonly FieldSpec[]> = {
  [K in F[number] as K['name']]: InputValue<K['type']>;
};

/** A checked layout with its encoder and decoder. */
export interface FixedWidthLayout<F extends readonly FieldSpec[]> {
  readonly name: string;
  readonly recordLength: number;
  readonly fields: F;
  /** Encodes one record to exactly `recordLength` bytes. */
  encode(record: InputOf<F>): Buffer;
  /** Decodes exactly `recordLength` bytes. */
  decode(bytes: Buffer): RecordOf<F>;
}

function layoutError(layout: string, en: string, ja: string, field?: string): CodecError {
  return new CodecError({ en, ja }, { layout, ...(field === undefined ? {} : { field }) });
}

function checkLayout(spec: LayoutSpec<readonly FieldSpec[]>): void {
  const { name } = spec;
  if ((spec.encoding as string) !== 'cp932')
    throw layoutError(name, 'encoding must be cp932', '文字コードは cp932 のみです');
  if (!Number.isInteger(spec.recordLength) || spec.recordLength <= 0) {
    throw layoutError(name, 'recordLength must be a positive integer', 'レコード長は正の整数です');
  }
  const names = new Set<string>();
  for (const field of spec.fields) {
    if (names.has(field.name)) {
      throw layoutError(name, 'field name is declared twice', '項目名が重複しています', field.name);
    }
    names.add(field.name);
    if (!Number.isInteger(field.offset) || field.offset < 0) {
      throw layoutError(
        name,
        'offset must be a whole number ≥ 0',
        '開始位置が不正です',
        field.name,
      );
    }
    if (!Number.isInteger(field.length) || field.length <= 0) {
      throw layoutError(name, 'length must be a whole number ≥ 1', '長さが不正です', field.name);
    }
    if (field.type === 'zenkaku' && field.length % 2 !== 0) {
      throw layoutError(
        name,
        `a zenkaku field is counted in bytes and must be even (got ${field.length})`,
        `全角項目のバイト長は偶数です（${field.length}）`,
        field.name,
      );
    }
    if (field.type === 'wareki' && field.length !== 7) {
      throw layoutError(
        name,
        'a wareki field (GYYMMDD) is 7 bytes',
        '和暦項目 (GYYMMDD) は 7 バイトです',
        field.name,
      );
    }
    if (field.type === 'date' && field.length !== 8) {
      throw layoutError(
        name,
        'a date field (YYYYMMDD) is 8 bytes',
        '日付項目 (YYYYMMDD) は 8 バイトです',
        field.name,
      );
    }
  }
  const sorted = [...spec.fields].sort((a, b) => a.offset - b.offset);
  let position = 0;
  for (const field of sorted) {
    if (field.offset < position) {
      throw layoutError(
        name,
        `overlaps the previous field (offset ${field.offset} < ${position})`,
        `前の項目と重なっています（開始位置 ${field.offset}）`,
        field.name,
      );
    }
    if (field.offset > position) {
      throw layoutError(
        name,
        `gap of ${field.offset - position} bytes before this field (offset ${position}); declare a filler field`,
        `この項目の前に ${field.offset - position} バイトの隙間があります`,
        field.name,
      );
    }
    position = field.offset + field.length;
  }
  if (position !== spec.recordLength) {
    throw layoutError(
      name,
      `field lengths add up to ${position}, not recordLength ${spec.recordLength}`,
      `項目長の合計 ${position} がレコード長 ${spec.recordLength} と一致しません`,
    );
  }
}

function fieldError(
  field: FieldSpec,
  en: string,
  ja: string,
  location: CodecLocation = {},
): CodecError {
  return new CodecError({ en, ja }, { field: field.name, ...location });
}

function overflow(field: FieldSpec, length: number): CodecError {
  return fieldError(
    field,
    `value is too long: ${length} bytes for a field of ${field.length} bytes`,
    `値が長すぎます（${length} バイト、上限 ${field.length} バイト）`,
  );
}

function pad(field: FieldSpec, bytes: Buffer, padding: Buffer): Buffer {
  if (bytes.length > field.length) throw overflow(field, bytes.length);
  const out = Buffer.alloc(field.length);
  bytes.copy(out);
  for (let at = bytes.length; at < field.length; at += padding.length) padding.copy(out, at);
  return out;
}

const asciiSpace = Buffer.from(' ');
const ideographicSpace = Buffer.from([0x81, 0x40]);

function requireString(field: FieldSpec, value: unknown): string {
  const text = requireAnyString(field, value);
  let index = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) {
      throw fieldError(field, 'control character in a fixed-width field', '制御文字があります', {
        codePointIndex: index,
        codePoint: formatCodePoint(code),
      });
    }
    index += 1;
  }
  return text;
}

function requireAnyString(field: FieldSpec, value: unknown): string {
  if (typeof value !== 'string') {
    throw fieldError(
      field,
      `expected a string, got ${value === null ? 'null' : typeof value}`,
      '文字列が必要です',
    );
  }
  return value;
}

function encodeNumeric(field: FieldSpec, value: unknown): Buffer {
  let digits: string;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw fieldError(
        field,
        'a numeric field holds a whole number ≥ 0',
        '数字項目は 0 以上の整数です',
      );
    }
    digits = String(value);
  } else {
    digits = requireString(field, value);
    const bad = digits.search(/[^0-9]/);
    if (bad >= 0 || digits === '') {
      throw fieldError(
        field,
        'a numeric field holds ASCII digits only',
        '数字項目は半角数字のみです',
        {
          codePointIndex: Math.max(bad, 0),
        },
      );
    }
  }
  if (digits.length > field.length) throw overflow(field, digits.length);
  return Buffer.from(digits.padStart(field.length, '0'), 'ascii');
}

function asciiOf(field: FieldSpec, bytes: Buffer): string {
  for (const [offset, byte] of bytes.entries()) {
    if (byte < 0x20 || byte > 0x7e) {
      throw fieldError(field, 'expected ASCII', 'ASCII 文字が必要です', { byteOffset: offset });
    }
  }
  return bytes.toString('ascii');
}

function digitsOf(field: FieldSpec, bytes: Buffer): string {
  const text = asciiOf(field, bytes);
  const bad = text.search(/[^0-9]/);
  if (bad >= 0) {
    throw fieldError(field, 'expected ASCII digits', '半角数字が必要です', { byteOffset: bad });
  }
  return text;
}

function isUnknownDate(bytes: Buffer): boolean {
  return bytes.every((byte) => byte === 0x30) || bytes.every((byte) => byte === 0x20);
}

function warekiFromString(field: FieldSpec, value: string, era?: string): WarekiInput {
  try {
    return isoToWareki(value, era);
  } catch (error) {
    const outside = error instanceof RangeError && /era|before/.test(error.message);
    throw outside && era !== undefined && era !== ''
      ? fieldError(
          field,
          'date does not exist in the recorded era',
          '記録された元号の期間外の日付です',
        )
      : fieldError(
          field,
          'expected a YYYY-MM-DD (or YYYY-MM, YYYY) date on or after 明治',
          '明治以降の YYYY-MM-DD（日不詳は YYYY-MM、月日不詳は YYYY）が必要です',
        );
  }
}

/**
 * GYYMMDD from a 和暦 date, an ISO (partial) date, or a FlexibleDate whose era is honoured (a boundary
 * day such as 1912-07-30 goes out as 明治45 or 大正元 as recorded). Unknown parts become 00; null, and
 * a FlexibleDate that is wholly unknown, become 0000000.
 */
function encodeWareki(field: FieldSpec, value: unknown): Buffer {
  if (value === null || value === undefined) return Buffer.from('0000000', 'ascii');
  let parts: WarekiInput;
  if (typeof value === 'string') {
    parts = warekiFromString(field, value);
  } else if (typeof value === 'object' && 'year' in value && 'era' in value) {
    parts = value as WarekiInput;
  } else if (typeof value === 'object' && ('value' in value || 'isUnknown' in value)) {
    const flexible = value as FlexibleDateInput;
    if (flexible.value === undefined) return Buffer.from('0000000', 'ascii');
    parts = warekiFromString(field, flexible.value, flexible.era);
  } else {
    throw fieldError(
      field,
      'expected a 和暦 date, a YYYY-MM-DD string or null',
      '和暦日付が必要です',
    );
  }
  let code: number;
  try {
    code = eraCode(parts.era);
  } catch {
    throw fieldError(field, 'unknown era', '不明な元号です');
  }
  const problem = warekiRangeProblem({
    code,
    year: parts.year,
    month: parts.month,
    day: parts.day,
  });
  if (problem !== undefined) throw fieldError(field, problem.en, problem.ja);
  const month = parts.month ?? 0;
  const day = month === 0 ? 0 : (parts.day ?? 0);
  const text = `${code}${[parts.year, month, day].map((n) => String(n).padStart(2, '0')).join('')}`;
  return Buffer.from(text, 'ascii');
}

/** GYYMMDD → 和暦 date: all zeros or spaces is null (年月日不詳); MM/DD 00 are 月/日不詳. */
function decodeWareki(field: FieldSpec, bytes: Buffer): WarekiDate | null {
  if (isUnknownDate(bytes)) return null;
  const text = digitsOf(field, bytes);
  const code = Number(text.slice(0, 1));
  const year = Number(text.slice(1, 3));
  const month = Number(text.slice(3, 5));
  const day = Number(text.slice(5, 7));
  const problem = warekiRangeProblem({ code, year, month, day });
  if (problem !== undefined) throw fieldError(field, problem.en, problem.ja);
  return warekiFromParts(code, year, month, day);
}

function dateProblem(field: FieldSpec, text: string): CodecError | undefined {
  const month = Number(text.slice(4, 6));
  const day = Number(text.slice(6, 8));
  if (month > 12)
    return fieldError(
      field,
      'month must be 1 to 12 (00 when unknown)',
      '月は 1〜12（不詳は 00）です',
    );
  if (day > 31)
    return fieldError(
      field,
      'day must be 1 to 31 (00 when unknown)',
      '日は 1〜31（不詳は 00）です',
    );
  if (month === 0 && day !== 0) {
    return fieldError(
      field,
      'the day must be unknown (00) when the month is unknown',
      '月が不詳なら日も不詳（00）です',
    );
  }
  return undefined;
}

/** YYYYMMDD from YYYY-MM-DD, YYYY-MM (日不詳 → DD 00), YYYY (月日不詳 → MMDD 0000) or null. */
function encodeDate(field: FieldSpec, value: unknown): Buffer {
  if (value === null || value === undefined) return Buffer.from('00000000', 'ascii');
  const text = requireString(field, value);
  const match = /^([0-9]{4})(?:-?([0-9]{2})(?:-?([0-9]{2}))?)?$/.exec(text);
  if (match === null) {
    throw fieldError(
      field,
      'expected YYYY-MM-DD or YYYYMMDD (YYYY-MM, YYYY when parts are unknown)',
      'YYYY-MM-DD 形式が必要です（日不詳は YYYY-MM、月日不詳は YYYY）',
    );
  }
  const compact = `${match[1] ?? ''}${match[2] ?? '00'}${match[3] ?? '00'}`;
  const problem = dateProblem(field, compact);
  if (problem !== undefined) throw problem;
  return Buffer.from(compact, 'ascii');
}

/** YYYYMMDD → YYYY-MM-DD; MM/DD 00 give YYYY-MM (日不詳) or YYYY (月日不詳); zeros or spaces null. */
function decodeDate(field: FieldSpec, bytes: Buffer): string | null {
  if (isUnknownDate(bytes)) return null;
  const text = digitsOf(field, bytes);
  const problem = dateProblem(field, text);
  if (problem !== undefined) throw problem;
  const parts = parseDateValue(text);
  if (parts === undefined) throw fieldError(field, 'expected a date', '日付が必要です');
  return formatDateValue(parts);
}

function trimEnd(text: string, padding: RegExp): string {
  return text.replace(padding, '');
}

function encodeField(field: FieldSpec, value: unknown, gaiji: GaijiMapping | undefined): Buffer {
  switch (field.type) {
    case 'numeric':
      return encodeNumeric(field, value);
    case 'text':
      return pad(
        field,
        encodeCp932(field.name, requireString(field, value), 'single', gaiji),
        asciiSpace,
      );
    case 'zenkaku':
      return pad(
        field,
        encodeCp932(field.name, requireString(field, value), 'double', gaiji),
        ideographicSpace,
      );
    case 'kana-half': {
      const half = toHalfWidthKana(requireString(field, value), {
        other: 'error',
        field: field.name,
      });
      return pad(field, encodeCp932(field.name, half, 'single'), asciiSpace);
    }
    case 'wareki':
      return encodeWareki(field, value);
    case 'date':
      return encodeDate(field, value);
  }
}

/** Writes one field's value into the record at the field's offset. */
type FieldWriter = (value: unknown, out: Buffer) => void;

/**
 * The field's writer: the fast path for the plain case, else the checked encoder (which throws the
 * same errors as ever, or returns the field's bytes). The fast paths bail out on anything unusual
 * rather than judge it, so they never decide an error themselves.
 */
function fieldWriter(field: FieldSpec, gaiji: GaijiMapping | undefined): FieldWriter {
  const start = field.offset;
  const end = field.offset + field.length;
  const checked = (value: unknown, out: Buffer): void => {
    // A fast path may have written part of the field before it bailed out.
    out.fill(0, start, end);
    encodeField(field, value, gaiji).copy(out, start);
  };
  switch (field.type) {
    case 'numeric':
      return (value, out) => {
        const digits =
          typeof value === 'string'
            ? value
            : typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
              ? String(value)
              : undefined;
        if (digits !== undefined && digits.length > 0 && digits.length <= field.length) {
          const from = end - digits.length;
          let index = 0;
          for (; index < digits.length; index += 1) {
            const unit = digits.charCodeAt(index);
            if (unit < 0x30 || unit > 0x39) break;
            out[from + index] = unit;
          }
          if (index === digits.length) {
            out.fill(0x30, start, from);
            return;
          }
        }
        checked(value, out);
      };
    case 'text':
      return (value, out) => {
        if (typeof value === 'string') {
          const at = writeCp932(value, 'single', out, start, end, true);
          if (at >= 0) {
            out.fill(0x20, at, end);
            return;
          }
        }
        checked(value, out);
      };
    case 'zenkaku':
      return (value, out) => {
        if (typeof value === 'string') {
          let at = writeCp932(value, 'double', out, start, end, true);
          if (at >= 0) {
            for (; at < end; at += 2) {
              out[at] = 0x81;
              out[at + 1] = 0x40;
            }
            return;
          }
        }
        checked(value, out);
      };
    case 'kana-half':
      return (value, out) => {
        if (typeof value === 'string') {
          const at = writeHalfWidthKana(value, out, start, end);
          if (at >= 0) {
            out.fill(0x20, at, end);
            return;
          }
        }
        checked(value, out);
      };
    case 'wareki':
    case 'date':
      return checked;
  }
}

/**
 * Writes text as half-width katakana bytes (full-width katakana converted as toHalfWidthKana does,
 * U+3000 as a space) and returns where it stopped; -1 for anything else or when it does not fit.
 */
function writeHalfWidthKana(value: string, out: Buffer, start: number, end: number): number {
  let at = start;
  for (let index = 0; index < value.length; index += 1) {
    const unit = value.charCodeAt(index);
    if (unit >= 0xff61 && unit <= 0xff9f) {
      if (at >= end) return -1;
      out[at] = unit - 0xff61 + 0xa1;
      at += 1;
    } else if (unit === 0x20 || unit === 0x3000) {
      if (at >= end) return -1;
      out[at] = 0x20;
      at += 1;
    } else {
      const half = halfWidthKanaOf(unit);
      if (half === undefined) return -1;
      for (let part = 0; part < half.length; part += 1) {
        const code = cp932CodeOf(half.charCodeAt(part));
        if (code < 0 || code > 0xff || at >= end) return -1;
        out[at] = code;
        at += 1;
      }
    }
  }
  return at;
}

function decodeField(field: FieldSpec, bytes: Buffer, gaiji: GaijiMapping | undefined): unknown {
  switch (field.type) {
    case 'numeric':
      return digitsOf(field, bytes);
    case 'text':
      return trimEnd(decodeCp932(field.name, bytes, gaiji), / +$/u);
    case 'zenkaku':
      return trimEnd(decodeCp932(field.name, bytes, gaiji), /[\u3000 ]+$/u);
    case 'kana-half': {
      const half = trimEnd(decodeCp932(field.name, bytes), / +$/u);
      return field.kana === 'half' ? half : toFullWidthKana(half);
    }
    case 'wareki':
      return decodeWareki(field, bytes);
    case 'date':
      return decodeDate(field, bytes);
  }
}

/** Checks a layout and returns its codec. Throws CodecError naming the layout and field if it is wrong. */
export function defineLayout<const F extends readonly FieldSpec[]>(
  spec: LayoutSpec<F>,
): FixedWidthLayout<F> {
  checkLayout(spec);
  const { name, recordLength, fields, gaiji } = spec;
  const known = new Set(fields.map((field) => field.name));
  const writers = fields.map((field) => ({ field, write: fieldWriter(field, gaiji) }));
  const withLayout = (error: unknown): unknown =>
    error instanceof CodecError ? error.within({ layout: name }) : error;
  return {
    name,
    recordLength,
    fields,
    encode(record: InputOf<F>): Buffer {
      const values = record as Readonly<Record<string, unknown>>;
      // Not zero-filled: the fields cover the record without gaps (checkLayout) and every writer
      // writes all of its field's bytes, so nothing of the pool's earlier contents survives.
      const out = Buffer.allocUnsafe(recordLength);
      try {
        for (const key of Object.keys(values)) {
          if (!known.has(key)) {
            throw new CodecError({ en: 'unknown field', ja: '様式にない項目です' }, { field: key });
          }
        }
        for (const { field, write } of writers) {
          if (!(field.name in values)) {
            throw fieldError(field, 'missing field', '項目がありません');
          }
          write(values[field.name], out);
        }
      } catch (error) {
        throw withLayout(error);
      }
      return out;
    },
    decode(bytes: Buffer): RecordOf<F> {
      if (bytes.length !== recordLength) {
        throw new CodecError(
          {
            en: `record is ${bytes.length} bytes, layout needs ${recordLength}`,
            ja: `レコード長 ${bytes.length} バイトが様式の ${recordLength} バイトと一致しません`,
          },
          { layout: name },
        );
      }
      const out: Record<string, unknown> = {};
      try {
        for (const field of fields) {
          const slice = bytes.subarray(field.offset, field.offset + field.length);
          out[field.name] = decodeField(field, slice, gaiji);
        }
      } catch (error) {
        throw withLayout(error);
      }
      return out as RecordOf<F>;
    },
  };
}

/** How records are separated in a file: nothing, CRLF, LF, or detected from the first record. */
export type RecordSeparator = 'none' | 'crlf' | 'lf' | 'auto';

/** One record cut from a file: its 0-based number, byte offset in the file and bytes. */
export interface RawRecord {
  readonly index: number;
  readonly offset: number;
  readonly bytes: Buffer;
}

const separators = {
  none: Buffer.alloc(0),
  crlf: Buffer.from('\r\n'),
  lf: Buffer.from('\n'),
} as const;

function detectSeparator(after: Buffer): Buffer {
  if (after[0] === 0x0d && after[1] === 0x0a) return separators.crlf;
  if (after[0] === 0x0a) return separators.lf;
  return separators.none;
}

/**
 * Cuts a byte stream (a file's ReadStream, any async iterable of chunks) into fixed-length records.
 * A trailing separator and a final DOS EOF byte (0x1A) are accepted; a short last record or a
 * missing separator is a CodecError with the record number and byte offset.
 */
export async function* splitRecords(
  source: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array>,
  options: {
    readonly recordLength: number;
    readonly separator?: RecordSeparator;
    readonly layout?: string;
  },
): AsyncGenerator<RawRecord> {
  const { recordLength } = options;
  const mode = options.separator ?? 'auto';
  let separator: Buffer | undefined = mode === 'auto' ? undefined : separators[mode];
  let pending = Buffer.alloc(0);
  let fileOffset = 0;
  let index = 0;
  const where = (offset: number): CodecLocation => ({
    ...(options.layout === undefined ? {} : { layout: options.layout }),
    record: index,
    byteOffset: offset,
  });

  function* drain(final: boolean): Generator<RawRecord> {
    for (;;) {
      if (pending.length < recordLength) break;
      if (separator === undefined) {
        const after = pending.subarray(recordLength, recordLength + 2);
        if (after.length < 2 && !final) break;
        separator = detectSeparator(after);
      }
      const after = pending.subarray(recordLength, recordLength + separator.length);
      if (after.length < separator.length && !final) break;
      let consumed = recordLength;
      if (after.length === separator.length) {
        if (!after.equals(separator)) {
          throw new CodecError(
            { en: 'record separator expected here', ja: 'レコード区切りがありません' },
            where(fileOffset + recordLength),
          );
        }
        consumed += separator.length;
      } else if (after.length > 0 && !(after.length === 1 && after[0] === 0x1a)) {
        throw new CodecError(
          {
            en: 'file ends inside a record separator',
            ja: 'レコード区切りの途中でファイルが終わっています',
          },
          where(fileOffset + recordLength),
        );
      }
      yield { index, offset: fileOffset, bytes: Buffer.from(pending.subarray(0, recordLength)) };
      index += 1;
      fileOffset += consumed;
      pending = pending.subarray(consumed);
    }
    if (final && pending.length > 0 && !(pending.length === 1 && pending[0] === 0x1a)) {
      throw new CodecError(
        {
          en: `file ends inside a record (${pending.length} of ${recordLength} bytes)`,
          ja: `レコードの途中でファイルが終わっています（${pending.length}/${recordLength} バイト）`,
        },
        where(fileOffset),
      );
    }
  }

  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : Buffer.from(chunk);
    pending = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
    yield* drain(false);
  }
  yield* drain(true);
}

/** Splits and decodes a file record by record; a CodecError carries the record number. */
export async function* decodeRecords<F extends readonly FieldSpec[]>(
  layout: FixedWidthLayout<F>,
  source: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array>,
  separator: RecordSeparator = 'auto',
): AsyncGenerator<RecordOf<F>> {
  for await (const raw of splitRecords(source, {
    recordLength: layout.recordLength,
    separator,
    layout: layout.name,
  })) {
    try {
      yield layout.decode(raw.bytes);
    } catch (error) {
      throw error instanceof CodecError ? error.within({ record: raw.index }) : error;
    }
  }
}

/** Encodes records and joins them with a separator (CRLF by default), one after each record. */
export function encodeRecords<F extends readonly FieldSpec[]>(
  layout: FixedWidthLayout<F>,
  records: Iterable<InputOf<F>>,
  separator: Exclude<RecordSeparator, 'auto'> = 'crlf',
): Buffer {
  const parts: Buffer[] = [];
  let index = 0;
  for (const record of records) {
    try {
      parts.push(layout.encode(record), separators[separator]);
    } catch (error) {
      throw error instanceof CodecError ? error.within({ record: index }) : error;
    }
    index += 1;
  }
  return Buffer.concat(parts);
}

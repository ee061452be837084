/**
 * CP932 (Windows-31J) text with loud failures. iconv-lite writes '?' for what it cannot encode and
 * U+FFFD for what it cannot decode; here every character is checked by round trip and every byte
 * sequence by the CP932 lead/trail rules, and a failure names the field and the position (code
 * point index and U+XXXX, or byte offset), never the text. Vendor 外字 in the user area F040–F9FC
 * go through an optional mapping.
 *
 * Encoding has a fast path for the common case: a per-character table, built from the same
 * iconv-lite round trip the checked path does (ASCII and half-width katakana are filled in directly;
 * the tests pin both to iconv-lite), writes the bytes straight into the caller's buffer. Anything the
 * table cannot answer (a character CP932 cannot hold, a surrogate, a 外字, the wrong width) goes to
 * the checked path, which produces the same bytes or the same error as always.
 */
import iconv from 'iconv-lite';
import { CodecError, formatCodePoint, type CodecLocation } from './errors.js';
import {
  cp932LookalikeOf,
  fromCp932Lookalikes,
  lookalikes,
  YEN_SIGN,
} from '../../hub/characters.js';

/** Vendor 外字: maps private-use code points to bytes in the user area F040–F9FC and back. */
export interface GaijiMapping {
  toBytes(codePoint: number): Buffer | undefined;
  fromBytes(bytes: Buffer): string | undefined;
}

function isAscii(value: string): boolean {
  for (let index = 0; index < value.length; index += 1) {
    if (value.charCodeAt(index) > 0x7f) return false;
  }
  return true;
}

function fieldError(
  field: string,
  en: string,
  ja: string,
  location: CodecLocation = {},
): CodecError {
  return new CodecError({ en, ja }, { field, ...location });
}

function isSingleByteChar(byte: number): boolean {
  return byte <= 0x7f || (byte >= 0xa1 && byte <= 0xdf);
}

function isLeadByte(byte: number): boolean {
  return (byte >= 0x81 && byte <= 0x9f) || (byte >= 0xe0 && byte <= 0xfc);
}

function isTrailByte(byte: number): boolean {
  return (byte >= 0x40 && byte <= 0x7e) || (byte >= 0x80 && byte <= 0xfc);
}

function isUserAreaLead(byte: number): boolean {
  return byte >= 0xf0 && byte <= 0xf9;
}

/** Which character widths a field allows. */
export type Width = 'single' | 'double' | 'any';

/** A table entry not yet learned. */
const UNKNOWN = -2;
/** A code unit with no CP932 round trip of its own (unencodable, a surrogate, a 外字 candidate). */
const NO_CODE = -1;

/**
 * CP932 code of each UTF-16 code unit: a byte (< 0x100), a double-byte code (lead << 8 | trail), or
 * NO_CODE. Learned on first use from iconv-lite, exactly as the checked path decides per character.
 */
const codes = new Int32Array(0x10000).fill(UNKNOWN);
// ASCII is the same in CP932 (what the ASCII shortcut below writes); JIS X 0201 katakana
// U+FF61–U+FF9F are the single bytes 0xA1–0xDF.
for (let unit = 0; unit <= 0x7f; unit += 1) codes[unit] = unit;
for (let unit = 0xff61; unit <= 0xff9f; unit += 1) codes[unit] = unit - 0xff61 + 0xa1;
// Look-alikes (hub/characters.ts): the Unicode-standard form takes the code of the form CP932 holds;
// YEN SIGN is 0x5C here, and a full-width field sends it to the checked path, which writes ￥.
for (const pair of lookalikes) codes[pair.unicode] = cp932CodeOf(pair.cp932);
codes[YEN_SIGN] = 0x5c;

function learnCode(unit: number): number {
  let code = NO_CODE;
  if (unit < 0xd800 || unit > 0xdfff) {
    const char = String.fromCharCode(unit);
    const bytes = iconv.encode(char, 'cp932');
    if (iconv.decode(bytes, 'cp932') === char) {
      if (bytes.length === 1) code = bytes[0] ?? NO_CODE;
      else if (bytes.length === 2) code = ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
    }
  }
  codes[unit] = code;
  return code;
}

/**
 * The CP932 code of one UTF-16 code unit that round-trips through iconv-lite on its own: a single
 * byte (< 0x100) or a double-byte code (lead << 8 | trail, ≥ 0x8140); -1 when it has none (the
 * checked path decides what that means).
 */
export function cp932CodeOf(unit: number): number {
  const code = codes[unit] ?? NO_CODE;
  return code === UNKNOWN ? learnCode(unit) : code;
}

/**
 * Writes `value` as CP932 into `target` from `start`, never past `end`, and returns where it stopped;
 * -1 when the fast path cannot take it: a character without its own CP932 code, the wrong width for
 * `width`, more bytes than fit, or (with `noControls`) a control character U+0000–U+001F or U+007F.
 * On -1 the bytes written so far are garbage; the caller runs the checked path for the bytes or the
 * error. Never throws.
 */
export function writeCp932(
  value: string,
  width: Width,
  target: Buffer,
  start: number,
  end: number,
  noControls: boolean,
): number {
  let at = start;
  for (let index = 0; index < value.length; index += 1) {
    const unit = value.charCodeAt(index);
    if (noControls && (unit < 0x20 || unit === 0x7f)) return -1;
    const code = unit < 0x80 ? unit : cp932CodeOf(unit);
    if (code < 0) return -1;
    if (code < 0x100) {
      if (width === 'double' || at >= end) return -1;
      target[at] = code;
      at += 1;
    } else {
      if (width === 'single' || at + 2 > end) return -1;
      target[at] = code >>> 8;
      target[at + 1] = code & 0xff;
      at += 2;
    }
  }
  return at;
}

/** The CP932 byte length of `value` if every code unit has its own code of the right width, else -1. */
function fastLength(value: string, width: Width): number {
  let length = 0;
  for (let index = 0; index < value.length; index += 1) {
    const unit = value.charCodeAt(index);
    const code = unit < 0x80 ? unit : cp932CodeOf(unit);
    if (code < 0) return -1;
    if (code < 0x100) {
      if (width === 'double') return -1;
      length += 1;
    } else {
      if (width === 'single') return -1;
      length += 2;
    }
  }
  return length;
}

/** Encodes text to CP932, checking every character round-trips; width limits which bytes are allowed. */
export function encodeCp932(
  field: string,
  value: string,
  width: Width,
  gaiji?: GaijiMapping,
): Buffer {
  const length = fastLength(value, width);
  if (length >= 0) {
    const out = Buffer.allocUnsafe(length);
    writeCp932(value, width, out, 0, length, false);
    return out;
  }
  return encodeCp932Checked(field, value, width, gaiji);
}

/** The checked path: iconv-lite round trip of the whole value, then character by character. */
function encodeCp932Checked(
  field: string,
  value: string,
  width: Width,
  gaiji?: GaijiMapping,
): Buffer {
  // ASCII is the same in CP932 (iconv-lite maps 0x5C and 0x7E to \ and ~, not ¥ and ‾).
  if (width !== 'double' && isAscii(value)) return Buffer.from(value, 'latin1');
  const whole = iconv.encode(value, 'cp932');
  if (iconv.decode(whole, 'cp932') === value) {
    const count = Array.from(value).length;
    if (width === 'any' || whole.length === (width === 'single' ? count : count * 2)) return whole;
  }
  const parts: Buffer[] = [];
  let index = 0;
  for (const original of value) {
    const codePoint = original.codePointAt(0) ?? 0;
    const lookalike = cp932LookalikeOf(codePoint, width);
    const char = lookalike === undefined ? original : String.fromCodePoint(lookalike);
    let bytes: Buffer | undefined = iconv.encode(char, 'cp932');
    if (iconv.decode(bytes, 'cp932') !== char) {
      bytes = gaiji?.toBytes(codePoint);
      const first = bytes?.[0];
      const second = bytes?.[1];
      if (
        bytes?.length !== 2 ||
        first === undefined ||
        second === undefined ||
        !isUserAreaLead(first) ||
        !isTrailByte(second)
      ) {
        throw fieldError(
          field,
          'character cannot be represented in CP932 (and has no 外字 mapping)',
          'CP932 で表せない文字です（外字対応なし）',
          { codePointIndex: index, codePoint: formatCodePoint(codePoint) },
        );
      }
    }
    if (width === 'single' && bytes.length !== 1) {
      throw fieldError(
        field,
        'full-width character in a half-width field',
        '半角項目に全角文字があります',
        {
          codePointIndex: index,
          codePoint: formatCodePoint(codePoint),
        },
      );
    }
    if (width === 'double' && bytes.length !== 2) {
      throw fieldError(
        field,
        'half-width character in a full-width (zenkaku) field',
        '全角項目に半角文字があります',
        {
          codePointIndex: index,
          codePoint: formatCodePoint(codePoint),
        },
      );
    }
    parts.push(bytes);
    index += 1;
  }
  return Buffer.concat(parts);
}

/** Decodes CP932 bytes, failing on the first byte that does not start a valid character. */
export function decodeCp932(field: string, bytes: Buffer, gaiji?: GaijiMapping): string {
  if (bytes.every((byte) => byte < 0x80)) return bytes.toString('latin1');
  let out = '';
  let runStart = 0;
  const flush = (end: number): void => {
    if (end <= runStart) return;
    const run = bytes.subarray(runStart, end);
    const text = iconv.decode(run, 'cp932');
    if (!text.includes('\uFFFD')) {
      out += text;
      return;
    }
    let offset = 0;
    while (offset < run.length) {
      const size = isSingleByteChar(run[offset] ?? 0) ? 1 : 2;
      const char = iconv.decode(run.subarray(offset, offset + size), 'cp932');
      if (char.includes('\uFFFD')) {
        throw fieldError(field, 'bytes are not valid CP932', 'CP932 として不正なバイトです', {
          byteOffset: runStart + offset,
        });
      }
      out += char;
      offset += size;
    }
  };
  let offset = 0;
  while (offset < bytes.length) {
    const byte = bytes[offset] ?? 0;
    if (isSingleByteChar(byte)) {
      offset += 1;
      continue;
    }
    const trail = bytes[offset + 1];
    if (!isLeadByte(byte) || trail === undefined || !isTrailByte(trail)) {
      throw fieldError(field, 'bytes are not valid CP932', 'CP932 として不正なバイトです', {
        byteOffset: offset,
      });
    }
    if (isUserAreaLead(byte)) {
      flush(offset);
      const mapped = gaiji?.fromBytes(bytes.subarray(offset, offset + 2));
      if (mapped === undefined) {
        throw fieldError(
          field,
          '外字 (user-defined character) without a mapping',
          '対応表にない外字です',
          {
            byteOffset: offset,
          },
        );
      }
      out += mapped;
      runStart = offset + 2;
    }
    offset += 2;
  }
  flush(bytes.length);
  return cp932Forms.test(out) ? fromCp932Lookalikes(out) : out;
}

/** The look-alike forms CP932 decodes to; decoded text gives them back in the canonical form. */
const cp932Forms = new RegExp(
  `[${lookalikes.map((pair) => `\\u{${pair.cp932.toString(16)}}`).join('')}]`,
  'u',
);

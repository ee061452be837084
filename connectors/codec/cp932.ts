/**
 * CP932 (Windows-31J) text with loud failures. iconv-lite writes '?' for what it cannot encode and
 * U+FFFD for what it cannot decode; here every character is checked by round trip and every byte
 * sequence by the CP932 lead/trail rules, and a failure names the field and the position (code
 * point index and U+XXXX, or byte offset), never the text. Vendor 外字 in the user area F040–F9FC
 * go through an optional mapping.
 */
import iconv from 'iconv-lite';
import { CodecError, formatCodePoint, type CodecLocation } from './errors.js';

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

/** Encodes text to CP932, checking every character round-trips; width limits which bytes are allowed. */
export function encodeCp932(
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
  for (const char of value) {
    const codePoint = char.codePointAt(0) ?? 0;
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
  return out;
}

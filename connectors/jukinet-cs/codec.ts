/**
 * The 市町村CS wire format for the 整合性確認 claim-check file: fixed-width CP932 records with
 * half-width kana, CRLF-separated. Name and address are 住基ネット統一文字, which CP932 cannot carry
 * (IVS, characters beyond JIS X 0208), so the record carries their SHA-256 instead: the servers
 * compare equality only. The layout is this project's stand-in for the J-LIS specification.
 */
import * as crypto from 'node:crypto';
import { defineLayout } from '../codec/fixed-width.js';
import type { JukinetConsistencyCheckRecord } from '../../schemas/types.gen.js';
import { fixedWidthBytesOf } from '../../schemas/limits.js';

/** 氏名カナ (half-width, 1 byte a character): its length is the schema's KanaHalfWidth limit. */
const nameKanaBytes = fixedWidthBytesOf('KanaHalfWidth', 1);

/** 整合性確認用本人確認情報 record (one per resident in the claim-check file). */
export const consistencyRecordLayout = defineLayout({
  name: 'cs-consistency-record',
  recordLength: 366 + nameKanaBytes,
  encoding: 'cp932',
  fields: [
    { name: 'recordNo', offset: 0, length: 8, type: 'numeric' },
    { name: 'juminhyoCode', offset: 8, length: 11, type: 'numeric' },
    { name: 'myNumber', offset: 19, length: 12, type: 'numeric' },
    { name: 'nameHash', offset: 31, length: 64, type: 'text' },
    { name: 'nameKana', offset: 95, length: nameKanaBytes, type: 'kana-half', kana: 'half' },
    { name: 'birthDate', offset: 95 + nameKanaBytes, length: 10, type: 'text' },
    { name: 'sex', offset: 105 + nameKanaBytes, length: 8, type: 'text' },
    { name: 'addressHash', offset: 113 + nameKanaBytes, length: 64, type: 'text' },
    { name: 'residentStatus', offset: 177 + nameKanaBytes, length: 11, type: 'text' },
    // Appended for issue 17: every 本人確認情報 item, the change information included.
    { name: 'aliasHash', offset: 188 + nameKanaBytes, length: 64, type: 'text' },
    { name: 'formerSurnameHash', offset: 252 + nameKanaBytes, length: 64, type: 'text' },
    { name: 'movementReason', offset: 316 + nameKanaBytes, length: 40, type: 'text' },
    { name: 'movedOn', offset: 356 + nameKanaBytes, length: 10, type: 'text' },
  ],
});

/** Record separator of CS files. */
export const CS_SEPARATOR = Buffer.from('\r\n');

/**
 * One-shot hashing (Node ≥ 21.7 / 20.12) skips the Hash object createHash builds per call; the same
 * digest either way (a string is hashed as UTF-8).
 */
const oneShotHash = (crypto as { hash?: unknown }).hash;
const sha256Hex: (value: string) => string =
  typeof oneShotHash === 'function'
    ? (value) => crypto.hash('sha256', value, 'hex')
    : (value) => crypto.createHash('sha256').update(value, 'utf8').digest('hex');

/** SHA-256 (hex) of a 統一文字 text field, as the CS record carries it. */
export function textHash(value: string): string {
  return sha256Hex(value);
}

/** SHA-256 of an optional text item; an absent item leaves the field blank. */
function optionalHash(value: string | undefined): string {
  return value === undefined ? '' : textHash(value);
}

/** Encodes a consistency-check record for the CS file (without separator). */
export function encodeConsistencyRecord(record: JukinetConsistencyCheckRecord): Buffer {
  return consistencyRecordLayout.encode({
    recordNo: record.recordNo,
    juminhyoCode: record.juminhyoCode,
    myNumber: record.myNumber,
    nameHash: textHash(record.name),
    nameKana: record.nameKanaHalfWidth ?? '',
    birthDate: record.birthDate.value ?? '',
    sex: record.sex,
    addressHash: textHash(record.addressText),
    residentStatus: record.residentStatus,
    aliasHash: optionalHash(record.alias),
    formerSurnameHash: optionalHash(record.formerSurname),
    movementReason: record.lastMovementReason?.reason ?? '',
    movedOn: record.lastMovedOn?.value ?? '',
  });
}

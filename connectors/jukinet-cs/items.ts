/**
 * The 本人確認情報 items a consistency check compares (8-②, and the separate 既存住基↔CS check), read
 * from the CS record layout: every side compares the same decoded fields, so a record written by
 * the registry's extract, by the CS from its own data, or held by a server compares alike.
 */
import type { JukinetConsistencyCheckRecord } from '../../schemas/types.gen.js';
import { consistencyRecordLayout, encodeConsistencyRecord } from './codec.js';

/** Items compared, as the mismatch record names them. */
export const checkFields = [
  'NAME',
  'NAME_KANA',
  'ALIAS',
  'FORMER_SURNAME',
  'BIRTH_DATE',
  'SEX',
  'ADDRESS',
  'MY_NUMBER',
  'RESIDENT_STATUS',
  'MOVEMENT_REASON',
  'MOVED_ON',
] as const;

/** One compared item. */
export type CheckField = (typeof checkFields)[number];

/** The compared values of one record (hashes for 統一文字 text), with its key. */
export type Comparable = Record<CheckField, string> & {
  readonly recordNo: number;
  readonly juminhyoCode: string;
};

/** The compared values of a decoded CS record. */
export function comparableOfBytes(bytes: Buffer): Comparable {
  const record = consistencyRecordLayout.decode(bytes);
  const text = (value: unknown) =>
    typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
  return {
    recordNo: Number(record.recordNo),
    juminhyoCode: text(record.juminhyoCode),
    NAME: text(record.nameHash),
    NAME_KANA: text(record.nameKana),
    ALIAS: text(record.aliasHash),
    FORMER_SURNAME: text(record.formerSurnameHash),
    BIRTH_DATE: text(record.birthDate),
    SEX: text(record.sex),
    ADDRESS: text(record.addressHash),
    MY_NUMBER: text(record.myNumber),
    RESIDENT_STATUS: text(record.residentStatus),
    MOVEMENT_REASON: text(record.movementReason),
    MOVED_ON: text(record.movedOn),
  };
}

/** The compared values of a record, as they would read on the wire. */
export function comparableOf(record: JukinetConsistencyCheckRecord): Comparable {
  return comparableOfBytes(encodeConsistencyRecord(record));
}

/** Whether a text names a compared item. */
export function isCheckField(value: unknown): value is CheckField {
  return typeof value === 'string' && (checkFields as readonly string[]).includes(value);
}

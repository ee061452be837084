/**
 * Malformed extract lines, as real registers sometimes hold them, for tests of per-record rejects:
 * in turn a truncated line (not JSON), a 個人番号 with a wrong check digit (the schema refuses it), a
 * フリガナ longer than the CS's 60-byte field (the CS encoder refuses it) and a record without its
 * 性別. Which kind a record gets depends on its number only.
 */
import type { RegistryResidentExtracted } from '../../schemas/types.gen.js';

/** The four kinds, in turn by record number. */
export const malformedKinds = ['truncated', 'check-digit', 'kana-too-long', 'missing-sex'] as const;

/** The malformed line (with its newline) for a record. */
export function malformedLine(record: RegistryResidentExtracted): string {
  const kind = malformedKinds[record.recordNo % malformedKinds.length] ?? 'truncated';
  switch (kind) {
    case 'truncated':
      return `${JSON.stringify(record).slice(0, 40)}\n`;
    case 'check-digit': {
      const last = Number(record.myNumber.slice(-1));
      return `${JSON.stringify({ ...record, myNumber: record.myNumber.slice(0, 11) + String((last + 1) % 10) })}\n`;
    }
    case 'kana-too-long':
      return `${JSON.stringify({
        ...record,
        resident: {
          ...record.resident,
          name: { ...record.resident.name, nameKana: 'ア'.repeat(61) },
        },
      })}\n`;
    case 'missing-sex': {
      const resident: Partial<typeof record.resident> = { ...record.resident };
      delete resident.sex;
      return `${JSON.stringify({ ...record, resident })}\n`;
    }
  }
}

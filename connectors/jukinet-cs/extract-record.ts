/**
 * One line of the registry's consistency-check extract → one CS record, or a reject naming the line
 * and the reason (never a value). Shared by the in-thread conversion and its worker threads
 * (`extract.ts`, `extract-worker.ts`), so both paths convert a record the same way.
 */
import { HubError } from '../../hub/errors.js';
import type { SchemaRegistry } from '../../schemas/registry.js';
import type { RegistryResidentExtracted } from '../../schemas/types.gen.js';
import { registryResidentExtractedToConsistencyCheckRecord } from '../../transformers/registry-resident-extracted-to-consistency-check-record.js';
import { encodeConsistencyRecord } from './codec.js';

/** One rejected record of an extract (a line of the rejects file). */
export interface ExtractReject {
  /** 1-based line number in the registry's extract. */
  readonly line: number;
  /** The record's own number, when it could be read. */
  readonly recordNo?: number;
  readonly reason: { readonly ja: string; readonly en: string };
}

/** What a transformer is told about the batch. */
export interface RecordContext {
  readonly messageId: string;
  readonly now: string;
  readonly lgCode: string;
}

/** The message types a record is checked against (in and out). */
export const recordTypes = [
  'registry.resident.extracted',
  'jukinet.consistency-check.record',
] as const;

/** A record refused by a schema: names the schema and the path, never the value. */
function schemaReject(schema: string, path: string): HubError {
  return new HubError('HUB_RECORD_REJECTED', `${schema} at ${path}`, 'dead-letter', {
    reasonClass: 'validation',
    reason: {
      ja: `レコードがスキーマ ${schema} に合いません（${path}）`,
      en: `the record fails the schema ${schema} at ${path}`,
    },
  });
}

/** The reason a record was refused, without its values. */
function reasonOf(error: unknown): { ja: string; en: string } {
  if (error instanceof HubError) return error.reason;
  if (error instanceof SyntaxError) {
    return { ja: 'JSON として読めない行です', en: 'the line is not valid JSON' };
  }
  return { ja: 'レコードを変換できません', en: 'the record cannot be converted' };
}

/** Converts one extract line (its text and 1-based number) into the encoded CS record or a reject. */
export function convertRecord(
  text: string,
  line: number,
  context: RecordContext,
  catalogue: SchemaRegistry,
): Buffer | ExtractReject {
  let recordNo: number | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    const extracted = parsed as RegistryResidentExtracted;
    const number: unknown =
      typeof parsed === 'object' && parsed !== null
        ? (parsed as { recordNo?: unknown }).recordNo
        : undefined;
    if (typeof number === 'number' && Number.isInteger(number)) {
      recordNo = number;
    }
    const { issues: inIssues } = catalogue.validate('registry.resident.extracted', extracted);
    if (inIssues.length > 0) {
      throw schemaReject('registry.resident.extracted', inIssues[0]?.path ?? '/');
    }
    const record = registryResidentExtractedToConsistencyCheckRecord.transform(extracted, context);
    const { issues } = catalogue.validate('jukinet.consistency-check.record', record);
    if (issues.length > 0) {
      throw schemaReject('jukinet.consistency-check.record', issues[0]?.path ?? '/');
    }
    return encodeConsistencyRecord(record);
  } catch (error) {
    return { line, ...(recordNo === undefined ? {} : { recordNo }), reason: reasonOf(error) };
  }
}

/**
 * The contract between a connector that exports files and the hub's file-drop and `hub publish
 * --layout/--csv` paths: a layout cuts a file into records and maps each to a message body
 * (validation happens afterwards, as on every ingest path). The layouts themselves live in their
 * system's folder (`connectors/kizon-juki/layouts.ts`) and are registered in `connectors/index.ts`.
 */
import { CodecError } from '../codec/errors.js';
import { ValidationError, type SchemaIssue } from '../../hub/errors.js';

/** One record cut from a file: its 1-based line and original bytes. */
export interface FileRecord {
  readonly line: number;
  readonly bytes: Buffer;
}

/** A record mapped to a message body, or why it could not be. */
export type MappedRecord = { readonly body: unknown } | { readonly error: ValidationError };

/** A file layout: how to cut a file into records and map each to a message. */
export interface FileLayout {
  readonly name: string;
  readonly kind: 'fixed' | 'csv';
  readonly messageType: string;
  /** The system that exports files in this layout (the drop folder it is read from). */
  readonly system: string;
  /** Cuts the file into records. Throws a CodecError only when the file as a whole is unreadable. */
  records(file: Buffer): FileRecord[];
  map(record: FileRecord): MappedRecord;
  /**
   * A record as a person may see it (the dead-letter view of a rejected line): personal fields
   * masked by their position in the layout, or undefined when the bytes cannot be placed (wrong
   * length). Without it a view shows only the record's size.
   */
  maskRecord?(bytes: Buffer): string | undefined;
}

function codecIssue(error: CodecError): SchemaIssue {
  const field = error.location.field;
  return {
    path: field === undefined ? '' : `/${field}`,
    keyword: 'codec',
    ja: error.reason.ja,
    en: error.reason.en,
  };
}

/** A codec error as a validation error (one shape for every rejected record). */
export function codecValidationError(messageType: string, error: unknown): ValidationError {
  if (error instanceof CodecError) return new ValidationError(messageType, [codecIssue(error)]);
  if (error instanceof ValidationError) return error;
  return new ValidationError(messageType, [
    { path: '', keyword: 'codec', ja: 'レコードを解読できません', en: 'record cannot be decoded' },
  ]);
}

/** Splits bytes into lines (LF or CRLF), keeping each line's bytes without its ending. */
export function splitLines(file: Buffer): FileRecord[] {
  const out: FileRecord[] = [];
  let start = 0;
  let line = 1;
  while (start < file.length) {
    let end = file.indexOf(0x0a, start);
    if (end < 0) end = file.length;
    let stop = end;
    if (stop > start && file[stop - 1] === 0x0d) stop -= 1;
    const bytes = file.subarray(start, stop);
    if (bytes.length > 0 && !(bytes.length === 1 && bytes[0] === 0x1a)) out.push({ line, bytes });
    start = end + 1;
    line += 1;
  }
  return out;
}

/** The layout a dropped file is read with: the longest layout name its file name starts with. */
export function layoutForFileIn(
  layouts: Iterable<FileLayout>,
  fileName: string,
): FileLayout | undefined {
  let best: FileLayout | undefined;
  for (const layout of layouts) {
    if (
      fileName.startsWith(layout.name) &&
      (best === undefined || layout.name.length > best.name.length)
    )
      best = layout;
  }
  return best;
}

/**
 * Codec errors. They say where (layout, record, field, byte offset, code point index and U+XXXX,
 * CSV line and column) and never what: field values are personal data and stay out of messages.
 */
import { HubError } from '../../hub/errors.js';

/** Where in a record or file a codec problem is. Only names, numbers and code points. */
export interface CodecLocation {
  /** Layout or CSV format name. */
  readonly layout?: string;
  /** 0-based record number in a file. */
  readonly record?: number;
  /** Field or column name. */
  readonly field?: string;
  /** Byte offset (inside the field when `field` is set, else inside the record or file). */
  readonly byteOffset?: number;
  /** 0-based code point index inside the field value. */
  readonly codePointIndex?: number;
  /** The offending code point as U+XXXX. Never the surrounding text. */
  readonly codePoint?: string;
  /** 1-based line number in a CSV file. */
  readonly line?: number;
}

/** A problem in the two languages operators read. */
export interface CodecProblem {
  readonly ja: string;
  readonly en: string;
}

/** Formats a code point as U+XXXX (at least four hex digits). */
export function formatCodePoint(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

function describe(location: CodecLocation, language: 'ja' | 'en'): string {
  const parts: string[] = [];
  const ja = language === 'ja';
  if (location.layout !== undefined)
    parts.push(ja ? `様式 ${location.layout}` : `layout ${location.layout}`);
  if (location.record !== undefined) {
    parts.push(ja ? `レコード ${location.record + 1}` : `record ${location.record + 1}`);
  }
  if (location.line !== undefined)
    parts.push(ja ? `${location.line} 行目` : `line ${location.line}`);
  if (location.field !== undefined)
    parts.push(ja ? `項目 ${location.field}` : `field ${location.field}`);
  if (location.byteOffset !== undefined) {
    parts.push(ja ? `バイト位置 ${location.byteOffset}` : `byte offset ${location.byteOffset}`);
  }
  if (location.codePointIndex !== undefined) {
    parts.push(
      ja ? `文字位置 ${location.codePointIndex}` : `character position ${location.codePointIndex}`,
    );
  }
  if (location.codePoint !== undefined) parts.push(location.codePoint);
  return parts.join(ja ? '、' : ', ');
}

/** A record or file cannot be encoded or decoded. Retrying cannot help: a human repairs it. */
export class CodecError extends HubError {
  readonly problem: CodecProblem;
  readonly location: CodecLocation;

  constructor(problem: CodecProblem, location: CodecLocation = {}, options?: ErrorOptions) {
    const whereEn = describe(location, 'en');
    const whereJa = describe(location, 'ja');
    const en = whereEn === '' ? problem.en : `${whereEn}: ${problem.en}`;
    const ja = whereJa === '' ? problem.ja : `${whereJa}: ${problem.ja}`;
    super('HUB_CODEC_ERROR', en, 'dead-letter', {
      ...options,
      reasonClass: 'validation',
      reason: { ja, en },
    });
    this.problem = problem;
    this.location = location;
  }

  /** The same error with more location (for example the record number added by a file reader). */
  within(location: CodecLocation): CodecError {
    return new CodecError(this.problem, { ...location, ...this.location }, { cause: this.cause });
  }
}

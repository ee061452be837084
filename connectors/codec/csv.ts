/**
 * CSV with a declared column list, in CP932 or UTF-8, with or without a header row. A bad row is a
 * CodecError naming the line number and the column, never a value. CP932 text goes through the same
 * round-trip checks as fixed-width records, so an unrepresentable character fails loudly.
 */
import { parse, type InfoRecord } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import { decodeCp932, encodeCp932, type GaijiMapping } from './cp932.js';
import { CodecError, type CodecLocation } from './errors.js';
import { formatDateValue, parseDateValue, warekiRangeProblem } from './wareki.js';
import { toCp932Lookalikes } from '../../hub/characters.js';

/** One declared column. */
export interface CsvColumn {
  /** Property name in the decoded row. */
  readonly name: string;
  /** Header text when it differs from `name` (for example the Japanese item name). */
  readonly header?: string;
  /** An empty value is an error. */
  readonly required?: boolean;
  /** A non-empty value must match (test it, do not print it). */
  readonly pattern?: RegExp;
  /**
   * A date column: 'date' holds YYYY-MM-DD or YYYYMMDD with unknown parts (YYYY-MM / YYYY, or the
   * register's 00) and decodes to the canonical YYYY-MM-DD, YYYY-MM (日不詳) or YYYY (月日不詳);
   * 'wareki' holds GYYMMDD (00 for unknown parts) checked against the real era boundaries.
   */
  readonly kind?: 'date' | 'wareki';
}

/** A CSV format: its columns, encoding and conventions. */
export interface CsvFormat<C extends readonly CsvColumn[]> {
  readonly name: string;
  readonly columns: C;
  readonly encoding: 'cp932' | 'utf-8';
  /** Whether the first line is a header row (checked on decode, written on encode). */
  readonly header: boolean;
  readonly delimiter?: string;
  /** Line ending written by encode: CRLF (default, what Windows partners expect) or LF. */
  readonly lineEnding?: 'crlf' | 'lf';
  readonly gaiji?: GaijiMapping;
}

/** A decoded row: column name → text. */
export type CsvRow<C extends readonly CsvColumn[]> = { [K in C[number] as K['name']]: string };

/** What `encode` accepts: text or numbers, empty for null or a missing optional column. */
export type CsvInputRow<C extends readonly CsvColumn[]> = {
  [K in C[number] as K['name']]?: string | number | null;
};

/** A CSV codec for one format. */
export interface CsvCodec<C extends readonly CsvColumn[]> {
  readonly name: string;
  encode(rows: Iterable<CsvInputRow<C>>): Buffer;
  decode(bytes: Buffer): CsvRow<C>[];
}

function lineOfIndex(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < index; at = text.indexOf('\n', at + 1)) {
    line += 1;
  }
  return line;
}

function lineOfByte(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let at = 0; at < offset; at += 1) if (bytes[at] === 0x0a) line += 1;
  return line;
}

/** Why a date column's value is not a date of its kind (bilingual, no value), or undefined. */
export function dateColumnProblem(
  kind: 'date' | 'wareki',
  value: string,
): { ja: string; en: string } | undefined {
  if (kind === 'date') {
    return parseDateValue(value) === undefined
      ? {
          ja: '日付は YYYY-MM-DD（日不詳は YYYY-MM または DD=00、月日不詳は YYYY）です',
          en: 'a date is YYYY-MM-DD (YYYY-MM or DD 00 when the day is unknown, YYYY when month and day are)',
        }
      : undefined;
  }
  const match = /^([1-5])([0-9]{2})([0-9]{2})([0-9]{2})$/.exec(value);
  if (match === null) {
    return {
      ja: '和暦日付は GYYMMDD（G=1 明治〜5 令和、不詳は 00）です',
      en: 'a 和暦 date is GYYMMDD (G = 1 明治 to 5 令和, 00 for unknown parts)',
    };
  }
  return warekiRangeProblem({
    code: Number(match[1]),
    year: Number(match[2]),
    month: Number(match[3]),
    day: Number(match[4]),
  });
}

/** Checks the format and returns its codec. */
export function defineCsv<const C extends readonly CsvColumn[]>(format: CsvFormat<C>): CsvCodec<C> {
  const { name, columns } = format;
  if (columns.length === 0) {
    throw new CodecError(
      { en: 'a CSV format needs columns', ja: '列の定義がありません' },
      { layout: name },
    );
  }
  const names = new Set<string>();
  for (const column of columns) {
    if (names.has(column.name)) {
      throw new CodecError(
        { en: 'column declared twice', ja: '列名が重複しています' },
        { layout: name, field: column.name },
      );
    }
    names.add(column.name);
  }
  const headers = columns.map((column) => column.header ?? column.name);
  const delimiter = format.delimiter ?? ',';
  const at = (location: CodecLocation): CodecLocation => ({ layout: name, ...location });

  function checkValue(column: CsvColumn, value: string, line: number): void {
    if (value === '') {
      if (column.required === true) {
        throw new CodecError(
          { en: 'required value is empty', ja: '必須項目が空です' },
          at({ line, field: column.name }),
        );
      }
      return;
    }
    if (column.pattern !== undefined && !column.pattern.test(value)) {
      throw new CodecError(
        { en: 'value does not match the column format', ja: '値が列の形式に合いません' },
        at({ line, field: column.name }),
      );
    }
    const problem = column.kind === undefined ? undefined : dateColumnProblem(column.kind, value);
    if (problem !== undefined) throw new CodecError(problem, at({ line, field: column.name }));
  }

  /** The canonical text of a non-empty value (date columns normalised, others unchanged). */
  function canonical(column: CsvColumn, value: string): string {
    if (column.kind !== 'date' || value === '') return value;
    const parts = parseDateValue(value);
    return parts === undefined ? value : formatDateValue(parts);
  }

  function toText(bytes: Buffer): string {
    if (format.encoding === 'utf-8') {
      const text = new TextDecoder('utf-8').decode(bytes);
      const bad = text.indexOf('\uFFFD');
      if (bad >= 0) {
        throw new CodecError(
          { en: 'bytes are not valid UTF-8', ja: 'UTF-8 として不正なバイトです' },
          at({ line: lineOfIndex(text, bad) }),
        );
      }
      return text.startsWith('\uFEFF') ? text.slice(1) : text;
    }
    try {
      return decodeCp932('(file)', bytes, format.gaiji);
    } catch (error) {
      const offset = error instanceof CodecError ? error.location.byteOffset : undefined;
      if (offset === undefined) throw error;
      throw new CodecError(
        { en: 'bytes are not valid CP932', ja: 'CP932 として不正なバイトです' },
        at({ line: lineOfByte(bytes, offset), byteOffset: offset }),
      );
    }
  }

  return {
    name,
    decode(bytes: Buffer): CsvRow<C>[] {
      const text = toText(bytes);
      let parsed: string[][];
      const lineOfRecord: number[] = [];
      try {
        parsed = parse(text, {
          delimiter,
          relax_column_count: true,
          skip_empty_lines: true,
          on_record: (record: string[], context: InfoRecord) => {
            lineOfRecord.push(context.lines);
            return record;
          },
        });
      } catch (error) {
        const detail = error as { code?: unknown; lines?: unknown };
        const code = typeof detail.code === 'string' ? detail.code : 'CSV_ERROR';
        throw new CodecError(
          { en: `malformed CSV (${code})`, ja: `CSV の形式が不正です（${code}）` },
          at(typeof detail.lines === 'number' ? { line: detail.lines } : {}),
        );
      }
      const rows: CsvRow<C>[] = [];
      for (const [index, record] of parsed.entries()) {
        const line = lineOfRecord[index] ?? 0;
        if (index === 0 && format.header) {
          for (const [position, expected] of headers.entries()) {
            if (record[position] !== expected) {
              throw new CodecError(
                {
                  en: `header column ${position + 1} should be "${expected}"`,
                  ja: `見出し ${position + 1} 列目は「${expected}」です`,
                },
                at({ line, field: columns[position]?.name ?? expected }),
              );
            }
          }
          if (record.length !== headers.length) {
            throw new CodecError(
              {
                en: `header has ${record.length} columns, expected ${headers.length}`,
                ja: `見出しの列数 ${record.length} が ${headers.length} と一致しません`,
              },
              at({ line }),
            );
          }
          continue;
        }
        if (record.length < columns.length) {
          throw new CodecError(
            {
              en: `row has ${record.length} columns, expected ${columns.length}`,
              ja: `列が足りません（${record.length}/${columns.length}）`,
            },
            at({ line, field: columns[record.length]?.name ?? '' }),
          );
        }
        if (record.length > columns.length) {
          throw new CodecError(
            {
              en: `row has ${record.length} columns, expected ${columns.length}`,
              ja: `列が多すぎます（${record.length}/${columns.length}）`,
            },
            at({ line }),
          );
        }
        const row: Record<string, string> = {};
        for (const [position, column] of columns.entries()) {
          const value = record[position] ?? '';
          checkValue(column, value, line);
          row[column.name] = canonical(column, value);
        }
        rows.push(row as CsvRow<C>);
      }
      return rows;
    },

    encode(rows: Iterable<CsvInputRow<C>>): Buffer {
      const records: string[][] = format.header ? [headers] : [];
      let line = format.header ? 2 : 1;
      for (const input of rows) {
        const values = input as Readonly<Record<string, unknown>>;
        for (const key of Object.keys(values)) {
          if (!names.has(key)) {
            throw new CodecError(
              { en: 'unknown column', ja: '定義にない列です' },
              at({ line, field: key }),
            );
          }
        }
        const record: string[] = [];
        for (const column of columns) {
          const raw = values[column.name];
          let value: string;
          if (raw === undefined || raw === null) value = '';
          else if (typeof raw === 'string') value = raw;
          else if (typeof raw === 'number' && Number.isFinite(raw)) value = String(raw);
          else {
            throw new CodecError(
              { en: 'value must be text or a number', ja: '値は文字列か数値です' },
              at({ line, field: column.name }),
            );
          }
          checkValue(column, value, line);
          if (format.encoding === 'cp932') {
            try {
              encodeCp932(column.name, value, 'any', format.gaiji);
            } catch (error) {
              throw error instanceof CodecError ? error.within(at({ line })) : error;
            }
          }
          record.push(value);
        }
        records.push(record);
        line += record.join('').split('\n').length;
      }
      const text = stringify(records, {
        delimiter,
        record_delimiter: format.lineEnding === 'lf' ? 'unix' : 'windows',
      });
      if (format.encoding === 'utf-8') return Buffer.from(text, 'utf8');
      // Each value passed the checked encoder above; look-alikes go out as the CP932 form.
      return format.gaiji === undefined
        ? iconv.encode(toCp932Lookalikes(text, 'single'), 'cp932')
        : encodeCp932('(file)', text, 'any', format.gaiji);
    },
  };
}

/**
 * A bounded line reader for dropped files. Reading a whole file into memory let one 130 MB line
 * become one 130 MB message, which the broker refused by closing the shared publishing channel. This
 * reader streams the file and never holds more than `maxLineBytes` of a line: a longer line is
 * reported by its number and size only, its bytes skipped.
 *
 * Lines are cut as `splitLines` (layouts.ts) cuts them: at LF, a CR before the LF dropped, numbered
 * from 1 counting every line; empty lines and a lone EOF mark (0x1A) are not records.
 */
import { createReadStream } from 'node:fs';

/** One line of a file: its bytes, or only its size when it was over the limit. */
export type FileLine =
  | { readonly line: number; readonly bytes: Buffer }
  | { readonly line: number; readonly oversizeBytes: number };

/** The lines of the file at `path`, streamed. */
export async function* readLines(
  path: string,
  maxLineBytes: number,
  chunkBytes = 1024 * 1024,
): AsyncGenerator<FileLine> {
  let parts: Buffer[] = [];
  let kept = 0;
  let length = 0;
  let lastByte = -1;
  let line = 1;

  function* finish(): Generator<FileLine> {
    const number = line;
    line += 1;
    if (length > kept) {
      // Over the limit: the CR of a CRLF is not part of the line.
      yield { line: number, oversizeBytes: lastByte === 0x0d ? length - 1 : length };
    } else {
      let bytes = parts.length === 1 && parts[0] !== undefined ? parts[0] : Buffer.concat(parts);
      if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d)
        bytes = bytes.subarray(0, bytes.length - 1);
      if (bytes.length > maxLineBytes) yield { line: number, oversizeBytes: bytes.length };
      else if (bytes.length > 0 && !(bytes.length === 1 && bytes[0] === 0x1a))
        yield { line: number, bytes };
    }
    parts = [];
    kept = 0;
    length = 0;
    lastByte = -1;
  }

  const take = (segment: Buffer) => {
    length += segment.length;
    if (segment.length > 0) lastByte = segment[segment.length - 1] ?? -1;
    // One byte more than the limit is kept: the CR of a CRLF.
    if (length <= maxLineBytes + 1) {
      // A copy: a slice would keep the whole chunk alive as long as the record.
      parts.push(Buffer.from(segment));
      kept += segment.length;
    } else if (parts.length > 0) {
      parts = [];
    }
  };

  const stream = createReadStream(path, { highWaterMark: chunkBytes });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    while (start < chunk.length) {
      const end = chunk.indexOf(0x0a, start);
      if (end < 0) {
        take(chunk.subarray(start));
        break;
      }
      take(chunk.subarray(start, end));
      yield* finish();
      start = end + 1;
    }
  }
  if (length > 0) yield* finish();
}

/**
 * A worker thread of the consistency-check conversion (`extract.ts`): it receives chunks of the
 * extract cut at line ends, converts each line (`extract-record.ts`) and answers, per chunk, the
 * encoded CS records (moved, not copied) and the rejects. It compiles only the two schemas a record
 * is checked against, with the default catalogue's settings.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSchemaRegistry } from '../../schemas/registry.js';
import { CS_SEPARATOR } from './codec.js';
import {
  convertRecord,
  recordTypes,
  type ExtractReject,
  type RecordContext,
} from './extract-record.js';

/** A chunk of whole lines, the first of them line `firstLine` of the extract. */
export interface Job {
  readonly seq: number;
  readonly firstLine: number;
  readonly data: Uint8Array;
}

/** The chunk's records, encoded and separated, and its rejects in line order. */
export interface Result {
  readonly seq: number;
  readonly count: number;
  readonly encoded: Uint8Array;
  readonly rejects: readonly ExtractReject[];
}

const context = workerData as RecordContext;
const catalogue = loadSchemaRegistry({ messageTypes: recordTypes });

parentPort?.on('message', (job: Job) => {
  const data = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
  const parts: Buffer[] = [];
  const rejects: ExtractReject[] = [];
  let bytes = 0;
  let line = job.firstLine;
  let start = 0;
  for (let end = data.indexOf(0x0a); end >= 0; end = data.indexOf(0x0a, start)) {
    const text = data.toString('utf8', start, end);
    if (text.trim() !== '') {
      const encoded = convertRecord(text, line, context, catalogue);
      if (Buffer.isBuffer(encoded)) {
        parts.push(encoded, CS_SEPARATOR);
        bytes += encoded.length + CS_SEPARATOR.length;
      } else rejects.push(encoded);
    }
    line += 1;
    start = end + 1;
  }
  // Its own memory (never a pooled slice), so it can be moved to the reading thread.
  const encoded = new Uint8Array(bytes);
  let at = 0;
  for (const part of parts) {
    encoded.set(part, at);
    at += part.length;
  }
  const result: Result = {
    seq: job.seq,
    count: parts.length / 2,
    encoded,
    rejects,
  };
  parentPort?.postMessage(result, [encoded.buffer]);
});

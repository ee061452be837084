/**
 * The registry's consistency-check extract → the CS's fixed-width file, record by record. A record
 * that cannot be converted (not JSON, fails the schema, a transformer or the CS encoder refuses a
 * character or a length) never stops the batch: it becomes a reject — its line number and the
 * reason in Japanese and English, never a value — in a rejects file beside the CS file, and the
 * manifest the CS receives counts both.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConnectorError } from '../../hub/errors.js';
import type { SchemaRegistry } from '../../schemas/registry.js';
import type { JukinetConsistencyCheckExtractReady } from '../../schemas/types.gen.js';
import { MARKER_SUFFIX, isComplete, openAtomicFile, pathOfRef } from '../runtime/files.js';
import { CS_SEPARATOR } from './codec.js';
import { jukinetCsDescriptor } from './descriptor.js';
import { convertRecord, type ExtractReject, type RecordContext } from './extract-record.js';

export type { ExtractReject } from './extract-record.js';

const JUKINET_CS = jukinetCsDescriptor.system;

/** Bytes of CS records collected before one write to the claim-check file. */
const WRITE_BATCH_BYTES = 256 * 1024;

/** Streams a file's lines (UTF-8, LF or CRLF), with their 1-based numbers; blank lines skipped. */
async function* numberedLines(path: string): AsyncGenerator<{ line: number; text: string }> {
  let rest: Buffer | undefined;
  let line = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    const data = rest === undefined ? (chunk as Buffer) : Buffer.concat([rest, chunk as Buffer]);
    let start = 0;
    let newline = data.indexOf(0x0a, start);
    while (newline >= 0) {
      line += 1;
      const text = data.toString('utf8', start, newline);
      if (text.trim() !== '') yield { line, text };
      start = newline + 1;
      newline = data.indexOf(0x0a, start);
    }
    rest = start < data.length ? data.subarray(start) : undefined;
  }
  const last = rest?.toString('utf8') ?? '';
  if (last.trim() !== '') yield { line: line + 1, text: last };
}

/** Where the extract goes and what it is checked with. */
export interface ConvertOptions {
  readonly exchangeDir: string;
  readonly lgCode: string;
  readonly catalogue: SchemaRegistry;
}

/**
 * Converts the extract into the CS file. Idempotent by message id: a redelivery finds the completed
 * file (its marker) and sends the same manifest again.
 */
export async function convertExtract(
  manifest: JukinetConsistencyCheckExtractReady,
  messageId: string,
  options: ConvertOptions,
): Promise<JukinetConsistencyCheckExtractReady> {
  let source: string;
  try {
    source = pathOfRef(manifest.fileRef);
    await stat(source);
  } catch (error) {
    throw new ConnectorError(JUKINET_CS, 'the extract file is not readable', false, {
      cause: error,
    });
  }
  const target = join(options.exchangeDir, 'jukinet-cs', `consistency-${messageId}.dat`);
  const rejectsPath = join(options.exchangeDir, 'jukinet-cs', `rejects-${messageId}.jsonl`);
  if ((await isComplete(target)) && (await isComplete(rejectsPath))) {
    const sha256 = (await readFile(`${target}${MARKER_SUFFIX}`, 'utf8')).trim();
    let rejectedCount = 0;
    for (const byte of await readFile(rejectsPath)) if (byte === 0x0a) rejectedCount += 1;
    return {
      ...manifest,
      fileRef: pathToFileURL(target).toString(),
      sha256,
      encoding: 'JUKINET',
      rejectedCount,
      rejectsFileRef: pathToFileURL(rejectsPath).toString(),
    };
  }
  const file = await openAtomicFile(target);
  const rejects = await openAtomicFile(rejectsPath);
  const context = { messageId, now: manifest.asOf, lgCode: options.lgCode };
  const { count, rejected } = await convertInline(
    source,
    context,
    options.catalogue,
    file,
    rejects,
  );
  if (count + rejected !== manifest.recordCount) {
    throw new ConnectorError(
      JUKINET_CS,
      `the extract holds ${String(count + rejected)} records, the manifest says ${String(manifest.recordCount)}`,
      false,
    );
  }
  const rejectsDone = await rejects.commit();
  const { fileRef, sha256 } = await file.commit();
  return {
    ...manifest,
    fileRef,
    sha256,
    encoding: 'JUKINET',
    rejectedCount: rejected,
    rejectsFileRef: rejectsDone.fileRef,
  };
}

type AtomicFile = Awaited<ReturnType<typeof openAtomicFile>>;

/** Every record in this thread: read a line, convert it, batch the output. */
async function convertInline(
  source: string,
  context: RecordContext,
  catalogue: SchemaRegistry,
  file: AtomicFile,
  rejects: AtomicFile,
): Promise<{ count: number; rejected: number }> {
  // Records go to the file in batches of about 256 KB: an awaited write per record (≈ 400 bytes)
  // cost more than transforming, validating and encoding it. Memory stays bounded by the batch.
  const batch: Buffer[] = [];
  let batchBytes = 0;
  let count = 0;
  let rejected = 0;
  for await (const { line, text } of numberedLines(source)) {
    const encoded = convertRecord(text, line, context, catalogue);
    if (!Buffer.isBuffer(encoded)) {
      rejected += 1;
      await rejects.write(`${JSON.stringify(encoded satisfies ExtractReject)}\n`);
      continue;
    }
    batch.push(encoded, CS_SEPARATOR);
    batchBytes += encoded.length + CS_SEPARATOR.length;
    count += 1;
    if (batchBytes >= WRITE_BATCH_BYTES) {
      await file.write(Buffer.concat(batch, batchBytes));
      batch.length = 0;
      batchBytes = 0;
    }
  }
  if (batchBytes > 0) await file.write(Buffer.concat(batch, batchBytes));
  return { count, rejected };
}

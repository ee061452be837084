/**
 * One comparison of a consistency-check file against a holder's own 本人確認情報, item by item: the
 * servers' 8-② check and the CS's separate 既存住基↔CS check both run it. Each difference becomes a
 * mismatch line (record number, 住民票コード, item, keyed hashes of both values: never the values).
 */
import { createHmac } from 'node:crypto';
import { splitRecords } from '../codec/fixed-width.js';
import type { JukinetConsistencyCheckRecord } from '../../schemas/types.gen.js';
import { openAtomicFile, readChunks } from '../runtime/files.js';
import { consistencyRecordLayout } from './codec.js';
import { checkFields, comparableOf, comparableOfBytes, type CheckField } from './items.js';

/** The result of one comparison (a claim-check file of mismatch lines). */
export interface CompareResult {
  readonly fileRef: string;
  readonly sha256: string;
  readonly checkedCount: number;
  readonly mismatchCount: number;
}

/** What a comparison needs. */
export interface CompareOptions {
  /** The CS-layout file to check. */
  readonly source: string;
  /** Where the mismatch lines go (atomic write + marker). */
  readonly target: string;
  /** Key of the result's hashes (each holder its own). */
  readonly hashKey: string;
  /** The holder's record for a 住民票コード (the file's record number as a hint). */
  readonly lookup: (
    juminhyoCode: string,
    recordNo: number,
  ) => JukinetConsistencyCheckRecord | undefined;
  /** Items a holder changed on purpose (tests): compared as different. */
  readonly forced?: (recordNo: number) => ReadonlySet<CheckField> | undefined;
}

/** Compares every record of `source` with the holder's; resolves when the result file is complete. */
export async function compareFile(options: CompareOptions): Promise<CompareResult> {
  const hashed = (value: string) =>
    createHmac('sha256', options.hashKey).update(value).digest('hex');
  const out = await openAtomicFile(options.target);
  let checked = 0;
  let mismatches = 0;
  let lines = '';
  for await (const raw of splitRecords(readChunks(options.source), {
    recordLength: consistencyRecordLayout.recordLength,
    separator: 'crlf',
    layout: consistencyRecordLayout.name,
  })) {
    const local = comparableOfBytes(raw.bytes);
    checked += 1;
    const held = options.lookup(local.juminhyoCode, local.recordNo);
    if (held === undefined) {
      mismatches += 1;
      lines += `${JSON.stringify({ recordNo: local.recordNo, juminhyoCode: local.juminhyoCode, field: 'MISSING_SERVER' })}\n`;
    } else {
      const server = comparableOf(held);
      const forced = options.forced?.(local.recordNo);
      for (const field of checkFields) {
        const serverValue = forced?.has(field) === true ? `${server[field]}#drift` : server[field];
        if (serverValue === local[field]) continue;
        mismatches += 1;
        lines += `${JSON.stringify({
          recordNo: local.recordNo,
          juminhyoCode: local.juminhyoCode,
          field,
          localValueHash: hashed(local[field]),
          serverValueHash: hashed(serverValue),
        })}\n`;
      }
    }
    if (lines.length >= 64 * 1024) {
      await out.write(lines);
      lines = '';
    }
  }
  if (lines !== '') await out.write(lines);
  const { fileRef, sha256 } = await out.commit();
  return { fileRef, sha256, checkedCount: checked, mismatchCount: mismatches };
}

/**
 * The servers behind the 市町村CS: 都道府県サーバ and 全国サーバ (J-LIS 機構) take the 本人確認情報
 * updates the CS forwards and run the consistency check over the CS's file (`POST /check`): each
 * record is compared with the server's own copy and every difference goes to a result file (keyed
 * hashes, never values). `POST /inject` makes the server's copy differ for chosen records, so tests
 * know the exact expected report. 他市町村 takes 転入通知 forwarded by the CS.
 */
import express from 'express';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { splitRecords } from '../codec/fixed-width.js';
import { sampleJuminhyoCode, sampleMessage, sampleMyNumber } from '../../schemas/sample.js';
import { registryResidentExtractedToConsistencyCheckRecord } from '../../transformers/registry-resident-extracted-to-consistency-check-record.js';
import { isComplete, openAtomicFile, pathOfRef, readChunks } from '../runtime/files.js';
import { createSimulator, type Simulator } from '../runtime/simulator.js';
import { consistencyRecordLayout, textHash } from './codec.js';

/** Fields a consistency check compares (the catalogue's mismatch field enum). */
export type CheckField =
  'NAME' | 'NAME_KANA' | 'BIRTH_DATE' | 'SEX' | 'ADDRESS' | 'MY_NUMBER' | 'RESIDENT_STATUS';

const checkFields: readonly CheckField[] = [
  'NAME',
  'NAME_KANA',
  'BIRTH_DATE',
  'SEX',
  'ADDRESS',
  'MY_NUMBER',
  'RESIDENT_STATUS',
];

/** The result manifest a server returns for a check. */
export interface CheckResult {
  readonly fileRef: string;
  readonly sha256: string;
  readonly checkedCount: number;
  readonly mismatchCount: number;
}

type Comparable = Record<CheckField, string> & { juminhyoCode: string };

/** Options of a checking server simulator. */
export interface CheckServerOptions {
  readonly system: 'PREFECTURE_SERVER' | 'NATIONAL_SERVER';
  readonly port: number;
  readonly exchangeDir: string;
  /** 'full' compares every field; 'keys' (the national server) only 住民票コード and 個人番号. */
  readonly depth: 'full' | 'keys';
}

/** The server's own copy of record `recordNo` (the synthetic population). */
function serverCopy(recordNo: number, depth: 'full' | 'keys'): Partial<Comparable> {
  if (depth === 'keys')
    return { juminhyoCode: sampleJuminhyoCode(recordNo), MY_NUMBER: sampleMyNumber(recordNo) };
  const record = registryResidentExtractedToConsistencyCheckRecord.transform(
    sampleMessage('registry.resident.extracted', recordNo),
    { messageId: 'server-copy', now: '2026-01-01T00:00:00+09:00', lgCode: '131016' },
  );
  return {
    juminhyoCode: record.juminhyoCode,
    NAME: textHash(record.name),
    NAME_KANA: record.nameKanaHalfWidth ?? '',
    BIRTH_DATE: record.birthDate.value ?? '',
    SEX: record.sex,
    ADDRESS: textHash(record.addressText),
    MY_NUMBER: record.myNumber,
    RESIDENT_STATUS: record.residentStatus,
  };
}

/** Starts nothing; returns a checking server simulator. */
export function checkServerSimulator(options: CheckServerOptions): Simulator {
  const sim = createSimulator({ system: options.system, port: options.port });
  const injected = new Map<number, Set<CheckField>>();
  // Hash key of this server's result file: values are compared, never written.
  const hashKey = `${options.system}-result`;
  const hashed = (value: string) => createHmac('sha256', hashKey).update(value).digest('hex');
  sim.app.post('/inject', express.json(), (req, res) => {
    const list = ((req.body ?? {}) as { mismatches?: unknown }).mismatches;
    injected.clear();
    if (Array.isArray(list)) {
      for (const entry of list as { recordNo?: unknown; field?: unknown }[]) {
        if (typeof entry.recordNo !== 'number' || typeof entry.field !== 'string') continue;
        if (!checkFields.includes(entry.field as CheckField)) continue;
        const fields = injected.get(entry.recordNo) ?? new Set<CheckField>();
        fields.add(entry.field as CheckField);
        injected.set(entry.recordNo, fields);
      }
    }
    res.json({ injected: injected.size });
  });
  sim.app.post('/check', express.json(), (req, res) => {
    void (async () => {
      const body = (req.body ?? {}) as { fileRef?: unknown; id?: unknown };
      try {
        if (typeof body.fileRef !== 'string' || typeof body.id !== 'string')
          throw new Error('fileRef and id are required');
        const source = pathOfRef(body.fileRef);
        if (!(await isComplete(source))) throw new Error('the file has no completion marker');
        const result = await runCheck(source, body.id);
        res.json(result);
      } catch (error) {
        res.status(400).json({ error: error instanceof Error ? error.message : 'check failed' });
      }
    })();
  });

  async function runCheck(source: string, id: string): Promise<CheckResult> {
    const out = await openAtomicFile(
      join(options.exchangeDir, options.system.toLowerCase(), `result-${id}.jsonl`),
    );
    let checked = 0;
    let mismatches = 0;
    for await (const raw of splitRecords(readChunks(source), {
      recordLength: consistencyRecordLayout.recordLength,
      separator: 'crlf',
      layout: consistencyRecordLayout.name,
    })) {
      const record = consistencyRecordLayout.decode(raw.bytes);
      const recordNo = Number(record.recordNo);
      const local: Comparable = {
        juminhyoCode: record.juminhyoCode,
        NAME: record.nameHash,
        NAME_KANA: record.nameKana,
        BIRTH_DATE: record.birthDate,
        SEX: record.sex,
        ADDRESS: record.addressHash,
        MY_NUMBER: record.myNumber,
        RESIDENT_STATUS: record.residentStatus,
      };
      const server = serverCopy(recordNo, options.depth);
      const changed = injected.get(recordNo);
      for (const field of checkFields) {
        const serverValue = server[field];
        if (serverValue === undefined) continue;
        // An injected difference stands for a server copy that drifted from the registry.
        const effective = changed?.has(field) ? `${serverValue}#drift` : serverValue;
        if (effective === local[field]) continue;
        mismatches += 1;
        await out.write(
          `${JSON.stringify({
            recordNo,
            juminhyoCode: local.juminhyoCode,
            field,
            localValueHash: hashed(local[field]),
            serverValueHash: hashed(effective),
          })}\n`,
        );
      }
      checked += 1;
    }
    const { fileRef, sha256 } = await out.commit();
    return { fileRef, sha256, checkedCount: checked, mismatchCount: mismatches };
  }
  return sim;
}

/** The 他市町村 simulator: takes the 転入通知 the CS forwards. */
export function otherMunicipalitySimulator(port: number): Simulator {
  return createSimulator({ system: 'OTHER_MUNICIPALITY', port });
}

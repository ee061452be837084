/**
 * 法務省情報連携端末 simulator. Towards the hub it writes 法務省通知 files into
 * `<exchange>/moj-terminal/inbound/` (`POST /trigger/notices {from?, to? | count?, skip?,
 * duplicates?}`: one notice per sequence number from `from` (default: after the last it wrote) to
 * `to` without those in `skip`, then the `duplicates` again, between header and trailer; atomic write
 * + marker). From the hub it takes 市町村通知 files
 * (manifest on `/inbox`), checks the SHA-256 and decodes every record, which `/received` shows.
 */
import express from 'express';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sampleLgCode, sampleMojNotice } from '../../schemas/sample.js';
import { splitLines } from '../runtime/file-layout.js';
import { openAtomicFile, pathOfRef } from '../runtime/files.js';
import { createSimulator, jsonOf, type Simulator } from '../runtime/simulator.js';
import {
  MOJ_SEPARATOR,
  decodeMunicipalityNotice,
  encodeMojHeader,
  encodeMojNotice,
  encodeMojTrailer,
} from './codec.js';
import { mojTerminalDescriptor } from './descriptor.js';
import type { OutgoingManifest } from './sink.js';

/** Writes a 法務省通知 file of the given sequence numbers (in that order); returns its path. */
export async function writeMojNoticeFile(
  path: string,
  sequenceNos: readonly number[],
  lgCode: string = sampleLgCode,
): Promise<string> {
  const file = await openAtomicFile(path);
  await file.write(
    Buffer.concat([encodeMojHeader('2026-11-27', sequenceNos.length), MOJ_SEPARATOR]),
  );
  const chunk: Buffer[] = [];
  for (const seq of sequenceNos) {
    chunk.push(encodeMojNotice({ ...sampleMojNotice(seq, seq), lgCode }), MOJ_SEPARATOR);
    if (chunk.length >= 512) await file.write(Buffer.concat(chunk.splice(0)));
  }
  if (chunk.length > 0) await file.write(Buffer.concat(chunk));
  await file.write(Buffer.concat([encodeMojTrailer(sequenceNos.length), MOJ_SEPARATOR]));
  await file.commit();
  return path;
}

const numbers = (value: unknown): number[] =>
  Array.isArray(value) ? value.filter((item): item is number => Number.isInteger(item)) : [];

/** Returns the terminal simulator (call `start()`). */
export function mojTerminalSimulator(options: { port: number; exchangeDir: string }): Simulator {
  let files = 0;
  // The next sequence number the simulated MOJ side would send (when `from` is not given).
  let nextSeq = 1;
  const sim = createSimulator({
    system: mojTerminalDescriptor.system,
    port: options.port,
    async onInbox(inbound) {
      if (inbound.messageType !== 'municipality.notice.sent') return { body: null, status: 400 };
      const manifest = jsonOf(inbound) as OutgoingManifest;
      const bytes = await readFile(pathOfRef(manifest.fileRef));
      if (createHash('sha256').update(bytes).digest('hex') !== manifest.sha256)
        return { body: manifest, status: 422 };
      const records = splitLines(bytes).map((record) => decodeMunicipalityNotice(record.bytes));
      return { body: { fileRef: manifest.fileRef, records } };
    },
  });
  sim.app.post('/trigger/notices', express.json(), (req, res) => {
    void (async () => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const from = typeof body['from'] === 'number' ? body['from'] : nextSeq;
      const count = typeof body['count'] === 'number' ? body['count'] : 1;
      const to = typeof body['to'] === 'number' ? body['to'] : from + count - 1;
      if (
        !Number.isInteger(from) ||
        !Number.isInteger(to) ||
        from < 1 ||
        to < from ||
        to - from > 99_999
      ) {
        res.status(400).json({
          error: 'from and to must be whole numbers, 1 ≤ from ≤ to, at most 100000 notices',
        });
        return;
      }
      const skip = new Set(numbers(body['skip']));
      const sequence: number[] = [];
      for (let seq = from; seq <= to; seq += 1) if (!skip.has(seq)) sequence.push(seq);
      sequence.push(...numbers(body['duplicates']));
      nextSeq = Math.max(nextSeq, to + 1);
      files += 1;
      const name = `HOUMU_${String(Date.now())}_${String(files)}.dat`;
      const path = await writeMojNoticeFile(
        join(options.exchangeDir, 'moj-terminal', 'inbound', name),
        sequence,
        typeof body['lgCode'] === 'string' ? body['lgCode'] : sampleLgCode,
      );
      res.json({ file: name, path, records: sequence.length });
    })().catch(() => {
      if (!res.headersSent) res.status(500).json({ error: 'the file could not be written' });
    });
  });
  return sim;
}

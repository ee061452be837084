/**
 * 既存住基 simulator: records movements on request (`POST /trigger/movement {reason, seed,
 * birthAfterProcessing?, kind?, honseki?: {lgCode, address}}`), writes the
 * consistency-check extract (`POST /trigger/consistency-check`, streamed JSON lines, atomic write +
 * marker) and takes the CS replies (My Number notifications) and check results on `/inbox`.
 */
import express from 'express';
import { join } from 'node:path';
import {
  sampleLgCode,
  sampleMessage,
  sampleMovementRecorded,
  sampleMyNumber,
} from '../../schemas/sample.js';
import type { SampleResidentKind } from '../../schemas/sample.js';
import type {
  JukinetConsistencyCheckExtractReady,
  MovementReason,
} from '../../schemas/types.gen.js';
import { openAtomicFile } from '../runtime/files.js';
import type { Ingress } from '../runtime/ingress.js';
import { createSimulator, type Simulator } from '../runtime/simulator.js';
import { kizonJukiDescriptor } from './descriptor.js';
import { publishExtractReady, publishMovement } from './ingress.js';

/** Options of the registry simulator. */
export interface KizonJukiSimOptions {
  readonly port: number;
  readonly ingress: Ingress;
  /** Where extract files are written. */
  readonly exchangeDir: string;
}

const movementReasons = new Set([
  'DOMESTIC_MOVE_IN',
  'OVERSEAS_MOVE_IN',
  'BIRTH',
  'RELOCATION',
  'DOMESTIC_MOVE_OUT',
  'DEATH',
]);

/** Reasons after which the registry has no 個人番号 yet (the CS generates one). */
const withoutMyNumber = new Set(['BIRTH', 'OVERSEAS_MOVE_IN']);

/**
 * Writes the consistency-check extract: `count` synthetic registry records as JSON lines (atomic
 * write + marker), the same bytes for the same `count` and `asOf`. The trigger below and the bulk
 * benchmark (`bench/bulk.ts`) both use it.
 */
export async function writeConsistencyExtract(
  path: string,
  count: number,
  asOf: string,
): Promise<JukinetConsistencyCheckExtractReady> {
  const file = await openAtomicFile(path);
  let lines = '';
  for (let recordNo = 1; recordNo <= count; recordNo += 1) {
    const record = { ...sampleMessage('registry.resident.extracted', recordNo), asOf };
    lines += `${JSON.stringify(record)}\n`;
    // Written in batches of about 256 KB: one await per record made a 1M-record extract slow.
    if (lines.length >= 256 * 1024) {
      await file.write(lines);
      lines = '';
    }
  }
  if (lines !== '') await file.write(lines);
  const { fileRef, sha256 } = await file.commit();
  // The manifest the registry publishes for this extract.
  return {
    lgCode: sampleLgCode,
    fileRef,
    sha256,
    recordCount: count,
    asOf,
    encoding: 'UTF-8',
    layoutVersion: '1.0',
  };
}

/** Starts nothing; returns the registry simulator (call `start()`). */
export function kizonJukiSimulator(options: KizonJukiSimOptions): Simulator {
  const sim = createSimulator({ system: kizonJukiDescriptor.system, port: options.port });
  sim.app.post('/trigger/movement', express.json(), (req, res) => {
    void (async () => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const reason = typeof body['reason'] === 'string' ? body['reason'] : 'DOMESTIC_MOVE_IN';
      const seed = typeof body['seed'] === 'number' ? body['seed'] : 1;
      if (!movementReasons.has(reason)) {
        res.status(400).json({ error: `reason must be one of ${[...movementReasons].join(', ')}` });
        return;
      }
      const kinds = ['japanese', 'mid-long-term', 'special-permanent'];
      const kind = (
        typeof body['kind'] === 'string' && kinds.includes(body['kind'])
          ? body['kind']
          : reason === 'OVERSEAS_MOVE_IN'
            ? 'mid-long-term'
            : 'japanese'
      ) as SampleResidentKind;
      const movement = sampleMovementRecorded({}, seed, reason as MovementReason['reason'], kind);
      // A 本籍 elsewhere (affair 2): {lgCode, address}; the 筆頭者 stays the resident.
      const honseki = body['honseki'] as { lgCode?: unknown; address?: unknown } | undefined;
      if (
        movement.resident.honseki !== undefined &&
        typeof honseki?.lgCode === 'string' &&
        typeof honseki.address === 'string'
      ) {
        movement.resident.honseki = {
          ...movement.resident.honseki,
          lgCode: honseki.lgCode,
          address: honseki.address,
        };
      }
      // A 生年月日 the CS will refuse (after the processing date), to show the rejection path.
      if (body['birthAfterProcessing'] === true) {
        movement.resident.birthDate = { value: '2099-01-01', era: 'R' };
      }
      const tokutei = withoutMyNumber.has(reason)
        ? undefined
        : { ...movement, myNumber: sampleMyNumber(seed) };
      try {
        const results = await publishMovement(options.ingress, movement, tokutei);
        res.json({
          juminhyoCode: movement.resident.juminhyoCode,
          atenaNumber: movement.resident.atenaNumber,
          messageIds: results.map((result) => result.messageId),
        });
      } catch {
        res.status(503).json({ error: 'the hub did not take the movement' });
      }
    })();
  });
  sim.app.post('/trigger/consistency-check', express.json(), (req, res) => {
    void (async () => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const count =
        typeof body['count'] === 'number' ? Math.max(0, Math.floor(body['count'])) : 1000;
      const asOf = new Date().toISOString();
      const manifest = await writeConsistencyExtract(
        join(options.exchangeDir, 'kizon-juki', `extract-${String(Date.now())}.jsonl`),
        count,
        asOf,
      );
      try {
        const result = await publishExtractReady(options.ingress, manifest);
        const { fileRef, sha256 } = manifest;
        res.json({ fileRef, sha256, recordCount: count, messageId: result.messageId });
      } catch {
        res.status(503).json({ error: 'the hub did not take the manifest' });
      }
    })();
  });
  return sim;
}

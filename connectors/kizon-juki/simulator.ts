/**
 * 既存住基 simulator: records movements on request (`POST /trigger/movement {reason, seed,
 * birthAfterProcessing?, historyNo?, addressSeed?, setaiSeed?, honsekiOutside?,
 * lastRegisteredLgCode?, plannedMoveOutOn?, kind?,
 * honseki?: {lgCode, address}}`, see `overrides.ts`), records 支援措置
 * (`POST /trigger/suppression`, `suppression.ts`), asks for a new 個人番号
 * (`POST /trigger/mynumber-change {seed, changeKind}`), carries generated and changed numbers on to
 * 1-⑥ (`register.ts`), writes the
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
  RegistryCsReplyReceived,
} from '../../schemas/types.gen.js';
import { openAtomicFile } from '../runtime/files.js';
import type { Ingress } from '../runtime/ingress.js';
import { createSimulator, jsonOf, type Simulator } from '../runtime/simulator.js';
import { addCardTriggers } from './cards.js';
import { kizonJukiDescriptor } from './descriptor.js';
import { publishExtractReady, publishMovement } from './ingress.js';
import { applyOverrides } from './overrides.js';
import { mountSuppressionTrigger } from './suppression.js';
import { mountCounter } from './counter.js';
import { mountSpecialMoveOut } from './tokurei.js';
import { malformedLine } from './malformed.js';
import { RegistryBook, publishChangeRequest, publishNumbered } from './register.js';

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
  /** Record numbers written malformed (tests of per-record rejects), see `malformed.ts`. */
  malformed: ReadonlySet<number> = new Set(),
): Promise<JukinetConsistencyCheckExtractReady> {
  const file = await openAtomicFile(path);
  let lines = '';
  for (let recordNo = 1; recordNo <= count; recordNo += 1) {
    const record = { ...sampleMessage('registry.resident.extracted', recordNo), asOf };
    lines += malformed.has(recordNo) ? malformedLine(record) : `${JSON.stringify(record)}\n`;
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
  const book = new RegistryBook();
  const today = () => new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
  const sim = createSimulator({
    system: kizonJukiDescriptor.system,
    port: options.port,
    async onInbox(inbound) {
      const body = jsonOf(inbound);
      if (inbound.messageType === 'registry.cs-reply.received') {
        // 1-⑤: a generated or changed number is recorded and carried on to 1-⑥.
        const reply = body as RegistryCsReplyReceived;
        if (reply.replyKind === 'MOVE_IN_NOTICE') book.applyMoveInNotice(reply);
        const next = book.apply(reply, today());
        if (next !== undefined) {
          const kind =
            (body as RegistryCsReplyReceived).replyKind === 'MYNUMBER_CHANGED'
              ? 'changed'
              : 'numbered';
          await publishNumbered(options.ingress, next.movement, next.tokutei, kind);
        }
      }
      return { body };
    },
  });
  // Tests: the 個人番号 the registry holds now for a resident.
  sim.app.get('/residents/:code/my-number', (req, res) => {
    const myNumber = book.myNumberOf(req.params.code);
    if (myNumber === undefined) res.status(404).json({ error: 'no such resident' });
    else res.json({ myNumber });
  });
  // Tests: the 転入通知 applied to a former resident's 除票 (latest wins).
  sim.app.get('/residents/:code/move-in-notice', (req, res) => {
    const applied = book.noticesOf(req.params.code);
    if (applied === undefined) res.status(404).json({ error: 'no notice applied' });
    else res.json(applied);
  });
  // 1-②: a resident asks for a new 個人番号 (変更請求) — or the city changes it ex officio.
  sim.app.post('/trigger/mynumber-change', express.json(), (req, res) => {
    void (async () => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const seed = typeof body['seed'] === 'number' ? body['seed'] : 1;
      const kind = body['changeKind'] ?? 'REQUEST';
      if (kind !== 'REQUEST' && kind !== 'EX_OFFICIO' && kind !== 'CORRECTION') {
        res.status(400).json({ error: 'changeKind must be REQUEST, EX_OFFICIO or CORRECTION' });
        return;
      }
      const request = book.changeRequest(seed, sampleLgCode, today(), kind);
      try {
        const result = await publishChangeRequest(options.ingress, request);
        res.json({ juminhyoCode: request.juminhyoCode, messageId: result.messageId });
      } catch {
        res.status(503).json({ error: 'the hub did not take the request' });
      }
    })();
  });
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
      applyOverrides(movement, body);
      // 最終住民登録地 other than the 転入前住所's municipality (the resident lived there unregistered).
      const lastRegistered = body['lastRegisteredLgCode'];
      if (typeof lastRegistered === 'string' && /^[0-9]{6}$/.test(lastRegistered)) {
        movement.resident.lastRegisteredAddress = {
          lgCode: lastRegistered,
          prefecture: '東京都',
          municipalityName: '最終登録地',
        };
      }
      const plannedMoveOutOn = body['plannedMoveOutOn'];
      if (typeof plannedMoveOutOn === 'string' && movement.plannedMoveOutOn !== undefined) {
        movement.plannedMoveOutOn = plannedMoveOutOn;
      }
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
      // A 生年月日 the CS will refuse (the day after the processing date), to show the rejection
      // path. Not in the future: the hub itself refuses a future birth before any system sees it.
      if (body['birthAfterProcessing'] === true) {
        const next = new Date(`${movement.processedOn}T00:00:00Z`);
        next.setUTCDate(next.getUTCDate() + 1);
        movement.resident.birthDate = { value: next.toISOString().slice(0, 10), era: 'R' };
      }
      const tokutei = withoutMyNumber.has(reason)
        ? undefined
        : { ...movement, myNumber: sampleMyNumber(seed) };
      book.record(movement, tokutei?.myNumber);
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
      const malformed = new Set(
        (Array.isArray(body['malformed']) ? (body['malformed'] as unknown[]) : []).filter(
          (value): value is number => typeof value === 'number',
        ),
      );
      const asOf = new Date().toISOString();
      const manifest = await writeConsistencyExtract(
        join(options.exchangeDir, 'kizon-juki', `extract-${String(Date.now())}.jsonl`),
        count,
        asOf,
        malformed,
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
  // 支援措置 (affair 11) and the 窓口 for 住民票の写し (affair 3).
  mountCounter(sim, book, mountSuppressionTrigger(sim, options.ingress));
  addCardTriggers(sim, options);
  mountSpecialMoveOut(sim, sampleLgCode);
  return sim;
}

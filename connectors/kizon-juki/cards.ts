/**
 * 既存住基 simulator, affairs 9 and 10 (what the registry originates about 個人番号カード):
 *
 * - `POST /trigger/delivery-addresses {count, bad?}` writes the 送付先情報 extract of `count` people
 *   due a card (JSON lines of `card.delivery-address.record`, atomic write + marker, streamed) and
 *   publishes its manifest (9-①). The records at the numbers in `bad` are broken in turn: a postal
 *   code with a hyphen, a name with U+FFFD (文字化け), 特別な事情 not set.
 * - `POST /trigger/card-events {events: [{seed | juminhyoCode, cardEvent, reason?}]}` publishes the
 *   card events in the order given (10-①).
 */
import { randomUUID } from 'node:crypto';
import express from 'express';
import { join } from 'node:path';
import {
  sampleDeliveryAddressRecord,
  sampleJuminhyoCode,
  sampleLgCode,
} from '../../schemas/sample.js';
import type {
  CardDeliveryAddressExtractReady,
  CardEvent,
  MynumberCardStatusChanged,
} from '../../schemas/types.gen.js';
import { openAtomicFile } from '../runtime/files.js';
import { keyDigest, type Ingress } from '../runtime/ingress.js';
import type { Simulator } from '../runtime/simulator.js';
import { kizonJukiDescriptor } from './descriptor.js';

const KIZON_JUKI = kizonJukiDescriptor.system;

/** Breaks record `recordNo` of a 送付先情報 extract in one of three ways (by its position in `bad`). */
function broken(record: Record<string, unknown>, kind: number): Record<string, unknown> {
  if (kind % 3 === 0) return { ...record, postalCode: '100-0001' };
  if (kind % 3 === 1) return { ...record, recipientName: '山田\ufffd郎' };
  const unset = { ...record };
  delete unset['specialCircumstance'];
  return unset;
}

/**
 * Writes the 送付先情報 extract: `count` synthetic records as JSON lines, the records numbered in
 * `bad` broken. The trigger and the bulk benchmark (`bench/delivery-address.ts`) both use it.
 */
export async function writeDeliveryAddressExtract(
  path: string,
  count: number,
  asOf: string,
  bad: readonly number[] = [],
): Promise<CardDeliveryAddressExtractReady> {
  const badKind = new Map(bad.map((recordNo, index) => [recordNo, index]));
  const file = await openAtomicFile(path);
  let lines = '';
  for (let recordNo = 1; recordNo <= count; recordNo += 1) {
    const record = sampleDeliveryAddressRecord(recordNo) as unknown as Record<string, unknown>;
    const kind = badKind.get(recordNo);
    lines += `${JSON.stringify(kind === undefined ? record : broken(record, kind))}\n`;
    if (lines.length >= 256 * 1024) {
      await file.write(lines);
      lines = '';
    }
  }
  if (lines !== '') await file.write(lines);
  const { fileRef, sha256 } = await file.commit();
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

const cardEvents = new Set<string>([
  'ISSUED',
  'SUSPENDED',
  'SUSPENSION_LIFTED',
  'REVOKED',
  'RECOVERED',
  'RETURNED',
  'CONTINUED_USE',
  'EXPIRY_DATE_CHANGED',
]);

/** Adds the affair 9 and 10 triggers to the registry simulator. */
export function addCardTriggers(
  sim: Simulator,
  options: { readonly ingress: Ingress; readonly exchangeDir: string },
): void {
  sim.app.post('/trigger/delivery-addresses', express.json(), (req, res) => {
    void (async () => {
      const body = (req.body ?? {}) as { count?: unknown; bad?: unknown };
      const count = typeof body.count === 'number' ? Math.max(0, Math.floor(body.count)) : 1000;
      const bad = Array.isArray(body.bad)
        ? body.bad.filter((n): n is number => typeof n === 'number')
        : [];
      const manifest = await writeDeliveryAddressExtract(
        // A UUID, not Date.now(): a 13-digit run in the manifest's file name can read as a 個人番号
        // (1 time in 5), and this manifest is declared without one, so the policy would quarantine it.
        join(options.exchangeDir, 'kizon-juki', `delivery-${randomUUID()}.jsonl`),
        count,
        new Date().toISOString(),
        bad,
      );
      const result = await options.ingress.publish(
        KIZON_JUKI,
        'card.delivery-address.extract-ready',
        manifest,
        { eventKey: manifest.sha256 },
      );
      res.json({ recordCount: count, sha256: manifest.sha256, messageId: result.messageId });
    })().catch(() => {
      if (!res.headersSent) res.status(503).json({ error: 'the hub did not take the manifest' });
    });
  });

  sim.app.post('/trigger/card-events', express.json(), (req, res) => {
    void (async () => {
      const events = (req.body as { events?: unknown } | undefined)?.events;
      if (!Array.isArray(events) || events.length === 0) {
        res.status(400).json({ error: 'events: a non-empty list of {seed, cardEvent}' });
        return;
      }
      const messageIds: string[] = [];
      for (const [index, item] of events.entries()) {
        const entry = (item ?? {}) as {
          seed?: unknown;
          juminhyoCode?: unknown;
          cardEvent?: unknown;
          reason?: unknown;
        };
        if (typeof entry.cardEvent !== 'string' || !cardEvents.has(entry.cardEvent)) {
          res.status(400).json({
            error: `events[${String(index)}].cardEvent must be one of ${[...cardEvents].join(', ')}`,
          });
          return;
        }
        const juminhyoCode =
          typeof entry.juminhyoCode === 'string'
            ? entry.juminhyoCode
            : sampleJuminhyoCode(typeof entry.seed === 'number' ? entry.seed : 1);
        const eventAt = new Date().toISOString();
        const event: MynumberCardStatusChanged = {
          lgCode: sampleLgCode,
          juminhyoCode,
          cardEvent: entry.cardEvent as CardEvent,
          eventAt,
          ...(typeof entry.reason === 'string'
            ? { reason: entry.reason as NonNullable<MynumberCardStatusChanged['reason']> }
            : {}),
        };
        const result = await options.ingress.publish(
          KIZON_JUKI,
          'mynumber-card.status-changed',
          event,
          {
            eventKey: keyDigest(`${juminhyoCode}:${entry.cardEvent}:${eventAt}:${String(index)}`),
          },
        );
        messageIds.push(result.messageId);
      }
      res.json({ messageIds });
    })().catch(() => {
      if (!res.headersSent) res.status(503).json({ error: 'the hub did not take the events' });
    });
  });
}

/**
 * Affair 9 at the 市町村CS, both sides (9-①②), a bulk path like affair 8's:
 *
 * - `convertDeliveryAddresses` (the CS sink): streams the registry's 送付先情報 extract (JSON lines of
 *   `card.delivery-address.record`) record by record, checks each against its schema by itself, and
 *   writes the good ones to the CS's file and the bad ones — record number, schema paths and the
 *   reasons in Japanese and English, never a value — to a rejects file. Memory stays bounded by one
 *   write batch; progress is logged every `PROGRESS_EVERY` records (counts only). One bad record never
 *   stops the others; only an unreadable file or a count that does not match the manifest fails the
 *   whole manifest.
 * - `forwardDeliveryAddresses` (the CS simulator): hands the file to the 個人番号カード管理システム
 *   (`POST /delivery-addresses`) and publishes `card.delivery-address.acknowledged` with its counts.
 *
 * The CS file is JSON lines (UTF-8): names and addresses are 住基ネット統一文字, which CP932 cannot
 * carry (see "Wire formats" in docs/architecture.md).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConnectorError } from '../../hub/errors.js';
import { loggerFor } from '../../hub/logger.js';
import type { SchemaRegistry } from '../../schemas/registry.js';
import type { CardDeliveryAddressExtractReady } from '../../schemas/types.gen.js';
import {
  MARKER_SUFFIX,
  isComplete,
  openAtomicFile,
  pathOfRef,
  readJsonLines,
} from '../runtime/files.js';
import { postBytes } from '../runtime/http-sink.js';
import type { Ingress } from '../runtime/ingress.js';
import type { Inbound, InboxResult } from '../runtime/simulator.js';
import { cardKanriDescriptor } from '../card-kanri/descriptor.js';
import { jukinetCsDescriptor } from './descriptor.js';
import { publishCsReply } from './ingress.js';

const JUKINET_CS = jukinetCsDescriptor.system;

/** Records between two progress lines in the log. */
export const PROGRESS_EVERY = 10_000;

/** Bytes collected before one write. */
const WRITE_BATCH_BYTES = 256 * 1024;

/** One rejected record as the rejects file holds it. */
export interface DeliveryAddressReject {
  readonly recordNo: number;
  /** The line of the extract (1-based), in case the record number itself is what is wrong. */
  readonly line: number;
  readonly paths: string[];
  readonly ja: string;
  readonly en: string;
}

/** A buffered writer of lines to an atomic file. */
async function lineWriter(path: string) {
  const file = await openAtomicFile(path);
  let buffered = '';
  return {
    async add(line: string) {
      buffered += `${line}\n`;
      if (buffered.length >= WRITE_BATCH_BYTES) {
        await file.write(buffered);
        buffered = '';
      }
    },
    async commit() {
      if (buffered !== '') await file.write(buffered);
      return file.commit();
    },
  };
}

/**
 * Streams the registry extract into the CS file and the rejects file. Idempotent by message id: a
 * redelivery finds both files complete and sends the same manifest again.
 */
export async function convertDeliveryAddresses(
  manifest: CardDeliveryAddressExtractReady,
  messageId: string,
  exchangeDir: string,
  catalogue: SchemaRegistry,
): Promise<CardDeliveryAddressExtractReady> {
  const log = loggerFor(`connector:${JUKINET_CS}`);
  let source: string;
  try {
    source = pathOfRef(manifest.fileRef);
    await stat(source);
  } catch (error) {
    throw new ConnectorError(JUKINET_CS, 'the delivery-address extract is not readable', false, {
      cause: error,
    });
  }
  const target = join(exchangeDir, 'jukinet-cs', `delivery-${messageId}.jsonl`);
  const rejectsTarget = join(exchangeDir, 'jukinet-cs', `delivery-rejects-${messageId}.jsonl`);
  const summaryPath = join(exchangeDir, 'jukinet-cs', `delivery-${messageId}.summary.json`);
  if ((await isComplete(target)) && (await isComplete(rejectsTarget))) {
    const summary = JSON.parse(
      await readFile(summaryPath, 'utf8'),
    ) as CardDeliveryAddressExtractReady;
    const sha256 = (await readFile(`${target}${MARKER_SUFFIX}`, 'utf8')).trim();
    return { ...summary, sha256 };
  }
  const accepted = await lineWriter(target);
  const rejects = await lineWriter(rejectsTarget);
  let line = 0;
  let acceptedCount = 0;
  let rejectedCount = 0;
  for await (const record of readJsonLines(source)) {
    line += 1;
    const { issues } = catalogue.validate('card.delivery-address.record', record);
    if (issues.length === 0) {
      await accepted.add(JSON.stringify(record));
      acceptedCount += 1;
    } else {
      const recordNo = (record as { recordNo?: unknown } | null)?.recordNo;
      const reject: DeliveryAddressReject = {
        recordNo: typeof recordNo === 'number' && Number.isSafeInteger(recordNo) ? recordNo : line,
        line,
        paths: issues.map((issue) => `${issue.path || '/'} ${issue.keyword}`),
        ja: issues.map((issue) => `${issue.path || '/'}: ${issue.ja}`).join('; '),
        en: issues.map((issue) => `${issue.path || '/'}: ${issue.en}`).join('; '),
      };
      await rejects.add(JSON.stringify(reject));
      rejectedCount += 1;
    }
    if (line % PROGRESS_EVERY === 0) {
      log.info(
        { messageId, done: line, total: manifest.recordCount, rejected: rejectedCount },
        `送付先情報 ${String(line)}/${String(manifest.recordCount)} 件 / delivery addresses ${String(line)} of ${String(manifest.recordCount)}`,
      );
    }
  }
  if (line !== manifest.recordCount) {
    throw new ConnectorError(
      JUKINET_CS,
      `the extract holds ${String(line)} records, the manifest says ${String(manifest.recordCount)}`,
      false,
    );
  }
  const file = await accepted.commit();
  const rejectsFile = await rejects.commit();
  log.info(
    { messageId, total: line, accepted: acceptedCount, rejected: rejectedCount },
    '送付先情報 変換完了 / delivery addresses converted',
  );
  const converted: CardDeliveryAddressExtractReady = {
    ...manifest,
    fileRef: file.fileRef,
    sha256: file.sha256,
    extractSha256: manifest.sha256,
    encoding: 'UTF-8',
    acceptedCount,
    rejectedCount,
    rejectsRef: rejectsFile.fileRef,
  };
  const summary = await openAtomicFile(summaryPath);
  await summary.write(JSON.stringify(converted));
  await summary.commit();
  return converted;
}

/** What the CS simulator needs to forward the 送付先情報. */
export interface DeliveryAddressForwarding {
  readonly ingress: Ingress;
  readonly cardUrl: () => string;
  readonly later: (what: string, work: () => Promise<void>) => void;
}

/** The CS's handling of `card.delivery-address.extract-ready` (9-②). */
export function forwardDeliveryAddresses(
  inbound: Inbound,
  body: unknown,
  options: DeliveryAddressForwarding,
): InboxResult {
  const manifest = body as CardDeliveryAddressExtractReady;
  options.later('delivery-addresses', async () => {
    const text = await postBytes(
      cardKanriDescriptor.system,
      `${options.cardUrl()}/delivery-addresses`,
      JSON.stringify({ fileRef: manifest.fileRef, id: inbound.messageId }),
      { contentType: 'application/json', timeoutMs: 600_000 },
    );
    const result = JSON.parse(text) as { importedCount: number };
    await publishCsReply(
      options.ingress,
      'card.delivery-address.acknowledged',
      {
        lgCode: manifest.lgCode,
        extractSha256: manifest.extractSha256 ?? manifest.sha256,
        recordCount: manifest.recordCount,
        acceptedCount: manifest.acceptedCount ?? manifest.recordCount,
        rejectedCount: manifest.rejectedCount ?? 0,
        importedCount: result.importedCount,
        ...(manifest.rejectsRef === undefined ? {} : { rejectsRef: manifest.rejectsRef }),
        asOf: manifest.asOf,
      },
      inbound.messageId,
      inbound.correlationId,
    );
  });
  return { body };
}

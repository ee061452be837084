/**
 * 市町村CS connector. Egress: requests and updates as JSON over HTTP (names and addresses are
 * 住基ネット統一文字, which the CS takes as text, not CP932), and the consistency-check claim check:
 * the registry's extract is streamed record by record through the pure transformer into the CS's
 * fixed-width CP932 file (atomic write + completion marker), then only the manifest is sent. The CS
 * is 住基ネット and may receive 個人番号. What the CS originates is in `ingress.ts`.
 */
import { join } from 'node:path';
import { readFile, stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { OutboundMessage, Sink } from '../../hub/engine/step.js';
import { ConnectorError } from '../../hub/errors.js';
import type { SchemaRegistry } from '../../schemas/registry.js';
import { schemaRegistry } from '../../schemas/registry.js';
import type {
  CardDeliveryAddressExtractReady,
  JukinetConsistencyCheckExtractReady,
  RegistryResidentExtracted,
} from '../../schemas/types.gen.js';
import { registryResidentExtractedToConsistencyCheckRecord } from '../../transformers/registry-resident-extracted-to-consistency-check-record.js';
import {
  MARKER_SUFFIX,
  isComplete,
  openAtomicFile,
  pathOfRef,
  readJsonLines,
} from '../runtime/files.js';
import { postBytes } from '../runtime/http-sink.js';
import { CS_SEPARATOR, encodeConsistencyRecord } from './codec.js';
import { convertDeliveryAddresses } from './delivery-address.js';
import { jukinetCsDescriptor } from './descriptor.js';

/** The SystemId. */
export const JUKINET_CS = jukinetCsDescriptor.system;

/** Bytes of CS records collected before one write to the claim-check file. */
const WRITE_BATCH_BYTES = 256 * 1024;

/** Options of the CS sink. */
export interface JukinetCsSinkOptions {
  readonly baseUrl: string;
  /** Where the CS-format claim-check files are written (the exchange folder the CS reads). */
  readonly exchangeDir: string;
  readonly lgCode: string;
  readonly timeoutMs?: number;
  readonly catalogue?: SchemaRegistry;
}

/** The CS egress sink. */
export function jukinetCsSink(options: JukinetCsSinkOptions): Sink {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const catalogue = options.catalogue ?? schemaRegistry();
  const send = (message: OutboundMessage, body: Buffer) =>
    postBytes(JUKINET_CS, `${options.baseUrl}/inbox`, body, {
      contentType: 'application/json',
      timeoutMs,
      headers: {
        'idempotency-key': message.messageId,
        'x-message-type': message.messageType,
        'x-correlation-id': message.correlationId,
      },
    });
  return {
    system: JUKINET_CS,
    allowsMyNumber: jukinetCsDescriptor.myNumber,
    async deliver(message) {
      if (message.messageType === 'card.delivery-address.extract-ready') {
        const manifest = message.body as CardDeliveryAddressExtractReady;
        const converted = await convertDeliveryAddresses(
          manifest,
          message.messageId,
          options.exchangeDir,
          catalogue,
        );
        await send(message, Buffer.from(JSON.stringify(converted), 'utf8'));
        return;
      }
      if (message.messageType !== 'jukinet.consistency-check.extract-ready') {
        await send(message, message.content);
        return;
      }
      const manifest = message.body as JukinetConsistencyCheckExtractReady;
      const converted = await convertExtract(manifest, message.messageId, options, catalogue);
      await send(message, Buffer.from(JSON.stringify(converted), 'utf8'));
    },
  };
}

/**
 * Streams the registry extract into the CS file. Idempotent by message id: a redelivery finds the
 * completed file (its marker) and sends the same manifest again.
 */
async function convertExtract(
  manifest: JukinetConsistencyCheckExtractReady,
  messageId: string,
  options: JukinetCsSinkOptions,
  catalogue: SchemaRegistry,
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
  if (await isComplete(target)) {
    const sha256 = (await readFile(`${target}${MARKER_SUFFIX}`, 'utf8')).trim();
    return { ...manifest, fileRef: pathToFileURL(target).toString(), sha256, encoding: 'JUKINET' };
  }
  const file = await openAtomicFile(target);
  const context = { messageId, now: manifest.asOf, lgCode: options.lgCode };
  // Records go to the file in batches of about 256 KB: an awaited write per record (≈ 250 bytes)
  // cost more than transforming, validating and encoding it. Memory stays bounded by the batch.
  const batch: Buffer[] = [];
  let batchBytes = 0;
  let count = 0;
  for await (const line of readJsonLines(source)) {
    const extracted = line as RegistryResidentExtracted;
    const record = registryResidentExtractedToConsistencyCheckRecord.transform(extracted, context);
    const { issues } = catalogue.validate('jukinet.consistency-check.record', record);
    if (issues.length > 0) {
      throw new ConnectorError(
        JUKINET_CS,
        `record ${String(count + 1)} fails the schema at ${issues[0]?.path ?? '/'}`,
        false,
      );
    }
    const encoded = encodeConsistencyRecord(record);
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
  if (count !== manifest.recordCount) {
    throw new ConnectorError(
      JUKINET_CS,
      `the extract holds ${String(count)} records, the manifest says ${String(manifest.recordCount)}`,
      false,
    );
  }
  const { fileRef, sha256 } = await file.commit();
  return { ...manifest, fileRef, sha256, encoding: 'JUKINET' };
}

/**
 * 市町村CS connector. Egress: requests and updates as JSON over HTTP (names and addresses are
 * 住基ネット統一文字, which the CS takes as text, not CP932), and the consistency-check claim check:
 * the registry's extract is streamed record by record through the pure transformer into the CS's
 * fixed-width CP932 file (atomic write + completion marker; a bad record becomes a reject, see
 * `extract.ts`), then only the manifest is sent. The CS is 住基ネット and may receive 個人番号. What the CS originates is in `ingress.ts`.
 */
import type { OutboundMessage, Sink } from '../../hub/engine/step.js';
import type { SchemaRegistry } from '../../schemas/registry.js';
import { schemaRegistry } from '../../schemas/registry.js';
import type {
  CardDeliveryAddressExtractReady,
  JukinetConsistencyCheckExtractReady,
} from '../../schemas/types.gen.js';
import { postBytes } from '../runtime/http-sink.js';
import { convertDeliveryAddresses } from './delivery-address.js';
import { jukinetCsDescriptor } from './descriptor.js';
import { convertExtract } from './extract.js';

/** The SystemId. */
export const JUKINET_CS = jukinetCsDescriptor.system;

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
      const converted = await convertExtract(manifest, message.messageId, {
        exchangeDir: options.exchangeDir,
        lgCode: options.lgCode,
        catalogue,
      });
      await send(message, Buffer.from(JSON.stringify(converted), 'utf8'));
    },
  };
}

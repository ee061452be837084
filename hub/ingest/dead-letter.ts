/**
 * Dead letters raised at the hub's edge (HTTP, file drop, outbox, CLI, the connectors' ingress),
 * with the headers of the one builder the engine's runner uses too (hub/dead-letters/headers.ts), so
 * the dead-letter archiver and operators see one format whatever the path. The content is always
 * the original bytes as received.
 */
import { DLX_EXCHANGE, EVENTS_EXCHANGE, type Publisher } from '../broker/index.js';
import { deadLetterHeaders } from '../dead-letters/headers.js';

/**
 * Which ingest path a message came in by (`x-hub-source`); `connector` is what a connector's
 * ingress publishes for its system (connectors/<system>/ingress.ts).
 */
export type IngestSource = 'http' | 'file' | 'outbox' | 'cli' | 'connector';

export { schemaPathsHeader } from '../errors.js';

/** One dead letter from an ingest path. */
export interface IngestDeadLetter {
  readonly messageType: string;
  readonly messageId: string;
  readonly correlationId?: string | undefined;
  /** The sending system (becomes app_id), when known. */
  readonly system?: string | undefined;
  readonly source: IngestSource;
  /** The original bytes, exactly as received. */
  readonly content: Buffer;
  readonly error: unknown;
  /** For files: the dropped file's name and the 1-based line of the record. */
  readonly fileName?: string | undefined;
  readonly line?: number | undefined;
  /** Extra headers of the path (for example `x-hub-outbox-id`), kept so an operator finds the source. */
  readonly headers?: Readonly<Record<string, unknown>> | undefined;
  readonly now?: Date;
}

/** Publishes a dead letter to hub.dlx (confirmed); routing key = the message type, like the engine. */
export async function publishDeadLetter(
  publisher: Publisher,
  letter: IngestDeadLetter,
): Promise<void> {
  const headers = deadLetterHeaders(
    {
      error: letter.error,
      originalExchange: EVENTS_EXCHANGE,
      originalRoutingKey: letter.messageType,
      failedAt: letter.now ?? new Date(),
    },
    {
      ...letter.headers,
      'x-hub-source': letter.source,
      ...(letter.fileName === undefined ? {} : { 'x-hub-file-name': letter.fileName }),
      ...(letter.line === undefined ? {} : { 'x-hub-file-line': letter.line }),
    },
  );
  // A topic exchange routes by words: a type that is not a valid key still reaches the `#` binding.
  await publisher.publish(DLX_EXCHANGE, routingKeyOf(letter.messageType), letter.content, {
    messageId: letter.messageId,
    type: letter.messageType,
    correlationId: letter.correlationId ?? letter.messageId,
    appId: letter.system,
    headers,
  });
}

/** A routing key safe for the broker (≤ 255 bytes). */
export function routingKeyOf(messageType: string): string {
  return Buffer.byteLength(messageType) <= 255 ? messageType : messageType.slice(0, 200);
}

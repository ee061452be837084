/**
 * Dead letters raised at the hub's edge (HTTP, file drop, outbox, CLI), with the same headers the
 * engine's runner writes (hub/engine/runner.ts `fail()`), so the dead-letter archiver and operators
 * see one format whatever the path. The content is always the original bytes as received.
 */
import { DLX_EXCHANGE, EVENTS_EXCHANGE, type Publisher } from '../broker/index.js';
import {
  HubError,
  ValidationError,
  reasonClassOf,
  reasonOf,
  schemaPathsHeader,
} from '../errors.js';

/** Which ingest path a message came in by (`x-hub-source`). */
export type IngestSource = 'http' | 'file' | 'outbox' | 'cli';

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
  const reason = reasonOf(letter.error);
  const headers: Record<string, unknown> = {
    ...letter.headers,
    'x-hub-original-exchange': EVENTS_EXCHANGE,
    'x-hub-original-routing-key': letter.messageType,
    'x-hub-source': letter.source,
    'x-hub-reason-class': reasonClassOf(letter.error),
    'x-hub-reason-ja': reason.ja,
    'x-hub-reason-en': reason.en,
    'x-hub-error-code': letter.error instanceof HubError ? letter.error.code : 'UNEXPECTED',
    'x-hub-failed-at': (letter.now ?? new Date()).toISOString(),
  };
  if (letter.error instanceof ValidationError) {
    headers['x-hub-schema-paths'] = schemaPathsHeader(letter.error.issues);
  }
  if (letter.fileName !== undefined) headers['x-hub-file-name'] = letter.fileName;
  if (letter.line !== undefined) headers['x-hub-file-line'] = letter.line;
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

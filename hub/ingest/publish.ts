/**
 * The one way every ingest path publishes: validate against the catalogue, then publish to hub.events
 * (routing key = message type) with confirms, or dead-letter the original bytes to hub.dlx. Callers
 * turn the result into their own answer (HTTP status, file summary, outbox row, CLI exit code, a
 * connector's IngressResult): HTTP, file drop, outbox, `hub publish` and the connectors' ingress
 * (connectors/runtime/ingress.ts) all come through here.
 */
import { EVENTS_EXCHANGE, type Publisher } from '../broker/index.js';
import { UnroutableError, ValidationError, type SchemaIssue } from '../errors.js';
import { loggerFor } from '../logger.js';
import { publishDeadLetter, type IngestSource } from './dead-letter.js';

/** What ingest needs from the catalogue (schemas/registry.ts `schemaRegistry()` fits). */
export interface IngestCatalogue {
  has(messageType: string): boolean;
  validate(messageType: string, data: unknown): { readonly issues: readonly SchemaIssue[] };
}

/** One message offered by a legacy system. */
export interface IngestMessage {
  readonly messageType: string;
  /** The bytes as received (JSON text, or a file's record); what a dead letter keeps. */
  readonly content: Buffer;
  /** The body already mapped from `content` (file records); when absent `content` is parsed as JSON. */
  readonly body?: unknown;
  /**
   * `content` is exactly the JSON of `body` (a connector serialised what its system originated): it
   * is published as is instead of being serialised again.
   */
  readonly contentIsBody?: boolean;
  /** An error found before validation (a record that does not decode); the message is dead-lettered. */
  readonly decodeError?: ValidationError | undefined;
  readonly messageId: string;
  readonly correlationId?: string | undefined;
  /** The sending system: AMQP app_id. */
  readonly system: string;
  readonly source: IngestSource;
  readonly fileName?: string | undefined;
  readonly line?: number | undefined;
  /** Extra headers (for example the outbox row id). */
  readonly headers?: Readonly<Record<string, unknown>> | undefined;
}

/** What happened to one message. `unroutable` is dead-lettered too (no route takes the type yet). */
export type IngestResult =
  | { readonly status: 'published'; readonly messageId: string }
  | { readonly status: 'rejected'; readonly messageId: string; readonly error: ValidationError }
  | { readonly status: 'unroutable'; readonly messageId: string };

/** The shared publishing core of the ingest paths. */
export interface Ingest {
  /**
   * Validates and publishes (confirmed), or dead-letters (confirmed). Rejects only with a transient
   * failure (broker unavailable): then nothing is settled and the caller retries or answers 503.
   */
  submit(message: IngestMessage): Promise<IngestResult>;
  /** Validates without publishing: the parsed body, or the validation error. */
  check(
    messageType: string,
    content: Buffer,
    body?: unknown,
  ): { body: unknown; error?: ValidationError };
}

/** Options of createIngest. */
export interface IngestOptions {
  /** The confirmed publisher, or how to get it at each publish (a hub that starts later, reconnects). */
  readonly publisher: Publisher | (() => Publisher);
  readonly catalogue: IngestCatalogue;
  /** Largest record published (HUB_INGEST_MAX_RECORD_BYTES; default `defaultMaxRecordBytes`). */
  readonly maxRecordBytes?: number;
}

/**
 * Default largest record: 4 MiB. A record over RabbitMQ's max_message_size (128 MiB by default) makes
 * the broker close the shared publishing channel, so every path that retries would retry forever;
 * records that large are never legitimate for a resident register event either.
 */
export const defaultMaxRecordBytes = 4 * 1024 * 1024;

const log = loggerFor('ingest');

/** The issue for an unknown message type, worded like the engine's. */
export function unknownTypeIssue(messageType: string): SchemaIssue {
  return {
    path: '',
    keyword: 'messageType',
    ja: `未知の電文種別 ${messageType} です`,
    en: `unknown message type ${messageType}`,
  };
}

/** The issue for bytes that are not JSON (the position only, never the text). */
export function notJsonIssue(): SchemaIssue {
  return { path: '', keyword: 'json', ja: 'JSON として解析できません', en: 'is not valid JSON' };
}

/** Header of a dead letter whose record was too large to keep: the record's size in bytes. */
export const recordBytesHeader = 'x-hub-record-bytes';

/**
 * The issue of a record over the size limit. Its dead letter keeps no content (the record stays where
 * it came from: the archived file, the outbox row, the sender), only its size and where it was.
 */
export function oversizeIssue(bytes: number, limit: number): SchemaIssue {
  return {
    path: '',
    keyword: 'maxBytes',
    ja: `レコードが大きすぎます（${String(bytes)} バイト、上限 ${String(limit)} バイト: HUB_INGEST_MAX_RECORD_BYTES）`,
    en: `record too large (${String(bytes)} bytes; the limit is ${String(limit)} bytes, HUB_INGEST_MAX_RECORD_BYTES)`,
  };
}

/** Creates the ingest core over a confirmed publisher and the catalogue. */
export function createIngest(options: IngestOptions): Ingest {
  const { catalogue } = options;
  const offered = options.publisher;
  const publisher = typeof offered === 'function' ? offered : () => offered;
  const maxRecordBytes = options.maxRecordBytes ?? defaultMaxRecordBytes;

  const check: Ingest['check'] = (messageType, content, given) => {
    if (!catalogue.has(messageType)) {
      return {
        body: undefined,
        error: new ValidationError(messageType, [unknownTypeIssue(messageType)]),
      };
    }
    let body = given;
    if (body === undefined) {
      try {
        body = JSON.parse(content.toString('utf8')) as unknown;
      } catch {
        return { body: undefined, error: new ValidationError(messageType, [notJsonIssue()]) };
      }
    }
    const { issues } = catalogue.validate(messageType, body);
    if (issues.length > 0) return { body, error: new ValidationError(messageType, issues) };
    return { body };
  };

  return {
    check,
    async submit(message) {
      const { messageType, messageId } = message;
      // Too large to publish (or to parse): refused before anything else, with its size only.
      const oversize = message.content.length > maxRecordBytes ? message.content.length : undefined;
      let checked: { body: unknown; error?: ValidationError | undefined } =
        oversize !== undefined
          ? {
              body: undefined,
              error: new ValidationError(messageType, [oversizeIssue(oversize, maxRecordBytes)]),
            }
          : message.decodeError
            ? { body: undefined, error: message.decodeError }
            : check(messageType, message.content, message.body);
      // Files are mapped to a body: publish its JSON. Otherwise the bytes as sent (already JSON).
      const content =
        checked.error !== undefined || message.body === undefined || message.contentIsBody === true
          ? message.content
          : Buffer.from(JSON.stringify(checked.body));
      const mappedOversize =
        checked.error === undefined && content.length > maxRecordBytes ? content.length : undefined;
      if (mappedOversize !== undefined) {
        checked = {
          body: undefined,
          error: new ValidationError(messageType, [oversizeIssue(mappedOversize, maxRecordBytes)]),
        };
      }
      const recordBytes = oversize ?? mappedOversize;
      const deadLetter = async (error: unknown) => {
        await publishDeadLetter(publisher(), {
          messageType,
          messageId,
          correlationId: message.correlationId,
          system: message.system,
          source: message.source,
          content: oversize === undefined ? message.content : Buffer.alloc(0),
          error,
          fileName: message.fileName,
          line: message.line,
          headers:
            recordBytes === undefined
              ? message.headers
              : { ...message.headers, [recordBytesHeader]: recordBytes },
        });
      };
      if (checked.error) {
        await deadLetter(checked.error);
        log.warn(
          {
            messageId,
            messageType,
            system: message.system,
            source: message.source,
            line: message.line,
            paths: checked.error.issues.map((issue) => issue.path || '/'),
          },
          'ingested message rejected and dead-lettered / 受信メッセージを拒否しデッドレターにしました',
        );
        return { status: 'rejected', messageId, error: checked.error };
      }
      try {
        await publisher().publish(EVENTS_EXCHANGE, messageType, content, {
          messageId,
          type: messageType,
          correlationId: message.correlationId ?? messageId,
          appId: message.system,
          timestamp: Math.floor(Date.now() / 1000),
          headers: { ...message.headers, 'x-hub-source': message.source },
        });
      } catch (error) {
        if (!(error instanceof UnroutableError)) throw error;
        // No route takes this type: keep it where an operator can replay it once one does.
        await deadLetter(error);
        log.warn(
          { messageId, messageType, system: message.system, source: message.source },
          'ingested message unroutable; dead-lettered / 配送先がないためデッドレターにしました',
        );
        return { status: 'unroutable', messageId };
      }
      return { status: 'published', messageId };
    },
  };
}

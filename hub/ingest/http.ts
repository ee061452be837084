/**
 * HTTP ingest: `POST /api/messages/{messageType}` with a system's bearer token. 202 `{messageId}` only
 * after the broker confirmed; 400 with every schema issue (path + Japanese + English, never values) and
 * a dead letter of the bytes as sent; 404 for an unknown type; 409 when an `Idempotency-Key` is reused
 * with another body; 413 over the size limit; 415 for a body that is not JSON; 401/403 from
 * authentication; 503 when the broker is away.
 */
import { createHash, randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { v5 as uuidv5 } from 'uuid';
import { TransientError } from '../errors.js';
import { authenticate, principalOf, requireSystem, type Credentials } from '../http/auth.js';
import { loggerFor } from '../logger.js';
import { maskText } from '../security/mask.js';
import { containsMyNumber } from '../security/my-number.js';
import { ingestKeys, type IngestKeyRow } from '../store/ingest-state.js';
import type { Store } from '../store/types.js';
import type { Ingest } from './publish.js';

/** Namespace of message ids derived from (system, Idempotency-Key). */
const IDEMPOTENCY_NAMESPACE = '0b7e3f8e-7d8a-4b51-9c7e-5f2a1d3c4e60';

/** What the ingest routes need. */
export interface HttpIngestOptions {
  readonly ingest: Ingest;
  readonly credentials: Credentials;
  readonly store: Store;
  readonly catalogue: {
    has(messageType: string): boolean;
    info(messageType: string): { readonly from: string } | undefined;
  };
  /** Largest body in bytes (413 beyond). */
  readonly maxBytes: number;
  /** Largest record the ingest core publishes (HUB_INGEST_MAX_RECORD_BYTES): bodies over it are 413 too. */
  readonly maxRecordBytes?: number;
}

const log = loggerFor('ingest-http');

function error(res: Response, status: number, code: string, en: string, ja: string): void {
  res.status(status).json({ error: { code, message: `${en} / ${ja}` } });
}

/** Whether the request says its body is JSON (application/json or application/…+json). */
function isJson(req: Request): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type);
}

/** The router, mounted at `/api/messages`. */
export function httpIngestRouter(options: HttpIngestOptions): Router {
  const { ingest, catalogue } = options;
  const keys = ingestKeys(options.store);
  const router = express.Router();
  // Authenticate before reading the body: an unknown caller never gets its bytes parsed.
  router.post(
    '/:messageType',
    authenticate(options.credentials),
    requireSystem(),
    (req: Request, res: Response, next) => {
      // JSON only: a text/plain or form body is refused before it is read (a browser can send
      // those cross-origin without a preflight).
      if (!isJson(req)) {
        error(
          res,
          415,
          'unsupported_media_type',
          'Send the message as Content-Type: application/json',
          'メッセージは Content-Type: application/json で送信してください',
        );
        return;
      }
      next();
    },
    express.raw({
      type: () => true,
      limit: Math.min(options.maxBytes, options.maxRecordBytes ?? options.maxBytes),
    }),
    (req: Request, res: Response, next) => {
      handle(req, res).catch(next);
    },
  );

  async function handle(req: Request, res: Response): Promise<void> {
    const principal = principalOf(res);
    if (principal?.kind !== 'system') return;
    const system = principal.system;
    const messageType = String(req.params['messageType']);
    // Answers echo what they refuse masked: a refused type or property name can hold a My Number.
    const shownType = maskText(messageType);
    if (!catalogue.has(messageType)) {
      error(
        res,
        404,
        'unknown_message_type',
        `Unknown message type ${shownType}; see docs/messages.md`,
        `未知の電文種別 ${shownType} です（docs/messages.md を参照）`,
      );
      return;
    }
    const producer = catalogue.info(messageType)?.from;
    if (producer !== undefined && producer !== system) {
      error(
        res,
        403,
        'forbidden',
        `System ${system} does not publish ${shownType} (its producer is ${producer})`,
        `システム ${system} は ${shownType} の発行元ではありません（発行元 ${producer}）`,
      );
      return;
    }
    const content = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const keyHeader = req.get('Idempotency-Key');
    const correlationHeader = req.get('X-Correlation-Id');
    const correlationId =
      correlationHeader !== undefined && /^[\x21-\x7e]{1,255}$/.test(correlationHeader)
        ? correlationHeader
        : undefined;
    // The key is stored (hub_ingest_keys) and the correlation id travels as metadata: neither may
    // hold a My Number (issue 13). Refused at the door, where the sender learns why.
    if (containsMyNumber(keyHeader ?? '') || containsMyNumber(correlationHeader ?? '')) {
      error(
        res,
        400,
        'my_number_in_metadata',
        'Idempotency-Key and X-Correlation-Id may not hold a My Number',
        'Idempotency-Key と X-Correlation-Id に個人番号を入れることはできません',
      );
      return;
    }
    if (keyHeader !== undefined && !/^[\x21-\x7e]{1,255}$/.test(keyHeader)) {
      error(
        res,
        400,
        'bad_idempotency_key',
        'Idempotency-Key must be 1-255 visible ASCII characters',
        'Idempotency-Key は 1〜255 文字の ASCII 表示文字です',
      );
      return;
    }

    let messageId: string = randomUUID();
    if (keyHeader !== undefined) {
      const bodyHash = createHash('sha256').update(content).digest('hex');
      // Deterministic: two replicas taking the same key at once publish the same id (a duplicate downstream).
      messageId = uuidv5(`${system}\n${keyHeader}`, IDEMPOTENCY_NAMESPACE);
      const row: IngestKeyRow = {
        system,
        idempotency_key: keyHeader,
        message_type: messageType,
        body_sha256: bodyHash,
        message_id: messageId,
        state: 'pending',
      };
      const existing = await keys.claim(row);
      if (existing !== undefined) {
        if (existing.body_sha256 !== bodyHash || existing.message_type !== messageType) {
          error(
            res,
            409,
            'idempotency_conflict',
            'This Idempotency-Key was used with a different message',
            'この Idempotency-Key は別のメッセージで使用済みです',
          );
          return;
        }
        if (existing.state === 'published') {
          res.status(202).json({ messageId: existing.message_id, duplicate: true });
          return;
        }
        // rejected: validation is deterministic, answer again without a second dead letter;
        // pending: the first request did not finish (crash, broker away): publish again, same id.
        if (existing.state === 'rejected') {
          const checked = ingest.check(messageType, content);
          if (checked.error) {
            res.status(400).json(invalid(existing.message_id, checked.error.issues));
            return;
          }
        }
        messageId = existing.message_id;
      }
    }

    let result;
    try {
      result = await ingest.submit({
        messageType,
        content,
        messageId,
        correlationId,
        system,
        source: 'http',
      });
    } catch (failure) {
      if (!(failure instanceof TransientError)) throw failure;
      log.warn({ messageId, messageType, system }, 'ingest publish failed: broker unavailable');
      res.set('Retry-After', '5');
      error(
        res,
        503,
        'broker_unavailable',
        'The broker did not confirm the message; retry with the same Idempotency-Key',
        'ブローカーが受領を確認できませんでした。同じ Idempotency-Key で再送してください',
      );
      return;
    }
    if (keyHeader !== undefined) {
      await keys.settle(system, keyHeader, result.status === 'rejected' ? 'rejected' : 'published');
    }
    if (result.status === 'rejected') {
      res.status(400).json(invalid(result.messageId, result.error.issues));
      return;
    }
    res.status(202).json({ messageId: result.messageId });
  }

  return router;
}

function invalid(
  messageId: string,
  issues: readonly { path: string; keyword: string; ja: string; en: string }[],
) {
  return {
    // The dead letter's id, so the sender and the operator talk about the same message.
    messageId,
    error: {
      code: 'invalid_message',
      message: 'The message does not match its schema / メッセージがスキーマに適合しません',
    },
    issues: issues.map((issue) => ({
      path: maskText(issue.path || '/'),
      keyword: issue.keyword,
      ja: maskText(issue.ja),
      en: maskText(issue.en),
    })),
  };
}

/**
 * The egress side shared by the HTTP connectors: POST one message to the system, idempotent by the
 * hub's message id (sent as `Idempotency-Key`), and turn the answer into the engine's retry rules:
 * 5xx, timeouts and refused connections are retryable, 4xx is not (the same bytes would fail again).
 */
import http from 'node:http';
import https from 'node:https';
import {
  permitsMyNumber,
  type MyNumberPermission,
  type OutboundMessage,
  type Sink,
} from '../../hub/engine/step.js';
import { ConnectorError } from '../../hub/errors.js';
import { enforceEgressPolicy } from '../../hub/security/message-policy.js';

/** How a connector encodes a message for its system (the wire format). */
export interface WireEncoding {
  readonly contentType: string;
  encode(message: OutboundMessage): Buffer;
}

/** JSON over HTTP: the body as the hub validated it. */
export const jsonEncoding: WireEncoding = {
  contentType: 'application/json',
  encode: (message) => message.content,
};

/** Options of an HTTP sink. */
export interface HttpSinkOptions {
  readonly system: string;
  readonly allowsMyNumber: MyNumberPermission;
  /** The system's base URL; messages go to `${baseUrl}/inbox`. */
  readonly baseUrl: string;
  readonly timeoutMs?: number;
  readonly encoding?: WireEncoding;
}

/** Creates the egress sink of an HTTP system. */
export function httpSink(options: HttpSinkOptions): Sink {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const encoding = options.encoding ?? jsonEncoding;
  return {
    system: options.system,
    allowsMyNumber: options.allowsMyNumber,
    async deliver(message) {
      let body: Buffer;
      try {
        body = encoding.encode(message);
      } catch (error) {
        // A message the wire format cannot carry fails the same way every time.
        throw new ConnectorError(options.system, 'the message cannot be encoded', false, {
          cause: error,
        });
      }
      await postBytes(options.system, `${options.baseUrl}/inbox`, body, {
        contentType: encoding.contentType,
        timeoutMs,
        headers: {
          'idempotency-key': message.messageId,
          'x-message-type': message.messageType,
          'x-correlation-id': message.correlationId,
          // The saga's subject key, for a system whose answer the hub checks against it (affair 11).
          ...(typeof message.headers['x-hub-saga-subject'] === 'string'
            ? { 'x-saga-subject': message.headers['x-hub-saga-subject'] }
            : {}),
        },
        // Without a route only an unconditional permission counts (fail safe).
        myNumberInBody:
          message.route === undefined
            ? options.allowsMyNumber === true
            : permitsMyNumber(options.allowsMyNumber, message.route),
      });
    },
  };
}

/**
 * Keep-alive agents, one per scheme: a delivery reuses a connection instead of opening one (the
 * systems are few and talked to constantly). node:http rather than fetch: in the kiosk benchmark's
 * profile fetch (undici, web streams) was ≈ 15 % of the process's CPU for two small POSTs a request.
 */
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/** A failed request on a kept-alive connection the system had just closed. */
class StaleConnectionError extends Error {}

/**
 * One POST: status and body text; rejects on a network failure or when `timeoutMs` passes. A system
 * may close an idle kept-alive connection just as a request goes out on it (ECONNRESET before any
 * answer); that request never reached the system, so it is sent once more on a new connection (the
 * Idempotency-Key makes even a doubtful resend harmless) instead of costing the message a retry delay.
 */
async function post(
  url: URL,
  body: Buffer | string,
  headers: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  try {
    return await postOnce(url, body, headers, timeoutMs);
  } catch (error) {
    if (!(error instanceof StaleConnectionError)) throw error;
    return postOnce(url, body, headers, timeoutMs);
  }
}

function postOnce(
  url: URL,
  body: Buffer | string,
  headers: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      request.destroy(new TimeoutError());
    }, timeoutMs);
    const finish = (error: unknown, result?: { status: number; text: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (result !== undefined) resolve(result);
      else reject(error instanceof Error ? error : new Error(String(error)));
    };
    const request = (secure ? https : http).request(
      url,
      {
        method: 'POST',
        agent: secure ? agents.https : agents.http,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          finish(undefined, {
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
        response.on('error', finish);
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      const stale = request.reusedSocket && error.code === 'ECONNRESET';
      finish(
        stale ? new StaleConnectionError('kept-alive connection closed', { cause: error }) : error,
      );
    });
    request.end(body);
  });
}

class TimeoutError extends Error {}

/** POSTs bytes and classifies the failure; resolves with the response text on 2xx. */
export async function postBytes(
  system: string,
  url: string,
  body: Buffer | string,
  options: {
    readonly contentType: string;
    readonly timeoutMs: number;
    readonly headers?: Readonly<Record<string, string>>;
    /**
     * Whether the receiving system may get 個人番号 in the body of this request. When false the
     * encoded body is scanned too; the URL and headers are always scanned (issue 13: the last check
     * before the bytes leave, so a number in a correlation id never becomes X-Correlation-Id).
     */
    readonly myNumberInBody?: boolean;
  },
): Promise<string> {
  enforceEgressPolicy(
    { system, url, headers: options.headers ?? {}, body },
    options.myNumberInBody ?? true,
  );
  let response: { status: number; text: string };
  try {
    response = await post(
      new URL(url),
      body,
      { 'content-type': options.contentType, ...options.headers },
      options.timeoutMs,
    );
  } catch (error) {
    throw new ConnectorError(
      system,
      error instanceof TimeoutError
        ? `no answer within ${String(options.timeoutMs)} ms`
        : 'connection failed (unreachable)',
      true,
      { cause: error },
    );
  }
  if (response.status >= 500 || response.status === 429 || response.status === 408) {
    throw new ConnectorError(system, `HTTP ${String(response.status)}`, true);
  }
  if (response.status >= 400) {
    throw new ConnectorError(system, `HTTP ${String(response.status)} (refused)`, false);
  }
  return response.text;
}

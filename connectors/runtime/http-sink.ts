/**
 * The egress side shared by the HTTP connectors: POST one message to the system, idempotent by the
 * hub's message id (sent as `Idempotency-Key`), and turn the answer into the engine's retry rules:
 * 5xx, timeouts and refused connections are retryable, 4xx is not (the same bytes would fail again).
 */
import type { MyNumberPermission, OutboundMessage, Sink } from '../../hub/engine/step.js';
import { ConnectorError } from '../../hub/errors.js';

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
        },
      });
    },
  };
}

/** POSTs bytes and classifies the failure; resolves with the response text on 2xx. */
export async function postBytes(
  system: string,
  url: string,
  body: Buffer | string,
  options: {
    readonly contentType: string;
    readonly timeoutMs: number;
    readonly headers?: Readonly<Record<string, string>>;
  },
): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort();
  }, options.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': options.contentType, ...options.headers },
      body,
      signal: controller.signal,
    });
  } catch (error) {
    const timedOut = controller.signal.aborted;
    throw new ConnectorError(
      system,
      timedOut
        ? `no answer within ${String(options.timeoutMs)} ms`
        : 'connection failed (unreachable)',
      true,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
  const text = await response.text().catch(() => '');
  if (response.status >= 500 || response.status === 429 || response.status === 408) {
    throw new ConnectorError(system, `HTTP ${String(response.status)}`, true);
  }
  if (response.status >= 400) {
    throw new ConnectorError(system, `HTTP ${String(response.status)} (refused)`, false);
  }
  return text;
}

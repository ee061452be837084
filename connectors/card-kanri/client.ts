/**
 * The card management system's client: one card event (`mynumber-card.status-changed`) POSTed to its
 * inbox, idempotent by the hub's message id. Its answer becomes the engine's rule: 5xx, 408, 429,
 * timeouts and refused connections are retryable; a refusal (409, the card's state does not allow the
 * event) is not, and carries the card system's own code and reason into the dead letter. Affair 10's
 * sink uses it, and so can affair 7 for the continued use after 特例転入 (7-⑪): deliver a
 * `mynumber-card.status-changed` with `cardEvent: CONTINUED_USE` on a route to CARD_MGMT.
 */
import { ConnectorError, HubError } from '../../hub/errors.js';
import { enforceEgressPolicy } from '../../hub/security/message-policy.js';
import { cardKanriDescriptor } from './descriptor.js';

/** The SystemId. */
export const CARD_MGMT = cardKanriDescriptor.system;

/** The card system refused an event (its state machine): a dead letter with its reason, no retry. */
export class CardRefusedError extends HubError {
  readonly cardCode: string;

  constructor(code: string, reason: { ja: string; en: string }) {
    super('HUB_CONNECTOR_REFUSED', `${CARD_MGMT} refused (${code}): ${reason.en}`, 'dead-letter', {
      reasonClass: 'connector',
      reason: {
        ja: `個人番号カード管理システムが拒否しました（${code}）: ${reason.ja}`,
        en: `The card management system refused (${code}): ${reason.en}`,
      },
    });
    this.cardCode = code;
  }
}

/** One request to the card system. */
export interface CardRequest {
  readonly messageId: string;
  readonly messageType: string;
  readonly correlationId: string;
  readonly content: Buffer | string;
}

/** The client. */
export interface CardKanriClient {
  /** Sends one card event; resolves when the card system took it, throws as described above. */
  send(request: CardRequest): Promise<void>;
}

/** The refusal body the card system answers with a 409 (`{ reply: { code, ja, en } }`). */
function refusalOf(text: string): { code: string; ja: string; en: string } | undefined {
  try {
    const body = JSON.parse(text) as { reply?: { code?: unknown; ja?: unknown; en?: unknown } };
    const reply = body.reply;
    if (
      typeof reply?.code === 'string' &&
      typeof reply.ja === 'string' &&
      typeof reply.en === 'string'
    ) {
      return {
        code: reply.code.slice(0, 16),
        ja: reply.ja.slice(0, 200),
        en: reply.en.slice(0, 200),
      };
    }
  } catch {
    // not the card system's refusal body
  }
  return undefined;
}

/** Creates the client for the card system at `baseUrl`. */
export function cardKanriClient(options: {
  readonly baseUrl: string;
  readonly timeoutMs?: number;
}): CardKanriClient {
  const timeoutMs = options.timeoutMs ?? 5_000;
  return {
    async send(request) {
      const url = `${options.baseUrl}/inbox`;
      const headers = {
        'content-type': 'application/json',
        'idempotency-key': request.messageId,
        'x-message-type': request.messageType,
        'x-correlation-id': request.correlationId,
      };
      // The last check before the bytes leave, as every sink does (runtime/http-sink.ts).
      enforceEgressPolicy(
        { system: CARD_MGMT, url, headers, body: request.content },
        cardKanriDescriptor.myNumber,
      );
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers,
          body:
            typeof request.content === 'string' ? request.content : new Uint8Array(request.content),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const timedOut = error instanceof Error && error.name === 'TimeoutError';
        throw new ConnectorError(
          CARD_MGMT,
          timedOut ? `no answer within ${String(timeoutMs)} ms` : 'connection failed (unreachable)',
          true,
          { cause: error },
        );
      }
      const text = await response.text();
      const status = response.status;
      if (status >= 500 || status === 429 || status === 408) {
        throw new ConnectorError(CARD_MGMT, `HTTP ${String(status)}`, true);
      }
      if (status >= 400) {
        const refusal = refusalOf(text);
        if (refusal !== undefined) throw new CardRefusedError(refusal.code, refusal);
        throw new ConnectorError(CARD_MGMT, `HTTP ${String(status)} (refused)`, false);
      }
    },
  };
}

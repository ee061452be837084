/**
 * The ingress side shared by the connectors: what a system originates is checked against the
 * catalogue at the edge and published to `hub.events` with the public contract's properties
 * (routing key and `type` = message type, `app_id` = the sending SystemId, `message_id`,
 * `correlation_id`). A body that fails the schema never enters the routes: its bytes go to the
 * dead-letter exchange with the reason, as the engine's own dead letters do.
 */
import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import {
  DEADLINE_HEADER,
  DLX_EXCHANGE,
  EVENTS_EXCHANGE,
  type Publisher,
} from '../../hub/broker/index.js';
import { ValidationError, reasonOf } from '../../hub/errors.js';
import { loggerFor } from '../../hub/logger.js';
import { schemaRegistry, type SchemaRegistry } from '../../schemas/registry.js';

/** Namespace of ingress message ids: the same business event from a system gets the same id. */
const INGRESS_NAMESPACE = '2b4f8c1e-7d3a-4e59-b6c2-91a0f3d5e7c8';

/** Metadata of one originated message. */
export interface IngressMeta {
  /** The system's own key of the event (e.g. `atena:history`); becomes a stable message id. */
  readonly eventKey: string;
  readonly correlationId?: string | undefined;
  /** Epoch ms after which the hub must not act on it (kiosk deadlines). */
  readonly deadline?: number | undefined;
}

/** The result of an ingress publish. */
export interface IngressResult {
  readonly accepted: boolean;
  readonly messageId: string;
}

/** Publishes what a system originates. */
export interface Ingress {
  publish(
    system: string,
    messageType: string,
    body: unknown,
    meta: IngressMeta,
  ): Promise<IngressResult>;
}

/** Creates the ingress on the hub's publisher (the broker module's confirms + mandatory). */
export function createIngress(
  publisher: () => Publisher,
  catalogue: SchemaRegistry = schemaRegistry(),
): Ingress {
  const log = loggerFor('ingress');
  return {
    async publish(system, messageType, body, meta) {
      const messageId = uuidv5(`${system}:${messageType}:${meta.eventKey}`, INGRESS_NAMESPACE);
      const content = Buffer.from(JSON.stringify(body), 'utf8');
      const headers: Record<string, unknown> = {};
      if (meta.deadline !== undefined) headers[DEADLINE_HEADER] = meta.deadline;
      const properties = {
        messageId,
        type: messageType,
        correlationId: meta.correlationId ?? messageId,
        appId: system,
        headers,
      };
      const { issues } = catalogue.validate(messageType, body);
      if (issues.length > 0) {
        const error = new ValidationError(messageType, issues);
        const reason = reasonOf(error);
        await publisher().publish(DLX_EXCHANGE, messageType, content, {
          ...properties,
          headers: {
            ...headers,
            'x-hub-reason-class': 'validation',
            'x-hub-reason-ja': reason.ja,
            'x-hub-reason-en': reason.en,
            'x-hub-error-code': error.code,
            'x-hub-schema-paths': issues
              .map((issue) => `${issue.path || '/'} ${issue.keyword}`)
              .join(', '),
            'x-hub-original-exchange': EVENTS_EXCHANGE,
            'x-hub-original-routing-key': messageType,
            'x-hub-ingress': system,
          },
        });
        log.warn(
          { system, messageType, messageId, issues: issues.length },
          'ingress rejected at the edge',
        );
        return { accepted: false, messageId };
      }
      await publisher().publish(EVENTS_EXCHANGE, messageType, content, properties);
      log.debug({ system, messageType, messageId }, 'ingress published');
      return { accepted: true, messageId };
    },
  };
}

/** A short stable digest for event keys built from personal identifiers (never the value itself). */
export function keyDigest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}

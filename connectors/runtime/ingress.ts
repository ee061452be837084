/**
 * The ingress side shared by the connectors: what a system originates goes through the hub's one
 * ingest core (hub/ingest/publish.ts), as HTTP, file drop, outbox and `hub publish` do: checked
 * against the catalogue at the edge and published to `hub.events` with the public contract's
 * properties (routing key and `type` = message type, `app_id` = the sending SystemId, `message_id`,
 * `correlation_id`, `timestamp`, `x-hub-source: connector`). A body that fails the schema, or that no
 * route takes, never enters the routes: its bytes go to the dead-letter exchange with the reason, with
 * the headers every other dead letter has.
 */
import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { DEADLINE_HEADER, type Publisher } from '../../hub/broker/index.js';
import { SAGA_SUBJECT_HEADER } from '../../hub/engine/plan.js';
import { createIngest } from '../../hub/ingest/publish.js';
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
  /** The saga subject key the hub sent with the request this answers, echoed back (kiosk replies). */
  readonly sagaSubject?: string | undefined;
}

/** The result of an ingress publish: accepted, or dead-lettered at the edge. */
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
  const core = createIngest({ publisher, catalogue });
  return {
    async publish(system, messageType, body, meta) {
      const messageId = uuidv5(`${system}:${messageType}:${meta.eventKey}`, INGRESS_NAMESPACE);
      const result = await core.submit({
        messageType,
        content: Buffer.from(JSON.stringify(body), 'utf8'),
        body,
        contentIsBody: true,
        messageId,
        correlationId: meta.correlationId,
        system,
        source: 'connector',
        headers: {
          ...(meta.deadline === undefined ? {} : { [DEADLINE_HEADER]: meta.deadline }),
          ...(meta.sagaSubject === undefined ? {} : { [SAGA_SUBJECT_HEADER]: meta.sagaSubject }),
        },
      });
      return { accepted: result.status === 'published', messageId };
    },
  };
}

/** A short stable digest for event keys built from personal identifiers (never the value itself). */
export function keyDigest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}

/**
 * The transformer contract: a pure, synchronous mapping from one message type's body to another's. No
 * I/O, no clock, no randomness, no logging; the engine validates the input before and the output after,
 * and passes everything time- or saga-dependent in the context.
 */
import { TransformError } from '../hub/errors.js';
import type { MessageType, MessageTypes } from '../schemas/types.gen.js';

/** What a transformer may know beyond its input; all of it is passed in by the engine. */
export interface TransformContext {
  /** The id of the message being transformed (AMQP message_id). */
  readonly messageId: string;
  /** The saga correlation id (AMQP correlation_id); for コンビニ交付 it equals centerRequestId. */
  readonly correlationId?: string;
  /** "Now" as an ISO 8601 date-time with offset (+09:00); transformers never read the clock. */
  readonly now: string;
  /** The 地方公共団体コード the route runs for (共同利用: one hub, several municipalities). */
  readonly lgCode: string;
  /** The subject key of the request a reply answers, as stored by the engine with the saga. */
  readonly subjectKey?: string;
}

/** A pure mapping between two message types of the catalogue. */
export interface Transformer<
  From extends MessageType = MessageType,
  To extends MessageType = MessageType,
> {
  /** File name and registry key, `<from>-to-<to>`. */
  readonly name: string;
  readonly from: From;
  readonly to: To;
  readonly description: { readonly ja: string; readonly en: string };
  /** Whether the hop applies to this input (e.g. only BIRTH requests a My Number); absent = always. */
  accepts?(input: MessageTypes[From]): boolean;
  /** Maps the input; throws TransformError when an invariant fails. */
  transform(input: MessageTypes[From], context: TransformContext): MessageTypes[To];
}

function lgCodeOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null || !('lgCode' in input)) return undefined;
  return typeof input.lgCode === 'string' ? input.lgCode : undefined;
}

/**
 * Defines a transformer with the checks every hop shares: the input belongs to the route's
 * municipality, and a hop is never applied to an input it does not accept.
 */
export function defineTransformer<From extends MessageType, To extends MessageType>(
  transformer: Transformer<From, To>,
): Transformer<From, To> {
  return {
    ...transformer,
    transform(input, context) {
      const lgCode = lgCodeOf(input);
      if (lgCode !== undefined && lgCode !== context.lgCode) {
        throw new TransformError(
          transformer.name,
          'the message belongs to another municipality (lgCode)',
        );
      }
      if (transformer.accepts !== undefined && !transformer.accepts(input)) {
        throw new TransformError(transformer.name, 'this hop does not apply to the message');
      }
      return transformer.transform(input, context);
    },
  };
}

/** The date part (YYYY-MM-DD) of the context's `now`, in the offset it was given in. */
export function today(context: TransformContext): string {
  return context.now.slice(0, 10);
}

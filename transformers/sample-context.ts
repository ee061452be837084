/** A deterministic TransformContext for tests and benchmarks, shaped like the one the engine passes. */
import type { TransformContext } from './transformer.js';

/** Fixed "now" of the samples (Japan time). */
export const sampleNow = '2026-11-27T10:00:05+09:00';

/**
 * The context the engine would pass for `input`: the route's lgCode is the input's, and for replies the
 * saga supplies correlation id (= centerRequestId) and the request's subject key (echoed by the reply).
 */
export function sampleContext(
  input: unknown,
  overrides: Partial<TransformContext> = {},
): TransformContext {
  const body: Record<string, unknown> =
    typeof input === 'object' && input !== null ? { ...input } : {};
  const text = (key: string): string | undefined => {
    const value = body[key];
    return typeof value === 'string' ? value : undefined;
  };
  const correlationId = text('centerRequestId');
  const subjectKey = text('requestSubjectKey');
  return {
    messageId: '0192f5a0-0000-7000-8000-000000000001',
    now: sampleNow,
    lgCode: text('lgCode') ?? '131016',
    ...(correlationId === undefined ? {} : { correlationId }),
    ...(subjectKey === undefined ? {} : { subjectKey }),
    ...overrides,
  };
}

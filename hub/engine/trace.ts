import { randomBytes } from 'node:crypto';

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The W3C `traceparent` for a message the hub emits: same trace as the incoming one (or a new trace),
 * a new span id for this hop.
 */
export function childTraceparent(incoming: unknown): string {
  const match = typeof incoming === 'string' ? traceparentPattern.exec(incoming) : null;
  const traceId = match?.[1] ?? randomBytes(16).toString('hex');
  const flags = match?.[3] ?? '01';
  return `00-${traceId}-${randomBytes(8).toString('hex')}-${flags}`;
}

/** The trace id of a `traceparent`, for log correlation. */
export function traceIdOf(traceparent: unknown): string | undefined {
  return typeof traceparent === 'string' ? traceparentPattern.exec(traceparent)?.[1] : undefined;
}

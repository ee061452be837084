/**
 * Affair 11 (コンビニ交付): the center's request goes to the convenience system; its answer goes
 * back to the center, at most once per centerRequestId (the idempotency key), so a duplicate or a
 * second answer can never reach a kiosk. Retries are short: a kiosk waits seconds, not minutes.
 */
import type { StepSpec } from '../hub/engine/step.js';

const route = 'affair-11';
const kioskRetry = { maxAttempts: 3, initialDelayMs: 500, multiplier: 2, maxDelayMs: 2_000 };

/** The steps of affair 11 (11-③ request, 11-⑥ answer). */
export const affair11Steps: StepSpec[] = [
  {
    route,
    name: 'affair-11.request-to-conveni',
    input: ['kiosk.certificate.requested'],
    output: { kind: 'deliver', system: 'CONVENI_ISSUANCE' },
    retry: kioskRetry,
    idempotencyKey: '/centerRequestId',
  },
  {
    route,
    name: 'affair-11.produced-to-center',
    input: ['kiosk.certificate.produced'],
    output: { kind: 'deliver', system: 'JLIS_CERT_CENTER' },
    retry: kioskRetry,
    idempotencyKey: '/centerRequestId',
  },
  {
    route,
    name: 'affair-11.failed-to-center',
    input: ['kiosk.certificate.failed'],
    output: { kind: 'deliver', system: 'JLIS_CERT_CENTER' },
    retry: kioskRetry,
    idempotencyKey: '/centerRequestId',
  },
];

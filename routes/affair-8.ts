/**
 * Affair 8 (本人確認情報整合): claim check. Only manifests travel as messages; the 100k-record
 * files are streamed by the connectors (registry extract → CS file → server results), so no step
 * holds more than one record at a time.
 */
import type { StepSpec } from '../hub/engine/step.js';

const route = 'affair-8';

/** The steps of affair 8 (8-① extract to the CS, 8-② results back). */
export const affair8Steps: StepSpec[] = [
  {
    route,
    name: 'affair-8.extract-to-cs',
    input: ['jukinet.consistency-check.extract-ready'],
    output: { kind: 'deliver', system: 'JUKINET_CS' },
    idempotencyKey: '/sha256',
  },
  {
    route,
    name: 'affair-8.result-to-registry',
    input: ['jukinet.consistency-check.result-ready'],
    output: { kind: 'deliver', system: 'KIZON_JUKI' },
  },
  {
    // The counts-only summary; 統合端末 has no connector yet, so the registry's operator screen takes it.
    route,
    name: 'affair-8.completed-to-registry',
    input: ['jukinet.consistency-check.result-ready'],
    transformer: 'consistency-check-result-ready-to-completed',
    output: { kind: 'deliver', system: 'KIZON_JUKI' },
  },
];

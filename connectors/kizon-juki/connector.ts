/**
 * 既存住基 (resident registry) connector. Egress: JSON over HTTP (CS replies, consistency-check
 * results); the registry holds 個人番号, so it may receive them. Ingress: the registry originates
 * movements (plain and 特定個人情報 variants) and the consistency-check extract (claim check).
 */
import type { Sink } from '../../hub/engine/step.js';
import type {
  JukinetConsistencyCheckExtractReady,
  ResidentMovementRecorded,
  ResidentMovementRecordedTokutei,
} from '../../schemas/types.gen.js';
import { httpSink } from '../runtime/http-sink.js';
import type { Ingress, IngressResult } from '../runtime/ingress.js';

/** The SystemId. */
export const KIZON_JUKI = 'KIZON_JUKI';

/** The registry's egress sink. */
export function kizonJukiSink(baseUrl: string, timeoutMs?: number): Sink {
  return httpSink({
    system: KIZON_JUKI,
    allowsMyNumber: true,
    baseUrl,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}

/** Publishes a recorded movement: always the plain type, and the 特定個人情報 type when it has one. */
export async function publishMovement(
  ingress: Ingress,
  movement: ResidentMovementRecorded,
  tokutei: ResidentMovementRecordedTokutei | undefined,
): Promise<IngressResult[]> {
  const key = `${movement.resident.atenaNumber}:${String(movement.historyNo)}`;
  const results = [
    await ingress.publish(KIZON_JUKI, 'resident.movement.recorded', movement, { eventKey: key }),
  ];
  if (tokutei) {
    results.push(
      await ingress.publish(KIZON_JUKI, 'resident.movement.recorded.tokutei', tokutei, {
        eventKey: key,
      }),
    );
  }
  return results;
}

/** Publishes the manifest of a consistency-check extract file (the claim check). */
export async function publishExtractReady(
  ingress: Ingress,
  manifest: JukinetConsistencyCheckExtractReady,
): Promise<IngressResult> {
  return ingress.publish(KIZON_JUKI, 'jukinet.consistency-check.extract-ready', manifest, {
    eventKey: manifest.sha256,
  });
}

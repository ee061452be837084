/**
 * 既存住基 ingress: the registry originates movements (plain and 特定個人情報 variants) and the
 * consistency-check extract (claim check).
 */
import type {
  JukinetConsistencyCheckExtractReady,
  ResidentMovementRecorded,
  ResidentMovementRecordedTokutei,
} from '../../schemas/types.gen.js';
import type { Ingress, IngressResult } from '../runtime/ingress.js';
import { kizonJukiDescriptor } from './descriptor.js';

const KIZON_JUKI = kizonJukiDescriptor.system;

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

/**
 * 既存住基 simulator: what a movement trigger may change in the synthetic resident, so a test can
 * record a second movement of the same person (`historyNo`), a new address (`addressSeed`), a shared
 * 世帯 (`setaiSeed`) or a 本籍 outside the city (`honsekiOutside`).
 */
import { sampleAddress, sampleSetaiNumber } from '../../schemas/sample.js';
import type { ResidentMovementRecorded } from '../../schemas/types.gen.js';

/** Applies the trigger body's overrides to `movement` (in place). */
export function applyOverrides(
  movement: ResidentMovementRecorded,
  body: Readonly<Record<string, unknown>>,
): void {
  const number = (name: string) =>
    typeof body[name] === 'number' && Number.isInteger(body[name]) && body[name] > 0
      ? body[name]
      : undefined;
  const historyNo = number('historyNo');
  if (historyNo !== undefined) movement.historyNo = historyNo;
  const addressSeed = number('addressSeed');
  if (addressSeed !== undefined) movement.resident.address = sampleAddress(addressSeed);
  const setaiSeed = number('setaiSeed');
  if (setaiSeed !== undefined) movement.resident.setaiNumber = sampleSetaiNumber(setaiSeed);
  if (body['honsekiOutside'] === true && movement.resident.honseki?.state === 'PRESENT') {
    movement.resident.honseki = {
      ...movement.resident.honseki,
      address: '大阪府大阪市北区中之島１丁目',
    };
  }
}

/** The resident's state after a movement, as the addressee systems receive it (no 個人番号, no 住民票コード). */
import type { ResidentMovementRecorded } from '../schemas/types.gen.js';

/**
 * The fields the 共通基盤 宛名 record and the 住民票関係情報 副本 share, taken from a movement: the
 * numbers, the resident's attributes, the reason and the date. Optional fields are left out when
 * absent (never sent as null). Whoever adds 個人番号 does so on purpose, at the call site.
 */
export function residentSnapshot(
  movement: Pick<ResidentMovementRecorded, 'resident' | 'historyNo' | 'movementReason' | 'movedOn'>,
) {
  const { resident } = movement;
  return {
    atenaNumber: resident.atenaNumber,
    setaiNumber: resident.setaiNumber,
    historyNo: movement.historyNo,
    residentType: resident.residentType,
    residentStatus: resident.residentStatus,
    name: resident.name,
    birthDate: resident.birthDate,
    sex: resident.sex,
    ...(resident.householderName === undefined
      ? {}
      : { householderName: resident.householderName }),
    ...(resident.relationship === undefined ? {} : { relationship: resident.relationship }),
    address: resident.address,
    movementReason: movement.movementReason,
    movedOn: movement.movedOn,
  };
}

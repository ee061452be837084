/**
 * 国内転入 → 転入通知 (住基法9条1項, 1-⑨). The notice goes to the 最終住民登録地 — the municipality
 * where the resident was last registered (`lastRegisteredAddress`), which is the 転入前住所's
 * municipality unless the resident lived there unregistered (未届地) — and never to the city
 * itself (a resident whose last registration was here needs no notice: the hop does not apply).
 * Names and address text go through the same 住基ネット統一文字 mapping as the 1-⑥ hop, so a 外字 is
 * refused here as it is there, never sent raw.
 */
import type { Address, PersonName, ResidentMovementRecordedTokutei } from '../schemas/types.gen.js';
import { toJukinetText } from './cs-text.js';
import { defineTransformer } from './transformer.js';

const name = 'resident-movement-recorded-tokutei-to-move-in-notice-sent';

/** The municipality the notice is addressed to, or undefined when there is none. */
export function moveInNoticeDestination(
  movement: Pick<ResidentMovementRecordedTokutei, 'resident'>,
): string | undefined {
  return (
    movement.resident.lastRegisteredAddress?.lgCode ??
    movement.resident.priorAddress?.domestic?.lgCode
  );
}

function mappedName(person: PersonName): PersonName {
  const map = (field: string, text: string) => toJukinetText(name, `/resident/name/${field}`, text);
  return {
    ...person,
    name: map('name', person.name),
    ...(person.alias === undefined ? {} : { alias: map('alias', person.alias) }),
    ...(person.formerSurname === undefined
      ? {}
      : { formerSurname: map('formerSurname', person.formerSurname) }),
    ...(person.foreignKanjiName === undefined
      ? {}
      : { foreignKanjiName: map('foreignKanjiName', person.foreignKanjiName) }),
  };
}

function mappedAddress(address: Address): Address {
  const out: Address = { ...address };
  for (const field of [
    'prefecture',
    'municipalityName',
    'choaza',
    'banchiGo',
    'katagaki',
  ] as const) {
    const value = address[field];
    if (value !== undefined) out[field] = toJukinetText(name, `/resident/address/${field}`, value);
  }
  return out;
}

/** Builds the 転入通知 for a domestic move-in, addressed to the 最終住民登録地. */
export const residentMovementRecordedTokuteiToMoveInNoticeSent = defineTransformer({
  name,
  from: 'resident.movement.recorded.tokutei',
  to: 'move-in.notice.sent',
  description: {
    ja: '国内転入の住民異動記録から最終住民登録地への転入通知を作成する（自市宛ては作らない・住基ネット統一文字）',
    en: 'Builds the move-in notice to the municipality of last registration for a domestic move-in (never to the city itself; JUKINET characters)',
  },
  accepts: (movement) => {
    if (movement.movementReason.reason !== 'DOMESTIC_MOVE_IN') return false;
    const destination = moveInNoticeDestination(movement);
    return destination !== undefined && destination !== movement.lgCode;
  },
  transform(movement) {
    const { resident } = movement;
    // accepts() guarantees a destination other than the city itself.
    const toLgCode = moveInNoticeDestination(movement) ?? '';
    return {
      lgCode: movement.lgCode,
      toLgCode,
      atenaNumber: resident.atenaNumber,
      historyNo: movement.historyNo,
      juminhyoCode: resident.juminhyoCode,
      myNumber: movement.myNumber,
      name: mappedName(resident.name),
      birthDate: resident.birthDate,
      sex: resident.sex,
      newAddress: mappedAddress(resident.address),
      movedInOn: movement.movedOn,
      notifiedOn: movement.notifiedOn ?? movement.processedOn,
      ...(movement.specialMoveIn === undefined ? {} : { specialMoveIn: movement.specialMoveIn }),
    };
  },
});

/** 整合性確認: one registry record → the CS check-record layout (統一文字 text, half-width kana). */
import { addressText, toHalfWidthKana, toJukinetText } from './cs-text.js';
import { canonicalFlexibleDate } from '../connectors/codec/wareki.js';
import { defineTransformer } from './transformer.js';

const name = 'registry-resident-extracted-to-consistency-check-record';

/** Maps a registry extract record to the 本人確認情報整合 record the CS compares. */
export const registryResidentExtractedToConsistencyCheckRecord = defineTransformer({
  name,
  from: 'registry.resident.extracted',
  to: 'jukinet.consistency-check.record',
  description: {
    ja: '既存住基の抽出レコードを本人確認情報整合レコードに変換する',
    en: 'Maps a registry extract record to the consistency-check record',
  },
  transform(extracted) {
    const { resident } = extracted;
    return {
      recordNo: extracted.recordNo,
      juminhyoCode: resident.juminhyoCode,
      myNumber: extracted.myNumber,
      name: toJukinetText(name, '/resident/name/name', resident.name.name),
      ...(resident.name.nameKana === undefined
        ? {}
        : {
            nameKanaHalfWidth: toHalfWidthKana(
              name,
              '/resident/name/nameKana',
              resident.name.nameKana,
            ),
          }),
      ...(resident.name.alias === undefined
        ? {}
        : { alias: toJukinetText(name, '/resident/name/alias', resident.name.alias) }),
      ...(resident.name.formerSurname === undefined
        ? {}
        : {
            formerSurname: toJukinetText(
              name,
              '/resident/name/formerSurname',
              resident.name.formerSurname,
            ),
          }),
      birthDate: canonicalFlexibleDate(resident.birthDate),
      sex: resident.sex,
      addressText: toJukinetText(name, '/resident/address', addressText(resident.address)),
      residentStatus: resident.residentStatus,
      ...(extracted.lastMovementReason === undefined
        ? {}
        : { lastMovementReason: extracted.lastMovementReason }),
      ...(extracted.lastMovedOn === undefined ? {} : { lastMovedOn: extracted.lastMovedOn }),
    };
  },
});

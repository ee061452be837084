/* eslint-disable */
/**
 * Generated from schemas/*.json by `npm run schemas:types` (schemas/generate.ts). Do not edit:
 * change the schema and regenerate. A test fails when this file is stale.
 */

/**
 * 地方公共団体コード: 6 digits with check digit (全国地方公共団体コード).
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "LgCode".
 */
export type LgCode = string;
/**
 * 宛名番号
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "AtenaNumber".
 */
export type AtenaNumber = string;
/**
 * 世帯番号
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "SetaiNumber".
 */
export type SetaiNumber = string;
/**
 * 履歴番号: 1-based serial per 宛名番号; also the per-subject order of movements.
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "HistoryNo".
 */
export type HistoryNo = number;
/**
 * 住民種別
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "ResidentType".
 */
export type ResidentType = 'JAPANESE' | 'FOREIGN';
/**
 * 住民状態: RESIDENT 住民 / MOVED_OUT 転出 / DECEASED 死亡 / DELETED 職権消除等
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "ResidentStatus".
 */
export type ResidentStatus = 'RESIDENT' | 'MOVED_OUT' | 'DECEASED' | 'DELETED';
/**
 * MJ文字列: UTF-8 text in the MJ repertoire; IVS and private-use characters allowed; U+FFFD, control and format characters (zero-width, bidi), emoji, scripts outside MJ (e.g. Hangul) and spaces other than U+0020/U+3000 rejected; not only spaces; never normalised; lengths in code points.
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "MjText".
 */
export type MjText = string;
/**
 * フリガナ: Full-width katakana, ー and U+3000.
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "Kana".
 */
export type Kana = string;
/**
 * 氏名_外国人ローマ字
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "RomanName".
 */
export type RomanName = string;
/**
 * 元号: M 明治 / T 大正 / S 昭和 / H 平成 / R 令和
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "Era".
 */
export type Era = 'M' | 'T' | 'S' | 'H' | 'R';
/**
 * 性別
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "Sex".
 */
export type Sex = 'MALE' | 'FEMALE';
/**
 * 指定都市_行政区等コード
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "WardCode".
 */
export type WardCode = string;
/**
 * 町字ID
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "ChoazaId".
 */
export type ChoazaId = string;
/**
 * 郵便番号
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "PostalCode".
 */
export type PostalCode = string;
/**
 * ファイル参照: URI on the 特定個人情報 store (claim check).
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "FileRef".
 */
export type FileRef = string;
/**
 * SHA-256
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "Sha256".
 */
export type Sha256 = string;
/**
 * 日時: RFC 3339 with offset.
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "DateTime".
 */
export type DateTime = string;
/**
 * 文字コード
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "FileEncoding".
 */
export type FileEncoding = 'UTF-8' | 'SJIS' | 'JUKINET';
/**
 * 住民票コード: 11 digits; check digit (告示436号, secondary source) is a warning unless the registry is configured to reject.
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "JuminhyoCode".
 */
export type JuminhyoCode = string;
/**
 * 交付センター要求ID: Echoed verbatim.
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "CenterRequestId".
 */
export type CenterRequestId = string;
/**
 * 対象者キー: Deterministic key of the certificate subject (see transformers/kiosk-subject.ts).
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "SubjectKey".
 */
export type SubjectKey = string;
/**
 * 電子証明書シリアル番号: Hex (format not public).
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "CertSerial".
 */
export type CertSerial = string;
/**
 * 証明書種別: JUMINHYO 住民票の写し / JUMINHYO_KISAI 住民票記載事項証明書 / INKAN 印鑑登録証明書 / KOSEKI_ZENBU 戸籍全部事項証明書 / KOSEKI_KOJIN 個人事項証明書 / KOSEKI_FUHYO 戸籍の附票の写し / TAX_INCOME 所得・課税証明書
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "CertificateType".
 */
export type CertificateType =
  | 'JUMINHYO'
  | 'JUMINHYO_KISAI'
  | 'INKAN'
  | 'KOSEKI_ZENBU'
  | 'KOSEKI_KOJIN'
  | 'KOSEKI_FUHYO'
  | 'TAX_INCOME';
/**
 * 個人番号: 12 digits; check digit per 総務省令第85号第5条 (hard reject).
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "MyNumber".
 */
export type MyNumber = string;
/**
 * 団体内統合宛名番号: Opaque (format not public).
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "IntegratedAtenaNumber".
 */
export type IntegratedAtenaNumber = string;
/**
 * 日付
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "StrictDate".
 */
export type StrictDate = string;
/**
 * バッチID: The sender's id of one batch of pairs (opaque).
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "BatchId".
 */
export type BatchId = string;
/**
 * 処理通番: Opaque (format not public).
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "ProcessingSerial".
 */
export type ProcessingSerial = string;
/**
 * 情報提供用個人識別符号: 符号: treated like a 個人番号 (declared by x-carries-my-number, masked, quarantined where not permitted). Format not public; the hub's: 32 base32 characters (A–Z, 2–7), the last a check character.
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "Fugo".
 */
export type Fugo = string;
/**
 * 個人番号（一括要求内）: 12 digits. In the batches of affair 5 the check digit is judged per pair by the 機構 (a wrong one refuses that pair with a reason), so one bad pair never fails the batch.
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "MyNumberInBatch".
 */
export type MyNumberInBatch = string;
/**
 * 半角カナ: Half-width katakana (U+FF66–U+FF9F) and ASCII space, the CS wire form. One byte per code point in CP932, so maxCodePoints is the CS record's byte length for the kana name (the layout reads it from here: connectors/jukinet-cs/codec.ts).
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "KanaHalfWidth".
 */
export type KanaHalfWidth = string;
/**
 * ハッシュ値: Keyed hash (hex), never the value.
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "HashedValue".
 */
export type HashedValue = string;
/**
 * 都道府県コード
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "PrefectureCode".
 */
export type PrefectureCode = string;
/**
 * 在留カード等番号
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "ResidenceCardNumber".
 */
export type ResidenceCardNumber = string;
/**
 * 国名コード: ISO 3166-1 numeric (assumed).
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "CountryCode".
 */
export type CountryCode = string;
/**
 * 第30条45規定区分: MID_LONG_TERM 中長期在留者 / SPECIAL_PERMANENT 特別永住者 / TEMPORARY_REFUGE 一時庇護許可者 / PROVISIONAL_STAY 仮滞在許可者 / TRANSITIONAL_BIRTH 出生による経過滞在者 / TRANSITIONAL_NATIONALITY_LOSS 国籍喪失による経過滞在者
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "Art30_45Category".
 */
export type Art30_45Category =
  | 'MID_LONG_TERM'
  | 'SPECIAL_PERMANENT'
  | 'TEMPORARY_REFUGE'
  | 'PROVISIONAL_STAY'
  | 'TRANSITIONAL_BIRTH'
  | 'TRANSITIONAL_NATIONALITY_LOSS';
/**
 * 個人番号カード事象: ISSUED 交付 / SUSPENDED 一時停止 / SUSPENSION_LIFTED 一時停止解除 / REVOKED 廃止 / RECOVERED 回収 / RETURNED 返還 / CONTINUED_USE 継続利用（特例転入後） / EXPIRY_DATE_CHANGED 有効期限変更
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "CardEvent".
 */
export type CardEvent =
  | 'ISSUED'
  | 'SUSPENDED'
  | 'SUSPENSION_LIFTED'
  | 'REVOKED'
  | 'RECOVERED'
  | 'RETURNED'
  | 'CONTINUED_USE'
  | 'EXPIRY_DATE_CHANGED';
/**
 * システム識別子: KIZON_JUKI 既存住基 / JUKINET_CS 市町村CS / JLIS_ZENKOKU 全国サーバ / TODOFUKEN_SERVER 都道府県サーバ / OTHER_MUNICIPALITY 他市町村 / KOSEKI 戸籍 / KOSEKI_FUHYO 附票 / MOJ_TERMINAL 法務省情報連携端末 / KYOTSU_KIBAN 共通基盤/宛名 / TOUGOU_ATENA 団体内統合宛名 / CHUKAN_SERVER 中間サーバ / TOUGOU_TANMATSU 統合端末 / CARD_MGMT 個人番号カード管理システム / CONVENI_ISSUANCE 証明書コンビニ交付システム / JLIS_CERT_CENTER 証明書交付センター
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "SystemId".
 */
export type SystemId =
  | 'KIZON_JUKI'
  | 'JUKINET_CS'
  | 'JLIS_ZENKOKU'
  | 'TODOFUKEN_SERVER'
  | 'OTHER_MUNICIPALITY'
  | 'KOSEKI'
  | 'KOSEKI_FUHYO'
  | 'MOJ_TERMINAL'
  | 'KYOTSU_KIBAN'
  | 'TOUGOU_ATENA'
  | 'CHUKAN_SERVER'
  | 'TOUGOU_TANMATSU'
  | 'CARD_MGMT'
  | 'CONVENI_ISSUANCE'
  | 'JLIS_CERT_CENTER';

/**
 * Maps each message type to the interface of its body.
 */
export interface MessageTypes {
  'atena.changed': AtenaChanged;
  'card.delivery-address.acknowledged': CardDeliveryAddressAcknowledged;
  'card.delivery-address.extract-ready': CardDeliveryAddressExtractReady;
  'card.delivery-address.record': CardDeliveryAddressRecord;
  'certificate.data.query': CertificateDataQuery;
  'certificate.data.replied': CertificateDataReplied;
  'chukan.juminhyo-kankei.updated': ChukanJuminhyoKankeiUpdated;
  'fugo.acquisition.completed': FugoAcquisitionCompleted;
  'fugo.acquisition.reported': FugoAcquisitionReported;
  'fugo.acquisition.requested': FugoAcquisitionRequested;
  'fugo.pairs.provided': FugoPairsProvided;
  'fugo.serials.assigned': FugoSerialsAssigned;
  'identity-info.update.acknowledged': IdentityInfoUpdateAcknowledged;
  'identity-info.update.rejected': IdentityInfoUpdateRejected;
  'identity-info.update.submitted': IdentityInfoUpdateSubmitted;
  'issuance.refusal.recorded': IssuanceRefusalRecorded;
  'jukinet.consistency-check.completed': JukinetConsistencyCheckCompleted;
  'jukinet.consistency-check.extract-ready': JukinetConsistencyCheckExtractReady;
  'jukinet.consistency-check.mismatch': JukinetConsistencyCheckMismatch;
  'jukinet.consistency-check.record': JukinetConsistencyCheckRecord;
  'jukinet.consistency-check.result-ready': JukinetConsistencyCheckResultReady;
  'juminhyo-code.pool.replenished': JuminhyoCodePoolReplenished;
  'kiosk.certificate.failed': KioskCertificateFailed;
  'kiosk.certificate.produced': KioskCertificateProduced;
  'kiosk.certificate.requested': KioskCertificateRequested;
  'koseki-fuhyo.entry-notice.acknowledged': KosekiFuhyoEntryNoticeAcknowledged;
  'koseki-fuhyo.entry-notice.applied': KosekiFuhyoEntryNoticeApplied;
  'koseki-fuhyo.entry-notice.received': KosekiFuhyoEntryNoticeReceived;
  'koseki-fuhyo.entry-notice.sent': KosekiFuhyoEntryNoticeSent;
  'moj.notice.received': MojNoticeReceived;
  'moj.notice.sequence-gap': MojNoticeSequenceGap;
  'move-in.notice.overdue': MoveInNoticeOverdue;
  'move-in.notice.received': MoveInNoticeReceived;
  'move-in.notice.sent': MoveInNoticeSent;
  'municipality.notice.sent': MunicipalityNoticeSent;
  'mynumber-card.status-changed': MynumberCardStatusChanged;
  'mynumber.change.completed': MynumberChangeCompleted;
  'mynumber.change.requested': MynumberChangeRequested;
  'mynumber.generation.completed': MynumberGenerationCompleted;
  'mynumber.generation.requested': MynumberGenerationRequested;
  'registry.cs-reply.received': RegistryCsReplyReceived;
  'registry.resident.extracted': RegistryResidentExtracted;
  'resident.movement.recorded': ResidentMovementRecorded;
  'resident.movement.recorded.tokutei': ResidentMovementRecordedTokutei;
  'special-move-in.accepted': SpecialMoveInAccepted;
  'special-move-in.certificate-info.received': SpecialMoveInCertificateInfoReceived;
  'special-move-in.certificate-info.requested': SpecialMoveInCertificateInfoRequested;
  'special-move-in.move-in-notice.forwarded': SpecialMoveInMoveInNoticeForwarded;
  'suppression.changed': SuppressionChanged;
}
/**
 * 宛名異動（共通基盤連携） (atena.changed)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "AtenaChanged".
 */
export interface AtenaChanged {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 連携区分: DIFF 差分 (real time or ≤ 10 min) / FULL 全件 (claim check)
   */
  mode: 'DIFF' | 'FULL';
  /**
   * 宛名レコード
   */
  record?: {
    /**
     * 宛名番号
     */
    atenaNumber: AtenaNumber;
    /**
     * 世帯番号
     */
    setaiNumber: SetaiNumber;
    /**
     * 履歴番号
     */
    historyNo: HistoryNo;
    /**
     * 住民種別
     */
    residentType: ResidentType;
    /**
     * 住民状態
     */
    residentStatus: ResidentStatus;
    /**
     * 氏名
     */
    name: PersonName;
    /**
     * 生年月日
     */
    birthDate: FlexibleDate;
    /**
     * 性別
     */
    sex: Sex;
    /**
     * 世帯主の氏名
     */
    householderName?: MjText;
    /**
     * 続柄
     */
    relationship?: Relationship;
    /**
     * 住所
     */
    address: Address;
    /**
     * 異動事由
     */
    movementReason: MovementReason;
    /**
     * 異動年月日
     */
    movedOn: FlexibleDate;
  };
  /**
   * 全件ファイル参照
   */
  fileRef?: FileRef;
  /**
   * 全件ファイルSHA-256
   */
  sha256?: Sha256;
  /**
   * 件数
   */
  recordCount?: number;
  /**
   * 基準日時
   */
  asOf: DateTime;
}
/**
 * 氏名
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "PersonName".
 */
export interface PersonName {
  /**
   * 氏名
   */
  name: MjText;
  /**
   * 氏名_フリガナ
   */
  nameKana?: Kana;
  /**
   * フリガナ確認フラグ
   */
  kanaConfirmed?: boolean;
  /**
   * 氏名_外国人ローマ字
   */
  romanName?: RomanName;
  /**
   * 氏名_外国人漢字
   */
  foreignKanjiName?: MjText;
  /**
   * 旧氏
   */
  formerSurname?: MjText;
  /**
   * 旧氏_フリガナ
   */
  formerSurnameKana?: Kana;
  /**
   * 通称
   */
  alias?: MjText;
  /**
   * 通称_フリガナ
   */
  aliasKana?: Kana;
  /**
   * 氏名優先区分
   */
  namePriority?: 'NAME' | 'ALIAS';
}
/**
 * 柔軟日付: No calendar check (2023-02-29 is valid), but the era must cover the date: 平成31年5月1日 and 令和元年4月30日 are refused, the boundary days 明治45年7月30日/大正元年7月30日 and 大正15年12月25日/昭和元年12月25日 are valid under both eras. Unknown parts are first-class: value YYYY-MM is 日不詳 and YYYY is 月日不詳 (the register forms YYYY-MM-00 and YYYY-00-00 are accepted too). isUnknown ⇒ unknownText required; otherwise value required.
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "FlexibleDate".
 */
export interface FlexibleDate {
  /**
   * 年月日: YYYY-MM-DD; YYYY-MM (日不詳); YYYY (月日不詳).
   */
  value?: string;
  /**
   * 不詳フラグ
   */
  isUnknown?: boolean;
  /**
   * 不詳表記
   */
  unknownText?: MjText;
  /**
   * 元号
   */
  era?: Era;
}
/**
 * 続柄
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "Relationship".
 */
export interface Relationship {
  /**
   * 続柄コード1–4: 1–4 generations; 5 or more ⇒ 縁故者.
   *
   * @minItems 1
   * @maxItems 4
   */
  codes?: string[];
  /**
   * 続柄表記
   */
  text: MjText;
}
/**
 * 住所
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "Address".
 */
export interface Address {
  /**
   * 住所_市区町村コード
   */
  lgCode: LgCode;
  /**
   * 指定都市_行政区等コード
   */
  wardCode?: WardCode;
  /**
   * 住所_都道府県
   */
  prefecture: MjText;
  /**
   * 住所_市区郡町村名
   */
  municipalityName: MjText;
  /**
   * 住所_町字
   */
  choaza?: MjText;
  /**
   * 住所_町字コード
   */
  choazaId?: ChoazaId;
  /**
   * 住所_番地号表記
   */
  banchiGo?: MjText;
  /**
   * 住所_番地枝番数値
   */
  banchiEdaNum?: MjText;
  /**
   * 住所_方書
   */
  katagaki?: MjText;
  /**
   * 住所_方書_フリガナ
   */
  katagakiKana?: Kana;
  /**
   * 住所_方書コード
   */
  katagakiCode?: string;
  /**
   * 郵便番号
   */
  postalCode?: PostalCode;
}
/**
 * 異動事由
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "MovementReason".
 */
export interface MovementReason {
  /**
   * 異動事由区分: ENTRY 記載 / DELETION 消除 / CORRECTION 修正
   */
  category: 'ENTRY' | 'DELETION' | 'CORRECTION';
  /**
   * 異動事由: DOMESTIC_MOVE_IN 国内転入 / OVERSEAS_MOVE_IN 国外転入等 / BIRTH 出生 / EX_OFFICIO_ENTRY_NATURALIZATION 職権記載（帰化等） / EX_OFFICIO_ENTRY_NATIONALITY_LOSS 職権記載（国籍喪失） / EX_OFFICIO_ENTRY 職権記載 / REMAKE 改製 / REISSUE 再製 / CANCEL_INCREASE 異動の取消し（増） / DOMESTIC_MOVE_OUT 国内転出 / OVERSEAS_MOVE_OUT 国外転出 / DEATH 死亡 / EX_OFFICIO_DELETION_NATURALIZATION 職権消除（帰化等） / EX_OFFICIO_DELETION_NATIONALITY_LOSS 職権消除（国籍喪失） / EX_OFFICIO_DELETION 職権消除 / CANCEL_DECREASE 異動の取消し（減） / RELOCATION 転居 / MINOR_CORRECTION 軽微な修正 / EX_OFFICIO_CORRECTION 職権修正 / CLERICAL_CORRECTION 誤記修正 / MYNUMBER_CHANGE_REQUEST 個人番号の変更請求 / MYNUMBER_EX_OFFICIO_CORRECTION 個人番号の職権修正 / MYNUMBER_EX_OFFICIO_ENTRY 個人番号の職権記載 / JUMINHYO_CODE_CHANGE_REQUEST 住民票コードの変更請求 / JUMINHYO_CODE_EX_OFFICIO_ENTRY 住民票コードの職権記載 / HOUSEHOLD_SPLIT 世帯分離 / HOUSEHOLD_MERGE 世帯合併 / HOUSEHOLD_CHANGE 世帯変更 / HOUSEHOLDER_CHANGE 世帯主変更 / FORMER_SURNAME_ENTRY 旧氏の記載 / FORMER_SURNAME_CHANGE 旧氏の変更 / FORMER_SURNAME_DELETION 旧氏の削除 / ALIAS_ENTRY 通称の記載 / ALIAS_DELETION 通称の削除 / CANCEL_CORRECTION 異動の取消し（修正）
   */
  reason:
    | 'DOMESTIC_MOVE_IN'
    | 'OVERSEAS_MOVE_IN'
    | 'BIRTH'
    | 'EX_OFFICIO_ENTRY_NATURALIZATION'
    | 'EX_OFFICIO_ENTRY_NATIONALITY_LOSS'
    | 'EX_OFFICIO_ENTRY'
    | 'REMAKE'
    | 'REISSUE'
    | 'CANCEL_INCREASE'
    | 'DOMESTIC_MOVE_OUT'
    | 'OVERSEAS_MOVE_OUT'
    | 'DEATH'
    | 'EX_OFFICIO_DELETION_NATURALIZATION'
    | 'EX_OFFICIO_DELETION_NATIONALITY_LOSS'
    | 'EX_OFFICIO_DELETION'
    | 'CANCEL_DECREASE'
    | 'RELOCATION'
    | 'MINOR_CORRECTION'
    | 'EX_OFFICIO_CORRECTION'
    | 'CLERICAL_CORRECTION'
    | 'MYNUMBER_CHANGE_REQUEST'
    | 'MYNUMBER_EX_OFFICIO_CORRECTION'
    | 'MYNUMBER_EX_OFFICIO_ENTRY'
    | 'JUMINHYO_CODE_CHANGE_REQUEST'
    | 'JUMINHYO_CODE_EX_OFFICIO_ENTRY'
    | 'HOUSEHOLD_SPLIT'
    | 'HOUSEHOLD_MERGE'
    | 'HOUSEHOLD_CHANGE'
    | 'HOUSEHOLDER_CHANGE'
    | 'FORMER_SURNAME_ENTRY'
    | 'FORMER_SURNAME_CHANGE'
    | 'FORMER_SURNAME_DELETION'
    | 'ALIAS_ENTRY'
    | 'ALIAS_DELETION'
    | 'CANCEL_CORRECTION';
  /**
   * 異動事由コード（既存住基）
   */
  sourceCode?: string;
}
/**
 * 送付先情報 受付結果 (card.delivery-address.acknowledged)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "CardDeliveryAddressAcknowledged".
 */
export interface CardDeliveryAddressAcknowledged {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 抽出ファイルのSHA-256
   */
  extractSha256: Sha256;
  /**
   * 件数
   */
  recordCount: number;
  /**
   * 受付件数
   */
  acceptedCount: number;
  /**
   * 不備件数
   */
  rejectedCount: number;
  /**
   * カード管理システム取込件数
   */
  importedCount: number;
  /**
   * 不備一覧ファイル参照
   */
  rejectsRef?: FileRef;
  /**
   * 基準日時
   */
  asOf: DateTime;
}
/**
 * 送付先情報 抽出ファイル準備完了 (card.delivery-address.extract-ready)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "CardDeliveryAddressExtractReady".
 */
export interface CardDeliveryAddressExtractReady {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * ファイル参照
   */
  fileRef: FileRef;
  /**
   * SHA-256
   */
  sha256: Sha256;
  /**
   * 件数
   */
  recordCount: number;
  /**
   * 基準日時
   */
  asOf: DateTime;
  /**
   * 文字コード
   */
  encoding: FileEncoding;
  /**
   * レイアウト版
   */
  layoutVersion: string;
  /**
   * 抽出ファイルのSHA-256
   */
  extractSha256?: Sha256;
  /**
   * 受付件数
   */
  acceptedCount?: number;
  /**
   * 不備件数
   */
  rejectedCount?: number;
  /**
   * 不備一覧ファイル参照
   */
  rejectsRef?: FileRef;
}
/**
 * 送付先情報（1件） (card.delivery-address.record)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "CardDeliveryAddressRecord".
 */
export interface CardDeliveryAddressRecord {
  /**
   * レコード番号
   */
  recordNo: number;
  /**
   * 住民票コード
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 宛名氏名
   */
  recipientName: MjText;
  /**
   * 送付先住所
   */
  deliveryAddress: Address;
  /**
   * 郵便番号
   */
  postalCode: PostalCode;
  /**
   * 印刷区分: Codes not public [NP]: NORMAL 通常 / HOUSEHOLD 世帯一括 / RESIDENCE 居所送付
   */
  printCategory: 'NORMAL' | 'HOUSEHOLD' | 'RESIDENCE';
  /**
   * 特別な事情
   */
  specialCircumstance: boolean;
  /**
   * 送付目的
   */
  purpose: 'NUMBER_NOTICE' | 'APPLICATION_FORM' | 'RENEWAL_NOTICE';
  /**
   * 世帯グループID
   */
  householdGroupId?: string;
}
/**
 * 証明書記載用情報照会 (certificate.data.query)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "CertificateDataQuery".
 */
export interface CertificateDataQuery {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 交付センター要求ID
   */
  centerRequestId: CenterRequestId;
  /**
   * 対象者キー
   */
  subjectKey: SubjectKey;
  /**
   * 利用者証明用電子証明書シリアル番号
   */
  authCertSerial: CertSerial;
  /**
   * 証明書種別
   */
  certificateType: CertificateType;
  /**
   * 記載オプション
   */
  options: CertificateOptions;
  /**
   * 通数
   */
  copies: number;
  /**
   * 応答期限
   */
  respondBy: DateTime;
}
/**
 * 証明書記載オプション
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "CertificateOptions".
 */
export interface CertificateOptions {
  /**
   * 世帯範囲
   */
  householdScope?: 'SELF' | 'HOUSEHOLD_ALL';
  /**
   * 本籍・筆頭者の記載
   */
  includeHonseki?: boolean;
  /**
   * 世帯主・続柄の記載
   */
  includeRelation?: boolean;
  /**
   * 個人番号の記載
   */
  includeMyNumber?: boolean;
  /**
   * 住民票コードの記載
   */
  includeJuminhyoCode?: boolean;
  /**
   * 年度
   */
  fiscalYear?: number;
}
/**
 * 証明書記載用情報応答 (certificate.data.replied)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "CertificateDataReplied".
 */
export interface CertificateDataReplied {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 交付センター要求ID（エコー）
   */
  centerRequestId: CenterRequestId;
  /**
   * 要求の対象者キー（エコー）
   */
  requestSubjectKey: SubjectKey;
  /**
   * 要求の証明書種別（エコー）
   */
  certificateType: CertificateType;
  /**
   * 結果: ISSUED 発行 / NOT_FOUND 該当なし / BLOCKED 抑止・支援措置 / NOT_AVAILABLE 転出予定者世帯・死亡・利用登録なし・取扱いなし / TIMEOUT 応答期限内に作成できず（窓口へ）
   */
  outcome: 'ISSUED' | 'NOT_FOUND' | 'BLOCKED' | 'NOT_AVAILABLE' | 'TIMEOUT';
  /**
   * 発行対象者
   */
  subject?: {
    /**
     * 利用者証明用電子証明書シリアル番号
     */
    authCertSerial: CertSerial;
    /**
     * 宛名番号
     */
    atenaNumber: AtenaNumber;
    /**
     * 証明書の対象住民キー（住民票コード、戸籍は本籍＋筆頭者）
     */
    residentKey?: SubjectKey;
  };
  /**
   * 証明書PDF
   */
  document?: {
    /**
     * PDF（Base64）
     */
    pdfBase64: string;
    /**
     * 頁数
     */
    pageCount: number;
    /**
     * PDFに記録した対象者キー
     */
    subjectKey: SubjectKey;
    /**
     * 発行番号
     */
    issueNumber: MjText;
    /**
     * 手数料（円）
     */
    fee: number;
  };
  /**
   * 抑止理由
   */
  blockedReason?: 'SUPPORT_MEASURE' | 'SUPPRESSION' | 'PENDING_MOVE_OUT' | 'PENDING_KOSEKI';
  /**
   * 拒否規則: Which rule refused (hub/support-measures/rule.ts); never shown at the kiosk.
   */
  refusalRule?:
    | 'SUPPORT_MEASURE_SUBJECT'
    | 'SUPPORT_MEASURE_HOUSEHOLD'
    | 'PENDING_MOVE_OUT'
    | 'DECEASED'
    | 'NO_HONSEKI_REGISTRATION'
    | 'NOT_OFFERED'
    | 'NOT_FOUND';
}
/**
 * 住民票関係情報 副本更新（団体内統合宛名経由 中間サーバ） (chukan.juminhyo-kankei.updated)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "ChukanJuminhyoKankeiUpdated".
 */
export interface ChukanJuminhyoKankeiUpdated {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 個人番号
   */
  myNumber: MyNumber;
  /**
   * 団体内統合宛名番号
   */
  integratedAtenaNumber?: IntegratedAtenaNumber;
  /**
   * 宛名番号
   */
  atenaNumber: AtenaNumber;
  /**
   * 世帯番号
   */
  setaiNumber: SetaiNumber;
  /**
   * 履歴番号
   */
  historyNo: HistoryNo;
  /**
   * 住民種別
   */
  residentType: ResidentType;
  /**
   * 住民状態
   */
  residentStatus: ResidentStatus;
  /**
   * 氏名
   */
  name: PersonName;
  /**
   * 生年月日
   */
  birthDate: FlexibleDate;
  /**
   * 性別
   */
  sex: Sex;
  /**
   * 住所
   */
  address: Address;
  /**
   * 世帯主の氏名
   */
  householderName?: MjText;
  /**
   * 続柄
   */
  relationship?: Relationship;
  /**
   * 異動事由
   */
  movementReason: MovementReason;
  /**
   * 異動年月日
   */
  movedOn: FlexibleDate;
  /**
   * 処理日
   */
  processedOn: StrictDate;
}
/**
 * 情報提供用個人識別符号 通知 (fugo.acquisition.completed)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "FugoAcquisitionCompleted".
 */
export interface FugoAcquisitionCompleted {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * バッチID
   */
  batchId: BatchId;
  /**
   * 符号
   *
   * @maxItems 10000
   */
  fugos: {
    /**
     * 処理通番
     */
    processingSerial: ProcessingSerial;
    /**
     * 情報提供用個人識別符号
     */
    fugo: Fugo;
  }[];
  /**
   * 取得できなかったペア
   *
   * @maxItems 10000
   */
  failures: {
    /**
     * 処理通番
     */
    processingSerial: ProcessingSerial;
    /**
     * エラーコード
     */
    errorCode: string;
    /**
     * 理由（日本語）
     */
    reasonJa: string;
    /**
     * 理由（英語）
     */
    reasonEn: string;
  }[];
}
/**
 * 情報提供用個人識別符号 取得結果報告 (fugo.acquisition.reported)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "FugoAcquisitionReported".
 */
export interface FugoAcquisitionReported {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * バッチID
   */
  batchId: BatchId;
  /**
   * 要求件数
   */
  requestedCount: number;
  /**
   * 取得件数
   */
  acquiredCount: number;
  /**
   * 取得できなかったペア
   *
   * @maxItems 10000
   */
  failures: {
    /**
     * 処理通番
     */
    processingSerial: ProcessingSerial;
    /**
     * エラーコード
     */
    errorCode: string;
    /**
     * 理由（日本語）
     */
    reasonJa: string;
    /**
     * 理由（英語）
     */
    reasonEn: string;
  }[];
}
/**
 * 情報提供用個人識別符号 取得要求 (fugo.acquisition.requested)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "FugoAcquisitionRequested".
 */
export interface FugoAcquisitionRequested {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * バッチID
   */
  batchId: BatchId;
  /**
   * 処理通番と個人番号
   *
   * @minItems 1
   * @maxItems 10000
   */
  items: {
    /**
     * 処理通番
     */
    processingSerial: ProcessingSerial;
    /**
     * 個人番号
     */
    myNumber: MyNumberInBatch;
  }[];
}
/**
 * 個人番号・団体内統合宛名番号ペア送信 (fugo.pairs.provided)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "FugoPairsProvided".
 */
export interface FugoPairsProvided {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * バッチID
   */
  batchId: BatchId;
  /**
   * 再送
   */
  resend: boolean;
  /**
   * ペア
   *
   * @minItems 1
   * @maxItems 10000
   */
  pairs: {
    /**
     * 団体内統合宛名番号
     */
    integratedAtenaNumber: IntegratedAtenaNumber;
    /**
     * 個人番号
     */
    myNumber: MyNumberInBatch;
  }[];
}
/**
 * 処理通番付与（中間サーバ） (fugo.serials.assigned)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "FugoSerialsAssigned".
 */
export interface FugoSerialsAssigned {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * バッチID
   */
  batchId: BatchId;
  /**
   * 処理通番と個人番号
   *
   * @minItems 1
   * @maxItems 10000
   */
  items: {
    /**
     * 処理通番
     */
    processingSerial: ProcessingSerial;
    /**
     * 団体内統合宛名番号
     */
    integratedAtenaNumber: IntegratedAtenaNumber;
    /**
     * 個人番号
     */
    myNumber: MyNumberInBatch;
  }[];
}
/**
 * 本人確認情報更新受理 (identity-info.update.acknowledged)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "IdentityInfoUpdateAcknowledged".
 */
export interface IdentityInfoUpdateAcknowledged {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 住民票コード
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 宛名番号
   */
  atenaNumber?: AtenaNumber;
  /**
   * 履歴番号
   */
  historyNo?: HistoryNo;
  /**
   * 受理日時
   */
  acceptedAt: DateTime;
}
/**
 * 本人確認情報更新エラー (identity-info.update.rejected)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "IdentityInfoUpdateRejected".
 */
export interface IdentityInfoUpdateRejected {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 住民票コード
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 宛名番号
   */
  atenaNumber?: AtenaNumber;
  /**
   * 履歴番号
   */
  historyNo?: HistoryNo;
  /**
   * エラーコード
   */
  errorCode: string;
  /**
   * エラー内容
   */
  errorText?: MjText;
  /**
   * エラー日時
   */
  rejectedAt: DateTime;
}
/**
 * 本人確認情報更新 (identity-info.update.submitted)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "IdentityInfoUpdateSubmitted".
 */
export interface IdentityInfoUpdateSubmitted {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 宛名番号
   */
  atenaNumber: AtenaNumber;
  /**
   * 履歴番号
   */
  historyNo: HistoryNo;
  /**
   * 住民票コード
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 個人番号
   */
  myNumber: MyNumber;
  /**
   * 氏名（住基ネット統一文字に写像済み）
   */
  name: MjText;
  /**
   * 氏名カナ（半角）
   */
  nameKanaHalfWidth?: KanaHalfWidth;
  /**
   * 通称
   */
  alias?: MjText;
  /**
   * 旧氏
   */
  formerSurname?: MjText;
  /**
   * 生年月日
   */
  birthDate: FlexibleDate;
  /**
   * 性別
   */
  sex: Sex;
  /**
   * 住所（CS表記）
   */
  addressText: MjText;
  /**
   * 住所
   */
  address: Address;
  /**
   * 異動事由
   */
  movementReason: MovementReason;
  /**
   * 異動年月日
   */
  movedOn: FlexibleDate;
  /**
   * 処理日
   */
  processedOn: StrictDate;
  /**
   * CS更新事由: ENTRY 記載 / DELETION 消除 / CORRECTION 修正 / MINOR_CORRECTION 軽微な修正 (bulk address change)
   */
  csUpdateReason: 'ENTRY' | 'DELETION' | 'CORRECTION' | 'MINOR_CORRECTION';
}
/**
 * 証明書交付拒否記録 (issuance.refusal.recorded)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "IssuanceRefusalRecorded".
 */
export interface IssuanceRefusalRecorded {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 交付経路: KIOSK コンビニ交付 / COUNTER 窓口
   */
  channel: 'KIOSK' | 'COUNTER';
  /**
   * 要求ID
   */
  requestId: CenterRequestId;
  /**
   * 請求者キー（カードの対象者キー）
   */
  requesterKey: SubjectKey;
  /**
   * 対象者の宛名番号（ハブは鍵付きハッシュでのみ保存）
   */
  subjectAtenaNumber?: AtenaNumber;
  /**
   * 証明書種別
   */
  certificateType?: CertificateType;
  /**
   * 拒否規則
   */
  rule:
    | 'SUPPORT_MEASURE_SUBJECT'
    | 'SUPPORT_MEASURE_HOUSEHOLD'
    | 'PENDING_MOVE_OUT'
    | 'DECEASED'
    | 'NO_HONSEKI_REGISTRATION'
    | 'NOT_OFFERED'
    | 'NOT_FOUND';
  /**
   * 拒否日時
   */
  refusedAt: DateTime;
}
/**
 * 本人確認情報整合 完了 (jukinet.consistency-check.completed)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "JukinetConsistencyCheckCompleted".
 */
export interface JukinetConsistencyCheckCompleted {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 照合元: PREFECTURE 都道府県サーバ / NATIONAL 全国サーバ / REGISTRY_CS 既存住基↔CS
   */
  source: 'PREFECTURE' | 'NATIONAL' | 'REGISTRY_CS';
  /**
   * 照合件数
   */
  checkedCount: number;
  /**
   * 不一致件数
   */
  mismatchCount: number;
  /**
   * 基準日時
   */
  asOf: DateTime;
  /**
   * 結果ファイルSHA-256
   */
  resultSha256: Sha256;
  /**
   * 不正レコード件数: REGISTRY_CS: extract records rejected before the check (not in checkedCount).
   */
  rejectedCount?: number;
}
/**
 * 本人確認情報整合 抽出ファイル準備完了 (jukinet.consistency-check.extract-ready)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "JukinetConsistencyCheckExtractReady".
 */
export interface JukinetConsistencyCheckExtractReady {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * ファイル参照
   */
  fileRef: FileRef;
  /**
   * SHA-256
   */
  sha256: Sha256;
  /**
   * 件数
   */
  recordCount: number;
  /**
   * 基準日時
   */
  asOf: DateTime;
  /**
   * 文字コード
   */
  encoding: FileEncoding;
  /**
   * レイアウト版
   */
  layoutVersion: string;
  /**
   * 不正レコード件数: Records of the registry extract that could not be converted for the CS (set by the CS connector; each is listed with its record number and reason in rejectsFileRef).
   */
  rejectedCount?: number;
  /**
   * 不正レコード一覧ファイル参照
   */
  rejectsFileRef?: FileRef;
}
/**
 * 本人確認情報整合 不一致レコード (jukinet.consistency-check.mismatch)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "JukinetConsistencyCheckMismatch".
 */
export interface JukinetConsistencyCheckMismatch {
  /**
   * レコード番号
   */
  recordNo: number;
  /**
   * 住民票コード
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 不一致項目
   */
  field:
    | 'NAME'
    | 'NAME_KANA'
    | 'ALIAS'
    | 'FORMER_SURNAME'
    | 'BIRTH_DATE'
    | 'SEX'
    | 'ADDRESS'
    | 'MY_NUMBER'
    | 'RESIDENT_STATUS'
    | 'MOVEMENT_REASON'
    | 'MOVED_ON'
    | 'MISSING_LOCAL'
    | 'MISSING_SERVER';
  /**
   * 既存住基側ハッシュ
   */
  localValueHash?: HashedValue;
  /**
   * サーバ側ハッシュ
   */
  serverValueHash?: HashedValue;
}
/**
 * 本人確認情報整合 レコード (jukinet.consistency-check.record)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "JukinetConsistencyCheckRecord".
 */
export interface JukinetConsistencyCheckRecord {
  /**
   * レコード番号
   */
  recordNo: number;
  /**
   * 住民票コード
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 個人番号
   */
  myNumber: MyNumber;
  /**
   * 氏名
   */
  name: MjText;
  /**
   * 氏名カナ（半角）
   */
  nameKanaHalfWidth?: KanaHalfWidth;
  /**
   * 通称
   */
  alias?: MjText;
  /**
   * 旧氏
   */
  formerSurname?: MjText;
  /**
   * 生年月日
   */
  birthDate: FlexibleDate;
  /**
   * 性別
   */
  sex: Sex;
  /**
   * 住所（CS表記）
   */
  addressText: MjText;
  /**
   * 住民状態
   */
  residentStatus: ResidentStatus;
  /**
   * 最終異動事由
   */
  lastMovementReason?: MovementReason;
  /**
   * 最終異動年月日
   */
  lastMovedOn?: FlexibleDate;
}
/**
 * 本人確認情報整合 結果ファイル受信 (jukinet.consistency-check.result-ready)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "JukinetConsistencyCheckResultReady".
 */
export interface JukinetConsistencyCheckResultReady {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * ファイル参照
   */
  fileRef: FileRef;
  /**
   * SHA-256
   */
  sha256: Sha256;
  /**
   * 照合した抽出ファイルのSHA-256
   */
  extractSha256: Sha256;
  /**
   * 照合件数
   */
  checkedCount: number;
  /**
   * 不一致件数
   */
  mismatchCount: number;
  /**
   * 照合元: PREFECTURE 都道府県サーバ / NATIONAL 全国サーバ (8-②: the CS’s own 本人確認情報 checked by the server) / REGISTRY_CS 既存住基↔CS (the separate check of the registry extract against the CS’s data)
   */
  source: 'PREFECTURE' | 'NATIONAL' | 'REGISTRY_CS';
  /**
   * 基準日時
   */
  asOf: DateTime;
  /**
   * 文字コード
   */
  encoding: FileEncoding;
  /**
   * 不正レコード件数: REGISTRY_CS: extract records rejected before the check (not in checkedCount).
   */
  rejectedCount?: number;
}
/**
 * 住民票コード空きコード補充 (juminhyo-code.pool.replenished)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "JuminhyoCodePoolReplenished".
 */
export interface JuminhyoCodePoolReplenished {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 都道府県コード
   */
  prefectureCode?: PrefectureCode;
  /**
   * 空き住民票コード
   *
   * @minItems 1
   * @maxItems 10000
   */
  codes: JuminhyoCode[];
  /**
   * 受信日時
   */
  receivedAt: DateTime;
}
/**
 * コンビニ交付 証明書作成失敗 (kiosk.certificate.failed)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "KioskCertificateFailed".
 */
export interface KioskCertificateFailed {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 交付センター要求ID
   */
  centerRequestId: CenterRequestId;
  /**
   * エラー種別
   */
  errorKind: 'NOT_FOUND' | 'BLOCKED' | 'NOT_AVAILABLE' | 'TIMEOUT' | 'SYSTEM';
  /**
   * メッセージ
   */
  message?: MjText;
  /**
   * 失敗日時
   */
  failedAt: DateTime;
}
/**
 * コンビニ交付 証明書作成完了 (kiosk.certificate.produced)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "KioskCertificateProduced".
 */
export interface KioskCertificateProduced {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 交付センター要求ID
   */
  centerRequestId: CenterRequestId;
  /**
   * 対象者キー
   */
  subjectKey: SubjectKey;
  /**
   * 証明書種別
   */
  certificateType?: CertificateType;
  /**
   * PDF（Base64）
   */
  pdfBase64: string;
  /**
   * 頁数
   */
  pageCount: number;
  /**
   * 手数料（円）
   */
  fee: number;
  /**
   * 発行番号
   */
  issueNumber: MjText;
  /**
   * 作成日時
   */
  producedAt: DateTime;
}
/**
 * コンビニ交付 証明書交付要求 (kiosk.certificate.requested)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "KioskCertificateRequested".
 */
export interface KioskCertificateRequested {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 交付センター要求ID
   */
  centerRequestId: CenterRequestId;
  /**
   * 利用者証明用電子証明書シリアル番号
   */
  authCertSerial: CertSerial;
  /**
   * 証明書種別
   */
  certificateType: CertificateType;
  /**
   * 記載オプション
   */
  options: CertificateOptions;
  /**
   * 通数
   */
  copies: number;
  /**
   * キオスク事業者
   */
  kioskVendor?: string;
  /**
   * 要求日時
   */
  requestedAt: DateTime;
  /**
   * 応答期限
   */
  respondBy: DateTime;
}
/**
 * 戸籍附票記載事項通知 受領確認 (koseki-fuhyo.entry-notice.acknowledged)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "KosekiFuhyoEntryNoticeAcknowledged".
 */
export interface KosekiFuhyoEntryNoticeAcknowledged {
  /**
   * 住所地 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 通知ID（住所地の送信キー）
   */
  noticeId: string;
  /**
   * 本籍地 地方公共団体コード
   */
  honsekiLgCode: LgCode;
  /**
   * 住民票コード
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 記載日時
   */
  appliedAt: DateTime;
}
/**
 * 戸籍附票記載済み (koseki-fuhyo.entry-notice.applied)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "KosekiFuhyoEntryNoticeApplied".
 */
export interface KosekiFuhyoEntryNoticeApplied {
  /**
   * 本籍地 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 通知ID（住所地の送信キー）
   */
  noticeId: string;
  /**
   * 住所地 地方公共団体コード
   */
  residenceLgCode: LgCode;
  /**
   * 住民票コード
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 他市町村から受信
   */
  viaCs: boolean;
  /**
   * 記載日時
   */
  appliedAt: DateTime;
}
/**
 * 戸籍附票記載事項通知（受信） (koseki-fuhyo.entry-notice.received)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "KosekiFuhyoEntryNoticeReceived".
 */
export interface KosekiFuhyoEntryNoticeReceived {
  /**
   * 受信（本籍地）地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 送信元（住所地）地方公共団体コード
   */
  fromLgCode: LgCode;
  /**
   * 通知ID（住所地の送信キー）
   */
  noticeId: string;
  /**
   * 本籍地 地方公共団体コード
   */
  honsekiLgCode: LgCode;
  /**
   * 戸籍の表示（本籍・筆頭者）
   */
  honseki: {
    /**
     * 本籍
     */
    address: MjText;
    /**
     * 筆頭者
     */
    hittosha: MjText;
  };
  /**
   * 住民票コード
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 履歴番号（住所地）
   */
  historyNo: HistoryNo;
  /**
   * 氏名
   */
  name: PersonName;
  /**
   * 出生の年月日
   */
  birthDate: FlexibleDate;
  /**
   * 男女の別
   */
  sex: Sex;
  /**
   * 住所
   */
  address?: Address;
  /**
   * 住所を定めた年月日
   */
  addressFixedOn: FlexibleDate;
  /**
   * 国外転出者
   */
  isOverseasEmigrant?: boolean;
  /**
   * 国外転出予定年月日
   */
  plannedDepartureOn?: StrictDate;
  /**
   * 異動事由
   */
  movementReason: MovementReason;
  /**
   * 通知年月日
   */
  notifiedOn: StrictDate;
}
/**
 * 戸籍附票記載事項通知（送信） (koseki-fuhyo.entry-notice.sent)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "KosekiFuhyoEntryNoticeSent".
 */
export interface KosekiFuhyoEntryNoticeSent {
  /**
   * 送信（住所地）地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 住所地 地方公共団体コード
   */
  residenceLgCode: LgCode;
  /**
   * 本籍が市内
   */
  honsekiInCity: boolean;
  /**
   * 通知ID（住所地の送信キー）
   */
  noticeId: string;
  /**
   * 本籍地 地方公共団体コード
   */
  honsekiLgCode: LgCode;
  /**
   * 戸籍の表示（本籍・筆頭者）
   */
  honseki: {
    /**
     * 本籍
     */
    address: MjText;
    /**
     * 筆頭者
     */
    hittosha: MjText;
  };
  /**
   * 住民票コード
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 履歴番号（住所地）
   */
  historyNo: HistoryNo;
  /**
   * 氏名
   */
  name: PersonName;
  /**
   * 出生の年月日
   */
  birthDate: FlexibleDate;
  /**
   * 男女の別
   */
  sex: Sex;
  /**
   * 住所
   */
  address?: Address;
  /**
   * 住所を定めた年月日
   */
  addressFixedOn: FlexibleDate;
  /**
   * 国外転出者
   */
  isOverseasEmigrant?: boolean;
  /**
   * 国外転出予定年月日
   */
  plannedDepartureOn?: StrictDate;
  /**
   * 異動事由
   */
  movementReason: MovementReason;
  /**
   * 通知年月日
   */
  notifiedOn: StrictDate;
}
/**
 * 法務省通知（受信） (moj.notice.received)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "MojNoticeReceived".
 */
export interface MojNoticeReceived {
  /**
   * 通知先 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 通知連番
   */
  sequenceNo: number;
  /**
   * 通知ID
   */
  noticeId: string;
  /**
   * 通知種別: NAME_CHANGE 氏名変更 / BIRTHDATE_SEX_CHANGE 生年月日・性別変更 / NATIONALITY_CHANGE 国籍・地域変更 / STATUS_CHANGE 在留資格変更 / PERIOD_RENEWAL 在留期間更新 / CARD_REISSUE 在留カード再交付 / STATUS_REVOKED 在留資格取消 / OUT_OF_SCOPE 住基対象外 / CORRECTION 訂正
   */
  noticeKind:
    | 'NAME_CHANGE'
    | 'BIRTHDATE_SEX_CHANGE'
    | 'NATIONALITY_CHANGE'
    | 'STATUS_CHANGE'
    | 'PERIOD_RENEWAL'
    | 'CARD_REISSUE'
    | 'STATUS_REVOKED'
    | 'OUT_OF_SCOPE'
    | 'CORRECTION';
  /**
   * 通知年月日
   */
  notifiedOn: StrictDate;
  /**
   * 在留カード等
   */
  residenceCard: ResidenceCard;
  /**
   * 変更前の在留カード等
   */
  previousResidenceCard?: ResidenceCard;
  /**
   * 変更後
   */
  after: {
    /**
     * 氏名（ローマ字表記）
     */
    romanName: RomanName;
    /**
     * 漢字氏名
     */
    foreignKanjiName?: MjText;
    /**
     * 生年月日（西暦）
     */
    birthDate: StrictDate;
    /**
     * 性別
     */
    sex: Sex;
    /**
     * 国籍・地域
     */
    nationalityCode: CountryCode;
    /**
     * 第30条45規定区分
     */
    category: Art30_45Category;
    /**
     * 在留資格等コード
     */
    statusOfResidenceCode?: string;
    /**
     * 在留期間
     */
    periodOfStay?: PeriodOfStay;
    /**
     * 在留期間の満了の日
     */
    periodExpiresOn?: StrictDate;
  };
  /**
   * 特別永住者（手動取込）
   */
  isSpecialPermanent?: boolean;
}
/**
 * 在留カード等
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "ResidenceCard".
 */
export interface ResidenceCard {
  /**
   * 在留カード等番号
   */
  number: ResidenceCardNumber;
  /**
   * 在留カード等番号区分
   */
  cardKind: 'ZAIRYU_CARD' | 'TOKUEI_CERT' | 'OTHER';
}
/**
 * 在留期間
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "PeriodOfStay".
 */
export interface PeriodOfStay {
  /**
   * 年
   */
  years: number;
  /**
   * 月
   */
  months: number;
  /**
   * 日
   */
  days: number;
}
/**
 * 法務省通知 連番欠落 (moj.notice.sequence-gap)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "MojNoticeSequenceGap".
 */
export interface MojNoticeSequenceGap {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 欠落している通知連番
   */
  missingSequenceNo: number;
  /**
   * 保留中の最初の通知連番
   */
  firstHeldSequenceNo: number;
  /**
   * 保留件数
   */
  heldCount: number;
  /**
   * 欠落検知日時
   */
  missingSince: DateTime;
  /**
   * 警告日時
   */
  raisedAt: DateTime;
}
/**
 * 転入通知未着 (move-in.notice.overdue)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "MoveInNoticeOverdue".
 */
export interface MoveInNoticeOverdue {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 宛名番号
   */
  atenaNumber: AtenaNumber;
  /**
   * 履歴番号（転出）
   */
  historyNo?: HistoryNo;
  /**
   * 転出予定年月日
   */
  plannedMoveOutOn: StrictDate;
  /**
   * 転出先（予定）地方公共団体コード
   */
  plannedDestinationLgCode?: LgCode;
  /**
   * 経過日数
   */
  daysOverdue: number;
  /**
   * 検知日時
   */
  detectedAt: DateTime;
}
/**
 * 転入通知（受信） (move-in.notice.received)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "MoveInNoticeReceived".
 */
export interface MoveInNoticeReceived {
  /**
   * 受信（転出地）地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 送信元（転入地）地方公共団体コード
   */
  fromLgCode: LgCode;
  /**
   * 通知作成日時
   */
  noticeIssuedAt: DateTime;
  /**
   * 住民票コード（転入前）
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 個人番号
   */
  myNumber?: MyNumber;
  /**
   * 氏名
   */
  name: PersonName;
  /**
   * 生年月日
   */
  birthDate: FlexibleDate;
  /**
   * 性別
   */
  sex: Sex;
  /**
   * 転入先住所
   */
  newAddress: Address;
  /**
   * 転入年月日
   */
  movedInOn: FlexibleDate;
  /**
   * 届出年月日
   */
  notifiedOn: StrictDate;
  /**
   * 特例転入
   */
  specialMoveIn?: boolean;
}
/**
 * 転入通知（送信） (move-in.notice.sent)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "MoveInNoticeSent".
 */
export interface MoveInNoticeSent {
  /**
   * 転入地 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 通知先（転出地）地方公共団体コード
   */
  toLgCode: LgCode;
  /**
   * 宛名番号（転入地）
   */
  atenaNumber: AtenaNumber;
  /**
   * 履歴番号
   */
  historyNo: HistoryNo;
  /**
   * 住民票コード（転入前）
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 個人番号
   */
  myNumber?: MyNumber;
  /**
   * 氏名
   */
  name: PersonName;
  /**
   * 生年月日
   */
  birthDate: FlexibleDate;
  /**
   * 性別
   */
  sex: Sex;
  /**
   * 転入先住所
   */
  newAddress: Address;
  /**
   * 転入年月日
   */
  movedInOn: FlexibleDate;
  /**
   * 届出年月日
   */
  notifiedOn: StrictDate;
  /**
   * 特例転入
   */
  specialMoveIn?: boolean;
}
/**
 * 市町村通知（送信） (municipality.notice.sent)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "MunicipalityNoticeSent".
 */
export interface MunicipalityNoticeSent {
  /**
   * 通知元 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 通知ID（宛名番号:履歴番号）
   */
  noticeId: string;
  /**
   * 根拠区分: JUKI_AND_NYUKAN 住基法・入管法 / NYUKAN_ONLY 入管法 / JUKI_ONLY 住基法
   */
  legalBasis: 'JUKI_AND_NYUKAN' | 'NYUKAN_ONLY' | 'JUKI_ONLY';
  /**
   * 事由区分: ENTRY 記載 / DELETION 消除 / CORRECTION 修正 / ADDRESS_CHANGE 住所変更
   */
  eventKind: 'ENTRY' | 'DELETION' | 'CORRECTION' | 'ADDRESS_CHANGE';
  /**
   * 異動事由
   */
  movementReason?: MovementReason;
  /**
   * 在留カード等
   */
  residenceCard: ResidenceCard;
  /**
   * 氏名（ローマ字表記・通称を含む）
   */
  name: PersonName;
  /**
   * 通称履歴
   *
   * @maxItems 20
   *
   * Items: 通称の記載・削除
   */
  aliasHistory?: {
    /**
     * 通称
     */
    alias: MjText;
    /**
     * 記載/削除
     */
    action: 'RECORDED' | 'DELETED';
    /**
     * 年月日
     */
    on: StrictDate;
    /**
     * 市町村
     */
    lgCode: LgCode;
  }[];
  /**
   * 生年月日
   */
  birthDate: FlexibleDate;
  /**
   * 性別
   */
  sex: Sex;
  /**
   * 外国人住民事項（国籍・地域、在留資格、在留期間、満了日、在留カード等番号、30条45規定区分）
   */
  foreign: ForeignResidentStatus;
  /**
   * 住所
   */
  address?: Address;
  /**
   * 異動年月日
   */
  effectiveOn: FlexibleDate;
}
/**
 * 外国人住民事項: Conditional by 第30条45規定区分: MID_LONG_TERM needs 在留資格/在留期間/満了日/在留カード; SPECIAL_PERMANENT needs 特別永住者証明書 and has no 満了日; TEMPORARY_REFUGE needs 上陸期間; PROVISIONAL_STAY needs 仮滞在期間.
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "ForeignResidentStatus".
 */
export interface ForeignResidentStatus {
  /**
   * 国籍等_国名コード
   */
  nationalityCode: CountryCode;
  /**
   * 国籍名等
   */
  nationalityName?: MjText;
  /**
   * 外国人住民となった年月日
   */
  becameForeignResidentOn: FlexibleDate;
  /**
   * 第30条45規定区分
   */
  category: Art30_45Category;
  /**
   * 在留資格等コード
   */
  statusOfResidenceCode?: string;
  /**
   * 在留期間
   */
  periodOfStay?: PeriodOfStay;
  /**
   * 在留期間の満了の日
   */
  periodExpiresOn?: StrictDate;
  /**
   * 在留カード等
   */
  residenceCard?: ResidenceCard;
  /**
   * 上陸期間の満了の日
   */
  landingPeriodExpiresOn?: StrictDate;
  /**
   * 仮滞在期間の満了の日
   */
  provisionalStayExpiresOn?: StrictDate;
}
/**
 * 個人番号カード 状態変更 (mynumber-card.status-changed)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "MynumberCardStatusChanged".
 */
export interface MynumberCardStatusChanged {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 住民票コード
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 事象
   */
  cardEvent: CardEvent;
  /**
   * 事象日時
   */
  eventAt: DateTime;
  /**
   * 事由
   */
  reason?:
    | 'LOST'
    | 'EXPIRED'
    | 'MOVE_OUT_LAPSE'
    | 'DEATH'
    | 'STATUS_OF_RESIDENCE_EXPIRY'
    | 'FOUND'
    | 'HOLDER_REQUEST'
    | 'SPECIAL_MOVE_IN'
    | 'OTHER';
  /**
   * 有効期限
   */
  cardExpiresOn?: StrictDate;
  /**
   * 新住所
   */
  newAddress?: Address;
  /**
   * 利用者証明用電子証明書シリアル番号
   */
  authCertSerial?: CertSerial;
  /**
   * 署名用電子証明書シリアル番号
   */
  signCertSerial?: CertSerial;
}
/**
 * 個人番号変更完了 (mynumber.change.completed)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "MynumberChangeCompleted".
 */
export interface MynumberChangeCompleted {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 住民票コード
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 宛名番号
   */
  atenaNumber?: AtenaNumber;
  /**
   * 旧個人番号
   */
  previousMyNumber: MyNumber;
  /**
   * 新個人番号
   */
  newMyNumber: MyNumber;
  /**
   * 変更日時
   */
  changedAt: DateTime;
}
/**
 * 個人番号変更要求 (mynumber.change.requested)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "MynumberChangeRequested".
 */
export interface MynumberChangeRequested {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 住民票コード
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 宛名番号
   */
  atenaNumber: AtenaNumber;
  /**
   * 現個人番号
   */
  currentMyNumber: MyNumber;
  /**
   * 変更区分: REQUEST 請求（令3条4項） / EX_OFFICIO 職権（令4条1項） / CORRECTION 修正（令12条3項）
   */
  changeKind: 'REQUEST' | 'EX_OFFICIO' | 'CORRECTION';
  /**
   * 要求日
   */
  requestedOn: StrictDate;
}
/**
 * 個人番号生成完了 (mynumber.generation.completed)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "MynumberGenerationCompleted".
 */
export interface MynumberGenerationCompleted {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 住民票コード
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 宛名番号
   */
  atenaNumber?: AtenaNumber;
  /**
   * 個人番号
   */
  myNumber: MyNumber;
  /**
   * 生成日時
   */
  generatedAt: DateTime;
}
/**
 * 個人番号生成要求 (mynumber.generation.requested)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "MynumberGenerationRequested".
 */
export interface MynumberGenerationRequested {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 住民票コード
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 宛名番号
   */
  atenaNumber: AtenaNumber;
  /**
   * 履歴番号
   */
  historyNo?: HistoryNo;
  /**
   * 生成事由: BIRTH 出生 / OVERSEAS_MOVE_IN 国外転入等 / FIRST_ASSIGNMENT 初回付番 / OTHER その他
   */
  reason: 'BIRTH' | 'OVERSEAS_MOVE_IN' | 'FIRST_ASSIGNMENT' | 'OTHER';
  /**
   * 要求日
   */
  requestedOn: StrictDate;
}
/**
 * CS応答の既存住基反映 (registry.cs-reply.received)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "RegistryCsReplyReceived".
 */
export interface RegistryCsReplyReceived {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 応答種別: MYNUMBER_GENERATED 個人番号生成 / MYNUMBER_CHANGED 個人番号変更 / IDENTITY_INFO_ACCEPTED 本人確認情報受理 / IDENTITY_INFO_REJECTED 本人確認情報エラー / MOVE_IN_NOTICE 転入通知
   */
  replyKind:
    | 'MYNUMBER_GENERATED'
    | 'MYNUMBER_CHANGED'
    | 'IDENTITY_INFO_ACCEPTED'
    | 'IDENTITY_INFO_REJECTED'
    | 'MOVE_IN_NOTICE';
  /**
   * 住民票コード
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 宛名番号
   */
  atenaNumber?: AtenaNumber;
  /**
   * 履歴番号
   */
  historyNo?: HistoryNo;
  /**
   * 個人番号
   */
  myNumber?: MyNumber;
  /**
   * 旧個人番号
   */
  previousMyNumber?: MyNumber;
  /**
   * エラーコード
   */
  errorCode?: string;
  /**
   * エラー内容
   */
  errorText?: MjText;
  /**
   * 転入通知の反映内容
   */
  moveInNotice?: {
    /**
     * 転入地 地方公共団体コード
     */
    fromLgCode: LgCode;
    /**
     * 転出先住所（確定）
     */
    confirmedDestination: Address;
    /**
     * 転出年月日（確定）
     */
    confirmedMoveOutOn: FlexibleDate;
    /**
     * 転入通知年月日
     */
    moveInNoticeOn: StrictDate;
    /**
     * 通知作成日時
     */
    noticeIssuedAt: DateTime;
  };
  /**
   * 受信日時
   */
  receivedAt: DateTime;
}
/**
 * 既存住基 本人確認情報抽出レコード (registry.resident.extracted)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "RegistryResidentExtracted".
 */
export interface RegistryResidentExtracted {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * レコード番号
   */
  recordNo: number;
  /**
   * 基準日時
   */
  asOf: DateTime;
  /**
   * 住民票
   */
  resident: ResidentCore;
  /**
   * 個人番号
   */
  myNumber: MyNumber;
  /**
   * 最終異動事由
   */
  lastMovementReason?: MovementReason;
  /**
   * 最終異動年月日
   */
  lastMovedOn?: FlexibleDate;
}
/**
 * 住民票本体: 世帯主 may be unset (世帯主未設定), so householderName and relationship are optional. JAPANESE: birthDate.era required, no foreign block. FOREIGN: foreign block required, no 本籍 and no 住民となった年月日.
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "ResidentCore".
 */
export interface ResidentCore {
  /**
   * 宛名番号
   */
  atenaNumber: AtenaNumber;
  /**
   * 世帯番号
   */
  setaiNumber: SetaiNumber;
  /**
   * 住民票コード
   */
  juminhyoCode: JuminhyoCode;
  /**
   * 住民種別
   */
  residentType: ResidentType;
  /**
   * 住民状態
   */
  residentStatus: ResidentStatus;
  /**
   * 氏名
   */
  name: PersonName;
  /**
   * 生年月日
   */
  birthDate: FlexibleDate;
  /**
   * 性別
   */
  sex: Sex;
  /**
   * 世帯主の氏名
   */
  householderName?: MjText;
  /**
   * 続柄
   */
  relationship?: Relationship;
  /**
   * 戸籍の表示
   */
  honseki?: Honseki;
  /**
   * 住民となった年月日
   */
  becameResidentOn?: FlexibleDate;
  /**
   * 住所を定めた年月日
   */
  addressFixedOn?: FlexibleDate;
  /**
   * 住所
   */
  address: Address;
  /**
   * 転入前住所
   */
  priorAddress?: AnyAddress;
  /**
   * 最終住民登録地: 最終登録住所地: the last municipality where the resident was registered, when it differs from the 転入前住所 (a 未届地, where the resident lived without registering). The 転入通知 goes here (住基法9条1項, STD-j1090).
   */
  lastRegisteredAddress?: Address;
  /**
   * 外国人住民事項
   */
  foreign?: ForeignResidentStatus;
}
/**
 * 戸籍の表示
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "Honseki".
 */
export interface Honseki {
  /**
   * 本籍状態: PRESENT あり / NONE なし / UNKNOWN 不明
   */
  state: 'PRESENT' | 'NONE' | 'UNKNOWN';
  /**
   * 本籍
   */
  address?: MjText;
  /**
   * 筆頭者
   */
  hittosha?: MjText;
  /**
   * 本籍地の地方公共団体コード
   */
  lgCode?: LgCode;
}
/**
 * 住所（国内または国外）: Exactly one of domestic / overseas.
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "AnyAddress".
 */
export interface AnyAddress {
  /**
   * 国内住所
   */
  domestic?: Address;
  /**
   * 国外住所
   */
  overseas?: ForeignAddress;
}
/**
 * 国外住所
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "ForeignAddress".
 */
export interface ForeignAddress {
  /**
   * 国名コード
   */
  countryCode: CountryCode;
  /**
   * 国名等
   */
  countryName: MjText;
  /**
   * 国外住所
   */
  foreignAddress?: MjText;
}
/**
 * 住民異動記録 (resident.movement.recorded)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "ResidentMovementRecorded".
 */
export interface ResidentMovementRecorded {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 履歴番号
   */
  historyNo: HistoryNo;
  /**
   * 異動事由
   */
  movementReason: MovementReason;
  /**
   * 異動年月日
   */
  movedOn: FlexibleDate;
  /**
   * 処理日
   */
  processedOn: StrictDate;
  /**
   * 届出年月日
   */
  notifiedOn?: StrictDate;
  /**
   * 特例転入
   */
  specialMoveIn?: boolean;
  /**
   * 転出予定年月日
   */
  plannedMoveOutOn?: StrictDate;
  /**
   * 転出先住所（予定）
   */
  plannedDestination?: AnyAddress;
  /**
   * 住民票
   */
  resident: ResidentCore;
  /**
   * 変更項目: JSON pointers into resident that this movement changed.
   *
   * @maxItems 100
   */
  changedFields?: string[];
}
/**
 * 住民異動記録（特定個人情報） (resident.movement.recorded.tokutei)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "ResidentMovementRecordedTokutei".
 */
export interface ResidentMovementRecordedTokutei {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 履歴番号
   */
  historyNo: HistoryNo;
  /**
   * 異動事由
   */
  movementReason: MovementReason;
  /**
   * 異動年月日
   */
  movedOn: FlexibleDate;
  /**
   * 処理日
   */
  processedOn: StrictDate;
  /**
   * 届出年月日
   */
  notifiedOn?: StrictDate;
  /**
   * 特例転入
   */
  specialMoveIn?: boolean;
  /**
   * 転出予定年月日
   */
  plannedMoveOutOn?: StrictDate;
  /**
   * 転出先住所（予定）
   */
  plannedDestination?: AnyAddress;
  /**
   * 住民票
   */
  resident: ResidentCore;
  /**
   * 変更項目: JSON pointers into resident that this movement changed.
   *
   * @maxItems 100
   */
  changedFields?: string[];
  /**
   * 個人番号
   */
  myNumber: MyNumber;
  /**
   * 団体内統合宛名番号
   */
  integratedAtenaNumber?: IntegratedAtenaNumber;
}
/**
 * 特例転入受付 (special-move-in.accepted)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "SpecialMoveInAccepted".
 */
export interface SpecialMoveInAccepted {
  /**
   * 相関ID（案件）
   */
  correlationId: string;
  /**
   * 地方公共団体コード（転入地）
   */
  lgCode: LgCode;
  /**
   * 転出地の地方公共団体コード
   */
  fromLgCode: LgCode;
  /**
   * カード所持者の住民票コード
   */
  cardHolderJuminhyoCode: JuminhyoCode;
  /**
   * 宛名番号
   */
  atenaNumber: AtenaNumber;
  /**
   * 転入年月日
   */
  movedInOn: StrictDate;
}
/**
 * 転出証明書情報受信 (special-move-in.certificate-info.received)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "SpecialMoveInCertificateInfoReceived".
 */
export interface SpecialMoveInCertificateInfoReceived {
  /**
   * 相関ID（案件）
   */
  correlationId: string;
  /**
   * 地方公共団体コード（転入地）
   */
  lgCode: LgCode;
  /**
   * 発行した転出地の地方公共団体コード
   */
  issuedBy: LgCode;
  /**
   * カード所持者の住民票コード
   */
  cardHolderJuminhyoCode: JuminhyoCode;
  /**
   * 異動する世帯員
   *
   * @minItems 1
   * @maxItems 50
   */
  members: {
    /**
     * 住民票コード
     */
    juminhyoCode: JuminhyoCode;
    /**
     * カード所持者
     */
    cardHolder: boolean;
  }[];
  /**
   * 発行日時
   */
  issuedAt: DateTime;
}
/**
 * 転出証明書情報送信依頼 (special-move-in.certificate-info.requested)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "SpecialMoveInCertificateInfoRequested".
 */
export interface SpecialMoveInCertificateInfoRequested {
  /**
   * 相関ID（案件）
   */
  correlationId: string;
  /**
   * 依頼元（転入地）の地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 転出地の地方公共団体コード
   */
  fromLgCode: LgCode;
  /**
   * カード所持者の住民票コード
   */
  cardHolderJuminhyoCode: JuminhyoCode;
}
/**
 * 転入通知送信済み (special-move-in.move-in-notice.forwarded)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "SpecialMoveInMoveInNoticeForwarded".
 */
export interface SpecialMoveInMoveInNoticeForwarded {
  /**
   * 相関ID（案件）
   */
  correlationId: string;
  /**
   * 送信日時
   */
  forwardedAt: DateTime;
}
/**
 * 抑止（支援措置）変更 (suppression.changed)
 *
 * This interface was referenced by `MessageTypes`'s JSON-Schema
 * via the `definition` "SuppressionChanged".
 */
export interface SuppressionChanged {
  /**
   * 地方公共団体コード
   */
  lgCode: LgCode;
  /**
   * 抑止範囲
   */
  scope: 'PERSON' | 'HOUSEHOLD';
  /**
   * 宛名番号
   */
  atenaNumber?: AtenaNumber;
  /**
   * 世帯番号
   */
  setaiNumber?: SetaiNumber;
  /**
   * 変更区分: START 開始 / EXTEND 延長 / END 終了. 一時解除 is never propagated, so it has no value here.
   */
  changeKind: 'START' | 'EXTEND' | 'END';
  /**
   * 抑止対象業務
   *
   * @minItems 1
   */
  processes: ('MOVEMENT' | 'ISSUANCE' | 'INQUIRY')[];
  /**
   * 抑止レベル
   */
  level: 'ERROR' | 'ALERT';
  /**
   * 支援措置
   */
  supportMeasure?: boolean;
  /**
   * 開始日
   */
  validFrom: StrictDate;
  /**
   * 終了日
   */
  validTo?: StrictDate;
  /**
   * 変更日時
   */
  changedAt: DateTime;
}

/** A message type of the catalogue. */
export type MessageType = keyof MessageTypes;

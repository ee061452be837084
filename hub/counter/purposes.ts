/**
 * The 事務 a 統合端末 search or 照会 is made for, and what each may see (affair 6). A search answers
 * at most the items of its purpose, and 個人番号 only for a purpose the 番号法 allows it for. The
 * table is data: a new 事務 is one entry here, reviewed like the 特定個人情報保護評価 it follows.
 */

/** Items of a 本人確認情報 record a purpose may be shown. */
export type IdentityItem =
  | 'juminhyoCode'
  | 'name'
  | 'nameKana'
  | 'birthDate'
  | 'sex'
  | 'address'
  | 'residentStatus'
  | 'lastMovement'
  | 'myNumber';

/** One 事務. */
export interface Purpose {
  readonly code: string;
  readonly name: { readonly ja: string; readonly en: string };
  readonly items: readonly IdentityItem[];
}

const fourItems: readonly IdentityItem[] = ['name', 'birthDate', 'sex', 'address'];

/** Every purpose, by code. */
export const purposes: ReadonlyMap<string, Purpose> = new Map(
  (
    [
      {
        code: 'JUKI_HONNIN_KAKUNIN',
        name: {
          ja: '住民基本台帳事務における本人確認',
          en: 'identity check for resident register affairs',
        },
        items: ['juminhyoCode', ...fourItems, 'nameKana', 'residentStatus'],
      },
      {
        code: 'MYNUMBER_CARD',
        name: {
          ja: '個人番号の指定・個人番号カードの交付',
          en: 'My Number assignment and card issuance',
        },
        items: ['juminhyoCode', ...fourItems, 'nameKana', 'residentStatus', 'myNumber'],
      },
      {
        code: 'PASSPORT_RESIDENCE',
        name: { ja: '旅券事務における住所確認', en: 'residence check for passports' },
        items: fourItems,
      },
      {
        code: 'JUKI_IDOU_KAKUNIN',
        name: { ja: '異動の確認（情報照会）', en: 'movement check (inquiry)' },
        items: ['juminhyoCode', ...fourItems, 'residentStatus', 'lastMovement'],
      },
    ] satisfies Purpose[]
  ).map((purpose) => [purpose.code, purpose]),
);

/** The purpose of a code, or undefined. */
export function purposeOf(code: unknown): Purpose | undefined {
  return typeof code === 'string' ? purposes.get(code) : undefined;
}

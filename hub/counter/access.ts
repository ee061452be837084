/**
 * Writing the access record (affairs 3 and 6): the criteria of a search become keyed hashes under
 * the hub's key (one hash purpose per item, so an auditor can find every access to one person by
 * hashing that person's 住民票コード the same way, and nothing else can be read back).
 */
import type { KeyedHasher } from '../security/keyed-hash.js';
import type { AccessRecords, AccessRow } from '../store/access-records.js';

/** The hash purpose of a criteria item (`access.juminhyocode` …). */
export function accessHashPurpose(item: string): string {
  return `access.${item.toLowerCase()}`;
}

/** Keyed hashes of the given criteria, `item:hash`, in a stable order. */
export function criteriaHashes(
  hasher: KeyedHasher,
  criteria: Readonly<Record<string, string | undefined>>,
): string[] {
  return Object.keys(criteria)
    .sort()
    .flatMap((item) => {
      const value = criteria[item];
      return value === undefined ? [] : [`${item}:${hasher.hash(accessHashPurpose(item), value)}`];
    });
}

/** The kind of criteria, for the record. */
export function criteriaKindOf(criteria: Readonly<Record<string, string | undefined>>): string {
  if (criteria['juminhyoCode'] !== undefined) return 'JUMINHYO_CODE';
  if (criteria['myNumber'] !== undefined) return 'MY_NUMBER';
  if (criteria['atenaNumber'] !== undefined) return 'ATENA_NUMBER';
  return 'NAME_BIRTH';
}

/** Records one access (hashes computed here); the caller passes everything else. */
export async function recordAccess(
  records: AccessRecords,
  hasher: KeyedHasher,
  access: Omit<AccessRow, 'criteriaHashes' | 'criteriaKind' | 'at'> & {
    readonly criteria: Readonly<Record<string, string | undefined>>;
    readonly at?: Date;
  },
): Promise<void> {
  const { criteria, at, ...rest } = access;
  await records.record({
    ...rest,
    criteriaKind: criteriaKindOf(criteria),
    criteriaHashes: criteriaHashes(hasher, criteria),
    at: at ?? new Date(),
  });
}

/**
 * The 市町村CS's own 本人確認情報 (what 8-① sends to the servers). The simulated city's population is
 * the synthetic one (`sampleMessage('registry.resident.extracted', n)`, the same residents the
 * registry's extract and the servers start from); the CS keeps it current from affair 1 (accepted
 * 本人確認情報 updates, generated and changed My Numbers) and, for tests, can be told to drift: chosen
 * items of chosen records differ from what the registry and the servers hold. Memory grows with the
 * changes, never with the population.
 */
import { withMyNumberCheckDigit } from '../../hub/security/my-number.js';
import { sampleJuminhyoCode, sampleMessage } from '../../schemas/sample.js';
import type {
  IdentityInfoUpdateSubmitted,
  JukinetConsistencyCheckRecord,
  ResidentStatus,
} from '../../schemas/types.gen.js';
import { registryResidentExtractedToConsistencyCheckRecord } from '../../transformers/registry-resident-extracted-to-consistency-check-record.js';
import type { CheckField } from './items.js';

/** The synthetic population's record `recordNo`, as the registry's extract would give it. */
export function populationRecord(recordNo: number): JukinetConsistencyCheckRecord {
  return registryResidentExtractedToConsistencyCheckRecord.transform(
    sampleMessage('registry.resident.extracted', recordNo),
    { messageId: 'population', now: '2026-01-01T00:00:00+09:00', lgCode: '131016' },
  );
}

function nextYear(value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  return `${String(Number(value.slice(0, 4)) + 1).padStart(4, '0')}${value.slice(4)}`;
}

/** The record with `fields` changed, each to a different valid value (a drifted copy). */
export function drifted(
  record: JukinetConsistencyCheckRecord,
  fields: ReadonlySet<CheckField>,
): JukinetConsistencyCheckRecord {
  const out: JukinetConsistencyCheckRecord = { ...record };
  for (const field of fields) {
    switch (field) {
      case 'NAME':
        out.name = `${record.name}子`;
        break;
      case 'NAME_KANA':
        out.nameKanaHalfWidth = `${record.nameKanaHalfWidth ?? ''}ｺ`;
        break;
      case 'ALIAS':
        out.alias = `${record.alias ?? ''}通`;
        break;
      case 'FORMER_SURNAME':
        out.formerSurname = `${record.formerSurname ?? ''}旧`;
        break;
      case 'BIRTH_DATE':
        out.birthDate = {
          ...record.birthDate,
          value: nextYear(record.birthDate.value, '2000-01-01'),
        };
        break;
      case 'SEX':
        out.sex = record.sex === 'MALE' ? 'FEMALE' : 'MALE';
        break;
      case 'ADDRESS':
        out.addressText = `${record.addressText}１`;
        break;
      case 'MY_NUMBER': {
        const base = (Number(record.myNumber.slice(0, 11)) + 1) % 10 ** 11;
        out.myNumber = withMyNumberCheckDigit(String(base).padStart(11, '0'));
        break;
      }
      case 'RESIDENT_STATUS':
        out.residentStatus = record.residentStatus === 'RESIDENT' ? 'MOVED_OUT' : 'RESIDENT';
        break;
      case 'MOVEMENT_REASON':
        out.lastMovementReason =
          record.lastMovementReason?.reason === 'MINOR_CORRECTION'
            ? { category: 'CORRECTION', reason: 'RELOCATION' }
            : { category: 'CORRECTION', reason: 'MINOR_CORRECTION' };
        break;
      case 'MOVED_ON':
        out.lastMovedOn = { value: nextYear(record.lastMovedOn?.value, '2000-01-01') };
        break;
    }
  }
  return out;
}

/** The 住民状態 an accepted update leaves. */
function statusAfter(update: IdentityInfoUpdateSubmitted): ResidentStatus {
  const reason = update.movementReason.reason;
  if (reason === 'DEATH') return 'DECEASED';
  if (reason === 'DOMESTIC_MOVE_OUT' || reason === 'OVERSEAS_MOVE_OUT') return 'MOVED_OUT';
  if (update.movementReason.category === 'DELETION') return 'DELETED';
  return 'RESIDENT';
}

/** The 本人確認情報 record an accepted 1-⑥ update makes (recordNo given by the holder). */
export function recordOfUpdate(
  update: IdentityInfoUpdateSubmitted,
  recordNo: number,
): JukinetConsistencyCheckRecord {
  return {
    recordNo,
    juminhyoCode: update.juminhyoCode,
    myNumber: update.myNumber,
    name: update.name,
    ...(update.nameKanaHalfWidth === undefined
      ? {}
      : { nameKanaHalfWidth: update.nameKanaHalfWidth }),
    ...(update.alias === undefined ? {} : { alias: update.alias }),
    ...(update.formerSurname === undefined ? {} : { formerSurname: update.formerSurname }),
    birthDate: update.birthDate,
    sex: update.sex,
    addressText: update.addressText,
    residentStatus: statusAfter(update),
    lastMovementReason: update.movementReason,
    lastMovedOn: update.movedOn,
  };
}

/** A drift to seed: record `recordNo`'s item `field` differs from the registry and the servers. */
export interface Drift {
  readonly recordNo: number;
  readonly field: CheckField;
}

/** A set of 本人確認情報: the synthetic population, the changes since, and seeded drift. */
export class IdentityHoldings {
  private population: number;
  /** Changed or added records by 住民票コード. */
  private readonly changed = new Map<string, JukinetConsistencyCheckRecord>();
  /** 住民票コード of records added beyond the population, in arrival order. */
  private readonly added: string[] = [];
  private readonly drift = new Map<number, Set<CheckField>>();

  constructor(population = 0) {
    this.population = population;
  }

  /** Starts over: `population` synthetic residents, no changes, the given drift. */
  seed(population: number, drift: readonly Drift[] = []): void {
    this.population = population;
    this.changed.clear();
    this.added.length = 0;
    this.drift.clear();
    for (const entry of drift) this.addDrift(entry);
  }

  /** Makes one more item of one record drift. */
  addDrift(entry: Drift): void {
    const fields = this.drift.get(entry.recordNo) ?? new Set<CheckField>();
    fields.add(entry.field);
    this.drift.set(entry.recordNo, fields);
  }

  /** How many records there are. */
  size(): number {
    return this.population + this.added.length;
  }

  /** Record `recordNo` (1-based) as held now, drift applied; undefined beyond the end. */
  record(recordNo: number): JukinetConsistencyCheckRecord | undefined {
    let record: JukinetConsistencyCheckRecord | undefined;
    if (recordNo >= 1 && recordNo <= this.population) {
      const base = populationRecord(recordNo);
      record = this.changed.get(base.juminhyoCode) ?? base;
    } else {
      const code = this.added[recordNo - this.population - 1];
      record = code === undefined ? undefined : this.changed.get(code);
    }
    if (record === undefined) return undefined;
    const fields = this.drift.get(recordNo);
    const numbered = { ...record, recordNo };
    return fields === undefined ? numbered : drifted(numbered, fields);
  }

  /** The record of a 住民票コード, looking at `hintRecordNo` first (the population is synthetic). */
  byCode(code: string, hintRecordNo?: number): JukinetConsistencyCheckRecord | undefined {
    if (hintRecordNo !== undefined) {
      const hinted = this.record(hintRecordNo);
      if (hinted?.juminhyoCode === code) return hinted;
    }
    const known = this.populationNoOf(code);
    if (known !== undefined) return this.record(known);
    const index = this.added.indexOf(code);
    if (index >= 0) return this.record(this.population + index + 1);
    return undefined;
  }

  /** Every record in order. */
  *records(): Generator<JukinetConsistencyCheckRecord> {
    for (let recordNo = 1; recordNo <= this.size(); recordNo += 1) {
      const record = this.record(recordNo);
      if (record !== undefined) yield record;
    }
  }

  /** Applies an accepted 本人確認情報 update (1-⑥). */
  apply(update: IdentityInfoUpdateSubmitted): void {
    const known = this.changed.has(update.juminhyoCode);
    if (!known && this.populationNoOf(update.juminhyoCode) === undefined) {
      this.added.push(update.juminhyoCode);
    }
    this.changed.set(update.juminhyoCode, recordOfUpdate(update, 0));
  }

  /** Records a new 個人番号 (1-④: generated or changed by 機構). */
  setMyNumber(code: string, myNumber: string): void {
    // The held record without drift (drift is applied when a record is read).
    const recordNo = this.populationNoOf(code);
    const current =
      this.changed.get(code) ?? (recordNo === undefined ? undefined : populationRecord(recordNo));
    if (current !== undefined) this.changed.set(code, { ...current, myNumber });
  }

  /** The My Number held for a 住民票コード. */
  myNumberOf(code: string): string | undefined {
    return this.byCode(code)?.myNumber;
  }

  /**
   * Records matching `match`: the `hints` first (record numbers the criteria point at), then every
   * changed or added record, then the first `scanLimit` records of the population (a name search
   * over a synthetic population of a million is bounded here; the real servers index it).
   */
  find(
    match: (record: JukinetConsistencyCheckRecord) => boolean,
    hints: readonly number[],
    scanLimit: number,
  ): JukinetConsistencyCheckRecord[] {
    const found = new Map<string, JukinetConsistencyCheckRecord>();
    const consider = (record: JukinetConsistencyCheckRecord | undefined) => {
      if (record !== undefined && !found.has(record.juminhyoCode) && match(record))
        found.set(record.juminhyoCode, record);
    };
    for (const hint of hints) consider(this.record(hint));
    for (const code of this.changed.keys()) consider(this.byCode(code));
    for (let recordNo = 1; recordNo <= Math.min(scanLimit, this.population); recordNo += 1)
      consider(this.record(recordNo));
    return [...found.values()];
  }

  /** The population's recordNo of a 住民票コード (the synthetic codes follow the record number). */
  private populationNoOf(code: string): number | undefined {
    const recordNo = Number(code.slice(4, 10));
    if (!(recordNo >= 1 && recordNo <= this.population)) return undefined;
    return sampleJuminhyoCode(recordNo) === code ? recordNo : undefined;
  }
}

/**
 * 既存住基's file exports (file drop and `hub publish --layout/--csv`): each layout maps one record
 * (a fixed-width CP932 record or a CSV line) to a message body; validation happens afterwards, as on
 * every ingest path. The two movement layouts carry the same items: one 異動 of a Japanese resident
 * as 既存住基 exports it (a flat record; 続柄 with one code, 転入前住所 domestic only).
 */
import { defineCsv } from '../codec/csv.js';
import { CodecError } from '../codec/errors.js';
import { defineLayout, type RecordOf } from '../codec/fixed-width.js';
import { codecValidationError, splitLines, type FileLayout } from '../runtime/file-layout.js';
import { kizonJukiDescriptor } from './descriptor.js';

/** The flat items of a movement record, shared by the fixed-width and CSV layouts. */
export const movementItems = [
  'lgCode',
  'historyNo',
  'reasonCategory',
  'reason',
  'movedOn',
  'movedOnEra',
  'processedOn',
  'notifiedOn',
  'atenaNumber',
  'setaiNumber',
  'juminhyoCode',
  'residentStatus',
  'name',
  'nameKana',
  'kanaConfirmed',
  'sex',
  'birthDate',
  'birthEra',
  'householderName',
  'relationshipCode',
  'relationshipText',
  'addressLgCode',
  'addressPrefecture',
  'addressMunicipality',
  'addressChoaza',
  'addressBanchiGo',
  'addressKatagaki',
  'postalCode',
  'honsekiState',
  'honsekiAddress',
  'hittosha',
  'becameResidentOn',
  'becameResidentEra',
  'addressFixedOn',
  'addressFixedEra',
  'priorLgCode',
  'priorPrefecture',
  'priorMunicipality',
  'priorChoaza',
  'priorBanchiGo',
  'changedFields',
] as const;

/** A movement record as flat text items ('' = empty). */
export type MovementRecord = Record<(typeof movementItems)[number], string>;

/** 既存住基 異動 export, fixed-width CP932 (CRLF after each record). Offsets follow from the lengths. */
const fixedFields = (() => {
  const spec: [string, number, 'numeric' | 'text' | 'zenkaku' | 'kana-half' | 'date'][] = [
    ['lgCode', 6, 'text'],
    ['historyNo', 4, 'numeric'],
    ['reasonCategory', 10, 'text'],
    ['reason', 40, 'text'],
    ['movedOn', 8, 'date'],
    ['movedOnEra', 1, 'text'],
    ['processedOn', 8, 'date'],
    ['notifiedOn', 8, 'date'],
    ['atenaNumber', 15, 'text'],
    ['setaiNumber', 15, 'text'],
    ['juminhyoCode', 11, 'text'],
    ['residentStatus', 10, 'text'],
    ['name', 60, 'zenkaku'],
    ['nameKana', 60, 'zenkaku'],
    ['kanaConfirmed', 1, 'text'],
    ['sex', 6, 'text'],
    ['birthDate', 8, 'date'],
    ['birthEra', 1, 'text'],
    ['householderName', 60, 'zenkaku'],
    ['relationshipCode', 2, 'text'],
    ['relationshipText', 20, 'zenkaku'],
    ['addressLgCode', 6, 'text'],
    ['addressPrefecture', 10, 'zenkaku'],
    ['addressMunicipality', 30, 'zenkaku'],
    ['addressChoaza', 40, 'zenkaku'],
    ['addressBanchiGo', 40, 'zenkaku'],
    ['addressKatagaki', 60, 'zenkaku'],
    ['postalCode', 7, 'text'],
    ['honsekiState', 8, 'text'],
    ['honsekiAddress', 80, 'zenkaku'],
    ['hittosha', 60, 'zenkaku'],
    ['becameResidentOn', 8, 'date'],
    ['becameResidentEra', 1, 'text'],
    ['addressFixedOn', 8, 'date'],
    ['addressFixedEra', 1, 'text'],
    ['priorLgCode', 6, 'text'],
    ['priorPrefecture', 10, 'zenkaku'],
    ['priorMunicipality', 30, 'zenkaku'],
    ['priorChoaza', 40, 'zenkaku'],
    ['priorBanchiGo', 40, 'zenkaku'],
    ['changedFields', 100, 'text'],
  ];
  let offset = 0;
  return spec.map(([name, length, type]) => {
    const field = { name, offset, length, type };
    offset += length;
    return field;
  });
})();

const fixedCodec = defineLayout({
  name: 'kizon-movement-fixed',
  recordLength: fixedFields.reduce((total, field) => total + field.length, 0),
  encoding: 'cp932',
  fields: fixedFields,
});

const csvCodec = defineCsv({
  name: 'kizon-movement-csv',
  columns: movementItems.map((name) => ({ name })),
  encoding: 'cp932',
  header: true,
});

const csvLineCodec = defineCsv({
  name: 'kizon-movement-csv',
  columns: movementItems.map((name) => ({ name })),
  encoding: 'cp932',
  header: false,
});

function flexible(value: string, era: string): Record<string, string> | undefined {
  if (value === '') return undefined;
  return era === '' ? { value } : { value, era };
}

function text(value: string | null | undefined): string {
  return value ?? '';
}

function optional<T>(key: string, value: T | undefined | ''): Record<string, T> {
  return value === undefined || value === '' ? {} : { [key]: value };
}

/** Maps the flat items to a resident.movement.recorded body (validation follows separately). */
export function movementFromRecord(record: MovementRecord): unknown {
  const resident: Record<string, unknown> = {
    atenaNumber: record.atenaNumber,
    setaiNumber: record.setaiNumber,
    juminhyoCode: record.juminhyoCode,
    residentType: 'JAPANESE',
    residentStatus: record.residentStatus,
    name: {
      name: record.name,
      ...optional('nameKana', record.nameKana),
      ...(record.kanaConfirmed === '' ? {} : { kanaConfirmed: record.kanaConfirmed === '1' }),
    },
    birthDate: flexible(record.birthDate, record.birthEra),
    sex: record.sex,
    ...optional('householderName', record.householderName),
    ...(record.relationshipText === ''
      ? {}
      : {
          relationship: {
            ...(record.relationshipCode === '' ? {} : { codes: [record.relationshipCode] }),
            text: record.relationshipText,
          },
        }),
    address: {
      lgCode: record.addressLgCode,
      prefecture: record.addressPrefecture,
      municipalityName: record.addressMunicipality,
      choaza: record.addressChoaza,
      ...optional('banchiGo', record.addressBanchiGo),
      ...optional('katagaki', record.addressKatagaki),
      ...optional('postalCode', record.postalCode),
    },
    ...(record.honsekiState === ''
      ? {}
      : {
          honseki: {
            state: record.honsekiState,
            ...optional('address', record.honsekiAddress),
            ...optional('hittosha', record.hittosha),
          },
        }),
    ...optional('becameResidentOn', flexible(record.becameResidentOn, record.becameResidentEra)),
    ...optional('addressFixedOn', flexible(record.addressFixedOn, record.addressFixedEra)),
    ...(record.priorLgCode === ''
      ? {}
      : {
          priorAddress: {
            domestic: {
              lgCode: record.priorLgCode,
              prefecture: record.priorPrefecture,
              municipalityName: record.priorMunicipality,
              choaza: record.priorChoaza,
              ...optional('banchiGo', record.priorBanchiGo),
            },
          },
        }),
  };
  return {
    lgCode: record.lgCode,
    historyNo: /^[0-9]+$/.test(record.historyNo) ? Number(record.historyNo) : record.historyNo,
    movementReason: { category: record.reasonCategory, reason: record.reason },
    movedOn: flexible(record.movedOn, record.movedOnEra),
    processedOn: record.processedOn,
    ...optional('notifiedOn', record.notifiedOn),
    resident,
    ...(record.changedFields === '' ? {} : { changedFields: record.changedFields.split(',') }),
  };
}

function get(body: unknown, path: string): string {
  let node: unknown = body;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return '';
    node = (node as Record<string, unknown>)[key];
  }
  if (typeof node === 'string') return node;
  if (typeof node === 'number') return String(node);
  if (typeof node === 'boolean') return node ? '1' : '0';
  return '';
}

/** The flat items of a movement body (the reverse of movementFromRecord, for exports and tests). */
export function movementToRecord(body: unknown): MovementRecord {
  const codes = (body as { resident?: { relationship?: { codes?: unknown } } }).resident
    ?.relationship?.codes;
  const changed = (body as { changedFields?: unknown }).changedFields;
  return {
    lgCode: get(body, 'lgCode'),
    historyNo: get(body, 'historyNo'),
    reasonCategory: get(body, 'movementReason.category'),
    reason: get(body, 'movementReason.reason'),
    movedOn: get(body, 'movedOn.value'),
    movedOnEra: get(body, 'movedOn.era'),
    processedOn: get(body, 'processedOn'),
    notifiedOn: get(body, 'notifiedOn'),
    atenaNumber: get(body, 'resident.atenaNumber'),
    setaiNumber: get(body, 'resident.setaiNumber'),
    juminhyoCode: get(body, 'resident.juminhyoCode'),
    residentStatus: get(body, 'resident.residentStatus'),
    name: get(body, 'resident.name.name'),
    nameKana: get(body, 'resident.name.nameKana'),
    kanaConfirmed: get(body, 'resident.name.kanaConfirmed'),
    sex: get(body, 'resident.sex'),
    birthDate: get(body, 'resident.birthDate.value'),
    birthEra: get(body, 'resident.birthDate.era'),
    householderName: get(body, 'resident.householderName'),
    relationshipCode: Array.isArray(codes) && typeof codes[0] === 'string' ? codes[0] : '',
    relationshipText: get(body, 'resident.relationship.text'),
    addressLgCode: get(body, 'resident.address.lgCode'),
    addressPrefecture: get(body, 'resident.address.prefecture'),
    addressMunicipality: get(body, 'resident.address.municipalityName'),
    addressChoaza: get(body, 'resident.address.choaza'),
    addressBanchiGo: get(body, 'resident.address.banchiGo'),
    addressKatagaki: get(body, 'resident.address.katagaki'),
    postalCode: get(body, 'resident.address.postalCode'),
    honsekiState: get(body, 'resident.honseki.state'),
    honsekiAddress: get(body, 'resident.honseki.address'),
    hittosha: get(body, 'resident.honseki.hittosha'),
    becameResidentOn: get(body, 'resident.becameResidentOn.value'),
    becameResidentEra: get(body, 'resident.becameResidentOn.era'),
    addressFixedOn: get(body, 'resident.addressFixedOn.value'),
    addressFixedEra: get(body, 'resident.addressFixedOn.era'),
    priorLgCode: get(body, 'resident.priorAddress.domestic.lgCode'),
    priorPrefecture: get(body, 'resident.priorAddress.domestic.prefecture'),
    priorMunicipality: get(body, 'resident.priorAddress.domestic.municipalityName'),
    priorChoaza: get(body, 'resident.priorAddress.domestic.choaza'),
    priorBanchiGo: get(body, 'resident.priorAddress.domestic.banchiGo'),
    changedFields: Array.isArray(changed) ? changed.join(',') : '',
  };
}

function itemsOf(values: Readonly<Record<string, unknown>>): MovementRecord {
  const out: Record<string, string> = {};
  for (const item of movementItems) {
    const value = values[item];
    out[item] = typeof value === 'string' ? value : text(undefined);
  }
  return out as MovementRecord;
}

function fromFixed(decoded: RecordOf<typeof fixedFields>): MovementRecord {
  return itemsOf(decoded);
}

/** Encodes movement records as a fixed-width CP932 export (CRLF after each record). */
export function encodeMovementFixed(records: readonly MovementRecord[]): Buffer {
  const parts: Buffer[] = [];
  for (const record of records) {
    const input: Record<string, string | null> = { ...record };
    for (const field of fixedFields) {
      if (field.type === 'date' && input[field.name] === '') input[field.name] = null;
      if (field.type === 'numeric' && input[field.name] === '') input[field.name] = '0';
    }
    parts.push(fixedCodec.encode(input), Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Encodes movement records as a CP932 CSV export with a header row. */
export function encodeMovementCsv(records: readonly MovementRecord[]): Buffer {
  return csvCodec.encode(records);
}

const movementType = 'resident.movement.recorded';

/** 既存住基 異動 export, fixed-width CP932: one record per line (CRLF or LF). */
export const movementFixedLayout: FileLayout = {
  name: 'kizon-movement-fixed',
  kind: 'fixed',
  messageType: movementType,
  system: kizonJukiDescriptor.system,
  // Lines, not splitRecords: one record of the wrong length is one bad line, not a broken file.
  records: (file) => splitLines(file),
  map(record) {
    try {
      return { body: movementFromRecord(fromFixed(fixedCodec.decode(record.bytes))) };
    } catch (error) {
      return { error: codecValidationError(movementType, error) };
    }
  },
};

/** The items that are dates (the fixed-width layout's `date` fields). */
const dateItems = fixedFields.filter((field) => field.type === 'date').map((field) => field.name);

/**
 * Dates of a CSV record as the fixed-width layout reads them: the documented `YYYYMMDD` (and
 * `00000000` for none) become `YYYY-MM-DD` (none: empty); `YYYY-MM-DD` stays. A month or day out of
 * range is a CodecError naming the item, never its value.
 */
function csvDates(record: MovementRecord): MovementRecord {
  const out: Record<string, string> = { ...record };
  for (const item of dateItems) {
    const value = out[item] ?? '';
    if (value === '00000000') {
      out[item] = '';
      continue;
    }
    const match = /^([0-9]{4})([0-9]{2})([0-9]{2})$/.exec(value);
    if (match === null) continue;
    const [, year = '', month = '', day = ''] = match;
    if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > 31) {
      throw new CodecError(
        {
          en: 'a date must be YYYYMMDD with a real month and day',
          ja: '日付は実在する月日の YYYYMMDD にしてください',
        },
        { layout: 'kizon-movement-csv', field: item },
      );
    }
    out[item] = `${year}-${month}-${day}`;
  }
  return out as MovementRecord;
}

/** 既存住基 異動 export, CSV in CP932 with a header row (one record per line; no quoted newlines). */
export const movementCsvLayout: FileLayout = {
  name: 'kizon-movement-csv',
  kind: 'csv',
  messageType: movementType,
  system: kizonJukiDescriptor.system,
  records(file) {
    const lines = splitLines(file);
    const header = lines[0];
    if (header === undefined) return [];
    // The header is checked once, against the declared columns; a wrong header fails the file.
    csvCodec.decode(header.bytes);
    return lines.slice(1);
  },
  map(record) {
    try {
      const [row] = csvLineCodec.decode(record.bytes);
      if (row === undefined) throw new CodecError({ en: 'empty line', ja: '空行です' });
      return { body: movementFromRecord(csvDates(itemsOf(row))) };
    } catch (error) {
      return { error: codecValidationError(movementType, error) };
    }
  },
};

/** Every layout of 既存住基's exports (registered in `connectors/index.ts`). */
export const kizonJukiLayouts: readonly FileLayout[] = [movementFixedLayout, movementCsvLayout];

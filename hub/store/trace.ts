/**
 * Message tracking (issue 24 item 7): the rows the store holds about one message and the messages
 * linked to it — its outcomes at every step (message_outcomes, following `output_message_id` forward
 * and backward and the correlation id across them) and its dead letters. Subjects are looked up only
 * by keyed hash; this module never sees a 住民票コード or 個人番号.
 */
import type { Knex } from 'knex';
import { readDate } from './index.js';
import { maskText } from '../security/mask.js';
import type { Store } from './types.js';

/** What a trace starts from. Subject hashes: one per key of the ring (rows made before a rotation). */
export type TraceSeed =
  | { readonly kind: 'message-id'; readonly value: string }
  | { readonly kind: 'correlation-id'; readonly value: string }
  | { readonly kind: 'juminhyo'; readonly hashes: readonly string[] }
  | { readonly kind: 'my-number'; readonly hashes: readonly string[] };

/** One event of a timeline: an outcome at a step, or a dead letter. */
export interface TraceEvent {
  readonly at: Date;
  readonly kind: 'outcome' | 'dead-letter';
  readonly messageId: string;
  readonly messageType: string;
  readonly route: string | null;
  readonly step: string | null;
  /** delivered, published, duplicate, retried, dead-lettered, … or the letter's status. */
  readonly outcome: string;
  readonly attempt: number | null;
  readonly correlationId: string | null;
  readonly outputMessageId: string | null;
  readonly reasonClass: string | null;
  readonly detail: string | null;
  /** Dead letters: the archive id (for `hub dlq show`) and the bilingual reason. */
  readonly deadLetterId?: number;
  readonly reasonJa?: string;
  readonly reasonEn?: string;
}

/** The timeline of the messages a seed reaches. */
export interface TraceResult {
  readonly messageIds: readonly string[];
  readonly correlationIds: readonly string[];
  readonly events: readonly TraceEvent[];
  /** True when the walk stopped at `maxMessages` (more linked messages exist). */
  readonly truncated: boolean;
}

/** Reads timelines. */
export interface TraceReader {
  trace(seed: TraceSeed, options?: { maxMessages?: number }): Promise<TraceResult>;
}

const outcomeColumns = [
  'message_id',
  'message_type',
  'route',
  'step',
  'outcome',
  'attempt',
  'finished_at',
  'correlation_id',
  'output_message_id',
  'reason_class',
  'detail',
];

const letterColumns = [
  'id',
  'message_id',
  'message_type',
  'route',
  'step',
  'reason_class',
  'reason_ja',
  'reason_en',
  'detail',
  'attempts',
  'correlation_id',
  'dead_lettered_at',
  'status',
];

type Row = Record<string, unknown>;

const text = (value: unknown): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;

function outcomeEvent(row: Row): TraceEvent {
  return {
    at: readDate(row['finished_at']),
    kind: 'outcome',
    messageId: String(row['message_id']),
    messageType: String(row['message_type']),
    route: text(row['route']),
    step: text(row['step']),
    outcome: String(row['outcome']),
    attempt: Number(row['attempt']),
    correlationId: text(row['correlation_id']),
    outputMessageId: text(row['output_message_id']),
    reasonClass: text(row['reason_class']),
    detail: text(row['detail']),
  };
}

function letterEvent(row: Row): TraceEvent {
  return {
    at: readDate(row['dead_lettered_at']),
    kind: 'dead-letter',
    messageId: String(row['message_id']),
    messageType: String(row['message_type']),
    route: text(row['route']),
    step: text(row['step']),
    outcome: `dead-letter:${String(row['status'])}`,
    attempt: Number(row['attempts']),
    correlationId: text(row['correlation_id']),
    outputMessageId: null,
    reasonClass: text(row['reason_class']),
    detail: text(row['detail']),
    deadLetterId: Number(row['id']),
    reasonJa: String(row['reason_ja']),
    reasonEn: String(row['reason_en']),
  };
}

/** Looks ids up in chunks (bound parameters stay few). */
async function rowsWhereIn(
  knex: Knex,
  table: string,
  columns: readonly string[],
  column: string,
  values: readonly string[],
): Promise<Row[]> {
  const rows: Row[] = [];
  for (let start = 0; start < values.length; start += 200) {
    const chunk = values.slice(start, start + 200);
    rows.push(...((await knex(table).select(columns).whereIn(column, chunk)) as Row[]));
  }
  return rows;
}

/** The trace reader over the store. */
export function createTraceReader(store: Store): TraceReader {
  const { knex } = store;
  return {
    async trace(seed, options = {}) {
      const maxMessages = options.maxMessages ?? 500;
      const messageIds = new Set<string>();
      const correlationIds = new Set<string>();
      const outcomes = new Map<string, Row>();
      const keep = (rows: readonly Row[]) => {
        for (const row of rows) {
          const key = JSON.stringify(outcomeColumns.map((column) => text(row[column])));
          outcomes.set(key, row);
        }
      };
      // Ids are stored masked (a number inside an id never rests in the clear): look them up so.
      let frontier: string[] = [];
      let frontierCorrelations: string[] = [];
      if (seed.kind === 'message-id') frontier = [maskText(seed.value)];
      else if (seed.kind === 'correlation-id') frontierCorrelations = [maskText(seed.value)];
      else {
        const column = seed.kind === 'juminhyo' ? 'juminhyo_hash' : 'my_number_hash';
        const rows =
          seed.hashes.length === 0
            ? []
            : ((await knex('message_outcomes')
                .select(outcomeColumns)
                .whereIn(column, [...seed.hashes])
                .limit(maxMessages * 10)) as Row[]);
        keep(rows);
        frontier = [...new Set(rows.map((row) => String(row['message_id'])))];
      }
      let truncated = false;
      // Breadth-first over the links: message → its outcomes → their outputs, the messages that
      // produced it, and the other messages of its correlation id.
      while (frontier.length > 0 || frontierCorrelations.length > 0) {
        const newIds = frontier.filter((id) => !messageIds.has(id));
        const newCorrelations = frontierCorrelations.filter((id) => !correlationIds.has(id));
        frontier = [];
        frontierCorrelations = [];
        if (messageIds.size + newIds.length > maxMessages) {
          truncated = true;
          newIds.splice(Math.max(0, maxMessages - messageIds.size));
        }
        for (const id of newIds) messageIds.add(id);
        for (const id of newCorrelations) correlationIds.add(id);
        const found = [
          ...(await rowsWhereIn(knex, 'message_outcomes', outcomeColumns, 'message_id', newIds)),
          ...(await rowsWhereIn(
            knex,
            'message_outcomes',
            outcomeColumns,
            'output_message_id',
            newIds,
          )),
          ...(await rowsWhereIn(
            knex,
            'message_outcomes',
            outcomeColumns,
            'correlation_id',
            newCorrelations,
          )),
        ];
        keep(found);
        for (const row of found) {
          for (const id of [text(row['message_id']), text(row['output_message_id'])]) {
            if (id !== null && !messageIds.has(id)) frontier.push(id);
          }
          const correlation = text(row['correlation_id']);
          if (correlation !== null && !correlationIds.has(correlation))
            frontierCorrelations.push(correlation);
        }
        if (truncated) break;
      }
      const letters = [
        ...(await rowsWhereIn(knex, 'dead_letters', letterColumns, 'message_id', [...messageIds])),
        ...(await rowsWhereIn(knex, 'dead_letters', letterColumns, 'correlation_id', [
          ...correlationIds,
        ])),
      ];
      const seenLetters = new Set<number>();
      const events = [
        ...[...outcomes.values()].map(outcomeEvent),
        ...letters
          .filter((row) => {
            const id = Number(row['id']);
            if (seenLetters.has(id)) return false;
            seenLetters.add(id);
            return true;
          })
          .map(letterEvent),
      ].sort((a, b) => a.at.getTime() - b.at.getTime());
      for (const event of events) messageIds.add(event.messageId);
      return {
        messageIds: [...messageIds],
        correlationIds: [...correlationIds],
        events,
        truncated,
      };
    },
  };
}

/**
 * Sagas (`hub_sagas`, `hub_saga_steps`, `hub_saga_replies`), shared by every hub replica: a case is
 * a row; a replica claims a runnable case with a lease — one atomic UPDATE, so two replicas never run
 * the same case at once — runs its next step and records it (the step row is unique per case and
 * index, so a step is recorded once). A replica that dies holding a lease leaves it to expire; another
 * replica runs the step again with the same idempotency key, which the external system dedupes.
 * Replies are stored once per case and step whatever their order; a reply the case waits for wakes it.
 */
import type { Store } from './types.js';

/** Where a case stands. */
export type SagaState = 'RUNNING' | 'WAITING' | 'FAILED' | 'DONE' | 'CLOSED';

/** A case as the store keeps it. */
export interface SagaRow {
  readonly id: number;
  readonly correlationId: string;
  readonly kind: string;
  readonly subjectKey: string;
  readonly state: SagaState;
  readonly stepIndex: number;
  readonly waitingFor: string | null;
  readonly dueOn: string | null;
  readonly overdue: boolean;
  readonly attempts: number;
  readonly errorEn: string | null;
  readonly errorJa: string | null;
  readonly input: Readonly<Record<string, unknown>>;
  readonly closedReason: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A step done. */
export interface SagaStepRow {
  readonly stepIndex: number;
  readonly stepId: string;
  readonly attempts: number;
  readonly doneAt: Date;
}

/** What a claimed case does next. */
export type SagaAdvance =
  | { readonly state: 'RUNNING' | 'DONE'; readonly stepIndex: number }
  | {
      readonly state: 'WAITING';
      readonly stepIndex: number;
      readonly waitingFor: string;
      readonly dueOn: string;
    };

/** The saga repository. */
export interface Sagas {
  /** Opens a case; a second open with the same correlation id changes nothing (false). */
  open(
    saga: { correlationId: string; kind: string; subjectKey: string; input: unknown },
    now: Date,
  ): Promise<boolean>;
  /** Claims up to `limit` RUNNING cases whose lease is free, for `owner`. */
  claimRunnable(owner: string, leaseMs: number, limit: number, now: Date): Promise<SagaRow[]>;
  /**
   * Records step `stepIndex` done and moves the case on, only while `owner` holds the lease and
   * the case still stands at that step. False when it did not (lease lost, already recorded).
   */
  recordStep(
    sagaId: number,
    owner: string,
    stepIndex: number,
    stepId: string,
    next: SagaAdvance,
    now: Date,
  ): Promise<boolean>;
  /** Parks the case at `stepIndex`, waiting for the reply `stepId` until `dueOn`. */
  wait(
    sagaId: number,
    owner: string,
    stepIndex: number,
    stepId: string,
    dueOn: string,
    now: Date,
  ): Promise<boolean>;
  /** A step failed: retry after `retryAt` (lease held till then), or FAILED for an operator. */
  recordFailure(
    sagaId: number,
    owner: string,
    failure: { en: string; ja: string; final: boolean; retryAt: Date },
    now: Date,
  ): Promise<boolean>;
  /** Gives the lease back. */
  release(sagaId: number, owner: string): Promise<void>;
  /** Stores a reply once (false: a duplicate); wakes the case if it waits for this step. */
  storeReply(correlationId: string, stepId: string, body: unknown, now: Date): Promise<boolean>;
  /** A stored reply's body, or undefined. */
  reply(correlationId: string, stepId: string): Promise<unknown>;
  /** Flags WAITING cases due before `day` (YYYY-MM-DD) overdue; idempotent, any replica. */
  markOverdue(day: string, now: Date): Promise<number>;
  /** Cases, open ones only unless `all`: overdue first, then failed, then oldest first. */
  list(options?: { all?: boolean; limit?: number }): Promise<SagaRow[]>;
  get(correlationId: string): Promise<SagaRow | undefined>;
  steps(sagaId: number): Promise<SagaStepRow[]>;
  /** FAILED → RUNNING (the operator's retry of the failed step). */
  retry(correlationId: string, now: Date): Promise<boolean>;
  /** Any open case → CLOSED with the operator's reason. */
  close(correlationId: string, reason: string, now: Date): Promise<boolean>;
}

function isDuplicateKey(failure: unknown): boolean {
  const code = (failure as { code?: unknown } | null)?.code;
  return (
    code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT'
  );
}

interface Row {
  id: number;
  correlation_id: string;
  kind: string;
  subject_key: string;
  state: SagaState;
  step_index: number;
  waiting_for: string | null;
  due_on: string | null;
  overdue: number | boolean;
  attempts: number;
  error_en: string | null;
  error_ja: string | null;
  input_json: string;
  closed_reason: string | null;
  created_at: Date | string | number;
  updated_at: Date | string | number;
}

const dateOf = (value: Date | string | number): Date =>
  value instanceof Date ? value : new Date(value);

function sagaOf(row: Row): SagaRow {
  return {
    id: row.id,
    correlationId: row.correlation_id,
    kind: row.kind,
    subjectKey: row.subject_key,
    state: row.state,
    stepIndex: row.step_index,
    waitingFor: row.waiting_for,
    dueOn: row.due_on,
    overdue: row.overdue === true || row.overdue === 1,
    attempts: row.attempts,
    errorEn: row.error_en,
    errorJa: row.error_ja,
    input: JSON.parse(row.input_json) as Record<string, unknown>,
    closedReason: row.closed_reason,
    createdAt: dateOf(row.created_at),
    updatedAt: dateOf(row.updated_at),
  };
}

const OPEN_STATES: readonly SagaState[] = ['RUNNING', 'WAITING', 'FAILED'];

/** The repository over the store. */
export function sagas(store: Store): Sagas {
  const { knex } = store;
  const table = 'hub_sagas';
  const leaseFree = (now: Date) => (where: import('knex').Knex.QueryBuilder) => {
    void where.whereNull('lease_until').orWhere('lease_until', '<', now);
  };
  return {
    async open(saga, now) {
      try {
        await knex(table).insert({
          correlation_id: saga.correlationId,
          kind: saga.kind,
          subject_key: saga.subjectKey,
          state: 'RUNNING',
          step_index: 0,
          overdue: false,
          attempts: 0,
          input_json: JSON.stringify(saga.input),
          created_at: now,
          updated_at: now,
        });
        return true;
      } catch (failure) {
        if (isDuplicateKey(failure)) return false;
        throw failure;
      }
    },
    async claimRunnable(owner, leaseMs, limit, now) {
      const candidates = (await knex(table)
        .where('state', 'RUNNING')
        .andWhere(leaseFree(now))
        .orderBy('id')
        .limit(limit)) as Row[];
      const claimed: SagaRow[] = [];
      for (const row of candidates) {
        const taken = await knex(table)
          .where({ id: row.id, state: 'RUNNING' })
          .andWhere(leaseFree(now))
          .update({ lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs) });
        if (taken === 1) claimed.push(sagaOf(row));
      }
      return claimed;
    },
    async recordStep(sagaId, owner, stepIndex, stepId, next, now) {
      return knex.transaction(async (trx) => {
        const current = (await trx(table)
          .where({ id: sagaId, lease_owner: owner, step_index: stepIndex, state: 'RUNNING' })
          .first()) as Row | undefined;
        if (current === undefined) return false;
        try {
          await trx('hub_saga_steps').insert({
            saga_id: sagaId,
            step_index: stepIndex,
            step_id: stepId,
            attempts: current.attempts + 1,
            done_at: now,
          });
        } catch (failure) {
          if (isDuplicateKey(failure)) return false;
          throw failure;
        }
        await trx(table)
          .where({ id: sagaId })
          .update({
            state: next.state,
            step_index: next.stepIndex,
            waiting_for: next.state === 'WAITING' ? next.waitingFor : null,
            due_on: next.state === 'WAITING' ? next.dueOn : null,
            overdue: false,
            attempts: 0,
            error_en: null,
            error_ja: null,
            updated_at: now,
            ...(next.state === 'RUNNING' ? {} : { lease_owner: null, lease_until: null }),
          });
        return true;
      });
    },
    async wait(sagaId, owner, stepIndex, stepId, dueOn, now) {
      const done = await knex(table)
        .where({ id: sagaId, lease_owner: owner, step_index: stepIndex, state: 'RUNNING' })
        .update({
          state: 'WAITING',
          waiting_for: stepId,
          due_on: dueOn,
          lease_owner: null,
          lease_until: null,
          updated_at: now,
        });
      return done === 1;
    },
    async recordFailure(sagaId, owner, failure, now) {
      const done = await knex(table)
        .where({ id: sagaId, lease_owner: owner, state: 'RUNNING' })
        .update({
          attempts: knex.raw('attempts + 1'),
          error_en: failure.en.slice(0, 300),
          error_ja: failure.ja.slice(0, 300),
          updated_at: now,
          ...(failure.final
            ? { state: 'FAILED', lease_owner: null, lease_until: null }
            : { lease_until: failure.retryAt }),
        });
      return done === 1;
    },
    async release(sagaId, owner) {
      await knex(table)
        .where({ id: sagaId, lease_owner: owner })
        .update({ lease_owner: null, lease_until: null });
    },
    async storeReply(correlationId, stepId, body, now) {
      let stored = true;
      try {
        await knex('hub_saga_replies').insert({
          correlation_id: correlationId,
          step_id: stepId,
          body_json: JSON.stringify(body),
          received_at: now,
        });
      } catch (failure) {
        if (!isDuplicateKey(failure)) throw failure;
        stored = false;
      }
      // Wakes the case whether or not this copy was the first (a crash may have come in between).
      await knex(table)
        .where({ correlation_id: correlationId, state: 'WAITING', waiting_for: stepId })
        .update({ state: 'RUNNING', overdue: false, updated_at: now });
      return stored;
    },
    async reply(correlationId, stepId) {
      const row: { body_json: string } | undefined = await knex('hub_saga_replies')
        .where({ correlation_id: correlationId, step_id: stepId })
        .first('body_json');
      return row === undefined ? undefined : (JSON.parse(row.body_json) as unknown);
    },
    async markOverdue(day, now) {
      return knex(table)
        .where({ state: 'WAITING', overdue: false })
        .andWhere('due_on', '<', day)
        .update({ overdue: true, updated_at: now });
    },
    async list(options = {}) {
      let query = knex(table);
      if (options.all !== true) query = query.whereIn('state', OPEN_STATES as SagaState[]);
      const rows = (await query
        .orderBy([
          { column: 'overdue', order: 'desc' },
          { column: 'created_at', order: 'asc' },
          { column: 'id', order: 'asc' },
        ])
        .limit(options.limit ?? 1000)) as Row[];
      // Failed cases (an operator's task) right after the overdue ones.
      const sorted = rows.map(sagaOf);
      const rank = (saga: SagaRow) => (saga.overdue ? 0 : saga.state === 'FAILED' ? 1 : 2);
      return sorted.sort((a, b) => rank(a) - rank(b));
    },
    async get(correlationId) {
      const row = (await knex(table).where({ correlation_id: correlationId }).first()) as
        Row | undefined;
      return row === undefined ? undefined : sagaOf(row);
    },
    async steps(sagaId) {
      const rows = (await knex('hub_saga_steps')
        .where({ saga_id: sagaId })
        .orderBy('step_index')) as {
        step_index: number;
        step_id: string;
        attempts: number;
        done_at: Date | string | number;
      }[];
      return rows.map((row) => ({
        stepIndex: row.step_index,
        stepId: row.step_id,
        attempts: row.attempts,
        doneAt: dateOf(row.done_at),
      }));
    },
    async retry(correlationId, now) {
      const done = await knex(table)
        .where({ correlation_id: correlationId, state: 'FAILED' })
        .update({ state: 'RUNNING', attempts: 0, updated_at: now });
      return done === 1;
    },
    async close(correlationId, reason, now) {
      const done = await knex(table)
        .where({ correlation_id: correlationId })
        .whereIn('state', OPEN_STATES as SagaState[])
        .update({
          state: 'CLOSED',
          closed_reason: reason.slice(0, 300),
          lease_owner: null,
          lease_until: null,
          updated_at: now,
        });
      return done === 1;
    },
  };
}

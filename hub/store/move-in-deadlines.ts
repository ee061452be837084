/**
 * 転入通知 deadlines (`hub_move_in_deadlines`), shared by every hub replica: a recorded 転出 opens a
 * row, the 転入通知 from the new municipality closes it, and whichever replica finds a row past its
 * due day claims it with a lease — one atomic UPDATE, so two replicas never both raise it — raises
 * the overdue event and marks it raised. A replica that dies after claiming leaves a lease that
 * expires; another replica raises the event again with the same message id (the consumers' dedupe).
 */
import type { Store } from './types.js';

/** A deadline to open. */
export interface NewMoveInDeadline {
  readonly lgCode: string;
  readonly subjectKey: string;
  readonly atenaNumber: string;
  readonly historyNo: number;
  readonly plannedMoveOutOn: string;
  readonly destinationLgCode?: string | undefined;
  readonly dueOn: string;
}

/** A claimed deadline. */
export interface ClaimedMoveInDeadline extends NewMoveInDeadline {
  readonly id: number;
}

/** What closing found. */
export interface CloseResult {
  /** Open rows the notice closed. */
  readonly closed: number;
  /** True when a later notice was already applied (this one is an older resend). */
  readonly superseded: boolean;
}

/** The deadline repository. */
export interface MoveInDeadlines {
  /** Opens a deadline; a second open of the same (lgCode, subject, historyNo) changes nothing. */
  open(deadline: NewMoveInDeadline, now: Date): Promise<boolean>;
  /** Closes the subject's open deadlines with a notice issued at `noticeIssuedAt` (latest wins). */
  close(
    lgCode: string,
    subjectKey: string,
    noticeIssuedAt: string,
    now: Date,
  ): Promise<CloseResult>;
  /** Claims up to `limit` open deadlines due before `today` (YYYY-MM-DD) for `owner`. */
  claimDue(
    today: string,
    owner: string,
    leaseMs: number,
    limit: number,
    now: Date,
  ): Promise<ClaimedMoveInDeadline[]>;
  /** Marks a claimed deadline raised (only by its lease owner). */
  markRaised(id: number, owner: string, now: Date): Promise<boolean>;
  /** The state of a subject's deadlines (tests, operators). */
  statesOf(lgCode: string, subjectKey: string): Promise<string[]>;
}

function isDuplicateKey(failure: unknown): boolean {
  const code = (failure as { code?: unknown } | null)?.code;
  return (
    code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT'
  );
}

interface Row {
  id: number;
  lg_code: string;
  subject_key: string;
  atena_number: string;
  history_no: number;
  planned_move_out_on: string;
  destination_lg_code: string | null;
  due_on: string;
}

/** The repository over the store. */
export function moveInDeadlines(store: Store): MoveInDeadlines {
  const { knex } = store;
  const table = 'hub_move_in_deadlines';
  return {
    async open(deadline, now) {
      try {
        await knex(table).insert({
          lg_code: deadline.lgCode,
          subject_key: deadline.subjectKey,
          atena_number: deadline.atenaNumber,
          history_no: deadline.historyNo,
          planned_move_out_on: deadline.plannedMoveOutOn,
          destination_lg_code: deadline.destinationLgCode ?? null,
          due_on: deadline.dueOn,
          state: 'OPEN',
          created_at: now,
        });
        return true;
      } catch (failure) {
        if (isDuplicateKey(failure)) return false;
        throw failure;
      }
    },
    async close(lgCode, subjectKey, noticeIssuedAt, now) {
      return knex.transaction(async (trx) => {
        const rows: { latest_notice_at: string | null }[] = await trx(table)
          .where({ lg_code: lgCode, subject_key: subjectKey })
          .select('latest_notice_at');
        const latest = rows
          .map((row) => row.latest_notice_at)
          .filter((value): value is string => value !== null)
          .sort()
          .pop();
        const superseded = latest !== undefined && Date.parse(latest) > Date.parse(noticeIssuedAt);
        if (superseded) return { closed: 0, superseded };
        const closed = await trx(table)
          .where({ lg_code: lgCode, subject_key: subjectKey, state: 'OPEN' })
          .update({ state: 'CLOSED', settled_at: now, lease_owner: null, lease_until: null });
        await trx(table)
          .where({ lg_code: lgCode, subject_key: subjectKey })
          .update({ latest_notice_at: noticeIssuedAt });
        return { closed, superseded };
      });
    },
    async claimDue(today, owner, leaseMs, limit, now) {
      const candidates = (await knex(table)
        .where('state', 'OPEN')
        .andWhere('due_on', '<', today)
        .andWhere((where) => {
          void where.whereNull('lease_until').orWhere('lease_until', '<', now);
        })
        .orderBy('id')
        .limit(limit)) as Row[];
      const claimed: ClaimedMoveInDeadline[] = [];
      for (const row of candidates) {
        // The claim: only one replica's UPDATE finds the row still open and unleased.
        const taken = await knex(table)
          .where({ id: row.id, state: 'OPEN' })
          .andWhere((where) => {
            void where.whereNull('lease_until').orWhere('lease_until', '<', now);
          })
          .update({ lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs) });
        if (taken !== 1) continue;
        claimed.push({
          id: row.id,
          lgCode: row.lg_code,
          subjectKey: row.subject_key,
          atenaNumber: row.atena_number,
          historyNo: row.history_no,
          plannedMoveOutOn: row.planned_move_out_on,
          destinationLgCode: row.destination_lg_code ?? undefined,
          dueOn: row.due_on,
        });
      }
      return claimed;
    },
    async markRaised(id, owner, now) {
      const done = await knex(table)
        .where({ id, state: 'OPEN', lease_owner: owner })
        .update({ state: 'RAISED', settled_at: now });
      return done === 1;
    },
    async statesOf(lgCode, subjectKey) {
      const rows: { state: string }[] = await knex(table)
        .where({ lg_code: lgCode, subject_key: subjectKey })
        .orderBy('id')
        .select('state');
      return rows.map((row) => row.state);
    },
  };
}

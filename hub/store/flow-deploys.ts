/**
 * The deploy history (`flow_deploys`) and the step queues deploys retired (`retired_step_queues`).
 * A deploy row holds who, when, the per-file diff of node ids, and — since 20261203010000 — the
 * deployed flows and their digest, which is what a restart compares the flows directory with.
 */
import { HubError } from '../errors.js';
import { readDate } from './index.js';
import type { Store } from './types.js';

/**
 * Another deploy was recorded on the version this one was made on (two integrators at once, on one
 * replica or two): nothing of this one was recorded. HTTP 409; Node-RED shows it as a version clash.
 */
export class FlowsConflictError extends HubError {
  readonly status = 409;
  readonly baseVersion: number;

  constructor(baseVersion: number, cause?: unknown) {
    super(
      'HUB_FLOWS_CONFLICT',
      `Deploy conflict: the flows changed since version ${String(baseVersion)} (another deploy was recorded first). Reload the flows and deploy again. / デプロイの競合: バージョン ${String(baseVersion)} の後に別のデプロイが記録されました。フローを読み込み直してから再度デプロイしてください。`,
      'dead-letter',
      cause === undefined ? {} : { cause },
    );
    this.baseVersion = baseVersion;
  }
}

/** One row of the deploy history (`hub flows history`). */
export interface DeployHistoryRow {
  readonly version: number;
  readonly at: Date;
  readonly actor: string;
  readonly summary: string;
  readonly baseVersion: number | null;
  readonly flowsSha256: string | null;
}

/** The last recorded deploy, as a start compares it with the flows directory. */
export interface RecordedDeploy {
  readonly id: number;
  readonly actor: string;
  /** Null for rows written before the flows were recorded. */
  readonly flowsSha256: string | null;
  readonly flowsJson: string | null;
}

/** A deploy to record. */
export interface NewDeploy {
  readonly actor: string;
  readonly summary: string;
  readonly diffJson: string;
  readonly flowsSha256: string;
  readonly flowsJson: string;
  /** Step queues this deploy retires (recorded in the same transaction). */
  readonly retiredQueues: readonly string[];
  /**
   * The version (deploy id) the deploy was made on; 0 for the first; omitted: whatever is the head
   * now. Two deploys on one base cannot both be recorded (unique column): the second throws
   * FlowsConflictError.
   */
  readonly baseVersion?: number | undefined;
}

/** A queue a deploy retired. */
export interface RetiredQueueRow {
  readonly queue: string;
  readonly retiredAt: Date;
  /** The deploy that retired it. */
  readonly deployId: number | null;
}

/** The flow deploy repository. */
export interface FlowDeploys {
  last(): Promise<RecordedDeploy | undefined>;
  /** Records a deploy and its retired queues in one transaction; returns the row id. */
  record(deploy: NewDeploy): Promise<number>;
  /** Removes a deploy whose switch failed (and the retired queues it alone added). */
  forget(id: number): Promise<void>;
  retired(): Promise<RetiredQueueRow[]>;
  retiredQueue(queue: string): Promise<RetiredQueueRow | undefined>;
  /** The flows (JSON) recorded by the last deploy before `deployId`; null when not recorded. */
  flowsBefore(deployId: number): Promise<string | null>;
  /** The flows (JSON) a version recorded; undefined when there is no such version. */
  flowsOf(version: number): Promise<{ flowsJson: string | null } | undefined>;
  /** True when some deploy recorded flows with this digest (the directory is an old version). */
  recorded(flowsSha256: string): Promise<boolean>;
  /** The newest deploys first. */
  history(limit: number): Promise<DeployHistoryRow[]>;
}

interface DeployRow {
  id: number | string;
  actor: string;
  flows_sha256: string | null;
  flows_json: string | null;
}

interface RetiredRow {
  queue: string;
  retired_at: unknown;
  deploy_id: number | string | null;
}

function retiredOf(row: RetiredRow): RetiredQueueRow {
  return {
    queue: row.queue,
    retiredAt: readDate(row.retired_at),
    deployId: row.deploy_id === null ? null : Number(row.deploy_id),
  };
}

/** The repository over the store. */
export function flowDeploys(store: Store): FlowDeploys {
  const { knex } = store;
  return {
    async last() {
      const row = await knex<DeployRow>('flow_deploys')
        .select('id', 'actor', 'flows_sha256', 'flows_json')
        .orderBy('id', 'desc')
        .first();
      if (row === undefined) return undefined;
      return {
        id: Number(row.id),
        actor: row.actor,
        flowsSha256: row.flows_sha256,
        flowsJson: row.flows_json,
      };
    },
    async record(deploy) {
      const at = new Date();
      return knex.transaction(async (trx) => {
        // The optimistic check: the head must still be the base (a fast, clear answer), and the
        // unique base_version makes it hold under a race the read cannot see.
        const head = await trx('flow_deploys').max({ id: 'id' }).first();
        const headId = head?.id == null ? 0 : Number(head.id);
        const base = deploy.baseVersion ?? headId;
        if (headId !== base) throw new FlowsConflictError(base);
        let inserted: unknown[];
        try {
          inserted = await trx<Record<string, unknown>>('flow_deploys').insert({
            at,
            actor: deploy.actor.slice(0, 128),
            summary: deploy.summary.slice(0, 1000),
            diff_json: deploy.diffJson,
            flows_sha256: deploy.flowsSha256,
            flows_json: deploy.flowsJson,
            base_version: base,
          });
        } catch (error) {
          if (isUniqueViolation(error)) throw new FlowsConflictError(base, error);
          throw error;
        }
        const first = inserted[0];
        const id =
          typeof first === 'object' && first !== null
            ? Number(Object.values(first)[0])
            : Number(first);
        for (const queue of deploy.retiredQueues) {
          await trx('retired_step_queues')
            .insert({ queue, retired_at: at, deploy_id: id })
            .onConflict('queue')
            .ignore();
        }
        return id;
      });
    },
    async forget(id) {
      await knex.transaction(async (trx) => {
        await trx('retired_step_queues').where({ deploy_id: id }).delete();
        await trx('flow_deploys').where({ id }).delete();
      });
    },
    async retired() {
      const rows = await knex<RetiredRow>('retired_step_queues')
        .select('queue', 'retired_at', 'deploy_id')
        .orderBy('queue');
      return rows.map(retiredOf);
    },
    async retiredQueue(queue) {
      const row = await knex<RetiredRow>('retired_step_queues')
        .where({ queue })
        .first('queue', 'retired_at', 'deploy_id');
      return row === undefined ? undefined : retiredOf(row);
    },
    async flowsOf(version) {
      const row = await knex<DeployRow>('flow_deploys').where({ id: version }).first('flows_json');
      return row === undefined ? undefined : { flowsJson: row.flows_json };
    },
    async recorded(flowsSha256) {
      const row: unknown = await knex('flow_deploys')
        .where({ flows_sha256: flowsSha256 })
        .first('id');
      return row !== undefined;
    },
    async history(limit) {
      const rows = await knex<{
        id: number | string;
        at: unknown;
        actor: string;
        summary: string;
        base_version: number | string | null;
        flows_sha256: string | null;
      }>('flow_deploys')
        .select('id', 'at', 'actor', 'summary', 'base_version', 'flows_sha256')
        .orderBy('id', 'desc')
        .limit(limit);
      return rows.map((row) => ({
        version: Number(row.id),
        at: readDate(row.at),
        actor: row.actor,
        summary: row.summary,
        baseVersion: row.base_version === null ? null : Number(row.base_version),
        flowsSha256: row.flows_sha256,
      }));
    },
    async flowsBefore(deployId) {
      const row = await knex<DeployRow>('flow_deploys')
        .where('id', '<', deployId)
        .orderBy('id', 'desc')
        .first('flows_json');
      return row?.flows_json ?? null;
    },
  };
}

function isUniqueViolation(error: unknown): boolean {
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

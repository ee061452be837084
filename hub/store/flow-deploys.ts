/**
 * The deploy history (`flow_deploys`) and the step queues deploys retired (`retired_step_queues`).
 * A deploy row holds who, when, the per-file diff of node ids, and — since 20261203010000 — the
 * deployed flows and their digest, which is what a restart compares the flows directory with.
 */
import { readDate } from './index.js';
import type { Store } from './types.js';

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
        const inserted: unknown[] = await trx<Record<string, unknown>>('flow_deploys').insert({
          at,
          actor: deploy.actor.slice(0, 128),
          summary: deploy.summary.slice(0, 1000),
          diff_json: deploy.diffJson,
          flows_sha256: deploy.flowsSha256,
          flows_json: deploy.flowsJson,
        });
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
    async flowsBefore(deployId) {
      const row = await knex<DeployRow>('flow_deploys')
        .where('id', '<', deployId)
        .orderBy('id', 'desc')
        .first('flows_json');
      return row?.flows_json ?? null;
    },
  };
}

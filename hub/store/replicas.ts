/** Heartbeat rows of the hub replicas sharing this store (`hub_replicas`, issue 22 item 5). */
import { readDate } from './index.js';
import type { Store } from './types.js';

export interface ReplicaBeat {
  readonly replicaId: string;
  readonly host: string;
  readonly pid: number;
  readonly flowsVersion: number | null;
  readonly brokerNode: string | null;
  readonly startedAt: Date;
}

export interface ReplicaRow extends ReplicaBeat {
  readonly seenAt: Date;
}

export interface Replicas {
  /** Writes (or refreshes) this replica's row. */
  beat(beat: ReplicaBeat): Promise<void>;
  /** Every replica that ever beat, most recently seen first. */
  list(): Promise<ReplicaRow[]>;
}

interface Row {
  replica_id: string;
  host: string;
  pid: number | string;
  flows_version: number | string | null;
  broker_node: string | null;
  started_at: unknown;
  seen_at: unknown;
}

export function replicas(store: Store): Replicas {
  const { knex } = store;
  return {
    async beat(beat) {
      const row = {
        replica_id: beat.replicaId,
        host: beat.host.slice(0, 255),
        pid: beat.pid,
        flows_version: beat.flowsVersion,
        broker_node: beat.brokerNode?.slice(0, 255) ?? null,
        started_at: beat.startedAt,
        seen_at: new Date(),
      };
      await knex('hub_replicas')
        .insert(row)
        .onConflict('replica_id')
        .merge(['host', 'pid', 'flows_version', 'broker_node', 'started_at', 'seen_at']);
    },
    async list() {
      const rows: Row[] = await knex<Row>('hub_replicas')
        .select(
          'replica_id',
          'host',
          'pid',
          'flows_version',
          'broker_node',
          'started_at',
          'seen_at',
        )
        .orderBy('seen_at', 'desc');
      return rows.map((row) => ({
        replicaId: row.replica_id,
        host: row.host,
        pid: Number(row.pid),
        flowsVersion: row.flows_version === null ? null : Number(row.flows_version),
        brokerNode: row.broker_node,
        startedAt: readDate(row.started_at),
        seenAt: readDate(row.seen_at),
      }));
    },
  };
}

/**
 * Claims on business keys across replicas (issue 22, item 3). Before a step applies a message, the
 * replica inserts (step, key) into `message_claims`; the primary key lets exactly one insert win, on
 * SQLite and MariaDB alike, so two replicas holding copies of one message at the same instant never
 * both apply it. The winner's processed key (committed with its outcome) then makes the other copy a
 * duplicate. A claim has a lease: when its owner died holding it, another replica takes it over once
 * the lease has run out (a compare-and-set update, so only one does).
 *
 * A claim also answers whether the key is processed already (its outcome committed): the engine asks
 * once per message, not a look-up and then a claim (issue 23: one round trip fewer per window).
 *
 * Claims asked for in the same turn of the event loop go to the database together: for a whole
 * prefetch window, one insert and one select (with the processed keys joined).
 */
import type { Knex } from 'knex';
import { storedKey } from './outcomes.js';

/**
 * Whether this replica may apply the message now: 'mine' (apply it), 'held' (another owner's lease
 * runs), or 'processed' (the key's outcome is committed already: the message is a duplicate).
 */
export type ClaimResult = 'mine' | 'held' | 'processed';

export interface Claims {
  /**
   * Claims `key` of `step` for `owner` for `leaseMs`: 'processed' when the key was processed already
   * (whoever holds the claim), else 'mine' or 'held' while another owner's lease runs.
   */
  claim(step: string, key: string, owner: string, leaseMs: number): Promise<ClaimResult>;
  /** Gives a claim up (the message was not applied here); only the owner's own claim goes. */
  release(step: string, key: string, owner: string): Promise<void>;
}

interface Pending {
  readonly step: string;
  readonly key: string;
  readonly owner: string;
  readonly leaseMs: number;
  resolve(result: ClaimResult): void;
  reject(error: unknown): void;
}

interface ClaimRow {
  step: string;
  key: string;
  owner: string;
  lease_until: unknown;
  processed_key?: string | null;
}

const maxBatch = 200;

/** Whether the left join found the key processed. */
function processedIn(row: ClaimRow | undefined): boolean {
  return typeof row?.processed_key === 'string';
}

function millisOf(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return new Date(
    String(value).replace(' ', 'T') + (String(value).endsWith('Z') ? '' : 'Z'),
  ).getTime();
}

export class KnexClaims implements Claims {
  private readonly knex: Knex;
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(knex: Knex) {
    this.knex = knex;
  }

  claim(step: string, key: string, owner: string, leaseMs: number): Promise<ClaimResult> {
    return new Promise<ClaimResult>((resolve, reject) => {
      this.pending.push({ step, key: storedKey(key), owner, leaseMs, resolve, reject });
      if (this.pending.length >= maxBatch) {
        this.run();
      } else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.run();
        });
      }
    });
  }

  async release(step: string, key: string, owner: string): Promise<void> {
    await this.knex('message_claims')
      .where({ step, key: storedKey(key), owner })
      .delete();
  }

  private run(): void {
    const batch = this.pending.splice(0, maxBatch);
    if (batch.length === 0) return;
    this.claimBatch(batch).catch((error: unknown) => {
      for (const entry of batch) entry.reject(error);
    });
  }

  private async claimBatch(batch: readonly Pending[]): Promise<void> {
    const now = new Date();
    const rows = new Map<string, Record<string, unknown>>();
    for (const entry of batch) {
      const id = `${entry.step}\u0000${entry.key}`;
      if (!rows.has(id))
        rows.set(id, {
          step: entry.step,
          key: entry.key,
          owner: entry.owner,
          claimed_at: now,
          lease_until: new Date(now.getTime() + entry.leaseMs),
        });
    }
    await this.knex('message_claims')
      .insert([...rows.values()])
      .onConflict(['step', 'key'])
      .ignore();
    const found = await this.read(batch);
    const byId = new Map(found.map((row) => [`${row.step}\u0000${row.key}`, row]));
    for (const entry of batch) {
      const row = byId.get(`${entry.step}\u0000${entry.key}`);
      if (processedIn(row)) {
        entry.resolve('processed');
      } else if (row === undefined) {
        // Pruned between the insert and the select: ask again.
        entry.resolve(await this.claimOne(entry));
      } else if (row.owner === entry.owner) {
        entry.resolve('mine');
      } else if (millisOf(row.lease_until) < Date.now()) {
        entry.resolve(await this.takeOver(entry, row));
      } else {
        entry.resolve('held');
      }
    }
  }

  /** The claims of a window with, for each, whether its key is processed (a left join). */
  private read(batch: readonly Pending[]): Promise<ClaimRow[]> {
    return this.knex('message_claims as c')
      .leftJoin('processed_keys as p', function joinProcessed() {
        this.on('p.step', '=', 'c.step').andOn('p.key', '=', 'c.key');
      })
      .select('c.step', 'c.key', 'c.owner', 'c.lease_until', 'p.key as processed_key')
      .whereIn(
        ['c.step', 'c.key'],
        batch.map((entry) => [entry.step, entry.key]),
      ) as Promise<ClaimRow[]>;
  }

  private async claimOne(entry: Pending): Promise<ClaimResult> {
    const now = new Date();
    await this.knex('message_claims')
      .insert({
        step: entry.step,
        key: entry.key,
        owner: entry.owner,
        claimed_at: now,
        lease_until: new Date(now.getTime() + entry.leaseMs),
      })
      .onConflict(['step', 'key'])
      .ignore();
    const [row] = await this.read([entry]);
    if (processedIn(row)) return 'processed';
    return row?.owner === entry.owner ? 'mine' : 'held';
  }

  /** The owner's lease ran out (it died holding the key): one replica takes it over. */
  private async takeOver(entry: Pending, row: ClaimRow): Promise<ClaimResult> {
    const now = new Date();
    const changed = await this.knex('message_claims')
      .where({ step: entry.step, key: entry.key, owner: row.owner })
      .where('lease_until', '<', now)
      .update({
        owner: entry.owner,
        claimed_at: now,
        lease_until: new Date(now.getTime() + entry.leaseMs),
      });
    return changed === 1 ? 'mine' : 'held';
  }
}

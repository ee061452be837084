/**
 * Issue 22, "Done when": three hub replicas on the three-node cluster, affair-1 messages flowing,
 * under faults — a broker node and a replica killed with SIGKILL mid-stream and restarted; a
 * replica cut off from the broker for 30 s. Oracles: the 共通基盤 simulator's own record of what it
 * applied (keyed by the Idempotency-Key it was sent), the order in which it applied each resident's
 * movements (by 宛名番号 and 履歴番号 in the bodies it received), and the hub's outcome rows.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type amqp from 'amqplib';
import {
  createIngress,
  simSystems,
  startSimulators,
  type SimulatorSet,
} from '../../connectors/index.js';
import { openStore } from '../../hub/store/index.js';
import { eventually, rawConnection } from '../support/broker.js';
import { clusterCtl, createClusterVhost, type ClusterVhost } from '../support/cluster.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { shippedFlowsDir } from '../support/flows.js';
import { startReplicaProcess, type ReplicaProcess } from '../support/replicas.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const run = promisify(execFile);
const fixture = JSON.parse(
  readFileSync(
    resolve(
      import.meta.dirname,
      '../../schemas/fixtures/resident.movement.recorded/valid-domestic-move-in.json',
    ),
    'utf8',
  ),
) as { data: Record<string, unknown> & { resident: Record<string, unknown> } };

/** 住民票コード check digit (DOMAIN §3.2: weights 5 4 3 2 7 6 5 4 3 2, 11 − Σ mod 11, 0 if ≤ 1). */
function juminhyoCode(base10: string): string {
  const weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  let sum = 0;
  for (let index = 0; index < 10; index += 1)
    sum += (base10.charCodeAt(index) - 48) * (weights[index] ?? 0);
  const remainder = sum % 11;
  return `${base10}${String(remainder <= 1 ? 0 : 11 - remainder)}`;
}

/** One movement of resident `r`, its `h`-th (historyNo). */
function movement(r: number, h: number): Buffer {
  const data = structuredClone(fixture.data);
  data['historyNo'] = h;
  data.resident['atenaNumber'] = String(7_000_000_000 + r);
  data.resident['juminhyoCode'] = juminhyoCode(String(7_000_000_000 + r));
  return Buffer.from(JSON.stringify(data));
}

interface Applied {
  readonly atena: string;
  readonly historyNo: number;
}

/** What the 共通基盤 simulator applied, in order, from the bodies it received. */
function appliedAt(sims: SimulatorSet): { keys: string[]; records: Applied[] } {
  const sim = sims.simulators.get('KYOTSU_KIBAN');
  if (sim === undefined) throw new Error('no 共通基盤 simulator');
  const records: Applied[] = [];
  for (const message of sim.received) {
    const record = (message.body as { record?: { atenaNumber?: string; historyNo?: number } })
      .record;
    records.push({ atena: String(record?.atenaNumber), historyNo: Number(record?.historyNo) });
  }
  return { keys: sim.received.map((message) => message.messageId), records };
}

/** Residents whose movements were applied out of their 履歴番号 order. */
function outOfOrder(records: readonly Applied[]): string[] {
  const last = new Map<string, number>();
  const bad = new Set<string>();
  for (const record of records) {
    if ((last.get(record.atena) ?? 0) >= record.historyNo) bad.add(record.atena);
    last.set(record.atena, record.historyNo);
  }
  return [...bad];
}

async function publishMovements(
  url: string,
  residents: number,
  perResident: number,
  prefix: string,
  offset = 0,
): Promise<void> {
  const connection: amqp.ChannelModel = await rawConnection(url);
  try {
    const channel = await connection.createConfirmChannel();
    for (let h = 1; h <= perResident; h += 1) {
      for (let r = offset; r < offset + residents; r += 1) {
        channel.publish('hub.events', 'resident.movement.recorded', movement(r, h), {
          type: 'resident.movement.recorded',
          messageId: `${prefix}-${String(r)}-${String(h)}`,
          appId: 'KIZON_JUKI',
          contentType: 'application/json',
          persistent: true,
        });
      }
      await channel.waitForConfirms();
    }
  } finally {
    await connection.close();
  }
}

describe('cluster: three replicas on the three-node cluster under faults (issue 22)', function () {
  this.timeout(1_200_000);
  let vhost: ClusterVhost;
  let db: TestDatabase;
  let sims: SimulatorSet;
  const replicas: ReplicaProcess[] = [];
  const proxies: TcpProxy[] = [];
  const secretKey = randomBytes(32).toString('hex');

  function replicaEnv(amqpUrl: string): Record<string, string> {
    const urls = sims.urls();
    const systems = Object.fromEntries(
      simSystems.map((system) => [`HUB_${system}_URL`, urls[system]]),
    );
    return {
      ...systems,
      HUB_AMQP_URL: amqpUrl,
      HUB_DB_URL: db.url,
      HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-replica-')),
      HUB_FLOWS_DIR: shippedFlowsDir(['affair-1']),
      HUB_SECRET_KEY: secretKey,
      HUB_SIMULATORS: 'off',
      HUB_EDITOR: 'off',
      HUB_OUTBOX_POLL_MS: '0',
      HUB_CLAIM_LEASE_MS: '5000',
      HUB_HEARTBEAT_MS: '1000',
      HUB_SHUTDOWN_TIMEOUT_MS: '5000',
      HUB_LOG_LEVEL: 'info', // not debug: 50,000 messages; info still logs start, failover and stop
    };
  }
  async function replica(id: string, amqpUrl: string): Promise<ReplicaProcess> {
    const started = await startReplicaProcess(id, replicaEnv(amqpUrl));
    replicas.push(started);
    return started;
  }

  before(async () => {
    vhost = await createClusterVhost('hub-scale');
    db = await createTestDatabase('mysql');
    sims = await startSimulators({
      ingress: createIngress(() => {
        throw new Error('the test publishes itself');
      }),
      exchangeDir: mkdtempSync(join(tmpdir(), 'hub-scale-exchange-')),
      systems: ['KYOTSU_KIBAN', 'JUKINET_CS'],
      ports: { KYOTSU_KIBAN: 0, JUKINET_CS: 0 },
    });
  });
  after(async () => {
    for (const started of replicas) await started.kill().catch(() => undefined);
    for (const proxy of proxies) await proxy.close().catch(() => undefined);
    await sims.stop();
    await vhost.delete();
    await db.drop();
  });

  it('50,000 affair-1 messages: kill -9 a broker node and a replica mid-stream, restart both — each applied once, in order per resident', async () => {
    const residents = 5_000;
    const perResident = 10;
    const total = residents * perResident;
    // A first on node 1, B on node 2, C on node 3: each fails over to the next node in its list.
    await replica('scale-a', vhost.urls(1));
    const [b] = await Promise.all([
      replica('scale-b', vhost.urls(2)),
      replica('scale-c', vhost.urls(3)),
    ]);
    await publishMovements(vhost.url(1), residents, perResident, 'mv');

    await eventually(() => appliedAt(sims).keys.length >= total / 5, 600_000, 'a fifth applied');
    // Node 3 and replica B die at once, without warning.
    const pid = readFileSync('/tmp/juki-hub-cluster/hub3/hub3.pid', 'utf8').trim();
    await run('kill', ['-9', pid]);
    await b.kill();
    const atKill = appliedAt(sims).keys.length;
    expect(atKill).to.be.lessThan(total);
    // Both come back: the node rejoins its cluster, the replica starts anew.
    await run(resolve(import.meta.dirname, 'start.sh'), [], { timeout: 180_000 });
    await replica('scale-b', vhost.urls(2));

    await eventually(() => appliedAt(sims).keys.length >= total, 900_000, 'every message applied');
    const { keys, records } = appliedAt(sims);
    expect(new Set(keys).size, 'distinct idempotency keys applied').to.equal(total);
    expect(keys.length, 'applications').to.equal(total);
    expect(outOfOrder(records), 'residents applied out of order').to.deep.equal([]);
    // The hub's own record: each movement delivered once by one replica, never twice.
    const store = await openStore(db.url, { migrate: false });
    try {
      const doubled = await store
        .knex('message_outcomes')
        .where({ step: 'affair-1.atena-to-kyotsu-kiban', outcome: 'delivered' })
        .select('message_id')
        .count({ n: '*' })
        .groupBy('message_id')
        .having(store.knex.raw('count(*) > 1'));
      expect(doubled, 'deliveries recorded twice').to.deep.equal([]);
    } finally {
      await store.close();
    }
    // The cluster is whole again.
    expect(await clusterCtl(1, 'cluster_status', '--formatter', 'json')).to.include(
      'hub3@localhost',
    );
  });

  it('a replica cut off from the broker for 30 s (connections closed and refused) resumes on its own without loss', async () => {
    for (const started of replicas.splice(0)) await started.kill();
    // Replica D reaches the cluster only through cuttable forwarders; replica E directly.
    for (const port of [5681, 5682, 5683]) proxies.push(await startTcpProxy(port));
    const viaProxies = proxies
      .map(
        (proxy) =>
          `amqp://guest:guest@127.0.0.1:${String(proxy.port)}/${encodeURIComponent(vhost.name)}`,
      )
      .join(',');
    const d = await replica('cut-d', viaProxies);
    const e = await replica('cut-e', vhost.urls(2));
    const before = appliedAt(sims).keys.length;
    await publishMovements(vhost.url(1), 500, 4, 'cut1', 10_000);
    await eventually(() => appliedAt(sims).keys.length >= before + 200, 120_000, 'some applied');
    const cutAt = Date.now();
    await Promise.all(proxies.map((proxy) => proxy.cut()));
    await eventually(
      async () => (await d.readyz()).dependencies.some((dep) => dep.name === 'broker' && !dep.ok),
      20_000,
      'replica D noticing the cut',
    );
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 30_000 - (Date.now() - cutAt))));
    await Promise.all(proxies.map((proxy) => proxy.restore()));
    await eventually(
      async () => (await d.readyz()).status === 'ready',
      60_000,
      'replica D reconnected by itself',
    );
    // Only D is left: what arrives now went through D.
    await e.stop();
    await publishMovements(vhost.url(3), 500, 2, 'cut2', 20_000);
    const expected = before + 500 * 4 + 500 * 2;
    await eventually(
      () => appliedAt(sims).keys.length >= expected,
      300_000,
      'every message applied',
    );
    const { keys, records } = appliedAt(sims);
    expect(keys.length).to.equal(expected);
    expect(new Set(keys).size).to.equal(expected);
    expect(outOfOrder(records.slice(before))).to.deep.equal([]);
  });
});

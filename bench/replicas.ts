/**
 * Issue 23, item 4: how the hub scales with replicas. 1, 2 and 3 `hub start` processes on the
 * three-node RabbitMQ cluster (test/cluster/start.sh, 127.0.0.1:5681–5683) with one shared MariaDB
 * store, carrying affair-1 movements (the shipped affair-1 flows: each movement a skip step and a
 * delivery to the 共通基盤 simulator, which counts what it applied). Rounds alternate the replica
 * count (1, 2, 3, 2, 1 by default) in one run so drifting load on the shared machine hits every
 * count alike; each count's median is reported, per replica and per core.
 *
 * It also samples the CPU time (/proc) of the replicas, the three broker nodes, MariaDB and this
 * process (publisher and simulator) during each round: CPU-milliseconds per movement per part say
 * what limits the run on a machine with few cores, and what more cores would buy.
 *
 * Quick mode (CI smoke run, `--quick`) needs no cluster: one replica on the local broker, a few
 * hundred movements, no ratio — it checks the benchmark still runs, not how the hub scales.
 */
import amqp from 'amqplib';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createIngress,
  simSystems,
  startSimulators,
  type SimulatorSet,
} from '../connectors/index.js';
import { createClusterVhost } from '../test/support/cluster.js';
import { createTestDatabase } from '../test/support/db.js';
import { shippedFlowsDir } from '../test/support/flows.js';
import { benchVhost, median, repoRoot, until, type BenchResult } from './support.js';

const clusterDir = process.env['HUB_CLUSTER_DIR'] ?? '/tmp/juki-hub-cluster';

const fixture = JSON.parse(
  readFileSync(
    join(repoRoot, 'schemas/fixtures/resident.movement.recorded/valid-domestic-move-in.json'),
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

/** Movement number `r` (its own resident, 履歴番号 1). */
function movement(r: number): Buffer {
  const data = structuredClone(fixture.data);
  data['historyNo'] = 1;
  data.resident['atenaNumber'] = String(7_000_000_000 + r);
  data.resident['juminhyoCode'] = juminhyoCode(String(7_000_000_000 + r));
  return Buffer.from(JSON.stringify(data));
}

async function publishMovements(url: string, from: number, count: number): Promise<void> {
  const connection = await amqp.connect(url, { noDelay: true });
  try {
    const channel = await connection.createConfirmChannel();
    for (let r = from; r < from + count; r += 1) {
      channel.publish('hub.events', 'resident.movement.recorded', movement(r), {
        type: 'resident.movement.recorded',
        messageId: `bench-mv-${String(r)}`,
        appId: 'KIZON_JUKI',
        contentType: 'application/json',
        persistent: true,
      });
      if (r % 500 === 499) await channel.waitForConfirms();
    }
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

// ---- CPU accounting from /proc (Linux) ----------------------------------------------------------

const ticksPerSecond = 100; // USER_HZ on Linux

/** utime + stime of one process, in clock ticks; 0 when it is gone. */
function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** Busy and total ticks of the whole machine (every engineer's processes included). */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

function pidsNamed(pattern: RegExp): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (pattern.test(cmdline)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** The beam processes of the broker nodes in use: the cluster's three, or the local broker. */
function brokerPids(cluster: boolean): number[] {
  const nodes: number[] = [];
  for (const n of [1, 2, 3]) {
    const file = join(clusterDir, `hub${String(n)}`, `hub${String(n)}.pid`);
    if (existsSync(file)) nodes.push(Number(readFileSync(file, 'utf8').trim()));
  }
  if (cluster) return nodes;
  return pidsNamed(/beam\.smp/).filter((pid) => !nodes.includes(pid));
}

interface CpuSample {
  readonly at: bigint;
  readonly hub: number;
  readonly broker: number;
  readonly db: number;
  readonly bench: number;
  readonly machine: { busy: number; total: number };
}

function sample(hubPids: readonly number[], broker: readonly number[], db: readonly number[]) {
  const own = process.cpuUsage();
  const sum = (pids: readonly number[]) =>
    pids.reduce((total, pid) => total + processTicks(pid), 0);
  return {
    at: process.hrtime.bigint(),
    hub: sum(hubPids),
    broker: sum(broker),
    db: sum(db),
    bench: ((own.user + own.system) / 1e6) * ticksPerSecond,
    machine: machineTicks(),
  } satisfies CpuSample;
}

// ---- replicas ------------------------------------------------------------------------------------

interface Replica {
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** `hub start` as a process; resolves once `/readyz` answers 200. */
async function startReplica(id: string, env: Record<string, string>): Promise<Replica> {
  const base: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!name.startsWith('HUB_')) base[name] = value;
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, ['bin/hub.js', 'start'], {
    cwd: repoRoot,
    env: { ...base, ...env, HUB_REPLICA_ID: id, HUB_HTTP_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  child.stderr.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((done) => {
    child.once('exit', () => {
      done();
    });
  });
  await until(
    async () => {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`replica ${id} exited before it was ready: ${tail.slice(-2000)}`);
      try {
        return (await fetch(`http://127.0.0.1:${String(port)}/readyz`)).status === 200;
      } catch {
        return false;
      }
    },
    180_000,
    `replica ${id} ready`,
  );
  return {
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

interface Round {
  readonly replicas: number;
  readonly rate: number;
  /** CPU-ms per movement: hub replicas, broker nodes, MariaDB, this process (publisher, simulator). */
  readonly cpuMs: { hub: number; broker: number; db: number; bench: number };
  /** Share of the machine's cores busy during the round (all processes, other engineers' too). */
  readonly machineBusy: number;
}

/** Alternating rounds of `counts` replicas; each round publishes `perRound` movements. */
async function rounds(
  counts: readonly number[],
  perRound: number,
  cluster: boolean,
): Promise<Round[]> {
  const vhost = cluster ? await createClusterVhost('hub-bench-replicas') : undefined;
  const local = cluster ? undefined : await benchVhost();
  const urlFor = (first: number) => vhost?.urls(first) ?? local?.url ?? '';
  // Several replicas share MariaDB (as in production); the one-replica smoke run takes SQLite, which
  // migrates in a fraction of the time.
  const db = await createTestDatabase(cluster ? 'mysql' : 'sqlite');
  const sims: SimulatorSet = await startSimulators({
    ingress: createIngress(() => {
      throw new Error('the benchmark publishes itself');
    }),
    exchangeDir: mkdtempSync(join(tmpdir(), 'hub-bench-replicas-')),
    systems: ['KYOTSU_KIBAN', 'JUKINET_CS'],
    ports: { KYOTSU_KIBAN: 0, JUKINET_CS: 0 },
  });
  const kyotsu = sims.simulators.get('KYOTSU_KIBAN');
  if (kyotsu === undefined) throw new Error('no 共通基盤 simulator');
  const secretKey = randomBytes(32).toString('hex');
  const urls = sims.urls();
  const env = (first: number): Record<string, string> => ({
    ...Object.fromEntries(simSystems.map((system) => [`HUB_${system}_URL`, urls[system]])),
    HUB_AMQP_URL: urlFor(first),
    HUB_DB_URL: db.url,
    HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-bench-replica-')),
    HUB_FLOWS_DIR: shippedFlowsDir(['affair-1']),
    HUB_SECRET_KEY: secretKey,
    HUB_SIMULATORS: 'off',
    HUB_EDITOR: 'off',
    HUB_OUTBOX_POLL_MS: '0',
    HUB_LOG_LEVEL: 'warn',
  });
  const running: Replica[] = [];
  const results: Round[] = [];
  const dbPids = pidsNamed(/^\S*(mariadbd|mysqld)\b/);
  const broker = brokerPids(cluster);
  let published = 0;
  try {
    for (const count of counts) {
      // Replica i connects first to node (i mod 3) + 1, as three hosts would spread them.
      while (running.length < count) {
        const index = running.length;
        running.push(await startReplica(`bench-${String(index + 1)}`, env((index % 3) + 1)));
      }
      while (running.length > count) await running.pop()?.stop();
      const hubPids = running.flatMap((replica) =>
        replica.child.pid === undefined ? [] : [replica.child.pid],
      );
      const target = kyotsu.received.length + perRound;
      const before = sample(hubPids, broker, dbPids);
      await publishMovements(urlFor(1).split(',')[0] ?? '', published, perRound);
      published += perRound;
      await until(() => kyotsu.received.length >= target, 900_000, `${String(count)} replica(s)`);
      const after = sample(hubPids, broker, dbPids);
      const seconds = Number(after.at - before.at) / 1e9;
      const perMovement = (ticks: number) => ((ticks / ticksPerSecond) * 1000) / perRound;
      results.push({
        replicas: count,
        rate: perRound / seconds,
        cpuMs: {
          hub: perMovement(after.hub - before.hub),
          broker: perMovement(after.broker - before.broker),
          db: perMovement(after.db - before.db),
          bench: perMovement(after.bench - before.bench),
        },
        machineBusy:
          (after.machine.busy - before.machine.busy) /
          Math.max(1, after.machine.total - before.machine.total),
      });
      if (process.env['HUB_BENCH_VERBOSE'] !== undefined)
        process.stderr.write(`replicas round: ${JSON.stringify(results.at(-1))}\n`);
    }
  } finally {
    for (const replica of running) await replica.stop().catch(() => undefined);
    await sims.stop();
    await vhost?.delete();
    await local?.remove();
    await db.drop();
  }
  return results;
}

const fixed = (value: number, digits = 0) => value.toFixed(digits);

export async function replicasBench(options: { quick: boolean }): Promise<BenchResult> {
  const cores = cpus().length;
  if (options.quick) {
    // The smoke run: the path works (a replica process, the shipped flows, the store, the counting
    // simulator) without the cluster, which CI may not have started.
    const [only] = await rounds([1], 200, false);
    return {
      name: 'replicas (quick: 1 replica on the local broker, 200 affair-1 movements; the scaling run needs the cluster: npm run bench -- --only replicas)',
      hub: `1 replica: ${fixed(only?.rate ?? 0)} movements/s`,
      baseline: 'none in quick mode',
      ratio: 'n/a',
      target: '2 replicas ≥ 1.6× one, where the cores exist',
      met: undefined,
    };
  }
  const perRound = Number(process.env['HUB_BENCH_REPLICA_MOVEMENTS'] ?? 4_000);
  const counts = (process.env['HUB_BENCH_REPLICA_ROUNDS'] ?? '1,2,3,2,1')
    .split(',')
    .map((value) => Number(value.trim()));
  const results = await rounds(counts, perRound, true);
  const by = (count: number) => results.filter((round) => round.replicas === count);
  const rate = (count: number) => median(by(count).map((round) => round.rate));
  const cpu = (count: number, part: keyof Round['cpuMs']) =>
    median(by(count).map((round) => round.cpuMs[part]));
  const busy = (count: number) => median(by(count).map((round) => round.machineBusy));
  const line = (count: number) =>
    `${String(count)}: ${fixed(rate(count))}/s (${fixed(rate(count) / count)} per replica, ${fixed(rate(count) / cores)} per core; ` +
    `CPU-ms per movement hub ${fixed(cpu(count, 'hub'), 2)}, broker ${fixed(cpu(count, 'broker'), 2)}, ` +
    `MariaDB ${fixed(cpu(count, 'db'), 2)}, bench ${fixed(cpu(count, 'bench'), 2)}; machine ${fixed(busy(count) * 100)} % busy)`;
  const ratio = rate(2) / rate(1);
  const enoughCores = cores >= 8;
  return {
    name: `replicas (affair-1 movements, ${String(perRound)} per round, rounds ${counts.join(',')}, three-node cluster, shared MariaDB, ${String(cores)} cores)`,
    hub: `movements/s by replicas — ${[1, 2, 3].map(line).join('\n            ')}`,
    baseline: `1 replica: ${fixed(rate(1))} movements/s; 3 replicas / 1: ${fixed(rate(3) / rate(1), 2)}×`,
    ratio: `${fixed(ratio, 2)}× (2 replicas / 1)`,
    target: enoughCores
      ? '≥ 1.6×'
      : `≥ 1.6× where the cores exist — ${String(cores)} cores cannot show it (see docs/benchmarks.md)`,
    met: enoughCores ? ratio >= 1.6 : undefined,
  };
}

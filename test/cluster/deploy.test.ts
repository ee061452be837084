/**
 * Issue 22, item 1: flows live in the store, versioned; a deploy through one replica's editor (the
 * Node-RED admin API) runs on every replica; a replica started later runs the new flows; two deploys
 * made on one version give one success and one conflict. Real `hub start` processes (editor on) on
 * the three-node cluster with a shared MariaDB store.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeCredentials } from '../../hub/http/auth.js';
import { connectorSinks } from '../../hub/nodered/context.js';
import type { FlowNode } from '../../hub/nodered/flow-model.js';
import { openStore } from '../../hub/store/index.js';
import { eventually } from '../support/broker.js';
import { createClusterVhost, type ClusterVhost } from '../support/cluster.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { editorToken } from '../support/editor-hub.js';
import { flowsDirFor, flowsFor, shippedSteps } from '../support/flows.js';
import { readFlowsDir } from '../../hub/nodered/flows-dir.js';
import { repoRoot, runCli } from '../support/run-cli.js';
import { logChild } from '../support/hub-logs.js';

interface Replica {
  readonly id: string;
  readonly child: ChildProcess;
  readonly port: number;
}

interface Ready {
  replica?: { id: string; flowsVersion: number };
  dependencies: { name: string; detail: string }[];
}

const secretKey = randomBytes(32).toString('hex');
const password = 'correct horse battery staple';

describe('cluster: flows versioned in the store, deployed to every replica (issue 22, item 1)', function () {
  this.timeout(300_000);
  let vhost: ClusterVhost;
  let db: TestDatabase;
  const replicas: Replica[] = [];
  const steps = shippedSteps();
  const dropped = 'affair-11.failed-to-center';

  async function startReplica(id: string, firstNode: number): Promise<Replica> {
    const env = {
      ...process.env,
      HUB_AMQP_URL: vhost.urls(firstNode),
      HUB_DB_URL: db.url,
      HUB_HTTP_PORT: '0',
      HUB_DATA_DIR: mkdtempSync(join(tmpdir(), `hub-replica-${id}-`)),
      // Each replica its own copy of the flows as they were before any deploy.
      HUB_FLOWS_DIR: flowsDirFor(steps, connectorSinks()),
      HUB_SECRET_KEY: secretKey,
      HUB_SIMULATORS: 'off',
      HUB_OUTBOX_POLL_MS: '0',
      HUB_REPLICA_ID: id,
      HUB_HEARTBEAT_MS: '1000',
      // Debug, as every hub log the tests scan (test/support/hub-logs.ts).
      HUB_LOG_LEVEL: 'debug',
    };
    const child = spawn(process.execPath, ['bin/hub.js', 'start'], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    logChild(child, `cluster-replica-${id}`);
    let port: number | undefined;
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /"httpPort":(\d+)[^\n]*"hub ready"/.exec(text);
      if (match !== null) port = Number(match[1]);
    });
    await eventually(
      () => {
        if (child.exitCode !== null) throw new Error(`replica ${id} exited: ${text.slice(-2000)}`);
        return port !== undefined;
      },
      120_000,
      `replica ${id} ready`,
    );
    const replica = { id, child, port: port! };
    replicas.push(replica);
    return replica;
  }

  async function ready(replica: Replica): Promise<Ready> {
    const response = await fetch(`http://127.0.0.1:${String(replica.port)}/readyz`);
    return (await response.json()) as Ready;
  }
  const stepsRunning = async (replica: Replica) =>
    Number(
      /(\d+) route steps running/.exec(
        (await ready(replica)).dependencies.find((d) => d.name === 'engine')?.detail ?? '',
      )?.[1],
    );

  async function deploy(replica: Replica, token: string, flows: readonly FlowNode[], rev?: string) {
    return fetch(`http://127.0.0.1:${String(replica.port)}/editor/flows`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'node-red-api-version': 'v2',
        'node-red-deployment-type': 'full',
      },
      body: JSON.stringify(rev === undefined ? { flows } : { flows, rev }),
    });
  }

  before(async () => {
    vhost = await createClusterVhost('hub-deploy');
    db = await createTestDatabase('mysql');
  });
  after(async () => {
    for (const replica of replicas) replica.child.kill('SIGKILL');
    await vhost.delete();
    await db.drop();
  });

  it('a deploy through replica A runs on B and C within 5 s; a replica started later runs it; concurrent deploys: one success, one conflict', async () => {
    const a = await startReplica('A', 1);
    const [b, c] = await Promise.all([startReplica('B', 2), startReplica('C', 3)]);
    const store = await openStore(db.url, { migrate: false });
    try {
      await storeCredentials(store, { bcryptRounds: 4 }).addUser('int1', password, 'integrator');
    } finally {
      await store.close();
    }
    const before = (await ready(a)).replica?.flowsVersion ?? 0;
    for (const replica of [b, c])
      expect((await ready(replica)).replica?.flowsVersion).to.equal(before);
    expect(await stepsRunning(b)).to.equal(steps.length);

    const tokenA = await editorToken(a.port, 'int1', password);
    const fewer = flowsFor(
      steps.filter((step) => step.name !== dropped),
      connectorSinks(),
    );
    const deployed = Date.now();
    const response = await deploy(a, tokenA, fewer);
    expect(response.status, await response.clone().text()).to.equal(200);
    for (const replica of [b, c]) {
      await eventually(
        async () =>
          ((await ready(replica)).replica?.flowsVersion ?? 0) > before &&
          (await stepsRunning(replica)) === steps.length - 1,
        5_000 - (Date.now() - deployed),
        `replica ${replica.id} running the deploy within 5 s`,
      );
    }
    const version = (await ready(a)).replica?.flowsVersion ?? 0;
    expect((await ready(b)).replica?.flowsVersion).to.equal(version);
    // The editor on B shows what A deployed.
    const tokenB = await editorToken(b.port, 'int1', password);
    const shown = (await (
      await fetch(`http://127.0.0.1:${String(b.port)}/editor/flows`, {
        headers: { authorization: `Bearer ${tokenB}`, 'node-red-api-version': 'v2' },
      })
    ).json()) as { flows: FlowNode[]; rev: string };
    expect(shown.flows.map((node) => node.id).sort()).to.deep.equal(
      fewer.map((node) => node.id).sort(),
    );

    // A replica started after the deploy, from a flows directory holding the older version.
    const late = await startReplica('D', 2);
    expect((await ready(late)).replica?.flowsVersion).to.equal(version);
    expect(await stepsRunning(late)).to.equal(steps.length - 1);

    // Two integrators deploy at once, on A and on B, both from the version they loaded.
    const revA = (
      (await (
        await fetch(`http://127.0.0.1:${String(a.port)}/editor/flows`, {
          headers: { authorization: `Bearer ${tokenA}`, 'node-red-api-version': 'v2' },
        })
      ).json()) as { rev: string }
    ).rev;
    const all = flowsFor(steps, connectorSinks());
    const results = await Promise.all([
      deploy(a, tokenA, all, revA),
      deploy(
        b,
        tokenB,
        flowsFor(
          steps.filter(
            (step) => step.name !== dropped && step.name !== 'affair-11.produced-to-center',
          ),
          connectorSinks(),
        ),
        shown.rev,
      ),
    ]);
    const statuses = results.map((result) => result.status).sort();
    expect(statuses).to.deep.equal([200, 409]);
    const refused = results.find((result) => result.status === 409);
    expect(await refused?.text()).to.match(/conflict|version_mismatch|競合/i);
  });
  it('history, rollback and export: the HTTP admin API on any replica and the CLI agree, and every replica runs a rollback', async () => {
    const [a, b, c] = replicas;
    if (a === undefined || b === undefined || c === undefined)
      throw new Error('replicas not started');
    const tokenB = await editorToken(b.port, 'int1', password);
    const tokenC = await editorToken(c.port, 'int1', password);
    const versionsOf = async (replica: Replica, token: string) =>
      (await (
        await fetch(`http://127.0.0.1:${String(replica.port)}/editor/hub/flows/versions`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as { running: number; versions: { version: number; actor: string }[] };
    const onC = await versionsOf(c, tokenC);
    const onB = await versionsOf(b, tokenB);
    expect(onC.versions).to.deep.equal(onB.versions);
    const head = onC.versions[0]?.version ?? 0;
    const first = onC.versions.at(-1)?.version ?? 0;
    expect(onC.running).to.equal(head);

    // The CLI reads the same history from the store.
    const env = { HUB_DB_URL: db.url, HUB_AMQP_URL: vhost.urls(3), HUB_SECRET_KEY: secretKey };
    const history = await runCli(['flows', 'history', '--json'], { env });
    expect(history.code, history.stderr).to.equal(0);
    const listed = JSON.parse(history.stdout) as { version: number }[];
    expect(listed.map((row) => row.version)).to.deep.equal(onC.versions.map((row) => row.version));

    // A rollback through B's admin API to the first version (all steps): every replica runs it.
    const stale = await fetch(
      `http://127.0.0.1:${String(b.port)}/editor/hub/flows/versions/${String(first)}/rollback`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${tokenB}`, 'content-type': 'application/json' },
        body: JSON.stringify({ base: first }),
      },
    );
    expect(stale.status, 'a rollback made on an old version').to.equal(409);
    const unknown = await fetch(
      `http://127.0.0.1:${String(b.port)}/editor/hub/flows/versions/99999/rollback`,
      { method: 'POST', headers: { authorization: `Bearer ${tokenB}` } },
    );
    expect(unknown.status).to.equal(404);
    const rolled = await fetch(
      `http://127.0.0.1:${String(b.port)}/editor/hub/flows/versions/${String(first)}/rollback`,
      { method: 'POST', headers: { authorization: `Bearer ${tokenB}` } },
    );
    expect(rolled.status, await rolled.clone().text()).to.equal(200);
    const { version } = (await rolled.json()) as { version: number };
    expect(version).to.be.greaterThan(head);
    for (const replica of replicas) {
      await eventually(
        async () =>
          (await ready(replica)).replica?.flowsVersion === version &&
          (await stepsRunning(replica)) === steps.length,
        5_000,
        `replica ${replica.id} running the rollback`,
      );
    }

    // Metrics and /readyz name the replica and its host.
    const metrics = await (
      await fetch(`http://127.0.0.1:${String(c.port)}/metrics`, {
        headers: { authorization: `Basic ${Buffer.from(`int1:${password}`).toString('base64')}` },
      })
    ).text();
    const cpuLine = metrics.split('\n').find((line) => line.startsWith('hub_process_cpu_user'));
    expect(cpuLine)
      .to.include(`replica="${c.id}"`)
      .and.match(/host="[^"]+"/);
    expect((await ready(c)).replica)
      .to.include({ id: c.id })
      .and.have.property('host');

    // hub doctor lists the replicas seen, each one's flows version, and the cluster's nodes.
    const doctor = await runCli(['doctor', '--json', '--timeout', '5000'], {
      env: { ...env, HUB_HEARTBEAT_MS: '1000' },
    });
    const checks = (
      JSON.parse(doctor.stdout) as { checks: { name: string; status: string; detail: string }[] }
    ).checks;
    const replicasCheck = checks.find((check) => check.name === 'replicas');
    expect(replicasCheck?.status, replicasCheck?.detail).to.equal('ok');
    for (const replica of replicas)
      expect(replicasCheck?.detail)
        .to.include(`${replica.id} on `)
        .and.include(`flows v${String(version)}`);
    expect(replicasCheck?.detail).to.match(/^4 live/);
    const brokerCheck = checks.find((check) => check.name === 'broker');
    expect(brokerCheck?.detail).to.include('3 of 3 nodes reachable');

    // Export writes what the store holds, as flow files for git.
    const target = mkdtempSync(join(tmpdir(), 'hub-export-'));
    const exported = await runCli(['flows', 'export', target], { env });
    expect(exported.code, exported.stderr).to.equal(0);
    expect(
      readFlowsDir(target)
        .map((node) => node.id)
        .sort(),
    ).to.deep.equal(
      flowsFor(steps, connectorSinks())
        .map((node) => node.id)
        .sort(),
    );

    // Import deploys files to every replica; made on an old version it is refused.
    const fewerDir = flowsDirFor(
      steps.filter((step) => step.name !== dropped),
      connectorSinks(),
    );
    const refused = await runCli(['flows', 'import', fewerDir, '--base', String(first)], { env });
    expect(refused.code).to.equal(1);
    expect(refused.stderr)
      .to.match(/conflict/i)
      .and.match(/競合/);
    const imported = await runCli(['flows', 'import', fewerDir], { env });
    expect(imported.code, imported.stderr).to.equal(0);
    for (const replica of replicas) {
      await eventually(
        async () =>
          ((await ready(replica)).replica?.flowsVersion ?? 0) > version &&
          (await stepsRunning(replica)) === steps.length - 1,
        5_000,
        `replica ${replica.id} running the import`,
      );
    }
  });
});

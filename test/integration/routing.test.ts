/**
 * The deployed flows are the only routing (real RabbitMQ, SQLite, Node-RED): a hub with the editor off
 * runs exactly the flows it is given; a deploy that deletes a step unbinds its queue at once; a
 * deploy whose store write fails leaves engine, files and store on the previous version; a restart
 * runs what the last deploy recorded; a retired queue that still holds messages is reported (/readyz,
 * hub doctor) and `hub flows drain` empties it without loss, counted where the messages arrive.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type amqp from 'amqplib';
import { DEAD_LETTER_QUEUE, stepQueueName } from '../../hub/broker/index.js';
import { loadConfig } from '../../hub/config.js';
import type { StepSpec } from '../../hub/engine/step.js';
import { storeCredentials } from '../../hub/http/auth.js';
import { startHub, type RunningHub } from '../../hub/main.js';
import { connectorSinks, lintContext } from '../../hub/nodered/context.js';
import { editorPlugin } from '../../hub/nodered/editor.js';
import { checkFlows, type FlowNode } from '../../hub/nodered/flow-model.js';
import { readFlowsDir, writeFlowsDir } from '../../hub/nodered/flows-dir.js';
import { flowsDigest } from '../../hub/nodered/routing.js';
import { sampleMessage } from '../../schemas/sample.js';
import type { MessageType } from '../../schemas/registry.js';
import { createVhost, eventually, rabbitmqctl, rawConnection } from '../support/broker.js';
import { recordingSink } from '../support/engine-harness.js';
import { editorToken, startEditorHub, type EditorHub } from '../support/editor-hub.js';
import { flowsDirFor, flowsFor, shippedSteps } from '../support/flows.js';
import { runCli } from '../support/run-cli.js';

/** The hub.events bindings of a vhost: queue → routing keys. */
async function eventBindings(vhost: string): Promise<Map<string, string[]>> {
  const out = await rabbitmqctl(
    'list_bindings',
    '-p',
    vhost,
    'source_name',
    'destination_name',
    'routing_key',
  );
  const bindings = new Map<string, string[]>();
  for (const line of out.split('\n')) {
    const [source, queue, key] = line.split('\t');
    // Step queues only (the editor's debug tap binds a queue of its own).
    if (source !== 'hub.events' || queue?.startsWith('hub.step.') !== true || key === undefined)
      continue;
    bindings.set(queue, [...(bindings.get(queue) ?? []), key].sort());
  }
  return bindings;
}

/** The bindings `steps` should have on hub.events. */
function expectedBindings(steps: readonly StepSpec[]): Map<string, string[]> {
  return new Map(steps.map((step) => [stepQueueName(step.name), [...step.input].sort()]));
}

function compiled(dir: string): StepSpec[] {
  const { steps, problems } = checkFlows(readFlowsDir(dir), lintContext());
  expect(problems).to.deep.equal([]);
  return steps;
}

/** The flow files of a directory, name → text. */
function filesOf(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  );
}

describe('routing: the hub runs only the deployed flows', function () {
  this.timeout(120_000);

  it('with the editor off, runs exactly flows that differ from the shipped ones', async () => {
    const vhost = await createVhost('hub-routing-off');
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-routing-off-'));
    // Not the shipped routing: affair 11 gone, one affair-1 step gone, one step the shipped flows lack.
    const steps: StepSpec[] = [
      ...shippedSteps(['affair-1', 'affair-8']).filter(
        (step) => step.name !== 'affair-1.atena-to-kyotsu-kiban',
      ),
      {
        route: 'affair-1',
        name: 'affair-1.suppression-to-kyotsu-kiban',
        input: ['suppression.changed'],
        output: { kind: 'deliver', system: 'KYOTSU_KIBAN' },
      },
    ];
    const flowsDir = flowsDirFor(steps, connectorSinks());
    const sinks = connectorSinks().map((sink) => recordingSink(sink.system, sink.allowsMyNumber));
    let hub: RunningHub | undefined;
    try {
      hub = await startHub(
        loadConfig({
          HUB_AMQP_URL: vhost.url,
          HUB_HTTP_PORT: '0',
          HUB_DATA_DIR: dataDir,
          HUB_FLOWS_DIR: flowsDir,
          HUB_EDITOR: 'off',
          HUB_SIMULATORS: 'off',
          HUB_OUTBOX_POLL_MS: '0',
          HUB_LOG_LEVEL: 'debug',
        }),
        { sinks }, // the default plugins, as `hub start` runs them
      );
      const byName = (list: readonly StepSpec[]) =>
        [...list].sort((a, b) => (a.name < b.name ? -1 : 1));
      expect(hub.engine.steps()).to.deep.equal(compiled(flowsDir));
      expect(byName(hub.engine.steps())).to.deep.equal(byName(steps));
      // On the broker too: each step queue bound to exactly its types, and nothing else.
      expect(await eventBindings(vhost.name)).to.deep.equal(expectedBindings(steps));
      // The start recorded what it runs.
      const rows = await hub.store
        .knex<{ actor: string; flows_sha256: string }>('flow_deploys')
        .select('actor', 'flows_sha256');
      expect(rows).to.deep.equal([
        { actor: 'hub start', flows_sha256: flowsDigest(readFlowsDir(flowsDir)) },
      ]);
      // And it moves messages: the step the shipped flows lack delivers.
      const kyotsu = sinks.find((sink) => sink.system === 'KYOTSU_KIBAN');
      await hub.broker.publisher.publish(
        'hub.events',
        'suppression.changed',
        Buffer.from(JSON.stringify(sampleMessage('suppression.changed', 1))),
        { messageId: randomUUID(), type: 'suppression.changed', appId: 'KIZON_JUKI' },
      );
      await eventually(() => (kyotsu?.deliveries.length ?? 0) === 1, 20_000, 'the delivery');
    } finally {
      await hub?.stop();
      await vhost.delete();
    }
  });

  it('a start on flows changed behind the editor records them and unbinds the steps they dropped', async () => {
    const vhost = await createVhost('hub-routing-git');
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-routing-git-'));
    const sinks = connectorSinks().map((sink) => recordingSink(sink.system, sink.allowsMyNumber));
    const first = shippedSteps(['affair-11']);
    const dropped = 'affair-11.failed-to-center';
    const second = first.filter((step) => step.name !== dropped);
    const flowsDir = flowsDirFor(first, connectorSinks());
    const config = loadConfig({
      HUB_AMQP_URL: vhost.url,
      HUB_HTTP_PORT: '0',
      HUB_DATA_DIR: dataDir,
      HUB_FLOWS_DIR: flowsDir,
      HUB_EDITOR: 'off',
      HUB_SIMULATORS: 'off',
      HUB_LOG_LEVEL: 'debug',
    });
    try {
      const hub = await startHub(config, { sinks, plugins: [] });
      await hub.stop();
      expect((await eventBindings(vhost.name)).has(stepQueueName(dropped))).to.equal(true);
      // As a `git pull` would: the directory now lacks a step, and no deploy said so.
      writeFlowsDir(flowsDir, flowsFor(second, connectorSinks()));
      const again = await startHub(config, { sinks, plugins: [] });
      try {
        expect(again.engine.steps().map((step) => step.name)).to.not.include(dropped);
        expect(await eventBindings(vhost.name)).to.deep.equal(expectedBindings(second));
        const rows = await again.store
          .knex<{ actor: string; flows_sha256: string }>('flow_deploys')
          .orderBy('id')
          .select('actor', 'flows_sha256');
        expect(rows.map((row) => row.actor)).to.deep.equal(['hub start', 'hub start']);
        expect(rows[1]?.flows_sha256).to.equal(flowsDigest(readFlowsDir(flowsDir)));
        expect((await again.routing.retiredQueues()).map((entry) => entry.queue)).to.deep.equal([
          stepQueueName(dropped),
        ]);
      } finally {
        await again.stop();
      }
    } finally {
      await vhost.delete();
    }
  });

  it('refuses to start on a flows directory that is missing or holds no flow file', async () => {
    const vhost = await createVhost('hub-routing-none');
    try {
      const error = await startHub(
        loadConfig({
          HUB_AMQP_URL: vhost.url,
          HUB_HTTP_PORT: '0',
          HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-routing-none-')),
          HUB_FLOWS_DIR: mkdtempSync(join(tmpdir(), 'hub-routing-empty-')),
          HUB_SIMULATORS: 'off',
          HUB_LOG_LEVEL: 'debug',
        }),
        { plugins: [] },
      ).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(String(error)).to.match(/holds no flows.*フローがありません/);
    } finally {
      await vhost.delete();
    }
  });
});

describe('routing: deploys from the editor', function () {
  this.timeout(180_000);
  const password = 'integrator password';
  let editorHub: EditorHub;
  let hub: RunningHub;
  let token: string;
  let connection: amqp.ChannelModel;

  /** Deploys through Node-RED's admin API, as the editor's Deploy button does. */
  async function deploy(flows: readonly FlowNode[]): Promise<Response> {
    return fetch(`http://127.0.0.1:${String(hub.httpPort)}/editor/flows`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'node-red-api-version': 'v2',
        'node-red-deployment-type': 'full',
      },
      body: JSON.stringify({ flows }),
    });
  }

  /** The deployed flows without the step `step` (its hub-in and what only it leads to). */
  function withoutStep(step: string): FlowNode[] {
    const flows = readFlowsDir(editorHub.flowsDir);
    const byId = new Map(flows.map((node) => [node.id, node]));
    const input = flows.find((node) => node.type === 'hub-in' && node['step'] === step);
    if (input === undefined) throw new Error(`no step ${step}`);
    const reachable = (from: FlowNode, seen = new Set<string>()): Set<string> => {
      for (const id of (from.wires ?? []).flat()) {
        const next = byId.get(id);
        if (next === undefined || seen.has(id)) continue;
        seen.add(id);
        reachable(next, seen);
      }
      return seen;
    };
    const others = new Set(
      flows
        .filter((node) => node.type === 'hub-in' && node.id !== input.id)
        .flatMap((node) => [...reachable(node)]),
    );
    const gone = new Set([input.id, ...[...reachable(input)].filter((id) => !others.has(id))]);
    return flows.filter((node) => !gone.has(node.id));
  }

  /** The deployed flows with the hub-in of `step` renamed to `renamed`. */
  function renamed(step: string, to: string): FlowNode[] {
    return readFlowsDir(editorHub.flowsDir).map((node) =>
      node.type === 'hub-in' && node['step'] === step ? { ...node, step: to } : node,
    );
  }

  /** Puts messages straight into a queue: the backlog a step had not taken when it was removed. */
  async function backlog(queue: string, type: MessageType, count: number): Promise<string[]> {
    const channel = await connection.createConfirmChannel();
    const ids: string[] = [];
    for (let seed = 1; seed <= count; seed += 1) {
      const messageId = randomUUID();
      ids.push(messageId);
      channel.sendToQueue(queue, Buffer.from(JSON.stringify(sampleMessage(type, seed))), {
        persistent: true,
        contentType: 'application/json',
        type,
        messageId,
        appId: 'KIZON_JUKI',
      });
    }
    await channel.waitForConfirms();
    await channel.close();
    return ids;
  }

  async function depth(queue: string): Promise<number> {
    return (await hub.broker.queueDepth(queue)) ?? -1;
  }

  function cliEnv(): Record<string, string> {
    return {
      HUB_AMQP_URL: editorHub.vhost.url,
      HUB_DATA_DIR: editorHub.dataDir,
      HUB_FLOWS_DIR: editorHub.flowsDir,
    };
  }

  before(async () => {
    editorHub = await startEditorHub('hub-routing-deploy', [editorPlugin]);
    hub = editorHub.hub;
    await storeCredentials(hub.store, { bcryptRounds: 4 }).addUser('int1', password, 'integrator');
    token = await editorToken(hub.httpPort, 'int1', password);
    connection = await rawConnection(editorHub.vhost.url);
  });

  after(async () => {
    await connection.close().catch(() => undefined);
    await editorHub.stop();
  });

  it('deleting a step and deploying leaves its queue with no binding, at once', async () => {
    const retired = 'affair-11.failed-to-center';
    const queue = stepQueueName(retired);
    expect((await eventBindings(editorHub.vhost.name)).get(queue)).to.deep.equal([
      'kiosk.certificate.failed',
    ]);
    const response = await deploy(withoutStep(retired));
    expect(response.status, await response.clone().text()).to.be.within(200, 299);
    expect(hub.engine.steps().map((step) => step.name)).to.not.include(retired);
    const bindings = await eventBindings(editorHub.vhost.name);
    expect(bindings.has(queue)).to.equal(false);
    expect(bindings).to.deep.equal(expectedBindings(hub.engine.steps()));
    // The queue is kept (what it holds is an operator's to move), and listed as retired.
    expect(await depth(queue)).to.equal(0);
    expect((await hub.routing.retiredQueues()).map((entry) => entry.queue)).to.include(queue);
    const last = await hub.store
      .knex<{ actor: string; flows_sha256: string }>('flow_deploys')
      .orderBy('id', 'desc')
      .first('actor', 'flows_sha256');
    expect(last).to.deep.equal({
      actor: 'int1',
      flows_sha256: flowsDigest(readFlowsDir(editorHub.flowsDir)),
    });
    // A publish of that type no longer reaches the retired queue (it cannot fill up and refuse it).
    await hub.broker.publisher.publish(
      'hub.events',
      'kiosk.certificate.failed',
      Buffer.from(JSON.stringify(sampleMessage('kiosk.certificate.failed', 1))),
      { messageId: randomUUID(), type: 'kiosk.certificate.failed' },
    );
    expect(await depth(queue)).to.equal(0);
  });

  it('a non-empty retired queue is reported, and drained to the dead letters without loss', async () => {
    const queue = stepQueueName('affair-11.failed-to-center');
    const ids = await backlog(queue, 'kiosk.certificate.failed', 5);
    expect(await depth(queue)).to.equal(5);
    // /readyz names the queue and the command.
    const readyz = await fetch(`http://127.0.0.1:${String(hub.httpPort)}/readyz`);
    const body = JSON.stringify(await readyz.json());
    expect(readyz.status).to.equal(200);
    expect(body).to.include(`retired queue ${queue} holds 5 message(s)`);
    expect(body).to.include(`hub flows drain ${queue}`);
    // hub doctor too.
    const doctor = await runCli(['doctor', '--json', '--timeout', '5000'], { env: cliEnv() });
    const report = JSON.parse(doctor.stdout) as {
      checks: { name: string; status: string; detail: string }[];
    };
    const retired = report.checks.find((check) => check.name === 'retired');
    expect(retired?.status, doctor.stdout).to.equal('fail');
    expect(retired?.detail).to.include(`retired queue ${queue} holds 5 message(s)`);
    // Through the routes: no deployed step newly takes the type, so nothing moves and nothing is lost.
    const refused = await runCli(['flows', 'drain', queue, '--through-routes'], { env: cliEnv() });
    expect(refused.code, refused.stderr).to.equal(1);
    expect(refused.stderr).to.include('--to dead-letters');
    expect(await depth(queue)).to.equal(5);
    // To the dead letters: every message arrives in the dead-letter queue, with the reason.
    const before = await depth(DEAD_LETTER_QUEUE);
    const drained = await runCli(['flows', 'drain', queue, '--to', 'dead-letters'], {
      env: cliEnv(),
    });
    expect(drained.code, drained.stderr).to.equal(0);
    expect(drained.stdout).to.include('moved 5 message(s)');
    expect(await depth(queue)).to.equal(0);
    expect(await depth(DEAD_LETTER_QUEUE)).to.equal(before + 5);
    const channel = await connection.createChannel();
    const arrived: string[] = [];
    for (;;) {
      const message = await channel.get(DEAD_LETTER_QUEUE, { noAck: true });
      if (message === false) break;
      const headers = message.properties.headers as Record<string, unknown>;
      if (headers['x-hub-original-queue'] !== queue) continue;
      expect(headers['x-hub-reason-class']).to.equal('unroutable');
      expect(headers['x-hub-error-code']).to.equal('HUB_STEP_RETIRED');
      arrived.push(String(message.properties.messageId));
    }
    await channel.close();
    expect(arrived.sort()).to.deep.equal([...ids].sort());
    // On the operator log, with counts only.
    const logged = await hub.store
      .knex<{ action: string; target: string; detail_json: string }>('operator_actions')
      .where({ action: 'flows.drain', target: queue })
      .select('detail_json');
    expect(logged.map((row) => JSON.parse(row.detail_json) as unknown)).to.deep.include({
      moved: 5,
      left: 0,
      stopped: false,
    });
  });

  it("drains a renamed step's queue through the routes: to the new step only, each message once", async () => {
    const old = 'affair-1.atena-to-kyotsu-kiban';
    const queue = stepQueueName(old);
    const response = await deploy(renamed(old, 'affair-1.atena-to-kyotsu-kiban-2'));
    expect(response.status, await response.clone().text()).to.be.within(200, 299);
    expect((await eventBindings(editorHub.vhost.name)).has(queue)).to.equal(false);
    const ids = await backlog(queue, 'resident.movement.recorded', 4);
    const received = () =>
      editorHub.received.filter((entry) => ids.includes(entry.message.correlationId)).length;
    const others = () =>
      editorHub.received.filter(
        (entry) => ids.includes(entry.message.correlationId) && entry.system !== 'KYOTSU_KIBAN',
      ).length;
    const drained = await runCli(['flows', 'drain', old, '--through-routes'], { env: cliEnv() });
    expect(drained.code, drained.stderr).to.equal(0);
    expect(drained.stdout).to.include('moved 4 message(s)');
    expect(await depth(queue)).to.equal(0);
    // Counted at the system: each message reached 共通基盤 once, through the renamed step; the
    // CS step, which took the type all along, did not get them a second time.
    await eventually(() => received() >= 4, 30_000, 'the drained messages at KYOTSU_KIBAN');
    await hub.store.outcomes.flush();
    expect(received()).to.equal(4);
    expect(others()).to.equal(0);
    const steps = await hub.store
      .knex('message_outcomes')
      .whereIn('message_id', ids)
      .distinct('step')
      .pluck<string[]>('step');
    expect(steps).to.deep.equal(['affair-1.atena-to-kyotsu-kiban-2']);
  });

  it('a deploy whose store write fails leaves engine, files and store on the previous version', async () => {
    const steps = hub.engine.steps();
    const files = filesOf(editorHub.flowsDir);
    const bindings = await eventBindings(editorHub.vhost.name);
    const count = async (table: string) =>
      Number((await hub.store.knex(table).count<{ n: number | string }[]>({ n: '*' }))[0]?.n);
    const deploys = await count('flow_deploys');
    const retired = await count('retired_step_queues');
    await hub.store.knex.raw(
      "CREATE TRIGGER refuse_deploys BEFORE INSERT ON flow_deploys BEGIN SELECT RAISE(ABORT, 'disk I/O error (test)'); END",
    );
    try {
      const response = await deploy(withoutStep('affair-11.produced-to-center'));
      expect(response.status).to.be.at.least(400);
      expect(await response.text()).to.include('disk I/O error (test)');
    } finally {
      await hub.store.knex.raw('DROP TRIGGER refuse_deploys');
    }
    expect(hub.engine.steps()).to.deep.equal(steps);
    expect(filesOf(editorHub.flowsDir)).to.deep.equal(files);
    expect(await count('flow_deploys')).to.equal(deploys);
    expect(await count('retired_step_queues')).to.equal(retired);
    expect(await eventBindings(editorHub.vhost.name)).to.deep.equal(bindings);
  });

  it('a restart runs what the last deploy recorded', async () => {
    const steps = hub.engine.steps();
    const deploys = await hub.store.knex('flow_deploys').count({ n: '*' });
    await hub.stop();
    const restarted = await startHub(
      loadConfig({
        HUB_AMQP_URL: editorHub.vhost.url,
        HUB_HTTP_PORT: '0',
        HUB_DATA_DIR: editorHub.dataDir,
        HUB_FLOWS_DIR: editorHub.flowsDir,
        HUB_EDITOR: 'off',
        HUB_SIMULATORS: 'off',
        HUB_OUTBOX_POLL_MS: '0',
        HUB_LOG_LEVEL: 'debug',
      }),
      { sinks: connectorSinks().map((sink) => recordingSink(sink.system, sink.allowsMyNumber)) },
    );
    try {
      expect(restarted.engine.steps()).to.deep.equal(steps);
      // Nothing new to record: the directory is what the last deploy recorded.
      expect(await restarted.store.knex('flow_deploys').count({ n: '*' })).to.deep.equal(deploys);
      expect(await eventBindings(editorHub.vhost.name)).to.deep.equal(expectedBindings(steps));
    } finally {
      await restarted.stop();
    }
  });
});

import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeCredentials } from '../../hub/http/auth.js';
import { healthPlugin } from '../../hub/health/plugin.js';
import { tracePlugin } from '../../hub/trace/http.js';
import { simSystems, type SimSystem } from '../../connectors/index.js';
import { eventually, rawConnection } from '../support/broker.js';
import { validMyNumbersIn } from '../support/my-number-scan.js';
import { runCli } from '../support/run-cli.js';
import { startE2e, type E2e } from './support.js';

/**
 * Issue 24 items 7 and 8 end to end: a resident's move-in is tracked across every step and system
 * (the oracle is what the simulators received), and pausing a system holds its messages in the
 * queues until it is resumed.
 */
const password = 'correct horse battery';
const basic = (user: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

interface TraceAnswer {
  readonly steps: string[];
  readonly systems: string[];
  readonly messageIds: string[];
  readonly entries: {
    kind: string;
    step: string | null;
    system: string | null;
    outcome: string;
    messageId: string;
    outputMessageId: string | null;
  }[];
}

describe('e2e message tracking and pausing a system (issue 24)', function () {
  this.timeout(120_000);
  let e2e: E2e;
  let env: Record<string, string>;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-trace-'));
    env = {
      HUB_DB_URL: `sqlite:${join(dir, 'hub.sqlite')}`,
      HUB_SECRET_KEY: randomBytes(32).toString('hex'),
      HUB_DATA_DIR: dir,
    };
    e2e = await startE2e({ plugins: [healthPlugin, tracePlugin], env });
    const credentials = storeCredentials(e2e.hub.store, { bcryptRounds: 4 });
    await credentials.addUser('op1', password, 'operator');
    await credentials.addUser('aud1', password, 'auditor');
  });
  after(async () => {
    await e2e.stop();
  });

  const api = (path: string, init: RequestInit = {}, user = 'op1') =>
    fetch(`http://127.0.0.1:${String(e2e.hub.httpPort)}${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        authorization: basic(user),
        ...(init.headers as Record<string, string> | undefined),
      },
    });

  /** Every message any simulator received that names `code` (the oracle: the receivers' own record). */
  async function receivedFor(code: string): Promise<{ system: SimSystem; messageId: string }[]> {
    const found: { system: SimSystem; messageId: string }[] = [];
    for (const system of simSystems) {
      const list = await e2e.received(system);
      for (const message of list.messages) {
        if (JSON.stringify(message.body).includes(code))
          found.push({ system, messageId: message.messageId });
      }
    }
    return found;
  }

  async function moveIn(seed: number): Promise<string> {
    const moved = (await e2e.post('KIZON_JUKI', '/trigger/movement', {
      reason: 'DOMESTIC_MOVE_IN',
      seed,
    })) as { juminhyoCode: string };
    return moved.juminhyoCode;
  }

  it('a tracked move-in shows one timeline across its steps and systems: API and hub trace', async () => {
    const code = await moveIn(24);
    // Settled: the receivers got the resident's messages, and the trace names every one delivered.
    let received: { system: SimSystem; messageId: string }[] = [];
    let answer: TraceAnswer | undefined;
    await eventually(
      async () => {
        received = await receivedFor(code);
        if (received.length < 4) return false;
        const response = await api('/api/trace', {
          method: 'POST',
          body: JSON.stringify({ juminhyoCode: code }),
        });
        if (response.status !== 200) throw new Error(`HTTP ${String(response.status)}`);
        answer = (await response.json()) as TraceAnswer;
        const delivered = new Set(
          answer.entries
            .filter((entry) => entry.outcome === 'delivered')
            .map((entry) => entry.outputMessageId),
        );
        return received.every((message) => delivered.has(message.messageId));
      },
      60_000,
      'every delivery to a receiver in the trace',
    );
    if (answer === undefined) throw new Error('no trace');
    const systemsReceived = [...new Set(received.map((message) => message.system))].sort();
    expect(systemsReceived.length).to.be.at.least(3);
    // Each receiver's message is a delivered entry of the step delivering to that very system, but
    // for what a simulator relays on under the id the hub delivered to it, as the real systems do:
    // the CS to the prefecture / other municipality (住基ネット), 統合宛名 to the 中間サーバ.
    const relayedBy = new Map<SimSystem, SimSystem>([
      ['PREFECTURE_SERVER', 'JUKINET_CS'],
      ['NATIONAL_SERVER', 'JUKINET_CS'],
      ['OTHER_MUNICIPALITY', 'JUKINET_CS'],
      ['CHUKAN_SERVER', 'TOUGOU_ATENA'],
    ]);
    for (const message of received) {
      const systems = answer.entries
        .filter((candidate) => candidate.outputMessageId === message.messageId)
        .map((candidate) => candidate.system);
      expect(systems, message.system).to.satisfy((found: (string | null)[]) =>
        found.some(
          (system) => system === message.system || system === relayedBy.get(message.system),
        ),
      );
    }
    expect(answer.steps.length).to.be.at.least(4);
    expect(answer.systems).to.include.members(
      systemsReceived.filter((system) => !relayedBy.has(system)),
    );
    expect(JSON.stringify(answer)).to.not.include(code);
    expect(validMyNumbersIn(JSON.stringify(answer))).to.deep.equal([]);

    // A person's number is never taken from a URL.
    const inUrl = await api(`/api/trace?juminhyoCode=${code}`);
    expect(inUrl.status).to.equal(400);

    // The CLI: the number from standard input, the same timeline.
    const cli = await runCli(['trace', '--juminhyo-code', '--as', 'aud1', '--json'], {
      env: { ...env, HUB_OPERATOR_PASSWORD: password, HUB_AMQP_URL: e2e.vhost.url },
      input: `${code}\n`,
    });
    expect(cli.code, cli.stderr).to.equal(0);
    const fromCli = JSON.parse(cli.stdout) as TraceAnswer;
    const cliDelivered = new Set(fromCli.entries.map((entry) => entry.outputMessageId));
    for (const message of received) expect(cliDelivered.has(message.messageId)).to.equal(true);
    expect(fromCli.steps).to.include.members(answer.steps);

    // By one message id: the timeline reaches the same messages (linked by outputs).
    const oneId = received[0]?.messageId ?? '';
    const table = await runCli(['trace', oneId, '--as', 'op1'], {
      env: { ...env, HUB_OPERATOR_PASSWORD: password, HUB_AMQP_URL: e2e.vhost.url },
    });
    expect(table.code, table.stderr).to.equal(0);
    // …its causal chain: the step that delivered it and the steps before it (the message ids that
    // led to it); a branch of the same person with another correlation is found by person only.
    const deliveredBy = answer.entries.find((entry) => entry.outputMessageId === oneId);
    expect(table.stdout).to.include(deliveredBy?.step ?? 'no step');
    const producers = answer.entries.filter(
      (entry) => entry.outputMessageId === deliveredBy?.messageId,
    );
    for (const entry of producers) expect(table.stdout).to.include(entry.step ?? 'no step');

    // Every search is in the operator log, by whom, without the number.
    const actions = await e2e.hub.store
      .knex('operator_actions')
      .where('action', 'message.trace')
      .select<Record<string, unknown>[]>('*');
    expect(actions.map((row) => row['actor'])).to.include.members(['op1', 'aud1']);
    expect(JSON.stringify(actions)).to.not.include(code);
  });

  it('pausing a system holds its messages in the queues; resuming delivers them all', async () => {
    const system: SimSystem = 'TOUGOU_ATENA';
    const queues = e2e.hub.engine
      .steps()
      .filter((step) => step.output.kind === 'deliver' && step.output.system === system)
      .map((step) => `hub.step.${step.name}`);
    expect(queues.length).to.be.greaterThan(0);
    const connection = await rawConnection(e2e.vhost.url);
    const stats = async () => {
      let messages = 0;
      let consumers = 0;
      for (const queue of queues) {
        const channel = await connection.createChannel();
        const ok = await channel.checkQueue(queue);
        await channel.close();
        messages += ok.messageCount;
        consumers += ok.consumerCount;
      }
      return { messages, consumers };
    };
    try {
      const refused = await api(
        `/api/systems/${system}/pause`,
        {
          method: 'POST',
          body: JSON.stringify({ reason: 'maintenance window 保守' }),
        },
        'aud1',
      );
      expect(refused.status).to.equal(403);
      const paused = await api(`/api/systems/${system}/pause`, {
        method: 'POST',
        body: JSON.stringify({ reason: 'maintenance window 保守' }),
      });
      expect(paused.status, await paused.clone().text()).to.equal(200);
      // The quorum queues report a cancelled consumer gone a moment after the cancel.
      await eventually(async () => (await stats()).consumers === 0, 10_000, 'no consumer left');
      const before = (await e2e.received(system)).count;
      const codes = [await moveIn(2401), await moveIn(2402)];
      // The route runs on: the CS acknowledges both at the registry, while the prefecture's
      // messages wait in its step queues.
      await eventually(async () => (await stats()).messages >= 2, 30_000, 'messages held');
      expect((await e2e.received(system)).count).to.equal(before);

      const metrics = await (await api('/metrics')).text();
      // Every series also carries the replica's labels (replica, host): match the one that matters.
      expect(metrics).to.match(new RegExp(`hub_system_paused\\{[^}]*system="${system}"[^}]*\\} 1`));
      expect(metrics).to.match(/hub_step_queue_messages\{[^}]*system="TOUGOU_ATENA"[^}]*\} [1-9]/);
      expect(metrics).to.match(/hub_step_queue_consumers\{/);
      expect(metrics).to.match(
        /hub_dead_letters_open|hub_ingest_backlog|hub_delivery_attempts_total/,
      );
      for (const code of codes) expect(metrics).to.not.include(code);

      const resumed = await runCli(['systems', 'resume', system, '--as', 'op1'], {
        env: { ...env, HUB_OPERATOR_PASSWORD: password, HUB_AMQP_URL: e2e.vhost.url },
      });
      expect(resumed.code, resumed.stderr).to.equal(0);
      await eventually(
        async () => {
          const list = await e2e.received(system);
          return codes.every((code) =>
            list.messages.some((message) => JSON.stringify(message.body).includes(code)),
          );
        },
        30_000,
        'the held messages delivered after resume',
      );
      expect((await stats()).consumers).to.be.greaterThan(0);
    } finally {
      await connection.close();
    }
  });
});

import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBroker, RETRY_RETURN_EXCHANGE, stepQueueName } from '../../hub/broker/index.js';
import { topologyFor } from '../../hub/engine/engine.js';
import { createDeadLetterRepository } from '../../hub/store/dead-letters.js';
import { createKeyRing } from '../../hub/security/keys.js';
import { openStore } from '../../hub/store/index.js';
import { sampleMessage } from '../../schemas/sample.js';
import { createVhost, eventually, rawConnection, type TestVhost } from '../support/broker.js';
import { logChild } from '../support/hub-logs.js';
import { repoRoot, runCli } from '../support/run-cli.js';

const password = 'correct horse battery';
const step = 'affair-1.atena-to-kyotsu-kiban';

describe('hub dlq, hub audit, hub users and hub tokens (CLI)', function () {
  this.timeout(120_000);
  let vhost: TestVhost;
  let env: Record<string, string>;
  let dbUrl: string;
  let id: number;
  let keyHex: string;
  const body = sampleMessage('resident.movement.recorded', 1);

  before(async () => {
    vhost = await createVhost('hub-dlq-cli');
    keyHex = randomBytes(32).toString('hex');
    const dir = mkdtempSync(join(tmpdir(), 'hub-dlq-cli-'));
    dbUrl = `sqlite:${join(dir, 'hub.sqlite')}`;
    env = { HUB_DB_URL: dbUrl, HUB_SECRET_KEY: keyHex, HUB_AMQP_URL: vhost.url, HUB_DATA_DIR: dir };
    const store = await openStore(dbUrl);
    try {
      const repository = createDeadLetterRepository(
        store,
        createKeyRing([Buffer.from(keyHex, 'hex')]),
      );
      ({ id } = await repository.insert({
        dedupeKey: 'cli-1',
        messageId: 'cli-m1',
        messageType: 'resident.movement.recorded',
        route: 'affair-1',
        step,
        originalExchange: 'hub.events',
        originalRoutingKey: 'resident.movement.recorded',
        originalQueue: stepQueueName(step),
        reasonClass: 'connector',
        reasonJa: '連携先 JUKINET_CS への送信に失敗しました: HTTP 503',
        reasonEn: 'Delivery to JUKINET_CS failed: HTTP 503',
        detail: 'HUB_CONNECTOR_FAILED',
        attempts: 5,
        headers: { 'x-hub-step': step },
        properties: { type: 'resident.movement.recorded', appId: 'KIZON_JUKI' },
        payload: Buffer.from(JSON.stringify(body)),
        correlationId: 'cli-c1',
        sourceSystem: 'KIZON_JUKI',
        subjectHash: null,
        firstFailedAt: new Date(),
        deadLetteredAt: new Date(Date.now() - 1000),
      }));
    } finally {
      await store.close();
    }
    // The step's queue exists (as when the hub runs its routes) so a replay has somewhere to go.
    const broker = createBroker({ url: vhost.url, name: 'hub-test' });
    await broker.start();
    await broker.declare(
      topologyFor([
        {
          route: 'affair-1',
          name: step,
          input: ['resident.movement.recorded'],
          output: { kind: 'reply' },
        },
      ]),
    );
    await broker.close();
  });

  after(async () => {
    await vhost.delete();
  });

  it('adds an operator from stdin, lists and shows masked, refuses an unmask without a reason', async () => {
    const added = await runCli(['users', 'add', 'op1', '--role', 'operator', '--password-stdin'], {
      env,
      input: `${password}\n`,
    });
    expect(added.code, added.stderr).to.equal(0);

    const list = await runCli(['dlq', 'list', '--json', '--source', 'KIZON_JUKI'], { env });
    expect(list.code, list.stderr).to.equal(0);
    const rows = list.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: number; reasonClass: string });
    expect(rows.map((row) => [row.id, row.reasonClass])).to.deep.equal([[id, 'connector']]);

    const table = await runCli(['dlq', 'list', '--reason', 'validation'], { env });
    expect(table.stdout).to.contain('0 dead letter(s)');

    const shown = await runCli(['dlq', 'show', String(id)], { env });
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.contain('Delivery to JUKINET_CS failed');
    expect(shown.stdout).to.contain('[氏名]');
    expect(shown.stdout).not.to.contain('見本');

    const refused = await runCli(['dlq', 'show', String(id), '--unmask', '--as', 'op1'], {
      env: { ...env, HUB_OPERATOR_PASSWORD: password },
    });
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.contain('reason');
    expect(refused.stderr).to.contain('理由');
    expect(refused.stdout).not.to.contain('見本');

    const unmasked = await runCli(
      ['dlq', 'show', String(id), '--unmask', '--reason', 'incident 118', '--as', 'op1'],
      { env: { ...env, HUB_OPERATOR_PASSWORD: password } },
    );
    expect(unmasked.code, unmasked.stderr).to.equal(0);
    expect(unmasked.stdout).to.contain('見本');
  });

  it('dry-runs without publishing, replays as the operator, and purges by age with a record', async () => {
    const dry = await runCli(['dlq', 'replay', String(id), '--dry-run'], { env });
    expect(dry.code, dry.stderr + dry.stdout).to.equal(0);
    expect(dry.stdout).to.contain('would-publish');
    expect(dry.stdout).to.contain(`step ${step}`);
    // The step as the flows define it: its transformer ran (no issues) and its effect is shown.
    expect(dry.stdout).to.match(
      /then \/ 処理: .*resident-movement-recorded-to-atena-changed → [a-z.-]+, deliver to KYOTSU_KIBAN/,
    );
    expect(dry.stdout).not.to.contain('issues:');

    const toRoute = await runCli(['dlq', 'replay', String(id), '--dry-run', '--to', 'affair-1'], {
      env,
    });
    expect(toRoute.code, toRoute.stderr).to.equal(0);
    // The route's first step for this type; its conditions do not take this sample, and it says so.
    expect(toRoute.stdout).to.match(/route affair-1: step affair-1\.[a-z-]+ .*skipped by step/);

    const unknown = await runCli(['dlq', 'replay', String(id), '--dry-run', '--to', 'nowhere'], {
      env,
    });
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.contain('unknown target "nowhere"');
    expect(unknown.stderr).to.contain('再送先');

    const connection = await rawConnection(vhost.url);
    const channel = await connection.createChannel();
    try {
      expect((await channel.checkQueue(stepQueueName(step))).messageCount).to.equal(0);
      const noLogin = await runCli(['dlq', 'replay', String(id)], { env });
      expect(noLogin.code).to.equal(1);
      expect(noLogin.stderr).to.contain('--as');

      const replayed = await runCli(
        ['dlq', 'replay', String(id), '--as', 'op1', '--rate', '5/s', '--reason', 'CS back'],
        { env: { ...env, HUB_OPERATOR_PASSWORD: password } },
      );
      expect(replayed.code, replayed.stderr).to.equal(0);
      expect(replayed.stdout).to.contain('1 published');
      const message = await channel.get(stepQueueName(step), { noAck: true });
      expect(message).not.to.equal(false);
      if (message !== false) {
        expect(message.fields.exchange).to.equal(RETRY_RETURN_EXCHANGE);
        expect(message.properties.headers?.['x-hub-replay-count']).to.equal(1);
        expect(message.properties.headers?.['x-hub-replay-of']).to.equal('cli-m1');
        expect(message.properties.messageId).not.to.equal('cli-m1');
        expect(JSON.parse(message.content.toString())).to.deep.equal(
          JSON.parse(JSON.stringify(body)),
        );
      }
    } finally {
      await connection.close();
    }

    // Retention covers the archived drop files too (issue 13): an old sealed archive goes.
    const archive = join(env['HUB_DATA_DIR'] ?? '', 'drop', 'KIZON_JUKI', 'archive');
    mkdirSync(archive, { recursive: true });
    writeFileSync(join(archive, 'old.dat.sealed'), 'sealed', { mode: 0o600 });
    writeFileSync(join(archive, 'old.dat.summary.json'), '{}', { mode: 0o600 });
    const past = new Date(Date.now() - 86_400_000);
    utimesSync(join(archive, 'old.dat.sealed'), past, past);
    utimesSync(join(archive, 'old.dat.summary.json'), past, past);
    const purged = await runCli(
      ['dlq', 'purge', '--older-than', '0d', '--as', 'op1', '--reason', 'retention', '--json'],
      { env: { ...env, HUB_OPERATOR_PASSWORD: password } },
    );
    expect(purged.code, purged.stderr).to.equal(0);
    expect(JSON.parse(purged.stdout)).to.deep.equal({ purged: 1, ids: [id], archivedFiles: 2 });
    expect(readdirSync(archive)).to.deep.equal([]);
  });

  it('hub audit verify: OK, then exit 1 naming the row after one is altered', async () => {
    const ok = await runCli(['audit', 'verify'], { env });
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.contain('operator log OK: 4 rows');
    const listed = await runCli(['audit', 'list', '--json'], { env });
    const actions = listed.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { action: string }).action);
    expect(actions).to.deep.equal([
      'dead-letter.unmask',
      'dead-letter.replay',
      'dead-letter.purge',
      'dead-letter.purge',
    ]);

    const store = await openStore(dbUrl);
    try {
      await store.knex('operator_actions').where('seq', 2).update({ actor: 'someone-else' });
    } finally {
      await store.close();
    }
    const broken = await runCli(['audit', 'verify'], { env });
    expect(broken.code).to.equal(1);
    expect(broken.stderr).to.contain('row 2');
    expect(broken.stderr).to.contain('改ざん');
  });

  it('hub tokens add prints a token once; revoke takes it back', async () => {
    const added = await runCli(['tokens', 'add', 'KIZON_JUKI'], { env });
    expect(added.code, added.stderr).to.equal(0);
    const tokenId = /token id[^:]*: ([0-9a-f]+)/.exec(added.stdout)?.[1];
    expect(tokenId).to.be.a('string');
    expect(added.stdout).to.match(/hub_[0-9a-f]+_/);
    const revoked = await runCli(['tokens', 'revoke', tokenId!], { env });
    expect(revoked.code, revoked.stderr).to.equal(0);
    const again = await runCli(['tokens', 'revoke', tokenId!], { env });
    expect(again.code).to.equal(1);
  });

  it('hub users: a weak password is refused with the reason; list, disable (no sign-in), enable, remove', async () => {
    const weak = await runCli(['users', 'add', 'aud7', '--role', 'auditor', '--password-stdin'], {
      env,
      input: 'password1234\n',
    });
    expect(weak.code).to.equal(2);
    expect(weak.stderr).to.contain('guessed first');
    expect(weak.stderr).to.contain('推測');
    expect(weak.stderr).to.not.contain('password1234');
    const named = await runCli(['users', 'add', 'aud7', '--role', 'auditor', '--password-stdin'], {
      env,
      input: 'my name is aud7 ok\n',
    });
    expect(named.code).to.equal(2);
    expect(named.stderr).to.contain('user name');

    const added = await runCli(['users', 'add', 'op7', '--role', 'operator', '--password-stdin'], {
      env,
      input: `${password}\n`,
    });
    expect(added.code, added.stderr).to.equal(0);
    const listed = async () => {
      const list = await runCli(['users', 'list', '--json'], { env });
      expect(list.code, list.stderr).to.equal(0);
      return (
        JSON.parse(list.stdout) as { username: string; role: string; disabled: boolean }[]
      ).find((user) => user.username === 'op7');
    };
    expect(await listed()).to.include({ role: 'operator', disabled: false });
    const signedIn = () =>
      runCli(['dlq', 'show', String(id), '--unmask', '--reason', 'incident 119', '--as', 'op7'], {
        env: { ...env, HUB_OPERATOR_PASSWORD: password },
      });
    expect((await signedIn()).code).to.equal(0);

    expect((await runCli(['users', 'disable', 'op7'], { env })).code).to.equal(0);
    expect(await listed()).to.include({ disabled: true });
    const refused = await signedIn();
    expect(refused.code).to.not.equal(0);
    expect(refused.stdout).to.not.contain('見本');

    expect((await runCli(['users', 'enable', 'op7'], { env })).code).to.equal(0);
    expect((await signedIn()).code).to.equal(0);

    expect((await runCli(['users', 'remove', 'op7'], { env })).code).to.equal(0);
    expect(await listed()).to.equal(undefined);
    const gone = await runCli(['users', 'remove', 'op7'], { env });
    expect(gone.code).to.equal(1);
    expect(gone.stderr).to.contain('no user op7');
  });

  it('hub dlq replay stops cleanly on SIGINT and reports what it sent', async () => {
    const store = await openStore(dbUrl);
    try {
      const repository = createDeadLetterRepository(
        store,
        createKeyRing([Buffer.from(keyHex, 'hex')]),
      );
      for (let n = 0; n < 10; n += 1) {
        await repository.insert({
          dedupeKey: `sigint-${String(n)}`,
          messageId: `sigint-m${String(n)}`,
          messageType: 'resident.movement.recorded',
          route: 'affair-1',
          step,
          originalExchange: 'hub.events',
          originalRoutingKey: 'resident.movement.recorded',
          originalQueue: stepQueueName(step),
          reasonClass: 'connector',
          reasonJa: '送信に失敗しました',
          reasonEn: 'Delivery failed',
          detail: null,
          attempts: 5,
          headers: {},
          properties: { type: 'resident.movement.recorded' },
          payload: Buffer.from(JSON.stringify(sampleMessage('resident.movement.recorded', 10 + n))),
          correlationId: null,
          sourceSystem: 'SIGINT_TEST',
          subjectHash: null,
          firstFailedAt: null,
          deadLetteredAt: new Date(),
        });
      }
    } finally {
      await store.close();
    }
    const childEnv: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (!name.startsWith('HUB_')) childEnv[name] = value;
    }
    Object.assign(childEnv, env, { HUB_OPERATOR_PASSWORD: password, HUB_LOG_LEVEL: 'debug' });
    const probe = await rawConnection(vhost.url);
    const before = (await (await probe.createChannel()).checkQueue(stepQueueName(step)))
      .messageCount;
    await probe.close();
    const child = spawn(
      process.execPath,
      ['bin/hub.js', 'dlq', 'replay', '--source', 'SIGINT_TEST', '--as', 'op1', '--rate', '2/s'],
      { cwd: repoRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    logChild(child, 'hub dlq replay (SIGINT)');
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const connection = await rawConnection(vhost.url);
    try {
      const channel = await connection.createChannel();
      await eventually(
        async () => (await channel.checkQueue(stepQueueName(step))).messageCount >= before + 2,
        30_000,
        'the first replays',
      );
      child.kill('SIGINT');
      const code = await exited;
      expect(code, stderr).to.equal(1);
      expect(stderr).to.contain('stopping after the message in flight');
      const sent = (await channel.checkQueue(stepQueueName(step))).messageCount - before;
      expect(sent).to.be.within(2, 9);
      expect(stdout).to.match(new RegExp(`${String(sent)} published`));
      expect(stdout).to.contain(`cancelled with ${String(10 - sent)} not started`);
    } finally {
      child.kill('SIGKILL');
      await connection.close();
    }
  });
});

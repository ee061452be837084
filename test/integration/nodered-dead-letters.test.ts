/**
 * The editor's dead-letter bridge (`/editor/hub/dead-letters`) over HTTP with Node-RED tokens, against
 * a running hub (real broker, store, engine and archiver): a real dead letter (a system refused the
 * delivery) is listed and shown masked to every role, counted per route, dry-run without publishing,
 * and replayed only by an operator — the message then reaches the system and the operator log says who.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createOperatorLog } from '../../hub/audit/operator-log.js';
import { EVENTS_EXCHANGE } from '../../hub/broker/index.js';
import { deadLettersPlugin } from '../../hub/dead-letters/http.js';
import { storeCredentials } from '../../hub/http/auth.js';
import type { RunningHub } from '../../hub/main.js';
import { editorPlugin } from '../../hub/nodered/editor.js';
import { eventually, messagesLeft } from '../support/broker.js';
import { editorToken, startEditorHub, type EditorHub } from '../support/editor-hub.js';

const failingSystem = 'TOUGOU_ATENA';
const failingStep = 'affair-1.juminhyo-kankei-to-tougou-atena';
const messageType = 'resident.movement.recorded.tokutei';
const passwords = { op1: 'operator password', aud1: 'auditor password', int1: 'integrator pass' };

interface Summary {
  id: number;
  route: string | null;
  step: string | null;
  messageType: string;
  reasonClass: string;
  status: string;
  replayCount: number;
}

interface ReplayReport {
  dryRun: boolean;
  total: number;
  published: number;
  items: {
    id: number;
    status: string;
    target?: { step: string | null; description: string };
    effect?: string;
  }[];
}

describe('editor dead-letter bridge /editor/hub/dead-letters', function () {
  this.timeout(120_000);
  let editorHub: EditorHub;
  let hub: RunningHub;
  let base: string;
  let letterId = 0;
  const tokens = new Map<string, string>();
  const fixture = JSON.parse(
    readFileSync(`schemas/fixtures/${messageType}/valid-documented-my-number.json`, 'utf8'),
  ) as { data: { myNumber: string } };
  const raw = JSON.stringify(fixture.data);
  // Values of the dead letter that must never leave the bridge: the My Number, the name (kanji and
  // kana) and the street.
  const secrets = [fixture.data.myNumber, '見本', 'ミホン', '神田錦町'];

  function tokenFor(username: keyof typeof passwords): Promise<string> {
    return editorToken(hub.httpPort, username, passwords[username]);
  }

  function call(path: string, user: string | undefined, body?: unknown): Promise<Response> {
    const token = user === undefined ? undefined : tokens.get(user);
    return fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  const reachedSystem = () => editorHub.received.filter((item) => item.system === failingSystem);

  before(async () => {
    editorHub = await startEditorHub('hub-editor-dlq', [deadLettersPlugin, editorPlugin]);
    hub = editorHub.hub;
    editorHub.down.add(failingSystem);
    base = `http://127.0.0.1:${String(hub.httpPort)}/editor/hub/dead-letters`;
    const credentials = storeCredentials(hub.store, { bcryptRounds: 4 });
    await credentials.addUser('op1', passwords.op1, 'operator');
    await credentials.addUser('aud1', passwords.aud1, 'auditor');
    await credentials.addUser('int1', passwords.int1, 'integrator');
    for (const user of ['op1', 'aud1', 'int1'] as const) tokens.set(user, await tokenFor(user));

    await hub.broker.publisher.publish(EVENTS_EXCHANGE, messageType, Buffer.from(raw), {
      messageId: 'bridge-test-1',
      type: messageType,
    });
    await eventually(
      async () => {
        const row = (await hub.store
          .knex('dead_letters')
          .select('id')
          .where({ message_id: 'bridge-test-1', step: failingStep })
          .first()) as { id: number | string } | undefined;
        letterId = row === undefined ? 0 : Number(row.id);
        return letterId > 0;
      },
      30_000,
      'the refused delivery to be archived as a dead letter',
    );
  });

  after(async () => {
    await editorHub.stop();
  });

  it('answers 401 without a Node-RED token', async () => {
    expect((await call('', undefined)).status).to.equal(401);
    expect((await call('/counts', undefined)).status).to.equal(401);
    expect((await call('/replay', undefined, { ids: [letterId] })).status).to.equal(401);
  });

  it('lists and shows the letter masked to every role, never a My Number, name or address', async () => {
    for (const secret of secrets) expect(raw, 'the fixture carries the value').to.contain(secret);
    for (const user of ['aud1', 'int1', 'op1']) {
      const list = await call(`?route=affair-1&reason=connector&type=${messageType}`, user);
      expect(list.status, user).to.equal(200);
      const text = await list.text();
      const items = (JSON.parse(text) as { items: Summary[] }).items;
      expect(items.map((item) => item.id)).to.deep.equal([letterId]);
      expect(items[0]).to.include({
        route: 'affair-1',
        step: failingStep,
        messageType,
        reasonClass: 'connector',
        status: 'open',
      });
      const detail = await call(`/${String(letterId)}`, user);
      expect(detail.status, user).to.equal(200);
      const detailText = await detail.text();
      const view = JSON.parse(detailText) as { masked: boolean; body: { myNumber?: unknown } };
      expect(view.masked).to.equal(true);
      expect(view.body.myNumber).to.be.a('string');
      for (const secret of secrets) {
        expect(text.includes(secret), `list shows a personal value to ${user}`).to.equal(false);
        expect(detailText.includes(secret), `detail shows a personal value to ${user}`).to.equal(
          false,
        );
      }
    }
    const other = await call('?reason=validation', 'aud1');
    expect(((await other.json()) as { items: unknown[] }).items).to.deep.equal([]);
    const bad = await call('?reason=nonsense', 'aud1');
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).to.contain(
      'のいずれか',
    );
    const missing = await call('/999999', 'aud1');
    expect(missing.status).to.equal(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).to.equal(
      'no dead letter 999999 / デッドレター 999999 はありません',
    );
  });

  it('counts per route and per route and reason', async () => {
    const response = await call('/counts', 'aud1');
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({
      routes: [{ route: 'affair-1', count: 1 }],
      counts: [{ route: 'affair-1', reasonClass: 'connector', count: 1 }],
    });
  });

  it('says who is signed in and whether they may replay', async () => {
    const roles: Record<string, { role: string; mayReplay: boolean }> = {};
    for (const user of ['aud1', 'int1', 'op1']) {
      roles[user] = (await (await call('/me', user)).json()) as {
        role: string;
        mayReplay: boolean;
      };
    }
    expect(roles['aud1']).to.include({ role: 'auditor', mayReplay: false });
    expect(roles['int1']).to.include({ role: 'integrator', mayReplay: false });
    expect(roles['op1']).to.include({ role: 'operator', mayReplay: true });
  });

  it('a dry run (any role) reports the target and publishes nothing', async () => {
    editorHub.down.delete(failingSystem);
    const log = createOperatorLog(hub.store, hub.keyRing);
    for (const user of ['aud1', 'op1']) {
      const response = await call('/replay', user, { ids: [letterId], dryRun: true });
      expect(response.status, user).to.equal(200);
      const report = (await response.json()) as ReplayReport;
      expect(report).to.include({ dryRun: true, total: 1, published: 0 });
      expect(report.items[0]).to.include({ id: letterId, status: 'would-publish' });
      expect(report.items[0]?.target?.step).to.equal(failingStep);
      expect(report.items[0]?.effect).to.contain(`deliver to ${failingSystem}`);
    }
    // Had anything been published (confirmed before the answer), it would sit in a queue or, once
    // taken and acked, have reached the (now working) system: wait until the queues are empty.
    await eventually(
      async () => (await messagesLeft(editorHub.vhost.name)) === 0,
      20_000,
      'empty queues',
    );
    expect(reachedSystem()).to.have.length(0);
    expect(await log.list({ action: 'dead-letter.replay' })).to.have.length(0);
    const [item] = (
      (await (await call(`?status=all&route=affair-1`, 'aud1')).json()) as { items: Summary[] }
    ).items;
    expect(item).to.include({ id: letterId, status: 'open', replayCount: 0 });
  });

  it('refuses a replay by an auditor or an integrator (403, both languages)', async () => {
    for (const user of ['aud1', 'int1']) {
      const response = await call('/replay', user, { ids: [letterId] });
      expect(response.status, user).to.equal(403);
      const message = ((await response.json()) as { error: { message: string } }).error.message;
      expect(message).to.contain('needs the operator role');
      expect(message).to.contain('オペレーター権限が必要です');
    }
    const empty = await call('/replay', 'op1', { ids: [] });
    expect(empty.status).to.equal(400);
    expect(((await empty.json()) as { error: { message: string } }).error.message).to.contain(
      'デッドレター番号',
    );
    expect(reachedSystem()).to.have.length(0);
  });

  it('an operator replays: the message reaches the system, the letter is replayed, the log says who', async () => {
    const response = await call('/replay', 'op1', { ids: [letterId] });
    expect(response.status).to.equal(200);
    const report = (await response.json()) as ReplayReport;
    expect(report).to.include({ dryRun: false, total: 1, published: 1 });
    expect(report.items[0]).to.include({ id: letterId, status: 'published' });
    await eventually(() => reachedSystem().length === 1, 20_000, 'the replay to reach the system');
    expect(reachedSystem()[0]?.message.correlationId).to.equal('bridge-test-1');
    const [item] = ((await (await call('?status=replayed', 'aud1')).json()) as { items: Summary[] })
      .items;
    expect(item).to.include({ id: letterId, status: 'replayed', replayCount: 1 });
    const rows = await createOperatorLog(hub.store, hub.keyRing).list({
      action: 'dead-letter.replay',
    });
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({
      actor: 'op1',
      role: 'operator',
      target: `dead-letter:${String(letterId)}`,
    });
    expect(await createOperatorLog(hub.store, hub.keyRing).verify()).to.include({ ok: true });
  });
  it('reads the role from hub_users on every request: a change or a disable applies at once', async () => {
    const credentials = storeCredentials(hub.store, { bcryptRounds: 4 });
    await credentials.addUser('op2', 'a second operator password', 'operator');
    tokens.set('op2', await editorToken(hub.httpPort, 'op2', 'a second operator password'));
    expect(await (await call('/me', 'op2')).json()).to.include({
      role: 'operator',
      mayReplay: true,
    });

    await hub.store.knex('hub_users').where({ username: 'op2' }).update({ role: 'auditor' });
    expect(await (await call('/me', 'op2')).json()).to.include({
      role: 'auditor',
      mayReplay: false,
    });
    const refused = await call('/replay', 'op2', { ids: [letterId], dryRun: false });
    expect(refused.status).to.equal(403);

    await hub.store.knex('hub_users').where({ username: 'op2' }).update({ disabled: true });
    expect((await call('/me', 'op2')).status).to.equal(401);
  });
});

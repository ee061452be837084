import { expect } from 'chai';
import { createOperatorLog } from '../../hub/audit/operator-log.js';
import { storeCredentials } from '../../hub/http/auth.js';
import type { RunningHub } from '../../hub/main.js';
import { editorPlugin } from '../../hub/nodered/editor.js';
import { sagas } from '../../hub/store/sagas.js';
import { sampleMyNumber } from '../../schemas/sample.js';
import { validMyNumbersIn } from '../support/my-number-scan.js';
import { editorToken, startEditorHub, type EditorHub } from '../support/editor-hub.js';

/**
 * The editor's saga bridge (`/editor/hub/sagas`, the "Sagas / サガ" sidebar) over HTTP with Node-RED
 * tokens against a running hub: open cases overdue first, a case's steps, masked; an auditor looks
 * but cannot act; an operator closes with a reason, recorded in the operator log.
 */
const passwords = { op1: 'operator password', aud1: 'auditor password' };
const failed = 'feed0000-aaaa-4bbb-8ccc-dddd0000fff1';
const overdue = 'feed0000-aaaa-4bbb-8ccc-dddd0000fff2';

describe('editor saga bridge /editor/hub/sagas', function () {
  this.timeout(120_000);
  let editorHub: EditorHub;
  let hub: RunningHub;
  let base: string;
  const tokens = new Map<string, string>();

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

  before(async () => {
    editorHub = await startEditorHub('hub-editor-sagas', [editorPlugin]);
    hub = editorHub.hub;
    base = `http://127.0.0.1:${String(hub.httpPort)}/editor/hub/sagas`;
    const credentials = storeCredentials(hub.store, { bcryptRounds: 4 });
    await credentials.addUser('op1', passwords.op1, 'operator');
    await credentials.addUser('aud1', passwords.aud1, 'auditor');
    for (const user of ['op1', 'aud1'] as const)
      tokens.set(user, await editorToken(hub.httpPort, user, passwords[user]));
    const repo = sagas(hub.store);
    const at = new Date('2026-12-01T01:00:00Z');
    await repo.open(
      {
        correlationId: failed,
        kind: 'special-move-out',
        subjectKey: 'k1',
        input: { name: '見本 花子', myNumber: sampleMyNumber(6) },
      },
      at,
    );
    await repo.open(
      { correlationId: overdue, kind: 'special-move-in', subjectKey: 'k2', input: {} },
      new Date(at.getTime() + 1000),
    );
    const [first, second] = await repo.claimRunnable('test', 60_000, 10, at);
    if (first === undefined || second === undefined) throw new Error('not claimed');
    await repo.recordFailure(
      first.id,
      'test',
      { en: 'HTTP 404 (refused)', ja: '拒否されました', final: true, retryAt: at },
      at,
    );
    await repo.wait(second.id, 'test', 0, 'accept', '2026-11-20', at);
    await repo.markOverdue('2026-12-01', at);
  });
  after(async () => {
    await editorHub.stop();
  });

  it('lists overdue first, shows a case masked; an auditor cannot act; an operator closes, recorded', async () => {
    expect((await call('', undefined)).status).to.equal(401);
    const listed = await call('', 'aud1');
    expect(listed.status).to.equal(200);
    const list = (await listed.json()) as {
      items: { correlationId: string; overdue: boolean }[];
      mayAct: boolean;
    };
    expect(list.mayAct).to.equal(false);
    expect(list.items.map((item) => [item.correlationId, item.overdue])).to.deep.equal([
      [overdue, true],
      [failed, false],
    ]);

    const shown = await call(`/${failed}`, 'aud1');
    const text = await shown.text();
    expect(shown.status).to.equal(200);
    expect(text).to.contain('send-certificate');
    expect(text).not.to.contain('見本');
    expect(validMyNumbersIn(text)).to.deep.equal([]);

    expect((await call(`/${overdue}/close`, 'aud1', { reason: 'no' })).status).to.equal(403);
    expect((await call(`/${overdue}/close`, 'op1', {})).status).to.equal(400);
    const closed = await call(`/${overdue}/close`, 'op1', { reason: 'paper route' });
    expect(closed.status).to.equal(200);
    expect(((await closed.json()) as { state: string }).state).to.equal('CLOSED');
    const retried = await call(`/${failed}/retry`, 'op1', {});
    expect(retried.status).to.equal(200);

    const rows = (await createOperatorLog(hub.store, hub.keyRing).list()).filter((row) =>
      row.action.startsWith('saga.'),
    );
    expect(rows.map((row) => [row.action, row.actor, row.target, row.reason])).to.deep.equal([
      ['saga.close', 'op1', overdue, 'paper route'],
      ['saga.retry', 'op1', failed, null],
    ]);
    // The sidebar module is among the editor's plugins.
    const plugins = await fetch(`http://127.0.0.1:${String(hub.httpPort)}/editor/plugins`, {
      headers: { Accept: 'application/json', Authorization: `Bearer ${tokens.get('op1') ?? ''}` },
    });
    expect(await plugins.text()).to.contain('hub-sagas');
  });
});

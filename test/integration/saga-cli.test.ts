import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOperatorLog } from '../../hub/audit/operator-log.js';
import { createKeyRing } from '../../hub/security/keys.js';
import { openStore } from '../../hub/store/index.js';
import { sagas } from '../../hub/store/sagas.js';
import { sampleMyNumber } from '../../schemas/sample.js';
import { validMyNumbersIn } from '../support/my-number-scan.js';
import { runCli } from '../support/run-cli.js';

const password = 'correct horse battery';

describe('hub sagas list, show, retry and close (CLI)', function () {
  this.timeout(120_000);
  let env: Record<string, string>;
  let dbUrl: string;
  let keyHex: string;
  const failed = 'c0ffee00-aaaa-4bbb-8ccc-dddd0000eee1';
  const overdue = 'c0ffee00-aaaa-4bbb-8ccc-dddd0000eee2';

  before(async () => {
    keyHex = randomBytes(32).toString('hex');
    const dir = mkdtempSync(join(tmpdir(), 'hub-saga-cli-'));
    dbUrl = `sqlite:${join(dir, 'hub.sqlite')}`;
    env = { HUB_DB_URL: dbUrl, HUB_SECRET_KEY: keyHex, HUB_DATA_DIR: dir };
    const store = await openStore(dbUrl);
    try {
      const repo = sagas(store);
      const at = new Date('2026-12-01T01:00:00Z');
      const input = {
        correlationId: failed,
        cardHolderJuminhyoCode: '12345678901',
        name: '見本 花子',
        myNumber: sampleMyNumber(5),
      };
      // The failed case opens first; the overdue one after it must still be listed first.
      await repo.open(
        { correlationId: failed, kind: 'special-move-out', subjectKey: 'k1', input },
        at,
      );
      await repo.open(
        {
          correlationId: overdue,
          kind: 'special-move-in',
          subjectKey: 'k2',
          input: { correlationId: overdue },
        },
        new Date(at.getTime() + 1000),
      );
      const claimed = await repo.claimRunnable('test', 60_000, 10, at);
      const [first, second] = claimed;
      if (first === undefined || second === undefined) throw new Error('not claimed');
      await repo.recordStep(
        first.id,
        'test',
        0,
        'accept-request',
        { state: 'RUNNING', stepIndex: 1 },
        at,
      );
      await repo.recordFailure(
        first.id,
        'test',
        { en: 'HTTP 404 (refused)', ja: '拒否されました', final: true, retryAt: at },
        at,
      );
      await repo.recordStep(second.id, 'test', 0, 'accept', { state: 'RUNNING', stepIndex: 1 }, at);
      await repo.recordStep(
        second.id,
        'test',
        1,
        'request-certificate',
        {
          state: 'WAITING',
          stepIndex: 2,
          waitingFor: 'receive-certificate',
          dueOn: '2026-11-20',
        },
        at,
      );
      await repo.markOverdue('2026-12-01', at);
    } finally {
      await store.close();
    }
    for (const [user, role] of [
      ['op1', 'operator'],
      ['au1', 'auditor'],
    ]) {
      const added = await runCli(
        ['users', 'add', user ?? '', '--role', role ?? '', '--password-stdin'],
        {
          env,
          input: `${password}\n`,
        },
      );
      expect(added.code, added.stderr).to.equal(0);
    }
  });

  it('lists overdue first, shows steps masked, retries and closes as an operator, recorded', async () => {
    const list = await runCli(['sagas', 'list', '--json'], { env });
    expect(list.code, list.stderr).to.equal(0);
    const rows = list.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((row) => [row['correlationId'], row['state'], row['overdue']])).to.deep.equal([
      [overdue, 'WAITING', true],
      [failed, 'FAILED', false],
    ]);
    expect(rows[0]?.['waitingFor']).to.equal('special-move-in.certificate-info.received');
    expect(rows[0]?.['stepNo']).to.equal(3);
    expect(rows[0]?.['steps']).to.equal(11);

    const table = await runCli(['sagas', 'list'], { env });
    expect(table.stdout).to.contain('WAITING,OVERDUE');
    expect(table.stdout).to.contain('2 saga(s)');

    const shown = await runCli(['sagas', 'show', failed], { env });
    expect(shown.code, shown.stderr).to.equal(0);
    expect(shown.stdout).to.contain('FAILED');
    expect(shown.stdout).to.contain('HTTP 404 (refused)');
    expect(shown.stdout).to.match(
      /1\s+accept-request\s+JUKINET_CS\s+DONE\s+2026-12-01T01:00:00.000Z/,
    );
    expect(shown.stdout).to.match(/2\s+send-certificate\s+JUKINET_CS\s+CURRENT/);
    expect(shown.stdout).not.to.contain('見本');
    expect(validMyNumbersIn(shown.stdout)).to.deep.equal([]);

    const unsigned = await runCli(['sagas', 'retry', failed], { env });
    expect(unsigned.code).to.equal(2);
    expect(unsigned.stderr).to.contain('--as');
    const auditor = await runCli(['sagas', 'retry', failed, '--as', 'au1'], {
      env: { ...env, HUB_OPERATOR_PASSWORD: password },
    });
    expect(auditor.code).to.equal(1);
    expect(auditor.stderr).to.contain('監査者');
    const retried = await runCli(
      ['sagas', 'retry', failed, '--as', 'op1', '--reason', 'registry fixed'],
      {
        env: { ...env, HUB_OPERATOR_PASSWORD: password },
      },
    );
    expect(retried.code, retried.stderr).to.equal(0);
    expect(retried.stdout).to.contain('RUNNING');

    const noReason = await runCli(['sagas', 'close', overdue, '--as', 'op1'], {
      env: { ...env, HUB_OPERATOR_PASSWORD: password },
    });
    expect(noReason.code).to.equal(2);
    expect(noReason.stderr).to.contain('--reason');
    const closed = await runCli(
      ['sagas', 'close', overdue, '--as', 'op1', '--reason', 'resident chose the paper route'],
      { env: { ...env, HUB_OPERATOR_PASSWORD: password } },
    );
    expect(closed.code, closed.stderr).to.equal(0);
    const again = await runCli(['sagas', 'close', overdue, '--as', 'op1', '--reason', 'twice'], {
      env: { ...env, HUB_OPERATOR_PASSWORD: password },
    });
    expect(again.code).to.equal(1);

    const store = await openStore(dbUrl);
    try {
      const repo = sagas(store);
      expect((await repo.get(failed))?.state).to.equal('RUNNING');
      expect((await repo.get(overdue))?.state).to.equal('CLOSED');
      expect((await repo.get(overdue))?.closedReason).to.equal('resident chose the paper route');
      const log = createOperatorLog(store, createKeyRing([Buffer.from(keyHex, 'hex')]));
      const actions = (await log.list()).filter((row) => row.action.startsWith('saga.'));
      expect(actions.map((row) => [row.action, row.actor, row.target, row.reason])).to.deep.equal([
        ['saga.retry', 'op1', failed, 'registry fixed'],
        ['saga.close', 'op1', overdue, 'resident chose the paper route'],
      ]);
      expect((await log.verify()).ok).to.equal(true);
    } finally {
      await store.close();
    }
    const after = await runCli(['sagas', 'list', '--json'], { env });
    expect(
      after.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { correlationId: string }).correlationId),
    ).to.deep.equal([failed]);
  });
});

/**
 * The operator's view of dead letters (issue 24, item 9): a bad message refused by every step bound
 * to its type is one row of `hub dlq list`, naming its steps; a file-drop letter shows its file, the
 * record's number and line, and the layout (`hub dlq show`).
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stepQueueName } from '../../hub/broker/index.js';
import { createDeadLetterRepository, type NewDeadLetter } from '../../hub/store/dead-letters.js';
import { createKeyRing } from '../../hub/security/keys.js';
import { openStore } from '../../hub/store/index.js';
import { runCli } from '../support/run-cli.js';

function letter(overrides: Partial<NewDeadLetter> & { dedupeKey: string }): NewDeadLetter {
  const step = overrides.step ?? 'affair-1.one';
  return {
    messageId: 'bad-1',
    messageType: 'resident.movement.recorded',
    route: 'affair-1',
    step,
    originalExchange: 'hub.events',
    originalRoutingKey: 'resident.movement.recorded',
    originalQueue: stepQueueName(step),
    reasonClass: 'validation',
    reasonJa: '電文がスキーマに合いません',
    reasonEn: 'The message does not match its schema',
    detail: 'HUB_VALIDATION /lgCode required',
    attempts: 1,
    headers: {},
    properties: { type: 'resident.movement.recorded' },
    payload: Buffer.from('{"lgCode":1}'),
    correlationId: null,
    sourceSystem: 'KIZON_JUKI',
    subjectHash: null,
    firstFailedAt: new Date(),
    deadLetteredAt: new Date(),
    ...overrides,
  };
}

describe('hub dlq: one row per bad message, file-drop letters say where they came from', function () {
  this.timeout(60_000);

  it('groups the letters of one message and shows a file letter’s file, record, line and layout', async () => {
    const keyHex = randomBytes(32).toString('hex');
    const dir = mkdtempSync(join(tmpdir(), 'hub-dlq-grouped-'));
    const dbUrl = `sqlite:${join(dir, 'hub.sqlite')}`;
    const env = { HUB_DB_URL: dbUrl, HUB_SECRET_KEY: keyHex, HUB_DATA_DIR: dir };
    const store = await openStore(dbUrl);
    let fileLetter: number;
    try {
      const repository = createDeadLetterRepository(
        store,
        createKeyRing([Buffer.from(keyHex, 'hex')]),
      );
      // One bad AMQP message, refused by the three steps bound to its type.
      for (const step of ['affair-1.one', 'affair-1.two', 'affair-1.three']) {
        await repository.insert(letter({ dedupeKey: `bad-1-${step}`, step }));
      }
      ({ id: fileLetter } = await repository.insert(
        letter({
          dedupeKey: 'file-1',
          messageId: 'file-record-1',
          step: null,
          route: null,
          originalQueue: null,
          headers: {
            'x-hub-source': 'file',
            'x-hub-file-name': 'kizon-movement-csv_20261203.csv',
            'x-hub-file-line': 3,
            'x-hub-file-record': 2,
            'x-hub-file-layout': 'kizon-movement-csv',
          },
        }),
      ));
    } finally {
      await store.close();
    }

    const list = await runCli(['dlq', 'list'], { env });
    expect(list.code, list.stderr).to.equal(0);
    const rows = list.stdout
      .split('\n')
      .filter((line) => line.includes('resident.movement.recorded'));
    expect(rows).to.have.length(2);
    const grouped = rows.find((line) => line.includes('affair-1.one'));
    expect(grouped).to.contain('affair-1.one,affair-1.two,affair-1.three');
    expect(list.stdout).to.contain('4 dead letter(s) of 2 message(s)');
    // --json keeps one line per letter (what scripts read).
    const json = await runCli(['dlq', 'list', '--json'], { env });
    expect(json.stdout.trim().split('\n')).to.have.length(4);

    const shown = await runCli(['dlq', 'show', String(fileLetter)], { env });
    expect(shown.code, shown.stderr).to.equal(0);
    const fileLine = shown.stdout.split('\n').find((line) => line.startsWith('file / ファイル'));
    expect(fileLine).to.contain('kizon-movement-csv_20261203.csv');
    expect(fileLine).to.contain('record 2');
    expect(fileLine).to.contain('line 3');
    expect(fileLine).to.contain('layout kizon-movement-csv');
  });
});

import { expect } from 'chai';
import express from 'express';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deadLetterRouter } from '../../hub/dead-letters/http.js';
import { createDeadLetterService, type DeadLetterService } from '../../hub/dead-letters/service.js';
import { storeCredentials } from '../../hub/http/auth.js';
import { createKeyRing } from '../../hub/security/keys.js';
import { sampleMyNumber } from '../../schemas/sample.js';
import { testCatalogue } from '../support/catalogue.js';
import { withStores } from '../support/db.js';

import { validMyNumbersIn as validWindows } from '../support/my-number-scan.js';

const password = 'correct horse battery';

function basic(user: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('HTTP /api/dead-letters', function () {
  this.timeout(60_000);
  withStores(({ openFreshStore }) => {
    let server: Server;
    let base: string;
    let service: DeadLetterService;
    let id: number;
    const myNumber = sampleMyNumber(777);

    beforeEach(async () => {
      const store = await openFreshStore();
      const credentials = storeCredentials(store, { bcryptRounds: 4 });
      await credentials.addUser('op1', password, 'operator');
      await credentials.addUser('aud1', password, 'auditor');
      await credentials.addUser('int1', password, 'integrator');
      service = createDeadLetterService({
        store: store,
        keyRing: createKeyRing([randomBytes(32)]),
        replay: { catalogue: testCatalogue() },
      });
      ({ id } = await service.repository.insert({
        dedupeKey: 'k1',
        messageId: 'm1',
        messageType: 'test.item.recorded',
        route: 'test',
        step: 'test.deliver',
        originalExchange: 'hub.events',
        originalRoutingKey: 'test.item.recorded',
        originalQueue: 'hub.step.test.deliver',
        reasonClass: 'policy',
        reasonJa: '個人番号が含まれています',
        reasonEn: 'carries a My Number',
        detail: 'HUB_POLICY_VIOLATION',
        attempts: 1,
        headers: {},
        properties: { type: 'test.item.recorded' },
        payload: Buffer.from(JSON.stringify({ subject: 's', seq: 1, value: 1, note: myNumber })),
        correlationId: 'c1',
        sourceSystem: 'KIZON_JUKI',
        subjectHash: null,
        firstFailedAt: new Date(),
        deadLetteredAt: new Date(),
      }));
      const app = express();
      app.use('/api/dead-letters', deadLetterRouter(service, credentials));
      server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/api/dead-letters`;
    });

    afterEach(() => {
      server.close();
    });

    const call = (path: string, user: string | undefined, body?: unknown) =>
      fetch(`${base}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          ...(user === undefined ? {} : { authorization: basic(user) }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    it('answers 401 without sign-in; every role lists and reads masked', async () => {
      expect((await call('', undefined)).status).to.equal(401);
      for (const user of ['aud1', 'int1', 'op1']) {
        const list = (await (await call('?reason=policy&source=KIZON_JUKI', user)).json()) as {
          items: { id: number }[];
        };
        expect(
          list.items.map((item) => item.id),
          user,
        ).to.deep.equal([id]);
        const response = await call(`/${String(id)}`, user);
        expect(response.status).to.equal(200);
        const text = await response.text();
        expect(text).not.to.contain(myNumber);
        expect(text).to.contain('[個人番号]');
      }
      const counts = (await (await call('/counts', 'aud1')).json()) as { counts: unknown[] };
      expect(counts.counts).to.deep.equal([{ route: 'test', reasonClass: 'policy', count: 1 }]);
    });

    it('unmasks only for an operator with a reason, and records it', async () => {
      expect(
        (await call(`/${String(id)}/unmask`, 'aud1', { reason: 'audit check' })).status,
      ).to.equal(403);
      expect(
        (await call(`/${String(id)}/unmask`, 'int1', { reason: 'audit check' })).status,
      ).to.equal(403);
      const noReason = await call(`/${String(id)}/unmask`, 'op1', {});
      expect(noReason.status).to.equal(400);
      expect(((await noReason.json()) as { error: { message: string } }).error.message).to.contain(
        '理由',
      );
      expect(await service.operatorLog.list()).to.have.length(0);
      const ok = await call(`/${String(id)}/unmask`, 'op1', { reason: 'incident 118' });
      expect(ok.status).to.equal(200);
      expect(((await ok.json()) as { body: { note: string } }).body.note).to.equal(myNumber);
      const [row] = await service.operatorLog.list();
      expect(row).to.include({
        actor: 'op1',
        action: 'dead-letter.unmask',
        reason: 'incident 118',
      });
    });

    it('dry-runs for any role, replays and purges only as an operator', async () => {
      const dry = await call('/replay', 'aud1', { ids: [id], dryRun: true });
      expect(dry.status).to.equal(200);
      const report = (await dry.json()) as { items: { status: string }[] };
      // The note carries a My Number but the schema allows any string: validation passes.
      expect(report.items.map((item) => item.status)).to.deep.equal(['would-publish']);
      expect((await call('/replay', 'aud1', { ids: [id] })).status).to.equal(403);
      const badTarget = await call('/replay', 'op1', { ids: [id], to: 'nowhere' });
      expect(badTarget.status).to.equal(400);
      expect(((await badTarget.json()) as { error: { message: string } }).error.message).to.contain(
        'unknown target "nowhere"',
      );
      expect((await call('/purge', 'int1', { olderThanDays: 0 })).status).to.equal(403);
      const purged = await call('/purge', 'op1', { olderThanDays: 0, reason: 'retention test' });
      expect(purged.status).to.equal(200);
      expect(await purged.json()).to.deep.equal({ purged: 1, ids: [id] });
      const [row] = await service.operatorLog.list({ action: 'dead-letter.purge' });
      expect(JSON.parse(row!.detailJson!)).to.include({ count: 1 });
      expect((await service.operatorLog.verify()).ok).to.equal(true);
    });

    it('masks everywhere in lists, counts, details and refusals: values, keys, type, reasons, properties, correlation id; the body hash is keyed', async () => {
      const n = '621498320257';
      const payload = Buffer.from(JSON.stringify({ note: 'x' }));
      const { id: leaky } = await service.repository.insert({
        dedupeKey: 'k-leaky',
        messageId: `m-${n}`,
        messageType: `test.item.${n}`,
        route: 'test',
        step: 'test.deliver',
        originalExchange: 'hub.events',
        originalRoutingKey: `test.item.${n}`,
        originalQueue: 'hub.step.test.deliver',
        reasonClass: 'validation',
        reasonJa: `プロパティ ${n} は許されません`,
        reasonEn: `must NOT have additional property '${n}'`,
        detail: `HUB_SCHEMA_INVALID /${n}`,
        attempts: 1,
        headers: { [`x-${n}`]: n, nested: { [n]: [n] } },
        properties: { type: `test.item.${n}`, correlationId: n, appId: `app-${n}` },
        payload,
        correlationId: n,
        sourceSystem: 'KIZON_JUKI',
        subjectHash: null,
        firstFailedAt: new Date(),
        deadLetteredAt: new Date(),
      });
      // A plain SHA-256 of a short body is a guessable fingerprint of what is in it.
      const plainSha = (await import('node:crypto'))
        .createHash('sha256')
        .update(payload)
        .digest('hex');
      for (const user of ['aud1', 'op1']) {
        for (const path of ['', '?status=all', `/${String(leaky)}`, '/counts']) {
          const text = await (await call(path, user)).text();
          expect(validWindows(text), `${user} GET ${path}`).to.deep.equal([]);
          expect(text).not.to.contain(plainSha);
        }
      }
      const detail = (await (await call(`/${String(leaky)}`, 'aud1')).json()) as {
        bodyHash: string;
        letter: { headers: Record<string, unknown> };
      };
      expect(detail.bodyHash).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(Object.keys(detail.letter.headers)).to.include('x-[個人番号]');
      // A refusal that names its target masks it.
      const refused = await call('/replay', 'op1', { ids: [leaky], to: `step:${n}` });
      expect(refused.status).to.equal(400);
      expect(validWindows(await refused.text())).to.deep.equal([]);
    });
  });
});

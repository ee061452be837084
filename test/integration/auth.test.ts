import { expect } from 'chai';
import express from 'express';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  authenticate,
  requireRole,
  requireSystem,
  storeCredentials,
  type Credentials,
} from '../../hub/http/auth.js';
import { withStores } from '../support/db.js';

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('HTTP authentication and roles', function () {
  this.timeout(60_000);
  withStores(({ openFreshStore }) => {
    let server: Server;
    let base: string;
    let credentials: Credentials;

    beforeEach(async () => {
      const store = await openFreshStore();
      credentials = storeCredentials(store.knex, { bcryptRounds: 4 });
      await credentials.addUser('op1', 'correct horse battery', 'operator');
      await credentials.addUser('aud1', 'correct horse battery', 'auditor');
      const app = express();
      app.use(authenticate(credentials));
      app.get('/api/ops', requireRole('operator'), (_req, res) => res.json({ ok: true }));
      app.post('/api/ingest', requireSystem(['KIZON_JUKI']), (_req, res) => res.json({ ok: true }));
      server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    });

    afterEach(() => {
      server.close();
    });

    it('answers 401 without credentials, with a wrong password and with an unknown token', async () => {
      for (const authorization of [
        undefined,
        basic('op1', 'wrong password!!'),
        basic('nobody', 'x'),
        'Bearer hub_nope',
      ]) {
        const response = await fetch(`${base}/api/ops`, {
          headers: authorization === undefined ? {} : { authorization },
        });
        expect(response.status, String(authorization)).to.equal(401);
        expect(response.headers.get('www-authenticate')).to.include('Basic');
      }
    });

    it('answers 403 to a signed-in user without the role, 200 with it', async () => {
      expect(
        (
          await fetch(`${base}/api/ops`, {
            headers: { authorization: basic('aud1', 'correct horse battery') },
          })
        ).status,
      ).to.equal(403);
      expect(
        (
          await fetch(`${base}/api/ops`, {
            headers: { authorization: basic('op1', 'correct horse battery') },
          })
        ).status,
      ).to.equal(200);
    });

    it('takes a system token for ingest only for its own system, and never after revocation', async () => {
      const juki = await credentials.addToken('KIZON_JUKI');
      const other = await credentials.addToken('KOSEKI');
      const post = (token: string) =>
        fetch(`${base}/api/ingest`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
        });
      expect((await post(juki.token)).status).to.equal(200);
      expect((await post(other.token)).status).to.equal(403);
      expect(
        (await fetch(`${base}/api/ops`, { headers: { authorization: `Bearer ${juki.token}` } }))
          .status,
      ).to.equal(403);
      expect(await credentials.revokeToken(juki.tokenId)).to.equal(true);
      expect((await post(juki.token)).status).to.equal(401);
    });

    it('refuses a short password', async () => {
      let caught: unknown;
      try {
        await credentials.addUser('x', 'short', 'auditor');
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(RangeError);
    });
  });
});

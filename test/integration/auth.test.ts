import bcrypt from 'bcryptjs';
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
import { sharedPasswordPool, type PasswordHasher } from '../../hub/security/passwords.js';
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
    let knex: import('knex').Knex;
    /** The hashes each password check compared against (to see what an unknown user costs). */
    const compared: string[] = [];
    const recording: PasswordHasher = {
      compare(password, hash) {
        compared.push(hash);
        return sharedPasswordPool().compare(password, hash);
      },
      hash: (password, rounds) => sharedPasswordPool().hash(password, rounds),
    };

    beforeEach(async () => {
      const store = await openFreshStore();
      knex = store.knex;
      compared.length = 0;
      credentials = storeCredentials(store, {
        bcryptRounds: 4,
        hasher: recording,
        limits: { clientBurst: 5, userBurst: 8 },
      });
      await credentials.addUser('op1', 'correct horse battery', 'operator');
      await credentials.addUser('aud1', 'correct horse battery', 'auditor');
      const app = express();
      // The tests play several clients over loopback through X-Forwarded-For.
      app.set('trust proxy', 'loopback');
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

    const from = (client: string, user: string, password: string) =>
      fetch(`${base}/api/ops`, {
        headers: { authorization: basic(user, password), 'x-forwarded-for': client },
      });

    it('checks an unknown user against a hash of the same cost as a known one (no enumeration by timing)', async () => {
      expect((await from('192.0.2.1', 'op1', 'wrong password!!')).status).to.equal(401);
      expect((await from('192.0.2.1', 'no-such-user', 'wrong password!!')).status).to.equal(401);
      expect(compared).to.have.length(2);
      const [known = '', unknown = ''] = compared;
      expect(unknown).to.not.equal(known);
      expect(bcrypt.getRounds(unknown)).to.equal(bcrypt.getRounds(known));
    });

    it('answers 429 with Retry-After to a client over its limit, and still lets the right password in from another client', async () => {
      const statuses: number[] = [];
      let limited: Response | undefined;
      for (let attempt = 0; attempt < 8; attempt += 1) {
        const response = await from('203.0.113.5', 'op1', `guess ${String(attempt)} xxxxxxx`);
        statuses.push(response.status);
        if (response.status === 429) limited = response;
      }
      expect(statuses).to.deep.equal([401, 401, 401, 401, 401, 429, 429, 429]);
      expect(Number(limited?.headers.get('retry-after'))).to.be.within(1, 60);
      const body = (await limited?.json()) as { error: { code: string; message: string } };
      expect(body.error.code).to.equal('too_many_attempts');
      expect(body.error.message).to.match(/Too many sign-in attempts/);
      expect(body.error.message).to.match(/試行が多すぎます/);
      // Even the right password waits on the limited client ...
      expect((await from('203.0.113.5', 'op1', 'correct horse battery')).status).to.equal(429);
      // ... but the user, from their own client, is not locked out by someone else's failures.
      expect((await from('198.51.100.7', 'op1', 'correct horse battery')).status).to.equal(200);
    });

    it('slows down a guess spread over many clients per user, except for a client the user signed in from', async () => {
      expect((await from('198.51.100.7', 'op1', 'correct horse battery')).status).to.equal(200);
      const statuses: number[] = [];
      for (let client = 1; client <= 10; client += 1) {
        statuses.push(
          (await from(`203.0.113.${String(client)}`, 'op1', 'a guess xxxxxxxx')).status,
        );
      }
      // userBurst 8: eight guesses are checked, then the user name is held for unknown clients.
      expect(statuses.filter((status) => status === 401)).to.have.length(8);
      expect(statuses.slice(8)).to.deep.equal([429, 429]);
      expect((await from('203.0.113.99', 'op1', 'correct horse battery')).status).to.equal(429);
      // The client the user signed in from before is not held by the per-user limit.
      expect((await from('198.51.100.7', 'op1', 'correct horse battery')).status).to.equal(200);
      // Another user name is not affected.
      expect((await from('203.0.113.99', 'aud1', 'correct horse battery')).status).to.equal(403);
    });

    it('stops remembering a verified password when the password changes', async () => {
      expect((await from('198.51.100.7', 'op1', 'correct horse battery')).status).to.equal(200);
      expect((await from('198.51.100.7', 'op1', 'correct horse battery')).status).to.equal(200);
      expect(compared).to.have.length(1);
      await credentials.addUser('op1', 'another long password', 'operator');
      expect((await from('198.51.100.7', 'op1', 'correct horse battery')).status).to.equal(401);
      expect((await from('198.51.100.7', 'op1', 'another long password')).status).to.equal(200);
      await knex('hub_users').where({ username: 'op1' }).update({ disabled: true });
      expect((await from('198.51.100.7', 'op1', 'another long password')).status).to.equal(401);
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

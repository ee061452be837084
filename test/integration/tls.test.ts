import { expect } from 'chai';
import { createBroker, probeBroker, BrokerUnreachableError } from '../../hub/broker/index.js';
import { loadConfig } from '../../hub/config.js';
import { ConfigError } from '../../hub/errors.js';
import { openStore, StoreUnavailableError } from '../../hub/store/index.js';
import { createVhost, type TestVhost } from '../support/broker.js';
import { createPki, startTlsMariadb, tlsTerminator, type TestPki } from '../support/tls.js';
import { freePort } from '../support/net.js';

describe('TLS to the broker and the database (local TLS listeners)', function () {
  this.timeout(120_000);
  let pki: TestPki;
  let otherPki: TestPki;

  before(async () => {
    pki = await createPki();
    otherPki = await createPki();
  });

  after(() => {
    pki.remove();
    otherPki.remove();
  });

  describe('AMQP over TLS (amqps://)', () => {
    let vhost: TestVhost;
    let terminator: { port: number; close(): void };

    before(async () => {
      vhost = await createVhost('hub-tls');
      terminator = await tlsTerminator(pki, 5672);
    });

    after(async () => {
      terminator.close();
      await vhost.delete();
    });

    const url = () =>
      `amqps://guest:guest@localhost:${String(terminator.port)}/${encodeURIComponent(vhost.name)}`;

    it('connects, declares the topology and publishes with confirms when the CA is trusted', async () => {
      const broker = createBroker({ url: url(), name: 'hub-tls-test', tls: { ca: pki.ca } });
      await broker.start();
      try {
        await broker.declare({
          exchanges: [{ name: 'hub.events', type: 'topic' }],
          queues: [{ name: 'tls.q', arguments: { 'x-queue-type': 'quorum' } }],
          bindings: [{ exchange: 'hub.events', queue: 'tls.q', routingKey: 'tls.check' }],
        });
        await broker.publisher.publish('hub.events', 'tls.check', Buffer.from('{}'), {
          messageId: 'tls-1',
          type: 'tls.check',
        });
        expect(broker.isConnected()).to.equal(true);
      } finally {
        await broker.close();
      }
      expect((await probeBroker(url(), 5_000, { ca: pki.ca })).ok).to.equal(true);
    });

    it('refuses a broker whose certificate it cannot verify', async () => {
      const broker = createBroker({ url: url(), name: 'hub-tls-test', tls: { ca: otherPki.ca } });
      let caught: unknown;
      try {
        await broker.start();
      } catch (error) {
        caught = error;
      } finally {
        await broker.close();
      }
      expect(caught).to.be.instanceOf(BrokerUnreachableError);
      expect((caught as Error).message).to.include('amqps://guest:***@localhost');
    });
  });

  describe('MySQL/MariaDB over TLS', () => {
    let port: number;
    let server: { stop(): Promise<void> };

    before(async () => {
      port = await freePort();
      server = await startTlsMariadb(pki, port);
    });

    after(async () => {
      await server.stop();
    });

    it('opens the store over TLS, verified against the CA, and the session is encrypted', async () => {
      const store = await openStore(`mysql://root@127.0.0.1:${String(port)}/hub_tls`, {
        tls: { ca: pki.ca },
      });
      try {
        const [rows] = (await store.knex.raw("SHOW SESSION STATUS LIKE 'Ssl_cipher'")) as [
          { Value: string }[],
        ];
        expect(rows[0]?.Value).to.match(/^TLS_/);
        expect(await store.migrate()).to.deep.equal([]);
      } finally {
        await store.close();
      }
    });

    it('refuses a database server whose certificate it cannot verify', async () => {
      let caught: unknown;
      try {
        const store = await openStore(`mysql://root@127.0.0.1:${String(port)}/hub_tls`, {
          tls: { ca: otherPki.ca },
        });
        await store.close();
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(StoreUnavailableError);
      expect((caught as Error).message).to.include(`127.0.0.1:${String(port)}`);
    });
  });

  it('names the variable when a TLS file does not exist', () => {
    expect(() => loadConfig({ HUB_DB_CA_FILE: '/nonexistent/ca.pem' })).to.throw(
      ConfigError,
      /HUB_DB_CA_FILE/,
    );
    expect(() => loadConfig({ HUB_AMQP_CERT_FILE: pki.certFile })).to.throw(
      ConfigError,
      /HUB_AMQP_CERT_FILE/,
    );
  });
});

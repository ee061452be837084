import { expect } from 'chai';
import { Registry } from 'prom-client';
import { loadConfig } from '../../hub/config.js';
import { ConfigError } from '../../hub/errors.js';
import { createHttpServer, type HttpServer } from '../../hub/http/server.js';
import type { DependencyStatus } from '../../hub/main.js';
import { createMetrics } from '../../hub/metrics.js';

describe('hub HTTP server', () => {
  let dependencies: DependencyStatus[];
  let readinessFails: boolean;
  let http: HttpServer;
  let base: string;

  before(async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.consumed.inc({ step: 'affair-1.movement' });
    http = await createHttpServer({
      port: 0,
      host: '127.0.0.1',
      metrics: metrics.registry,
      readinessTimeoutMs: 500,
      readiness: () =>
        readinessFails
          ? Promise.reject(new Error('store pool exhausted'))
          : Promise.resolve(dependencies),
    });
    base = `http://127.0.0.1:${http.port}`;
  });

  beforeEach(() => {
    readinessFails = false;
    dependencies = [
      { name: 'broker', ok: true, detail: 'amqp://guest:***@127.0.0.1:5672' },
      { name: 'store', ok: true, detail: 'sqlite:/tmp/hub.sqlite' },
    ];
  });

  after(async () => {
    await http.close();
  });

  it('listens on the real port when asked for port 0', () => {
    expect(http.port).to.be.greaterThan(0);
  });

  it('answers /healthz with 200 while the process is alive', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ status: 'ok' });
    expect(response.headers.get('x-powered-by')).to.equal(null);
  });

  it('answers /readyz with 200 when every dependency is ready', async () => {
    const response = await fetch(`${base}/readyz`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ status: 'ready', dependencies });
  });

  it('answers /readyz with 503 listing which dependency is not ready', async () => {
    dependencies = [
      { name: 'broker', ok: false, detail: 'cannot connect to amqp://guest:***@127.0.0.1:1' },
      { name: 'store', ok: true, detail: 'sqlite' },
    ];
    const response = await fetch(`${base}/readyz`);
    expect(response.status).to.equal(503);
    const body = (await response.json()) as { status: string; dependencies: DependencyStatus[] };
    expect(body.status).to.equal('not ready');
    expect(body.dependencies.map((dependency) => [dependency.name, dependency.ok])).to.deep.equal([
      ['broker', false],
      ['store', true],
    ]);
    expect(body.dependencies[0]!.detail).to.contain('127.0.0.1:1');
  });

  it('answers /readyz with 503 when the readiness check itself fails', async () => {
    readinessFails = true;
    const response = await fetch(`${base}/readyz`);
    expect(response.status).to.equal(503);
    const body = (await response.json()) as { status: string };
    expect(body.status).to.equal('not ready');
  });

  it('serves Prometheus text with the hub_ metrics on /metrics', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal(new Registry().contentType);
    const text = await response.text();
    expect(text).to.contain('# TYPE hub_messages_consumed_total counter');
    expect(text).to.contain('hub_messages_consumed_total{step="affair-1.movement"} 1');
  });

  it('answers an unknown path with 404 JSON', async () => {
    const response = await fetch(`${base}/no/such/path`);
    expect(response.status).to.equal(404);
    expect(response.headers.get('content-type')).to.match(/^application\/json/);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).to.equal('not_found');
  });

  it('keeps 404 and errors last for routes mounted after start, and never echoes a body', async () => {
    const { default: express } = await import('express');
    http.app.post('/api/echo-test', express.json(), (_req, res) => {
      res.json({ ok: true });
    });
    const mounted = await fetch(`${base}/api/echo-test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"ok": true}',
    });
    expect(mounted.status).to.equal(200);

    const secret = '{"myNumber": "123456789018", broken';
    const response = await fetch(`${base}/api/echo-test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: secret,
    });
    expect(response.status).to.equal(400);
    const text = await response.text();
    expect(text).not.to.contain('123456789018');
    expect(text).not.to.contain('broken');
    expect((JSON.parse(text) as { error: { code: string } }).error.code).to.equal(
      'entity.parse.failed',
    );
  });

  it('rejects a second server on a port already taken', async () => {
    let caught: unknown;
    try {
      const second = await createHttpServer({
        port: http.port,
        host: '127.0.0.1',
        metrics: new Registry(),
        readiness: () => Promise.resolve([]),
      });
      await second.close();
    } catch (error) {
      caught = error;
    }
    expect((caught as NodeJS.ErrnoException | undefined)?.code).to.equal('EADDRINUSE');
  });

  it('opens no cross-origin access by default, even where a route sets Access-Control-Allow-Origin: *', async () => {
    // What Node-RED's admin API does on every answer, the deploy preflight included.
    http.app.use('/cors-probe', (req, res) => {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Methods', 'GET,PUT,POST,DELETE');
      if (req.method === 'OPTIONS') res.status(204).end();
      else res.json({ ok: true });
    });
    const origin = 'https://attacker.example';
    const get = await fetch(`${base}/cors-probe`, { headers: { origin } });
    expect(get.status).to.equal(200);
    expect(get.headers.get('access-control-allow-origin')).to.equal(null);
    const preflight = await fetch(`${base}/cors-probe`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).to.equal(403);
    expect(preflight.headers.get('access-control-allow-origin')).to.equal(null);
    expect(preflight.headers.get('access-control-allow-methods')).to.equal(null);
    const body = (await preflight.json()) as { error: { code: string; message: string } };
    expect(body.error.code).to.equal('cors_refused');
    expect(body.error.message).to.match(/not allowed.*許可されていません/);
  });

  it('allows exactly the configured origins (HUB_CORS_ORIGINS)', async () => {
    const allowed = 'https://ops.city.example';
    const server = await createHttpServer({
      port: 0,
      host: '127.0.0.1',
      metrics: new Registry(),
      readiness: () => Promise.resolve([]),
      corsOrigins: [allowed],
    });
    try {
      server.app.use('/cors-probe', (_req, res) => {
        res.setHeader('Access-Control-Allow-Origin', '*');
        res.json({ ok: true });
      });
      const url = `http://127.0.0.1:${String(server.port)}/cors-probe`;
      const preflight = await fetch(url, {
        method: 'OPTIONS',
        headers: {
          origin: allowed,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type, x-evil',
        },
      });
      expect(preflight.status).to.equal(204);
      expect(preflight.headers.get('access-control-allow-origin')).to.equal(allowed);
      expect(preflight.headers.get('access-control-allow-headers')).to.equal(
        'authorization, content-type',
      );
      const get = await fetch(url, { headers: { origin: allowed } });
      expect(get.headers.get('access-control-allow-origin')).to.equal(allowed);
      const other = await fetch(url, { headers: { origin: 'https://ops.city.example.evil' } });
      expect(other.headers.get('access-control-allow-origin')).to.equal(null);
    } finally {
      await server.close();
    }
  });

  it('refuses HUB_CORS_ORIGINS that are not exact origins (no *, no path)', () => {
    for (const value of ['*', 'https://ops.city.example/', 'ops.city.example', 'ftp://x.example']) {
      expect(() => loadConfig({ HUB_CORS_ORIGINS: value }), value).to.throw(
        ConfigError,
        /HUB_CORS_ORIGINS/,
      );
    }
    expect(
      loadConfig({ HUB_CORS_ORIGINS: 'https://a.example, http://b.example:8080' }).corsOrigins,
    ).to.deep.equal(['https://a.example', 'http://b.example:8080']);
    expect(loadConfig({}).corsOrigins).to.deep.equal([]);
  });
});

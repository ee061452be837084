import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../hub/config.js';
import { startHub, type RunningHub } from '../../hub/main.js';
import { createVhost, type TestVhost } from '../support/broker.js';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  name?: string;
  regexp?: RegExp & { fast_slash?: boolean };
  handle?: { stack?: Layer[] };
}

/** The mount path of a router layer, from express 4's regexp (e.g. /^\/api\/dead-letters\/?(?=\/|$)/i). */
function mountPath(layer: Layer): string {
  if (!layer.regexp || layer.regexp.fast_slash === true) return '';
  const source = layer.regexp.source
    .replace('^\\/', '/')
    .replace('\\/?(?=\\/|$)', '')
    .replace(/\\\//g, '/');
  return /^[/A-Za-z0-9._-]*$/.test(source) ? source : '';
}

/** Every method + path the HTTP app serves, found by walking the router (so new routes are covered). */
function routesOf(stack: readonly Layer[], prefix = ''): { method: string; path: string }[] {
  const found: { method: string; path: string }[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const path of paths) {
        for (const method of Object.keys(layer.route.methods)) {
          found.push({
            method: method.toUpperCase(),
            path: `${prefix}${path}`.replace(/:[A-Za-z]+/g, 'x'),
          });
        }
      }
    } else if (layer.handle?.stack) {
      found.push(...routesOf(layer.handle.stack, `${prefix}${mountPath(layer)}`));
    }
  }
  return found;
}

describe('authentication on every HTTP route but /healthz and /readyz', function () {
  this.timeout(120_000);
  let vhost: TestVhost;
  let hub: RunningHub;

  before(async () => {
    vhost = await createVhost('hub-api-auth');
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-api-auth-'));
    hub = await startHub(
      loadConfig({
        HUB_AMQP_URL: vhost.url,
        HUB_HTTP_PORT: '0',
        HUB_DATA_DIR: dataDir,
        HUB_SIMULATORS: 'off',
        HUB_OUTBOX_POLL_MS: '0',
      }),
    );
  });

  after(async () => {
    await hub.stop();
    await vhost.delete();
  });

  it('answers 401 to an unauthenticated request on every API route', async () => {
    const app: unknown = hub.http.app;
    const stack = (app as { _router: { stack: Layer[] } })._router.stack;
    // `GET /` only redirects to the editor (its sign-in page); it is checked on its own below.
    const routes = routesOf(stack).filter(
      (route) => route.path !== '/healthz' && route.path !== '/readyz' && route.path !== '/',
    );
    expect(routes.map((route) => route.path)).to.include('/metrics');
    expect(routes.some((route) => route.path.startsWith('/api/'))).to.equal(true);
    const base = `http://127.0.0.1:${String(hub.httpPort)}`;
    const answers: string[] = [];
    for (const route of routes) {
      const response = await fetch(`${base}${route.path}`, {
        method: route.method,
        headers: { 'content-type': 'application/json' },
        ...(route.method === 'GET' || route.method === 'HEAD' ? {} : { body: '{}' }),
      });
      answers.push(`${route.method} ${route.path} ${String(response.status)}`);
    }
    expect(answers.filter((answer) => !answer.endsWith(' 401'))).to.deep.equal([]);
  });

  it('answers 401 on the admin API of the editor (Node-RED adminAuth) without a token', async () => {
    const base = `http://127.0.0.1:${String(hub.httpPort)}`;
    for (const path of ['/editor/flows', '/editor/settings/user', '/editor/nodes']) {
      expect((await fetch(`${base}${path}`)).status, path).to.equal(401);
    }
  });

  it('GET / only redirects to the editor, giving nothing away', async () => {
    const base = `http://127.0.0.1:${String(hub.httpPort)}`;
    const response = await fetch(`${base}/`, { redirect: 'manual' });
    expect(response.status).to.be.oneOf([301, 302, 303, 307, 308]);
    expect(response.headers.get('location')).to.match(/^\/editor\/?$/);
  });

  it('leaves /healthz and /readyz open', async () => {
    const base = `http://127.0.0.1:${String(hub.httpPort)}`;
    expect((await fetch(`${base}/healthz`)).status).to.equal(200);
    expect((await fetch(`${base}/readyz`)).status).to.equal(200);
  });
});

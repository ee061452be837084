/**
 * What the editor tests share: a hub with the editor on a throw-away vhost and data directory, test
 * sinks with the real systems' names and 個人番号 permissions that record what they get (and refuse
 * while a test says a system is down), Node-RED sign-in, and Debian's chromium for the browser tests.
 */
import { expect } from 'chai';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig, type HubConfig } from '../../hub/config.js';
import type { OutboundMessage, Sink } from '../../hub/engine/step.js';
import { ConnectorError } from '../../hub/errors.js';
import { startHub, type RunningHub } from '../../hub/main.js';
import { connectorSinks } from '../../hub/nodered/context.js';
import type { HubPlugin } from '../../hub/plugin.js';
import { createVhost, eventually, type TestVhost } from './broker.js';

export const chromiumPath = '/usr/bin/chromium';

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Chromium with a new, empty profile (playwright passes it as --user-data-dir). */
export function launchChromium(viewport?: {
  width: number;
  height: number;
}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'hub-chromium-')), {
    executablePath: chromiumPath,
    args: chromiumArgs,
    ...(viewport === undefined ? {} : { viewport }),
  });
}

/** A running hub with the editor, and what its test sinks received. */
export interface EditorHub {
  readonly hub: RunningHub;
  readonly vhost: TestVhost;
  readonly dataDir: string;
  /** A copy of the checked-in flows, which the editor deploys to. */
  readonly flowsDir: string;
  readonly received: { system: string; message: OutboundMessage }[];
  /** Systems that refuse deliveries (HTTP 503, not retryable) while listed here. */
  readonly down: Set<string>;
  stop(): Promise<void>;
}

/** The configuration of an editor test hub: any free port, simulators and outbox polling off. */
export function editorHubConfig(
  amqpUrl: string,
  dataDir: string,
  flowsDir: string,
  env: Readonly<Record<string, string>> = {},
): HubConfig {
  return loadConfig({
    HUB_AMQP_URL: amqpUrl,
    HUB_HTTP_PORT: '0',
    HUB_DATA_DIR: dataDir,
    HUB_FLOWS_DIR: flowsDir,
    HUB_SIMULATORS: 'off',
    HUB_OUTBOX_POLL_MS: '0',
    HUB_LOG_LEVEL: 'debug',
    ...env,
  });
}

/** Starts a hub with `plugins` on its own vhost and data directory, simulators off; `env` adds to it. */
export async function startEditorHub(
  prefix: string,
  plugins: HubPlugin[],
  env: Readonly<Record<string, string>> = {},
): Promise<EditorHub> {
  const vhost = await createVhost(prefix);
  const dataDir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const flowsDir = join(dataDir, 'flows');
  cpSync('flows', flowsDir, { recursive: true });
  const received: EditorHub['received'] = [];
  const down = new Set<string>();
  const sinks: Sink[] = connectorSinks().map((sink) => ({
    system: sink.system,
    allowsMyNumber: sink.allowsMyNumber,
    deliver(message) {
      if (down.has(sink.system)) {
        return Promise.reject(new ConnectorError(sink.system, 'HTTP 503', false));
      }
      received.push({ system: sink.system, message });
      return Promise.resolve();
    },
  }));
  const hub = await startHub(editorHubConfig(vhost.url, dataDir, flowsDir, env), {
    sinks,
    plugins,
  });
  return {
    hub,
    vhost,
    dataDir,
    flowsDir,
    received,
    down,
    async stop() {
      await hub.stop();
      await vhost.delete();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Node-RED's password sign-in (what the editor's login dialog does). */
export function editorLogin(port: number, username: string, password: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${String(port)}/editor/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: 'node-red-editor',
      grant_type: 'password',
      scope: '',
      username,
      password,
    }),
  });
}

/** Signs in and returns the access token (the sign-in must succeed). */
export async function editorToken(
  port: number,
  username: string,
  password: string,
): Promise<string> {
  const login = await editorLogin(port, username, password);
  expect(login.status, `login of ${username}`).to.equal(200);
  return ((await login.json()) as { access_token: string }).access_token;
}

/** Signs in through the editor's login dialog (forgetting an earlier sign-in); waits for the flows. */
export async function signInToEditor(
  page: Page,
  port: number,
  username: string,
  password: string,
): Promise<void> {
  await page.goto(`http://127.0.0.1:${String(port)}/editor/`);
  await page.evaluate(() => {
    const storage = (globalThis as unknown as { localStorage: { removeItem(key: string): void } })
      .localStorage;
    for (const key of Object.keys(storage)) {
      if (key.startsWith('auth-tokens')) storage.removeItem(key);
    }
  });
  await page.reload();
  await page.fill('#node-dialog-login-username', username);
  await page.fill('#node-dialog-login-password', password);
  await page.click('#node-dialog-login-submit');
  await eventually(
    () =>
      page.evaluate(() => {
        const red = (globalThis as { RED?: { workspaces?: { count(): number } } }).RED;
        return (red?.workspaces?.count() ?? 0) >= 3;
      }),
    30_000,
    'the editor to load',
  );
}

/**
 * The editor end to end, in Debian's chromium (headless, via playwright-core): an integrator logs
 * in, opens each affair's tab, wires an event to one more system by dragging a wire, deploys — and a
 * message published afterwards reaches that system; an edit that would send 個人番号 to a system
 * that may not receive it is refused with the reason; the change is on disk as a change of one file.
 */
import { expect } from 'chai';
import { sampleMessage } from '../../schemas/sample.js';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { EVENTS_EXCHANGE } from '../../hub/broker/index.js';
import { UnroutableError } from '../../hub/errors.js';
import { storeCredentials } from '../../hub/http/auth.js';
import type { RunningHub } from '../../hub/main.js';
import { editorPlugin } from '../../hub/nodered/editor.js';
import { eventually } from '../support/broker.js';
import {
  chromiumPath,
  editorLogin,
  editorToken,
  launchChromium,
  signInToEditor,
  startEditorHub,
  type EditorHub,
} from '../support/editor-hub.js';

/** The part of the editor's `RED` API the test drives (what a palette drop and a wire drag do). */
interface EditorApi {
  readonly nodes: {
    id(): string;
    import(nodes: unknown[]): unknown;
    node(id: string): EditorNode;
    addLink(link: { source: EditorNode; sourcePort: number; target: EditorNode }): void;
    dirty(value: boolean): void;
  };
  readonly view: { redraw(full: boolean): void };
}

/** A node in the editor. */
interface EditorNode {
  readonly id: string;
}

/** Node ids of the checked-in flows (stable: generated from the step names). */
const tabs = { 'affair-1': '', 'affair-8': '', 'affair-11': '' };

function filesOf(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

function idOf(
  flows: readonly { id: string; type: string; [key: string]: unknown }[],
  test: (node: Record<string, unknown>) => boolean,
): string {
  const found = flows.find((node) => test(node));
  if (found === undefined) throw new Error('node not found in the checked-in flows');
  return found.id;
}

/** Opens a flow tab by clicking it, once the editor has drawn its first flow. */
async function openTab(page: Page, id: string): Promise<void> {
  const isActive = () =>
    page.evaluate(
      (tab) =>
        (
          globalThis as { RED?: { workspaces?: { active(): string } } }
        ).RED?.workspaces?.active() === tab,
      id,
    );
  await page.locator('#red-ui-workspace-chart g.red-ui-flow-node').first().waitFor();
  // The editor takes two quick clicks on tabs as a double click (which opens the flow's dialog).
  if (await isActive()) return;
  await page.waitForTimeout(600);
  await page.click(`[id="red-ui-tab-${id}"] a.red-ui-tab-label`);
  await eventually(isActive, 10_000, `tab ${id} to open`);
}

describe('editor in chromium (browser)', function () {
  this.timeout(120_000);
  let editorHub: EditorHub;
  let hub: RunningHub;
  let browser: BrowserContext;
  let page: Page;
  let flowsDir: string;

  before(async () => {
    expect(
      existsSync(chromiumPath),
      `${chromiumPath} (Debian chromium) must be installed`,
    ).to.equal(true);
    editorHub = await startEditorHub('hub-editor-browser', [editorPlugin]);
    hub = editorHub.hub;
    flowsDir = editorHub.flowsDir;
    await storeCredentials(hub.store, { bcryptRounds: 4 }).addUser(
      'integrator1',
      'correct horse',
      'integrator',
    );
    // A new, empty profile each run (playwright passes it as --user-data-dir).
    browser = await launchChromium();
    page = browser.pages()[0] ?? (await browser.newPage());
  });

  afterEach(async function () {
    // What the browser showed when a test failed, for the person reading the CI log.
    if (this.currentTest?.state === 'failed')
      await page.screenshot({ path: '.test-results/editor-failed.png' }).catch(() => undefined);
  });

  after(async () => {
    await browser.close().catch(() => undefined);
    await editorHub.stop();
  });

  it('logs in and shows every affair as a tab of hub nodes', async () => {
    await signInToEditor(page, hub.httpPort, 'integrator1', 'correct horse');
    const flows = JSON.parse(
      [...filesOf(flowsDir).entries()]
        .filter(([name]) => name !== '00-systems.json')
        .map(([, text]) => text.trim().slice(1, -1))
        .join(',')
        .replace(/^/, '[')
        .concat(']'),
    ) as { id: string; type: string; label?: string }[];
    for (const route of Object.keys(tabs) as (keyof typeof tabs)[]) {
      const id = idOf(
        flows,
        (node) => node['type'] === 'tab' && String(node['label']).startsWith(`${route} `),
      );
      tabs[route] = id;
      await openTab(page, id);
      const hubNodes = await page.locator('#red-ui-workspace-chart g.red-ui-flow-node').count();
      expect(hubNodes, route).to.be.greaterThan(0);
    }
  });

  it('wires an event to one more system, deploys, and the next message reaches it', async () => {
    const before = filesOf(flowsDir);
    const affair1 = JSON.parse(before.get('01-affair-1.json') ?? '[]') as {
      id: string;
      type: string;
      [key: string]: unknown;
    }[];
    const systems = JSON.parse(before.get('00-systems.json') ?? '[]') as {
      id: string;
      type: string;
      [key: string]: unknown;
    }[];
    // A resident movement to one more system its schema lists in x-to (the flow lint refuses a
    // recipient the schema does not name): コンビニ交付, besides 共通基盤 and the CS.
    const movementIn = idOf(affair1, (node) => node['step'] === 'affair-1.atena-to-kyotsu-kiban');
    const conveni = idOf(systems, (node) => node['system'] === 'CONVENI_ISSUANCE');
    await openTab(page, tabs['affair-1']);
    // A new deliver node for コンビニ交付 (as dropping it from the palette would), then a dragged wire.
    const newId = await page.evaluate(
      ({ tab, system }) => {
        const red = (globalThis as { RED?: EditorApi }).RED;
        if (red === undefined) throw new Error('editor not loaded');
        const id = red.nodes.id();
        red.nodes.import([
          {
            id,
            type: 'hub-deliver',
            z: tab,
            name: 'to conveni',
            system,
            x: 650,
            y: 340,
            wires: [],
          },
        ]);
        red.view.redraw(true);
        return id;
      },
      { tab: tabs['affair-1'], system: conveni },
    );
    const from = await page
      .locator(`[id="${movementIn}"] .red-ui-flow-port-output .red-ui-flow-port`)
      .boundingBox();
    const to = await page
      .locator(`[id="${newId}"] .red-ui-flow-port-input .red-ui-flow-port`)
      .boundingBox();
    if (from === null || to === null) throw new Error('ports not on screen');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 10 });
    await page.mouse.up();
    // Deploy first shows the routing change: the one new engine step, nothing removed.
    await page.click('#red-ui-header-button-deploy');
    await page.locator('#hub-deploy-preview').waitFor();
    const added = await page.locator('#hub-deploy-preview .hub-deploy-added-item').all();
    expect(await Promise.all(added.map((item) => item.getAttribute('data-step')))).to.deep.equal([
      'affair-1.atena-to-kyotsu-kiban.to-conveni-issuance',
    ]);
    expect(await page.locator('#hub-deploy-preview .hub-deploy-added-item').innerText()).to.contain(
      'deliver to CONVENI_ISSUANCE',
    );
    expect(await page.locator('#hub-deploy-preview .hub-deploy-removed-item').count()).to.equal(0);
    // Nothing is deployed before it is confirmed.
    expect(hub.engine.steps().map((step) => step.name)).to.not.include(
      'affair-1.atena-to-kyotsu-kiban.to-conveni-issuance',
    );
    expect(filesOf(flowsDir)).to.deep.equal(before);
    await page.click('#hub-deploy-confirm');
    await page.waitForSelector('.red-ui-notification-success, .red-ui-notification-error');
    expect(await page.locator('.red-ui-notification-error').count()).to.equal(0);

    const after = filesOf(flowsDir);
    const changed = [...after.keys()].filter((name) => after.get(name) !== before.get(name));
    expect(changed).to.deep.equal(['01-affair-1.json']);
    expect(hub.engine.steps().map((step) => step.name)).to.include(
      'affair-1.atena-to-kyotsu-kiban.to-conveni-issuance',
    );
    // The start recorded the flows it ran ('hub start'); the deploy is the one row after it.
    const deploys = await hub.store
      .knex<{ actor: string; summary: string }>('flow_deploys')
      .whereNot({ actor: 'hub start' })
      .select('actor', 'summary');
    expect(deploys).to.have.length(1);
    expect(deploys[0]?.actor).to.equal('integrator1');
    expect(deploys[0]?.summary).to.contain('01-affair-1.json: +1 ~1 -0');

    await hub.broker.publisher.publish(
      EVENTS_EXCHANGE,
      'resident.movement.recorded',
      Buffer.from(JSON.stringify(sampleMessage('resident.movement.recorded', 1))),
      {
        messageId: 'browser-test-1',
        type: 'resident.movement.recorded',
      },
    );
    const reached = () =>
      editorHub.received
        .filter((item) => item.message.correlationId === 'browser-test-1')
        // Affair 1's steps only: affair 11 delivers every movement to コンビニ交付 as well (11-①).
        .filter((item) => String(item.message.headers['x-hub-step']).startsWith('affair-1.'))
        .map((item) => item.system)
        // The CS and the 附票 system take this movement on other legs (affairs 1 and 2).
        .filter((system) => system !== 'JUKINET_CS' && system !== 'KOSEKI_FUHYO')
        .sort();
    await eventually(() => reached().length >= 2, 20_000, 'the message to reach both systems');
    expect(reached()).to.deep.equal(['CONVENI_ISSUANCE', 'KYOTSU_KIBAN']);
  });

  it('a node disabled in the editor says so, its step is gone after the deploy, and enabling it brings it back', async () => {
    const affair11 = JSON.parse(readFileSync(join(flowsDir, '11-affair-11.json'), 'utf8')) as {
      id: string;
      type: string;
      [key: string]: unknown;
    }[];
    const input = idOf(affair11, (node) => node['step'] === 'affair-11.request-to-conveni');
    await openTab(page, tabs['affair-11']);
    const toggle = (action: string) =>
      page.evaluate(
        ({ id, name }) => {
          const red = (
            globalThis as {
              RED?: { view: { select(id: string): void }; actions: { invoke(name: string): void } };
            }
          ).RED;
          if (red === undefined) throw new Error('editor not loaded');
          red.view.select(id);
          red.actions.invoke(name);
        },
        { id: input, name: action },
      );
    const deployConfirmed = async (step: string, present: boolean) => {
      await page.click('#red-ui-header-button-deploy');
      const list = present ? '.hub-deploy-added-item' : '.hub-deploy-removed-item';
      await page.locator(`#hub-deploy-preview ${list}[data-step="${step}"]`).waitFor();
      await page.click('#hub-deploy-confirm');
      await eventually(
        () => hub.engine.steps().some((running) => running.name === step) === present,
        15_000,
        `step ${step} ${present ? 'back' : 'gone'}`,
      );
      await eventually(
        () =>
          page.evaluate(
            () =>
              !(
                (globalThis as { RED?: { nodes: { dirty(): boolean } } }).RED?.nodes.dirty() ?? true
              ),
          ),
        15_000,
        'the editor to take the deploy as done',
      );
    };
    await toggle('core:disable-selected-nodes');
    const label = page.locator(`[id="${input}"] .red-ui-flow-node-label`);
    await eventually(
      // The palette's catalog says it (locales/ja: 無効・経路外, locales/en-US: disabled, not run).
      async () => /無効・経路外|disabled, not run/.test((await label.textContent()) ?? ''),
      10_000,
      'the label to say the node is disabled',
    );
    await deployConfirmed('affair-11.request-to-conveni', false);
    // The file says so too ("d": true), as Node-RED writes it.
    const written = (
      JSON.parse(readFileSync(join(flowsDir, '11-affair-11.json'), 'utf8')) as {
        id: string;
        d?: boolean;
      }[]
    ).find((node) => node.id === input);
    expect(written?.d).to.equal(true);
    await toggle('core:enable-selected-nodes');
    await eventually(
      async () => !((await label.textContent()) ?? '無効').includes('無効'),
      10_000,
      'the label without the disabled note',
    );
    await deployConfirmed('affair-11.request-to-conveni', true);
  });

  // Before the refused edit below, which leaves its invalid node in the editor.
  it('a route without an otherwise branch warns at deploy and shows what it skipped on the node', async () => {
    const systems = JSON.parse(readFileSync(join(flowsDir, '00-systems.json'), 'utf8')) as {
      id: string;
      type: string;
      [key: string]: unknown;
    }[];
    const center = idOf(systems, (node) => node['system'] === 'JLIS_CERT_CENTER');
    await openTab(page, tabs['affair-11']);
    const routeId = await page.evaluate(
      ({ tab, system }) => {
        const red = (globalThis as { RED?: EditorApi }).RED;
        if (red === undefined) throw new Error('editor not loaded');
        const [input, route, deliver] = [red.nodes.id(), red.nodes.id(), red.nodes.id()];
        red.nodes.import([
          {
            id: input,
            type: 'hub-in',
            z: tab,
            name: 'blocked only',
            step: 'affair-11.blocked-only',
            messageTypes: 'kiosk.certificate.failed',
            x: 160,
            y: 560,
            wires: [[route]],
          },
          {
            id: route,
            type: 'hub-route',
            z: tab,
            name: 'blocked?',
            field: 'errorKind',
            op: 'eq',
            value: 'BLOCKED',
            x: 360,
            y: 560,
            wires: [[deliver], []],
          },
          { id: deliver, type: 'hub-deliver', z: tab, system, x: 560, y: 560, wires: [] },
        ]);
        red.nodes.dirty(true);
        red.view.redraw(true);
        return route;
      },
      { tab: tabs['affair-11'], system: center },
    );
    await page.click('#red-ui-header-button-deploy');
    const warning = page.locator(
      `#hub-deploy-preview .hub-deploy-warning-item[data-node-id="${routeId}"]`,
    );
    await warning.waitFor();
    expect(await warning.innerText()).to.contain('otherwise');
    expect(await warning.innerText()).to.contain('その他');
    await page.click('#hub-deploy-confirm');
    // Deployed (warnings do not refuse), and the editor has taken the deploy as done.
    await eventually(
      async () =>
        hub.engine
          .steps()
          .map((step) => step.name)
          .includes('affair-11.blocked-only') &&
        !(await page.evaluate(
          () =>
            (globalThis as { RED?: { nodes: { dirty(): boolean } } }).RED?.nodes.dirty() ?? true,
        )),
      15_000,
      'the route deployed',
    );

    await hub.broker.publisher.publish(
      EVENTS_EXCHANGE,
      'kiosk.certificate.failed',
      Buffer.from(
        JSON.stringify({ ...sampleMessage('kiosk.certificate.failed', 9), errorKind: 'TIMEOUT' }),
      ),
      { messageId: 'browser-skip-1', type: 'kiosk.certificate.failed' },
    );
    const status = page.locator(`[id="${routeId}"] .red-ui-flow-node-status-label`);
    let text = '';
    await eventually(
      async () => {
        text = (await status.textContent()) ?? '';
        return text.includes('skipped 1');
      },
      15_000,
      'the route node to show the skipped message',
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; status: ${text}`);
    });
  });

  it('refuses an edit that sends 個人番号 to a system not allowed to receive it, with the reason', async () => {
    const before = filesOf(flowsDir);
    const affair11 = JSON.parse(before.get('11-affair-11.json') ?? '[]') as {
      id: string;
      type: string;
      [key: string]: unknown;
    }[];
    const systems = JSON.parse(before.get('00-systems.json') ?? '[]') as {
      id: string;
      type: string;
      [key: string]: unknown;
    }[];
    const producedIn = idOf(affair11, (node) => node['step'] === 'affair-11.produced-to-center');
    const kyotsuKiban = idOf(systems, (node) => node['system'] === 'KYOTSU_KIBAN');
    // The editor imports onto the tab on screen.
    await openTab(page, tabs['affair-11']);
    const leakId = await page.evaluate(
      ({ tab, system, source }) => {
        const red = (globalThis as { RED?: EditorApi }).RED;
        if (red === undefined) throw new Error('editor not loaded');
        const id = red.nodes.id();
        red.nodes.import([
          { id, type: 'hub-deliver', z: tab, name: 'leak', system, x: 800, y: 460, wires: [] },
        ]);
        red.nodes.addLink({
          source: red.nodes.node(source),
          sourcePort: 0,
          target: red.nodes.node(id),
        });
        red.nodes.dirty(true);
        red.view.redraw(true);
        return id;
      },
      { tab: tabs['affair-11'], system: kyotsuKiban, source: producedIn },
    );
    await page.click('#red-ui-header-button-deploy');
    // A readable list, not raw JSON: one entry per problem naming the node by its label.
    const refused = page.locator('#hub-deploy-refused');
    await refused.waitFor();
    const items = refused.locator('.hub-deploy-problem-item');
    expect(await items.count()).to.equal(1);
    expect(await items.first().getAttribute('data-node-id')).to.equal(leakId);
    const link = items.first().locator('.hub-deploy-problem-node');
    expect(await link.innerText()).to.contain('leak');
    const message = await refused.innerText();
    expect(message).to.contain('個人番号');
    expect(message).to.contain('My Number');
    expect(message).to.contain('KYOTSU_KIBAN');
    expect(message).to.contain('kiosk.certificate.produced');
    expect(message).to.not.contain('\\n');
    expect(message).to.not.contain('{"');
    expect(message).to.not.contain(leakId);
    // Clicking the entry selects the node on the canvas.
    await page.click('#red-ui-workspace-chart', { position: { x: 5, y: 5 } });
    await link.click();
    await eventually(
      () =>
        page.evaluate(
          (id) =>
            (
              globalThis as {
                RED?: { view: { selection(): { nodes?: { id: string }[] } } };
              }
            ).RED?.view
              .selection()
              .nodes?.map((node) => node.id)
              .join(',') === id,
          leakId,
        ),
      10_000,
      'the refused node selected',
    );
    await page.click('#hub-deploy-refused-close');
    expect([...filesOf(flowsDir)]).to.deep.equal([...before]);
    expect(hub.engine.steps().map((step) => step.name)).not.to.include(
      'affair-11.produced-to-center.to-kyotsu-kiban',
    );
  });
  it('shows live counts from the engine on the nodes', async () => {
    await openTab(page, tabs['affair-1']);
    const flows = JSON.parse(readFileSync(join(flowsDir, '01-affair-1.json'), 'utf8')) as {
      id: string;
      type: string;
      [key: string]: unknown;
    }[];
    // The hub-in wired to two systems above: one message taken by each of its two steps.
    const movementIn = idOf(flows, (node) => node['step'] === 'affair-1.atena-to-kyotsu-kiban');
    const status = page.locator(`[id="${movementIn}"] .red-ui-flow-node-status-label`);
    let text = '';
    await eventually(
      async () => {
        text = (await status.textContent()) ?? '';
        // Messages over the last minute and the queue now (issue 24 item 6).
        return text === '2/min · queue 0';
      },
      15_000,
      'the status of the hub-in to show the message',
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; status: ${text}`);
    });
  });

  it('the debug tap shows sampled messages masked, never a raw My Number, name or address', async () => {
    const fixture = JSON.parse(
      readFileSync(
        'schemas/fixtures/resident.movement.recorded.tokutei/valid-documented-my-number.json',
        'utf8',
      ),
    ) as { data: unknown };
    const raw = JSON.stringify(fixture.data);
    await hub.broker.publisher.publish(
      EVENTS_EXCHANGE,
      'resident.movement.recorded.tokutei',
      Buffer.from(raw),
      { messageId: 'browser-test-tap', type: 'resident.movement.recorded.tokutei' },
    );
    const token = await tokenFor('integrator1', 'correct horse');
    const samples = async () =>
      (
        await fetch(`http://127.0.0.1:${String(hub.httpPort)}/editor/hub/tap`, {
          headers: { Authorization: `Bearer ${token}` },
        })
      ).text();
    await eventually(
      async () => (await samples()).includes('browser-test-tap'),
      15_000,
      'the tap sample',
    );
    const text = await samples();
    for (const secret of ['123456789018', '見本', '神田錦町', 'ミホン']) {
      expect(text.includes(secret), 'tap shows a personal value').to.equal(false);
    }
    expect(raw).to.contain('見本');
    // The tap takes only what some route takes: a type with no route is still refused as unroutable.
    const unrouted = await hub.broker.publisher
      .publish(EVENTS_EXCHANGE, 'move-in.notice.overdue', Buffer.from('{}'), {
        messageId: 'browser-test-unrouted',
        type: 'move-in.notice.overdue',
      })
      .then(
        () => 'confirmed',
        (error: unknown) => (error instanceof UnroutableError ? 'unroutable' : String(error)),
      );
    expect(unrouted).to.equal('unroutable');
  });

  function tokenFor(username: string, password: string): Promise<string> {
    return editorToken(hub.httpPort, username, password);
  }

  it('an operator may look at the flows but not deploy; without a login nothing is shown', async () => {
    const base = `http://127.0.0.1:${String(hub.httpPort)}/editor`;
    expect((await fetch(`${base}/flows`)).status).to.equal(401);
    expect((await fetch(`${base}/hub/transformers`)).status).to.equal(401);
    await storeCredentials(hub.store, { bcryptRounds: 4 }).addUser(
      'operator1',
      'operator password',
      'operator',
    );
    const login = await editorLogin(hub.httpPort, 'operator1', 'operator password');
    expect(login.status).to.equal(200);
    const token = ((await login.json()) as { access_token: string }).access_token;
    const auth = { Authorization: `Bearer ${token}` };
    const flows = await fetch(`${base}/flows`, { headers: auth });
    expect(flows.status).to.equal(200);
    const transformers = (await (
      await fetch(`${base}/hub/transformers`, { headers: auth })
    ).json()) as { name: string; from: string; to: string }[];
    expect(transformers.map((item) => item.name)).to.include(
      'consistency-check-result-ready-to-completed',
    );
    const deploy = await fetch(`${base}/flows`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: await flows.text(),
    });
    expect(deploy.status).to.equal(401);
    const wrong = await editorLogin(hub.httpPort, 'operator1', 'not the password');
    expect(wrong.status).to.equal(403);
  });
});

/**
 * The "Tracking / 追跡" sidebar (issue 24 items 7 and 8) in Debian's chromium: a message carrying a
 * 個人番号 passes through its steps to several systems; an operator signs in, searches by that
 * 個人番号 and sees one timeline naming every system the message reached (the oracle: what the
 * test's sinks received), masked; then pauses 団体内統合宛名 from the sidebar, sees a new message
 * wait in the step queue, resumes, and sees it delivered; and during a 503 outage the step's node shows
 * its current error and backlog, then turns green after recovery (item 6).
 */
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { EVENTS_EXCHANGE, stepQueueName } from '../../hub/broker/index.js';
import { storeCredentials } from '../../hub/http/auth.js';
import type { RunningHub } from '../../hub/main.js';
import { editorPlugin } from '../../hub/nodered/editor.js';
import { eventually } from '../support/broker.js';
import { validMyNumbersIn } from '../support/my-number-scan.js';
import {
  chromiumPath,
  launchChromium,
  signInToEditor,
  startEditorHub,
  type EditorHub,
} from '../support/editor-hub.js';

const messageType = 'resident.movement.recorded.tokutei';
const pausedSystem = 'TOUGOU_ATENA';

describe('tracking sidebar in chromium (browser)', function () {
  this.timeout(120_000);
  let editorHub: EditorHub;
  let hub: RunningHub;
  let browser: BrowserContext;
  let page: Page;

  before(async () => {
    expect(existsSync(chromiumPath), `${chromiumPath} must be installed`).to.equal(true);
    editorHub = await startEditorHub('hub-trace-browser', [editorPlugin]);
    hub = editorHub.hub;
    await storeCredentials(hub.store, { bcryptRounds: 4 }).addUser(
      'operator1',
      'operator password',
      'operator',
    );
    browser = await launchChromium({ width: 1600, height: 1000 });
    page = browser.pages()[0] ?? (await browser.newPage());
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      await page.screenshot({ path: '.test-results/trace-failed.png' }).catch(() => undefined);
  });

  after(async () => {
    await browser.close().catch(() => undefined);
    await editorHub.stop();
  });

  const fixture = JSON.parse(
    readFileSync(`schemas/fixtures/${messageType}/valid-documented-my-number.json`, 'utf8'),
  ) as { data: { myNumber: string } };

  async function publish(messageId: string, correlationId: string): Promise<void> {
    await hub.broker.publisher.publish(
      EVENTS_EXCHANGE,
      messageType,
      Buffer.from(JSON.stringify(fixture.data)),
      { messageId, correlationId, type: messageType },
    );
  }

  const receivedFor = (correlationId: string) =>
    editorHub.received.filter((entry) => entry.message.correlationId === correlationId);

  async function openSidebar(): Promise<void> {
    const button = page.locator('button[data-tab-id="hub-trace"]');
    await button.waitFor({ state: 'attached' });
    expect(await button.getAttribute('aria-label')).to.equal('Tracking / 追跡');
    if (await button.isVisible()) {
      await button.click();
    } else {
      await page.click('.red-ui-sidebar-tab-bar-overflow-button');
      await page.locator('#red-ui-sidebar-tab-bar-menu a', { hasText: 'Tracking / 追跡' }).click();
    }
    await page.locator('#hub-trace').waitFor({ state: 'visible' });
  }

  it('a message tracked by its 個人番号 shows its timeline across all its steps and systems', async () => {
    await publish('browser-trace-1', 'browser-trace-corr-1');
    // Settled: deliveries stop arriving (every step bound to the type has delivered).
    let seen = -1;
    await eventually(
      async () => {
        const now = receivedFor('browser-trace-corr-1').length;
        const settled = now > 0 && now === seen;
        seen = now;
        return settled && (await hub.store.outcomes.flush().then(() => true));
      },
      30_000,
      'the deliveries of the message',
    );
    const received = receivedFor('browser-trace-corr-1');
    const systems = [...new Set(received.map((entry) => entry.system))];
    expect(systems.length).to.be.at.least(2);

    await signInToEditor(page, hub.httpPort, 'operator1', 'operator password');
    await openSidebar();
    await page.selectOption('#hub-trace-kind', 'myNumber');
    expect(await page.getAttribute('#hub-trace-value', 'type')).to.equal('password');
    await page.fill('#hub-trace-value', fixture.data.myNumber);
    await page.click('#hub-trace-search');
    await page.locator('#hub-trace-timeline tr.hub-trace-entry').first().waitFor();
    expect(await page.inputValue('#hub-trace-value')).to.equal('');

    const rows: { step: string | null; outcome: string | null; text: string }[] = [];
    for (const tr of await page.locator('#hub-trace-timeline tr.hub-trace-entry').all()) {
      rows.push({
        step: await tr.getAttribute('data-step'),
        outcome: await tr.getAttribute('data-outcome'),
        text: (await tr.textContent()) ?? '',
      });
    }
    const delivered = rows.filter((row) => row.outcome === 'delivered');
    expect(delivered.length).to.be.at.least(received.length);
    for (const system of systems)
      expect(
        delivered.some((row) => row.text.includes(system)),
        `a delivered row for ${system}`,
      ).to.equal(true);
    expect(new Set(delivered.map((row) => row.step)).size).to.be.at.least(2);
    const summary = (await page.textContent('#hub-trace-summary')) ?? '';
    for (const system of systems) expect(summary).to.include(system);
    const shown = (await page.textContent('#hub-trace')) ?? '';
    expect(shown).to.not.include(fixture.data.myNumber);
    expect(validMyNumbersIn(shown)).to.deep.equal([]);

    const logged = await hub.store
      .knex('operator_actions')
      .where({ action: 'message.trace', actor: 'operator1' })
      .select<Record<string, unknown>[]>('*');
    expect(logged).to.have.length(1);
    expect(JSON.stringify(logged)).to.not.include(fixture.data.myNumber);
  });

  it('an operator pauses a system from the sidebar; its messages wait, and resuming delivers them', async () => {
    const row = page.locator(`#hub-trace-systems tr[data-system="${pausedSystem}"]`);
    await row.waitFor();
    await page.fill('#hub-pause-reason', 'maintenance window / 保守作業');
    await row.locator('button.hub-system-toggle').click();
    await eventually(
      async () => ((await row.locator('.hub-system-state').textContent()) ?? '').includes('paused'),
      10_000,
      'the system shown paused',
    );
    const steps = hub.engine
      .steps()
      .filter((step) => step.output.kind === 'deliver' && step.output.system === pausedSystem);
    expect(steps.length).to.be.greaterThan(0);
    const before = editorHub.received.filter((entry) => entry.system === pausedSystem).length;
    await publish('browser-trace-2', 'browser-trace-corr-2');
    await eventually(
      async () => {
        let waiting = 0;
        for (const step of steps)
          waiting += (await hub.broker.queueDepth(stepQueueName(step.name))) ?? 0;
        return waiting >= 1;
      },
      20_000,
      'the message waiting in the paused step queue',
    );
    expect(editorHub.received.filter((entry) => entry.system === pausedSystem)).to.have.length(
      before,
    );
    await row.locator('button.hub-system-toggle').click();
    await eventually(
      () =>
        Promise.resolve(
          receivedFor('browser-trace-corr-2').some((entry) => entry.system === pausedSystem),
        ),
      20_000,
      'the held message delivered after resume',
    );
    const actions = await hub.store
      .knex('operator_actions')
      .whereIn('action', ['systems.pause', 'systems.resume'])
      .select<{ action: string; actor: string }[]>('action', 'actor');
    expect(actions.map((entry) => `${entry.action}:${entry.actor}`)).to.deep.equal([
      'systems.pause:operator1',
      'systems.resume:operator1',
    ]);
  });

  it('during an outage the step node shows the failure now, and turns green after recovery (item 6)', async () => {
    const step = 'affair-1.juminhyo-kankei-to-tougou-atena';
    const nodeId = hub.routing.nodesOfStep().get(step)?.at(-1);
    expect(nodeId, `a node of ${step}`).to.be.a('string');
    const label = page.locator(`[id="${String(nodeId)}"] .red-ui-flow-node-status-label`);
    const shape = page.locator(`[id="${String(nodeId)}"] .red-ui-flow-node-status`);
    const fill = async () => (await shape.getAttribute('class')) ?? '';
    // 団体内統合宛名 answers 503: the message is refused and the node shows the error now — red,
    // or yellow while the messages delivered moments ago are still in the last 30 s.
    editorHub.down.add(pausedSystem);
    await publish('browser-trace-3', 'browser-trace-corr-3');
    await eventually(
      async () => {
        const text = (await label.textContent()) ?? '';
        return (
          text.includes('err 1/min') && text.includes('DL 1') && !(await fill()).endsWith('-green')
        );
      },
      20_000,
      'the node showing its current error',
    );
    expect((await label.textContent()) ?? '').to.match(/queue \d+/);
    // Recovered: the next message goes through, and the node turns green once the failure is
    // no longer current (30 s), while the minute still counts it.
    editorHub.down.delete(pausedSystem);
    await publish('browser-trace-4', 'browser-trace-corr-4');
    await eventually(
      async () => (await fill()).endsWith('-green'),
      60_000,
      'the node green within a minute of recovery',
    );
    expect(
      receivedFor('browser-trace-corr-4').some((entry) => entry.system === pausedSystem),
    ).to.equal(true);
  });
});

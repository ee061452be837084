/**
 * The "Deploy history / デプロイ履歴" sidebar (issue 24 item 1) in Debian's chromium: two deploys by
 * two integrators are listed with who made them; a click on "Roll back" (confirmed) deploys the first
 * version again as a new version — the oracle is what the engine runs afterwards (its steps), not
 * what the sidebar says.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { storeCredentials } from '../../hub/http/auth.js';
import type { RunningHub } from '../../hub/main.js';
import { editorPlugin } from '../../hub/nodered/editor.js';
import type { FlowNode } from '../../hub/nodered/flow-model.js';
import { readFlowsDir } from '../../hub/nodered/flows-dir.js';
import { eventually } from '../support/broker.js';
import {
  chromiumPath,
  launchChromium,
  signInToEditor,
  startEditorHub,
  type EditorHub,
} from '../support/editor-hub.js';

describe('deploy history sidebar in chromium (browser)', function () {
  this.timeout(120_000);
  let editorHub: EditorHub;
  let hub: RunningHub;
  let browser: BrowserContext;
  let page: Page;

  before(async () => {
    expect(existsSync(chromiumPath), `${chromiumPath} must be installed`).to.equal(true);
    editorHub = await startEditorHub('hub-history-browser', [editorPlugin]);
    hub = editorHub.hub;
    await storeCredentials(hub.store, { bcryptRounds: 4 }).addUser(
      'integrator1',
      'correct horse',
      'integrator',
    );
    browser = await launchChromium({ width: 1600, height: 1000 });
    page = browser.pages()[0] ?? (await browser.newPage());
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      await page.screenshot({ path: '.test-results/history-failed.png' }).catch(() => undefined);
  });

  after(async () => {
    await browser.close().catch(() => undefined);
    await editorHub.stop();
  });

  it('lists who deployed each version and rolls back to an earlier one in one click', async () => {
    const flows = readFlowsDir(editorHub.flowsDir);
    const before = hub.engine
      .steps()
      .map((step) => step.name)
      .sort();
    // Version A: as shipped (by alice). Version B: one hub-in disabled (by bob), one step fewer.
    await hub.routing.deploy(flows, 'alice');
    const first = hub.routing.version();
    const victim = flows.find((node) => node.type === 'hub-in');
    expect(victim, 'a hub-in to disable').to.not.equal(undefined);
    const disabled: FlowNode[] = flows.map((node) =>
      node.id === victim?.id ? { ...node, d: true } : node,
    );
    await hub.routing.deploy(disabled, 'bob');
    const second = hub.routing.version();
    expect(second).to.be.greaterThan(first);
    expect(hub.engine.steps().length).to.be.lessThan(before.length);

    await signInToEditor(page, hub.httpPort, 'integrator1', 'correct horse');
    const button = page.locator('button[data-tab-id="hub-flows-history"]');
    await button.waitFor({ state: 'attached' });
    if (await button.isVisible()) await button.click();
    else {
      await page.click('.red-ui-sidebar-tab-bar-overflow-button');
      await page
        .locator('#red-ui-sidebar-tab-bar-menu a', { hasText: 'Deploy history / デプロイ履歴' })
        .click();
    }
    const row = (version: number) =>
      page.locator(`#hub-flows-history tr.hub-flows-version[data-version="${String(version)}"]`);
    await row(first).waitFor({ state: 'visible' });
    expect(await row(first).locator('.hub-flows-actor').textContent()).to.equal('alice');
    expect(await row(second).locator('.hub-flows-actor').textContent()).to.equal('bob');
    // The running version has no rollback button; the earlier one has.
    expect(await row(second).locator('.hub-flows-rollback').count()).to.equal(0);

    page.once('dialog', (dialog) => {
      void dialog.accept();
    });
    await row(first).locator('.hub-flows-rollback').click();
    await eventually(
      () => hub.routing.version() > second,
      20_000,
      'the rollback deployed as a new version',
    );
    expect(
      hub.engine
        .steps()
        .map((step) => step.name)
        .sort(),
    ).to.deep.equal(before);
    const latest = (await hub.routing.history(1))[0];
    expect(latest?.actor).to.equal(`integrator1 (rollback to ${String(first)})`);
  });
});

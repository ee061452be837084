/**
 * The "Dead letters / デッドレター" sidebar end to end, in Debian's chromium (headless, via
 * playwright-core): a system refuses a delivery, so the engine dead-letters the message and the
 * archiver stores it; the system is fixed; an operator signs in to the editor, opens the sidebar,
 * sees the letter counted and listed, reads it masked, dry-runs it, ticks it and replays it — the
 * message reaches the system, the letter is "replayed" and the operator log names the operator.
 */
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { createOperatorLog } from '../../hub/audit/operator-log.js';
import { EVENTS_EXCHANGE } from '../../hub/broker/index.js';
import { deadLettersPlugin } from '../../hub/dead-letters/http.js';
import { storeCredentials } from '../../hub/http/auth.js';
import type { RunningHub } from '../../hub/main.js';
import { editorPlugin } from '../../hub/nodered/editor.js';
import { eventually } from '../support/broker.js';
import {
  chromiumPath,
  launchChromium,
  signInToEditor,
  startEditorHub,
  type EditorHub,
} from '../support/editor-hub.js';

const failingSystem = 'TOUGOU_ATENA';
const failingStep = 'affair-1.juminhyo-kankei-to-tougou-atena';
const messageType = 'resident.movement.recorded.tokutei';
const messageId = 'browser-dead-letter-1';

describe('dead-letter sidebar in chromium (browser)', function () {
  this.timeout(120_000);
  let editorHub: EditorHub;
  let hub: RunningHub;
  let browser: BrowserContext;
  let page: Page;

  before(async () => {
    expect(
      existsSync(chromiumPath),
      `${chromiumPath} (Debian chromium) must be installed`,
    ).to.equal(true);
    editorHub = await startEditorHub('hub-dlq-browser', [deadLettersPlugin, editorPlugin]);
    hub = editorHub.hub;
    editorHub.down.add(failingSystem);
    await storeCredentials(hub.store, { bcryptRounds: 4 }).addUser(
      'operator1',
      'operator password',
      'operator',
    );
    // A new, empty profile each run (playwright passes it as --user-data-dir).
    browser = await launchChromium({ width: 1600, height: 1000 });
    page = browser.pages()[0] ?? (await browser.newPage());
  });

  afterEach(async function () {
    // What the browser showed when a test failed, for the person reading the CI log.
    if (this.currentTest?.state === 'failed')
      await page
        .screenshot({ path: '.test-results/dead-letters-failed.png' })
        .catch(() => undefined);
  });

  after(async () => {
    await browser.close().catch(() => undefined);
    await editorHub.stop();
  });

  const fixture = JSON.parse(
    readFileSync(`schemas/fixtures/${messageType}/valid-documented-my-number.json`, 'utf8'),
  ) as { data: { myNumber: string } };
  const raw = JSON.stringify(fixture.data);
  // Values of the message that the sidebar must never show: the My Number, the name (kanji and
  // kana) and the street.
  const secrets = [fixture.data.myNumber, '見本', 'ミホン', '神田錦町'];

  /** Publishes the message while 団体内統合宛名 refuses it; resolves with the archived letter's id. */
  async function deadLetterOf(id: string): Promise<number> {
    editorHub.down.add(failingSystem);
    await hub.broker.publisher.publish(EVENTS_EXCHANGE, messageType, Buffer.from(raw), {
      messageId: id,
      type: messageType,
    });
    let letterId = 0;
    await eventually(
      async () => {
        const row = (await hub.store
          .knex('dead_letters')
          .select('id')
          .where({ message_id: id, step: failingStep })
          .first()) as { id: number | string } | undefined;
        letterId = row === undefined ? 0 : Number(row.id);
        return letterId > 0;
      },
      30_000,
      'the refused delivery to be archived as a dead letter',
    );
    return letterId;
  }

  /** Signs in to the editor (forgetting an earlier sign-in) and waits for the flows. */
  function signIn(username: string, password: string): Promise<void> {
    return signInToEditor(page, hub.httpPort, username, password);
  }

  /**
   * Opens the "Dead letters / デッドレター" tab as a person would; waits for the signed-in user.
   * Node-RED 5's sidebar shows each tab as an icon button named by its aria-label (the tab's name),
   * and the buttons that do not fit in its ⋮ overflow menu.
   */
  async function openSidebar(who: string): Promise<Locator> {
    const button = page.locator('button[data-tab-id="hub-dead-letters"]');
    await button.waitFor({ state: 'attached' });
    expect(await button.getAttribute('aria-label')).to.equal('Dead letters / デッドレター');
    const sidebar = page.locator('#hub-dl');
    if (!(await sidebar.isVisible())) {
      if (await button.isVisible()) {
        await button.click();
      } else {
        await page.click('.red-ui-sidebar-tab-bar-overflow-button');
        await page
          .locator('#red-ui-sidebar-tab-bar-menu a', { hasText: 'Dead letters / デッドレター' })
          .click();
      }
    }
    await sidebar.waitFor({ state: 'visible' });
    await eventually(
      async () => ((await page.locator('#hub-dl-who').textContent()) ?? '').includes(who),
      10_000,
      `the sidebar to name ${who}`,
    );
    return sidebar;
  }

  it('an operator replays a dead letter from the sidebar and the message reaches the system', async () => {
    // 1. A real dead letter: 団体内統合宛名 refuses, the engine dead-letters, the archiver stores it.
    const letterId = await deadLetterOf(messageId);
    // 2. The cause is fixed.
    editorHub.down.delete(failingSystem);

    // 3. The operator signs in and opens the sidebar tab.
    await signIn('operator1', 'operator password');
    const sidebar = await openSidebar('operator1 (operator)');

    // 4. Counted per route and listed; the detail pane is masked.
    const row = page.locator(`tr.hub-dl-row[data-id="${String(letterId)}"]`);
    await row.waitFor();
    const counts = page.locator('#hub-dl-counts tr.hub-dl-count[data-route="affair-1"]');
    await counts.waitFor();
    expect(await counts.locator('td.hub-dl-count-total').textContent()).to.equal('1');
    expect(await counts.textContent()).to.contain('connector 1');
    expect(await row.textContent()).to.contain(failingStep);
    await row.locator('td').nth(1).click();
    const detailBody = page.locator('#hub-dl-body');
    await detailBody.waitFor();
    expect(await page.locator('#hub-dl-detail').textContent()).to.contain('masked / マスク済み');
    expect(await detailBody.textContent()).to.contain('[個人番号]');
    const shown = (await sidebar.innerText()) + (await page.content());
    for (const secret of secrets) {
      expect(shown.includes(secret), 'the sidebar shows a personal value').to.equal(false);
    }

    // 5. Ticked, dry-run: the target is the step that failed, nothing is sent.
    await row.locator('input.hub-dl-select').check();
    expect(await page.locator('#hub-dl-selection').textContent()).to.contain('1 selected');
    await page.click('#hub-dl-dry-run');
    const result = page.locator(
      `#hub-dl-result li.hub-dl-result-item[data-id="${String(letterId)}"]`,
    );
    await result.waitFor();
    expect(await result.locator('.hub-dl-result-status').textContent()).to.equal('would-publish');
    expect(await result.locator('.hub-dl-result-target').textContent()).to.contain(failingStep);
    expect(await result.locator('.hub-dl-result-effect').textContent()).to.contain(
      `deliver to ${failingSystem}`,
    );
    expect(editorHub.received.filter((item) => item.system === failingSystem)).to.have.length(0);

    // 6. Replay, confirmed: sent, reaches the system, the letter is replayed.
    // The sidebar asks for the reason the CLI takes as --reason: without one it does not send.
    await page.click('#hub-dl-replay');
    await page.click('#hub-dl-replay-confirm');
    expect(await page.locator('#hub-dl-replay-reason-error').textContent()).to.contain('理由');
    await page.fill('#hub-dl-replay-reason', 'system back up');
    await page.click('#hub-dl-replay-confirm');
    await eventually(
      async () =>
        (await result
          .locator('.hub-dl-result-status')
          .textContent()
          .catch(() => '')) === 'published',
      15_000,
      'the sidebar to show the letter published',
    );
    await eventually(
      () =>
        editorHub.received.some(
          (item) => item.system === failingSystem && item.message.correlationId === messageId,
        ),
      20_000,
      'the replayed message to reach 団体内統合宛名',
    );
    // The new status at once, still under the "open" filter.
    expect(await row.locator('td.hub-dl-status').textContent()).to.equal('replayed ×1');
    await page.selectOption('#hub-dl-status', 'all');
    await eventually(
      async () =>
        (await row
          .locator('td.hub-dl-status')
          .textContent()
          .catch(() => '')) === 'replayed ×1',
      10_000,
      'the list to show the letter replayed',
    );
    const stored = (await hub.store
      .knex('dead_letters')
      .select('status', 'replay_count')
      .where('id', letterId)
      .first()) as { status: string; replay_count: number | string };
    expect(stored.status).to.equal('replayed');
    expect(Number(stored.replay_count)).to.equal(1);
    const log = await createOperatorLog(hub.store, hub.keyRing).list({
      action: 'dead-letter.replay',
    });
    expect(log).to.have.length(1);
    expect(log[0]).to.include({
      actor: 'operator1',
      role: 'operator',
      target: `dead-letter:${String(letterId)}`,
      reason: 'system back up',
    });
  });

  it('an auditor reads the letters masked and dry-runs, but the Replay button is for operators', async () => {
    const letterId = await deadLetterOf('browser-dead-letter-2');
    await storeCredentials(hub.store, { bcryptRounds: 4 }).addUser(
      'auditor1',
      'auditor password',
      'auditor',
    );
    await signIn('auditor1', 'auditor password');
    const sidebar = await openSidebar('auditor1 (auditor)');
    const row = page.locator(`tr.hub-dl-row[data-id="${String(letterId)}"]`);
    await row.waitFor();
    await row.locator('td').nth(1).click();
    await page.locator('#hub-dl-body').waitFor();
    expect(await page.locator('#hub-dl-detail').textContent()).to.contain('browser-dead-letter-2');
    const shown = (await sidebar.innerText()) + (await page.content());
    for (const secret of secrets) {
      expect(shown.includes(secret), 'the sidebar shows a personal value').to.equal(false);
    }
    await row.locator('input.hub-dl-select').check();
    const replay = page.locator('#hub-dl-replay');
    expect(await replay.isDisabled()).to.equal(true);
    expect(await replay.getAttribute('title')).to.equal('operators only / オペレーターのみ');
    await page.click('#hub-dl-dry-run');
    const result = page.locator(
      `#hub-dl-result li.hub-dl-result-item[data-id="${String(letterId)}"]`,
    );
    await result.waitFor();
    expect(await result.locator('.hub-dl-result-status').textContent()).to.equal('would-publish');
    const stored = (await hub.store
      .knex('dead_letters')
      .select('status')
      .where('id', letterId)
      .first()) as { status: string };
    expect(stored.status).to.equal('open');
  });

  it('a bad message refused by every step bound to its type is one row naming those steps', async () => {
    const badId = 'browser-bad-message-1';
    await hub.broker.publisher.publish(
      EVENTS_EXCHANGE,
      'resident.movement.recorded',
      Buffer.from(JSON.stringify({ lgCode: '131016' })),
      { messageId: badId, type: 'resident.movement.recorded' },
    );
    const stepsOf = async () =>
      (
        (await hub.store
          .knex('dead_letters')
          .select('id', 'step')
          .where({ message_id: badId })) as {
          id: number | string;
          step: string;
        }[]
      ).map((letter) => ({ id: Number(letter.id), step: letter.step }));
    // Every shipped step that takes resident.movement.recorded refuses it (several affairs do).
    const bound = hub.engine
      .steps()
      .filter((step) => step.input.includes('resident.movement.recorded')).length;
    expect(bound).to.be.greaterThan(1);
    await eventually(
      async () => (await stepsOf()).length === bound,
      30_000,
      'one dead letter per bound step',
    );
    const letters = (await stepsOf()).sort((a, b) => a.id - b.id);
    await signIn('operator1', 'operator password');
    await openSidebar('operator1 (operator)');
    const row = page.locator(`tr.hub-dl-row[data-ids="${letters.map((l) => l.id).join(',')}"]`);
    await eventually(
      async () => {
        await page.click('#hub-dl-refresh');
        return (await row.count()) === 1;
      },
      20_000,
      'one row for the message',
    );
    expect(
      await page.locator(`tr.hub-dl-row[data-id="${String(letters[1]?.id)}"]`).count(),
    ).to.equal(0);
    expect(await row.locator('.hub-dl-step').allTextContents()).to.deep.equal(
      letters.map((letter) => letter.step),
    );
    // Ticking the row selects all its letters (a replay sends each back to its own step).
    await row.locator('input.hub-dl-select').check();
    expect(await page.locator('#hub-dl-selection').textContent()).to.contain(
      `${String(bound)} selected`,
    );
  });
});

/**
 * The palette's edit dialogs in Debian's chromium (issue 24, item 10): each hub node's dialog offers
 * drop-downs filled from the running hub (message types from the catalogue, transformers, systems by
 * name), and opening a shipped node's dialog and pressing Done keeps what it had.
 */
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { storeCredentials } from '../../hub/http/auth.js';
import { editorPlugin } from '../../hub/nodered/editor.js';
import {
  launchChromium,
  signInToEditor,
  startEditorHub,
  type EditorHub,
} from '../support/editor-hub.js';

describe('palette dialogs in chromium (browser)', function () {
  this.timeout(120_000);
  let editorHub: EditorHub;
  let browser: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    editorHub = await startEditorHub('hub-editor-palette-ui', [editorPlugin]);
    await storeCredentials(editorHub.hub.store, { bcryptRounds: 4 }).addUser(
      'integrator1',
      'correct horse',
      'integrator',
    );
    browser = await launchChromium();
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signInToEditor(page, editorHub.hub.httpPort, 'integrator1', 'correct horse');
  });
  after(async () => {
    await browser.close().catch(() => undefined);
    await editorHub.stop();
  });

  for (const [type, property, listed] of [
    ['hub-in', 'messageTypes', 'resident.movement.recorded'],
    ['hub-publish', 'messageType', 'atena.changed'],
    ['hub-transform', 'transformer', 'resident-movement-recorded-to-atena-changed'],
    ['hub-deliver', 'system', 'KIZON_JUKI'],
  ] as const) {
    it(`${type}: the dialog lists what the hub has and keeps the node's ${property}`, async () => {
      const result = await page.evaluate(
        async ([type, property]) => {
          interface Red {
            nodes: { eachNode(visit: (node: Record<string, unknown>) => void): void };
            editor: { edit(node: Record<string, unknown>): void };
          }
          interface Element {
            readonly textContent: string | null;
            readonly value?: string;
            click(): void;
          }
          const scope = globalThis as unknown as {
            RED: Red;
            document: {
              querySelectorAll(selector: string): ArrayLike<Element>;
              querySelector(selector: string): Element | null;
            };
          };
          const lists = '.red-ui-tray-body option, .red-ui-typedInput-options a';
          let node: Record<string, unknown> | undefined;
          scope.RED.nodes.eachNode((n) => {
            if (node === undefined && n['type'] === type) node = n;
          });
          if (node === undefined) return { before: 'no node', after: '', shown: '' };
          const before = String(node[property]);
          scope.RED.editor.edit(node);
          // Wait for the lists from the hub (the dialog's options or the typed input's menu).
          const deadline = Date.now() + 15_000;
          while (Date.now() < deadline && scope.document.querySelectorAll(lists).length < 3) {
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          const shown = Array.from(scope.document.querySelectorAll(lists))
            .map((el) => `${el.value ?? ''} ${el.textContent ?? ''}`)
            .join('\n');
          scope.document.querySelector('#node-dialog-ok')?.click();
          await new Promise((resolve) => setTimeout(resolve, 500));
          return { before, after: String(node[property]), shown };
        },
        [type, property] as const,
      );
      expect(result.before).to.not.equal('no node');
      expect(result.after).to.equal(result.before);
      expect(result.shown).to.contain(listed);
      expect(pageErrors).to.deep.equal([]);
    });
  }
});

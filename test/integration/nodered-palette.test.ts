/**
 * The hub palette follows Node-RED's conventions (issue 24, item 10): a Node-RED module with one
 * folder per node, each with its runtime file, its editor file, message catalogs in locales/en-US and
 * locales/ja with the same keys, and help in both languages; no inline "English / 日本語" strings in
 * the editor files. The running editor loads the module (only through the allow-list) and serves
 * each node's catalog in Japanese and in English.
 */
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { storeCredentials } from '../../hub/http/auth.js';
import { hubNodeTypes } from '../../hub/nodered/flow-model.js';
import { editorPlugin } from '../../hub/nodered/editor.js';
import { editorToken, startEditorHub, type EditorHub } from '../support/editor-hub.js';

const palette = join(import.meta.dirname, '../../hub/nodered/nodes');
const japanese = /[\u3040-\u30ff\u4e00-\u9fff]/;

/** Every key path of a catalog, sorted. */
function keysOf(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value)
    .flatMap(([key, inner]) => keysOf(inner, prefix ? `${prefix}.${key}` : key))
    .sort();
}
/** Every string of a catalog. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(stringsOf);
}
const read = (...parts: string[]): string => readFileSync(join(palette, ...parts), 'utf8');

describe('the hub palette: Node-RED conventions', function () {
  this.timeout(120_000);

  it('is a Node-RED module listing one folder per node', () => {
    const manifest = JSON.parse(read('package.json')) as {
      'node-red': { nodes: Record<string, string> };
    };
    expect(Object.keys(manifest['node-red'].nodes).sort()).to.deep.equal([...hubNodeTypes].sort());
    for (const [type, file] of Object.entries(manifest['node-red'].nodes)) {
      expect(file).to.equal(`${type}/${type}.js`);
      expect(existsSync(join(palette, type, `${type}.html`)), `${type}.html`).to.equal(true);
    }
  });

  for (const type of hubNodeTypes) {
    it(`${type}: catalogs and help in en-US and ja, nothing bilingual inline`, () => {
      const en = JSON.parse(read(type, 'locales', 'en-US', `${type}.json`)) as unknown;
      const ja = JSON.parse(read(type, 'locales', 'ja', `${type}.json`)) as unknown;
      expect(keysOf(ja)).to.deep.equal(keysOf(en));
      expect(stringsOf(en).filter((s) => japanese.test(s) && !/^[⏸]/.test(s))).to.deep.equal([]);
      expect(stringsOf(ja).some((s) => japanese.test(s))).to.equal(true);
      const helpEn = read(type, 'locales', 'en-US', `${type}.html`);
      const helpJa = read(type, 'locales', 'ja', `${type}.html`);
      expect(helpEn).to.contain(`data-help-name="${type}"`);
      expect(helpJa).to.contain(`data-help-name="${type}"`);
      expect(japanese.test(helpJa)).to.equal(true);
      const editor = read(type, `${type}.html`);
      expect(editor).to.not.contain('data-help-name');
      // "Name / 名前"-style labels: a slash between English and Japanese text.
      expect(editor).to.not.match(/[A-Za-z)] \/ [\u3040-\u30ff\u4e00-\u9fff]/);
      expect(editor).to.not.match(/[\u3040-\u30ff\u4e00-\u9fff)）] \/ [A-Za-z]/);
    });
  }

  describe('in the running editor', () => {
    let editorHub: EditorHub;
    let base: string;
    let auth: Record<string, string>;

    before(async () => {
      editorHub = await startEditorHub('hub-editor-palette', [editorPlugin]);
      const port = editorHub.hub.httpPort;
      base = `http://127.0.0.1:${String(port)}/editor`;
      await storeCredentials(editorHub.hub.store, { bcryptRounds: 4 }).addUser(
        'int1',
        'integrator password',
        'integrator',
      );
      auth = { Authorization: `Bearer ${await editorToken(port, 'int1', 'integrator password')}` };
    });
    after(async () => {
      await editorHub.stop();
    });

    it('loads every node of the module', async () => {
      const response = await fetch(`${base}/nodes`, {
        headers: { ...auth, Accept: 'application/json' },
      });
      const sets = (await response.json()) as { module: string; types: string[] }[];
      const ours = sets.filter((set) => set.module === 'juki-hub-nodes');
      expect(ours.flatMap((set) => set.types).sort()).to.deep.equal([...hubNodeTypes].sort());
    });

    it('serves each node catalog in Japanese and English', async () => {
      const catalog = async (type: string, lng: string) =>
        (await (
          await fetch(`${base}/locales/juki-hub-nodes/${type}?lng=${lng}`, { headers: auth })
        ).json()) as Record<string, { paletteLabel?: string }>;
      expect((await catalog('hub-in', 'ja'))['hub-in']?.paletteLabel).to.equal('ハブ受信');
      expect((await catalog('hub-in', 'en-US'))['hub-in']?.paletteLabel).to.equal('hub in');
      for (const type of hubNodeTypes.filter((t) => t !== 'hub-system')) {
        expect(
          japanese.test(String((await catalog(type, 'ja'))[type]?.paletteLabel)),
          type,
        ).to.equal(true);
      }
    });
  });
});

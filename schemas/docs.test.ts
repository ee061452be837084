import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { generateMessagesDoc, messagesDocFile } from './docs.js';
import { readSchemaFiles } from './registry.js';

describe('docs/messages.md', () => {
  it('is up to date with the schemas (run npm run docs:messages)', async function () {
    this.timeout(30_000);
    const expected = await generateMessagesDoc();
    const actual = readFileSync(messagesDocFile, 'utf8');
    expect(actual === expected, 'docs/messages.md is stale: run npm run docs:messages').to.equal(
      true,
    );
  });

  it('lists every message type with its Japanese title and 個人番号 flag', async function () {
    this.timeout(30_000);
    const text = await generateMessagesDoc();
    for (const [messageType, schema] of readSchemaFiles().messages) {
      expect(text).to.include(`## \`${messageType}\` — ${String(schema['title'])}`);
    }
    expect(text).to.include('| `myNumber`');
    expect(text).to.include('個人番号 / carries My Number: **あり / yes**');
  });
});

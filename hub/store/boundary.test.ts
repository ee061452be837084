import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/**
 * Issue 14 item 5: the store offers repositories, and no module outside hub/store/ builds SQL itself.
 * eslint refuses a value import of knex outside the store; this scan also catches the ways around
 * it — reaching the store's own knex (`store.knex`), a query on a transaction, a dynamic import.
 */
const root = resolve(import.meta.dirname, '../..');
const scanned = ['hub', 'connectors', 'bin'];

const forbidden: readonly { readonly pattern: RegExp; readonly what: string }[] = [
  { pattern: /\.knex\b/, what: "the store's knex (store.knex)" },
  { pattern: /\b(?:knex|trx)\s*(?:<[^>\n]*>)?\s*\(/, what: 'a knex query (knex(…) / trx(…))' },
  { pattern: /\btrx\.(?:raw|transaction|schema)\b/, what: 'a raw statement on a transaction' },
  { pattern: /\bimport\s*\(\s*['"]knex['"]\s*\)/, what: "a dynamic import('knex')" },
  { pattern: /^\s*import\s+(?!type\b)[^;]*from\s+['"]knex['"]/m, what: 'a value import of knex' },
];

function sources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(path);
    return /\.(?:ts|js|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith('.test.ts')
      ? [path]
      : [];
  });
}

/** Offences in one file's text, as `line: what`. */
export function offences(text: string): string[] {
  const found: string[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    const code = line.replace(/\/\/.*$/, '');
    if (/^\s*(?:\*|\/\*)/.test(code)) continue;
    for (const { pattern, what } of forbidden) {
      if (pattern.test(code)) found.push(`${String(index + 1)}: ${what}`);
    }
  }
  return found;
}

describe('store boundary: SQL is built in hub/store/ only (issue 14 item 5)', () => {
  it('finds knex queries, store.knex and value imports of knex, and lets type imports pass', () => {
    expect(offences("const rows = await store.knex('dead_letters').select('id');")).to.have.length(
      2,
    );
    expect(offences("await trx<Row>('hub_outbox').update({});")).to.have.length(1);
    expect(offences("import knexFactory from 'knex';")).to.have.length(1);
    expect(offences("const { default: k } = await import('knex');")).to.have.length(1);
    expect(offences("import type { Knex } from 'knex';")).to.deep.equal([]);
    expect(offences(' * over the store (no knex here)')).to.deep.equal([]);
  });

  it('no module outside hub/store/ builds SQL with knex', () => {
    const store = join(root, 'hub', 'store');
    const found = scanned
      .flatMap((directory) => sources(join(root, directory)))
      .filter((path) => !path.startsWith(`${store}/`))
      .flatMap((path) =>
        offences(readFileSync(path, 'utf8')).map((o) => `${relative(root, path)}:${o}`),
      );
    expect(found, 'move the query into a repository under hub/store/').to.deep.equal([]);
  });
});

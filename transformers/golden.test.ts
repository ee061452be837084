import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { fixtureRoot } from '../schemas/fixtures.js';
import { schemaRegistry } from '../schemas/registry.js';
import { transformers } from './index.js';
import type { TransformContext } from './transformer.js';

/**
 * Fixture in → fixture out: transformers/fixtures/<transformer>/<case>.json names a schema fixture as
 * input ("<messageType>/<fixture>"), the context, and the exact expected output.
 */
interface GoldenCase {
  readonly description: string;
  readonly input: string;
  readonly context: TransformContext;
  readonly expected: unknown;
}

const registry = schemaRegistry();
const root = join(import.meta.dirname, 'fixtures');

describe('transformers: fixture in → fixture out', () => {
  for (const name of readdirSync(root).sort()) {
    for (const file of readdirSync(join(root, name)).filter((item) => item.endsWith('.json'))) {
      const golden = JSON.parse(readFileSync(join(root, name, file), 'utf8')) as GoldenCase;
      it(`${name} ${file.replace(/\.json$/, '')}: ${golden.description}`, () => {
        const transformer = transformers.get(name);
        if (transformer === undefined) throw new Error(`no transformer ${name}`);
        const wrapper = JSON.parse(
          readFileSync(join(fixtureRoot, `${golden.input}.json`), 'utf8'),
        ) as { data: unknown };
        const input = registry.parse(transformer.from, wrapper.data);
        const output = transformer.transform(input, golden.context);
        expect(output).to.deep.equal(golden.expected);
        expect(registry.validate(transformer.to, output).issues).to.deep.equal([]);
      });
    }
  }
});

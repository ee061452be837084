import { expect } from 'chai';
import { TransformError } from '../hub/errors.js';
import { loadFixtures } from '../schemas/fixtures.js';
import { schemaRegistry } from '../schemas/registry.js';
import { transformerList, transformers } from './index.js';
import { sampleContext as contextFor } from './sample-context.js';

const registry = schemaRegistry();

/** Valid fixtures a CS-bound transformer must refuse: a private-use character has no 統一文字. */
const expectedRefusals = new Map<string, readonly string[]>([
  [
    'resident-movement-recorded-tokutei-to-identity-info-update-submitted',
    ['valid-private-use-character'],
  ],
  // The 転入通知 goes through the same mapping point (issue 17): the same 外字 fails both hops.
  ['resident-movement-recorded-tokutei-to-move-in-notice-sent', ['valid-private-use-character']],
]);

describe('transformer registry', () => {
  it('registers every transformer once, by its name', () => {
    expect(transformers.size).to.equal(transformerList.length);
    for (const [name, transformer] of transformers) expect(transformer.name).to.equal(name);
  });

  it('connects only message types of the catalogue', () => {
    for (const transformer of transformerList) {
      expect(registry.has(transformer.from), transformer.name).to.equal(true);
      expect(registry.has(transformer.to), transformer.name).to.equal(true);
      expect(transformer.description.ja).not.to.equal('');
      expect(transformer.description.en).not.to.equal('');
    }
  });

  it('never moves 個人番号 from a type that carries it into one that does not, except by dropping it', () => {
    // Flags may go from carrying to not carrying only where the transformer drops the number on purpose.
    const droppers = new Set([
      'move-in-notice-received-to-registry-cs-reply-received',
      'consistency-check-result-ready-to-completed',
      'certificate-data-replied-to-kiosk-certificate-failed',
      'certificate-data-replied-to-issuance-refusal-recorded',
    ]);
    for (const transformer of transformerList) {
      if (registry.carriesMyNumber(transformer.from) && !registry.carriesMyNumber(transformer.to)) {
        expect(droppers.has(transformer.name), transformer.name).to.equal(true);
      }
    }
  });

  for (const transformer of transformerList) {
    describe(transformer.name, () => {
      const inputs = loadFixtures(transformer.from).filter((fixture) => fixture.valid);
      const accepted = inputs.filter((fixture) =>
        transformer.accepts === undefined
          ? true
          : transformer.accepts(registry.parse(transformer.from, fixture.data)),
      );

      it('applies to at least one valid fixture of its input type', () => {
        expect(accepted.length).to.be.greaterThan(0);
      });

      for (const fixture of accepted) {
        const refused = expectedRefusals.get(transformer.name)?.includes(fixture.name) === true;
        it(`${refused ? 'refuses' : 'maps'} ${transformer.from}/${fixture.name}${refused ? '' : ` to a valid ${transformer.to}`}`, () => {
          const input = registry.parse(transformer.from, fixture.data);
          const run = () => transformer.transform(input, contextFor(fixture.data));
          if (refused) {
            expect(run).to.throw(TransformError);
            return;
          }
          const before = JSON.stringify(input);
          const output = run();
          expect(JSON.stringify(input), 'input unchanged').to.equal(before);
          const { issues } = registry.validate(transformer.to, output);
          expect(issues).to.deep.equal([]);
          expect(run(), 'deterministic').to.deep.equal(output);
        });
      }

      if (transformer.accepts !== undefined) {
        for (const fixture of inputs.filter((item) => !accepted.includes(item))) {
          it(`refuses ${transformer.from}/${fixture.name}, to which it does not apply`, () => {
            const input = registry.parse(transformer.from, fixture.data);
            expect(() => transformer.transform(input, contextFor(fixture.data))).to.throw(
              TransformError,
            );
          });
        }
      }
    });
  }
});

import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { generateTypes, interfaceName, typesFile } from './generate.js';

describe('generated types (schemas/types.gen.ts)', () => {
  it('are up to date with the schemas (run npm run schemas:types)', async function () {
    this.timeout(30_000);
    const expected = await generateTypes();
    const actual = readFileSync(typesFile, 'utf8');
    expect(
      actual === expected,
      'schemas/types.gen.ts is stale: run npm run schemas:types',
    ).to.equal(true);
  });

  it('name interfaces after message types', () => {
    expect(interfaceName('resident.movement.recorded.tokutei')).to.equal(
      'ResidentMovementRecordedTokutei',
    );
    expect(interfaceName('chukan.juminhyo-kankei.updated')).to.equal('ChukanJuminhyoKankeiUpdated');
  });
});

import { expect } from 'chai';
import { schemaRegistry } from '../../schemas/registry.js';
import { sampleMessage } from '../../schemas/sample.js';
import { maxCodePointsOf } from '../../schemas/limits.js';
import { validateCommand } from '../../hub/cli/validate.js';
import { consistencyRecordLayout } from './codec.js';

const registry = schemaRegistry();

describe('CS record: the kana field length is the schema limit (one source of truth)', () => {
  it('limits the CS half-width kana to the CS record field length (one source of truth)', () => {
    const field = consistencyRecordLayout.fields.find((candidate) => candidate.name === 'nameKana');
    expect(field?.length).to.equal(maxCodePointsOf('KanaHalfWidth'));
    const submitted = sampleMessage('identity-info.update.submitted');
    const limit = field?.length ?? 0;
    const fits = { ...submitted, nameKanaHalfWidth: 'ｱ'.repeat(limit) };
    const tooLong = { ...submitted, nameKanaHalfWidth: 'ｱ'.repeat(limit + 1) };
    const ok = validateCommand('identity-info.update.submitted', JSON.stringify(fits), registry);
    expect(ok.ok, ok.lines.join('\n')).to.equal(true);
    const result = validateCommand(
      'identity-info.update.submitted',
      JSON.stringify(tooLong),
      registry,
    );
    expect(result.lines[0]).to.equal(
      `/nameKanaHalfWidth: ${String(limit)} 文字（コードポイント）以下であること / must have at most ${String(limit)} code points`,
    );
  });
});

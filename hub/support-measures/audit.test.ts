import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { sampleMessage } from '../../schemas/sample.js';
import { createKeyedHasher } from '../security/keyed-hash.js';
import { refusalRowOf, subjectHashOf } from './audit.js';

describe('支援措置 audit row', () => {
  it('keeps codes and keyed hashes only, findable by the 宛名番号 under the same key', () => {
    const refusal = sampleMessage('issuance.refusal.recorded', 3);
    const hasher = createKeyedHasher(randomBytes(32));
    const row = refusalRowOf('m-1', refusal, hasher, new Date());
    const text = JSON.stringify(row);
    expect(text).not.to.contain(refusal.subjectAtenaNumber);
    expect(text).not.to.contain(refusal.requesterKey);
    expect(row.subjectHash).to.equal(subjectHashOf(hasher, refusal.subjectAtenaNumber ?? ''));
    expect(row.subjectHash).not.to.equal(
      subjectHashOf(createKeyedHasher(randomBytes(32)), refusal.subjectAtenaNumber ?? ''),
    );
    expect(row).to.include({ rule: refusal.rule, channel: 'KIOSK', requestId: refusal.requestId });
  });
});

import { expect } from 'chai';
import { createKeyedHasher } from '../security/keyed-hash.js';
import { criteriaHashes, criteriaKindOf } from './access.js';
import { projectRecord } from './identity.js';
import { purposes } from './purposes.js';

const record = {
  recordNo: 1,
  juminhyoCode: '00000000426',
  myNumber: '123456789018',
  name: '試験　太郎',
  nameKanaHalfWidth: 'ｼｹﾝ ﾀﾛｳ',
  birthDate: { value: '1980-01-02' },
  sex: 'MALE' as const,
  addressText: '東京都千代田区千代田１番',
  residentStatus: 'RESIDENT' as const,
};

describe('counter: purposes and the access record', () => {
  it('shows each 事務 exactly its items, and 個人番号 only to the card 事務', () => {
    const seen = (code: string) => Object.keys(projectRecord(record, purposes.get(code)!)).sort();
    expect(seen('PASSPORT_RESIDENCE')).to.deep.equal(['address', 'birthDate', 'name', 'sex']);
    for (const [code, purpose] of purposes) {
      expect(seen(code), code).to.deep.equal(
        purpose.items.filter((item) => item !== 'lastMovement').sort(),
      );
      expect(
        JSON.stringify(projectRecord(record, purpose)).includes(record.myNumber),
        code,
      ).to.equal(code === 'MYNUMBER_CARD');
    }
  });

  it('keeps criteria as keyed hashes only, one purpose per item', () => {
    const hasher = createKeyedHasher(Buffer.alloc(32, 7));
    const hashes = criteriaHashes(hasher, { name: record.name, birthDate: '1980-01-02' });
    expect(hashes).to.have.length(2);
    expect(hashes.join(' ')).to.not.contain(record.name).and.not.contain('1980');
    expect(hashes[0]).to.match(/^birthDate:[A-Za-z0-9_-]{43}$/);
    // The same value hashed for another item does not match (purposes are bound into the MAC).
    const [asName] = criteriaHashes(hasher, { name: 'x' });
    const [asAddress] = criteriaHashes(hasher, { address: 'x' });
    expect(asName?.split(':')[1]).to.not.equal(asAddress?.split(':')[1]);
    expect(criteriaKindOf({ myNumber: record.myNumber })).to.equal('MY_NUMBER');
    expect(criteriaKindOf({ name: 'x', birthDate: 'y' })).to.equal('NAME_BIRTH');
  });
});

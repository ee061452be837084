import { expect } from 'chai';
import { v5 as uuidv5 } from 'uuid';
import { outputIdOf } from './runner.js';

describe('output message ids', () => {
  it('are the UUID v5 of the step and input id, the same as before the byte-level shortcut', () => {
    // A message redelivered to a newer hub must get the output id the older hub gave it.
    expect(outputIdOf('affair-1.atena-to-kyotsu-kiban:m-1')).to.equal(
      uuidv5('affair-1.atena-to-kyotsu-kiban:m-1', '6f1c7a52-3b0e-4d8e-9a51-2c4b9d7e8f10'),
    );
    for (const name of ['', 'ascii', '住民票コード:12345678901', '𠮷野家:x', 'a'.repeat(500)]) {
      expect(outputIdOf(name), name).to.equal(uuidv5(name, '6f1c7a52-3b0e-4d8e-9a51-2c4b9d7e8f10'));
    }
  });
});

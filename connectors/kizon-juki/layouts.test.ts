import { expect } from 'chai';
import { sampleMovementRecorded } from '../../schemas/sample.js';
import { schemaRegistry } from '../../schemas/registry.js';
import { layoutForFile } from '../index.js';
import { splitLines } from '../runtime/file-layout.js';
import {
  encodeMovementCsv,
  encodeMovementFixed,
  movementCsvLayout,
  movementFixedLayout,
  movementToRecord,
} from './layouts.js';

describe('既存住基 file layouts: movement exports', () => {
  const movement = sampleMovementRecorded({}, 1);

  it('maps a fixed-width CP932 record back to the same valid resident.movement.recorded', () => {
    const file = encodeMovementFixed([movementToRecord(movement)]);
    const [record] = movementFixedLayout.records(file);
    expect(record?.line).to.equal(1);
    const mapped = movementFixedLayout.map(record!);
    expect(mapped).to.have.property('body').that.deep.equals(movement);
    expect(schemaRegistry().validate('resident.movement.recorded', movement).issues).to.deep.equal(
      [],
    );
  });

  it('maps a CSV line (after the header) to the same message; line numbers count the header', () => {
    const file = encodeMovementCsv([movementToRecord(movement), movementToRecord(movement)]);
    const records = movementCsvLayout.records(file);
    expect(records.map((record) => record.line)).to.deep.equal([2, 3]);
    expect(movementCsvLayout.map(records[1]!)).to.have.property('body').that.deep.equals(movement);
  });

  it('turns an undecodable record into a validation error naming the field, never the value', () => {
    const mapped = movementFixedLayout.map({ line: 4, bytes: Buffer.from('TOO SHORT') });
    expect(mapped).to.have.property('error');
    if (!('error' in mapped)) return;
    expect(mapped.error.reasonClass).to.equal('validation');
    expect(mapped.error.reason.en).to.not.contain('TOO SHORT');
  });

  it('splits CRLF and LF lines, skipping empty lines and a DOS EOF byte', () => {
    const lines = splitLines(Buffer.from('a\r\nb\n\nc\r\n\x1a'));
    expect(lines.map((line) => [line.line, line.bytes.toString()])).to.deep.equal([
      [1, 'a'],
      [2, 'b'],
      [4, 'c'],
    ]);
  });

  it('chooses a dropped file’s layout by its name prefix', () => {
    expect(layoutForFile('kizon-movement-csv_20261127.csv')?.kind).to.equal('csv');
    expect(layoutForFile('kizon-movement-fixed.dat')?.kind).to.equal('fixed');
    expect(layoutForFile('other.dat')).to.equal(undefined);
  });
});

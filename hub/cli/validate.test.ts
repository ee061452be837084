import { expect } from 'chai';
import { schemaRegistry } from '../../schemas/registry.js';
import { sampleMovementRecordedTokutei } from '../../schemas/sample.js';
import {
  closestMessageTypes,
  jsonSyntaxErrorOffset,
  lineAndColumn,
  schemasListLines,
  validateCommand,
} from './validate.js';

const registry = schemaRegistry();
const type = 'resident.movement.recorded.tokutei';

function run(mutate: (body: ReturnType<typeof sampleMovementRecordedTokutei>) => void) {
  const body = sampleMovementRecordedTokutei();
  mutate(body);
  return validateCommand(type, JSON.stringify(body, null, 2), registry);
}

describe('hub validate (validateCommand)', () => {
  it('accepts a valid message', () => {
    const result = run(() => undefined);
    expect(result.ok).to.equal(true);
    expect(result.lines).to.deep.equal([`${type}: 適合 / valid`]);
  });

  it('rejects a My Number with a wrong check digit, in Japanese and English', () => {
    const result = run((body) => {
      body.myNumber = '123456789019';
    });
    expect(result.ok).to.equal(false);
    expect(result.lines).to.include(
      '/myNumber: 個人番号の検査数字が一致しません / My Number check digit does not match',
    );
    expect(result.lines.join('\n')).not.to.include('123456789019');
  });

  it('rejects a local-government code with a wrong check digit', () => {
    const result = run((body) => {
      body.lgCode = '131017';
    });
    expect(result.ok).to.equal(false);
    expect(result.lines[0]).to.equal(
      '/lgCode: 地方公共団体コードの検査数字が一致しません / local government code check digit does not match',
    );
  });

  it('rejects a name containing U+FFFD without echoing the name', () => {
    const result = run((body) => {
      body.resident.name.name = '見本\uFFFD子';
    });
    expect(result.ok).to.equal(false);
    expect(result.lines[0]).to.match(
      /^\/resident\/name\/name: 使用できない文字を含みます: 置換文字 U\+FFFD/,
    );
    expect(result.lines.join('\n')).not.to.include('見本');
  });

  it('accepts a 令和5年頃-style unknown date', () => {
    const result = run((body) => {
      body.movedOn = { isUnknown: true, unknownText: '令和5年頃', era: 'R' };
    });
    expect(result).to.deep.equal({ ok: true, lines: [`${type}: 適合 / valid`] });
  });

  it('accepts a name with an ideographic variation selector', () => {
    const result = run((body) => {
      body.resident.name.name = '葛\u{E0100}城　花子';
    });
    expect(result.ok).to.equal(true);
  });

  it('passes with a warning for a 住民票コード check digit mismatch (warn mode)', () => {
    const result = run((body) => {
      body.resident.juminhyoCode = '12345678901';
    });
    expect(result.ok).to.equal(true);
    expect(result.lines[1]).to.equal(
      '/resident/juminhyoCode: 警告: 住民票コードの検査数字が一致しません / warning: juminhyo code check digit does not match',
    );
  });

  it('prints every error and a summary line', () => {
    const result = run((body) => {
      body.myNumber = '123456789019';
      body.lgCode = '131017';
    });
    expect(result.ok).to.equal(false);
    expect(result.lines.at(-1)).to.equal(`${type}: 不適合（2 件） / invalid (2 errors)`);
  });

  it('names the closest known types for an unknown message type', () => {
    const result = validateCommand('resident.movement.recordd', '{}', registry);
    expect(result.ok).to.equal(false);
    expect(result.lines[0]).to.include('Unknown message type: resident.movement.recordd');
    expect(result.lines[1]).to.include('resident.movement.recorded');
    expect(
      closestMessageTypes('kiosk.certificate.request', ['a.b', 'kiosk.certificate.requested'], 1),
    ).to.deep.equal(['kiosk.certificate.requested']);
  });

  it('reports invalid JSON by line and column without echoing the content', () => {
    const input = '{\n  "lgCode": "131016",\n  "name": 秘密\n}';
    const result = validateCommand(type, input, registry);
    expect(result).to.deep.equal({
      ok: false,
      lines: ['JSON の構文が不正です（3 行 11 列） / Invalid JSON at line 3, column 11'],
    });
  });

  it('locates JSON syntax errors', () => {
    expect(jsonSyntaxErrorOffset('{"a":1}')).to.equal(undefined);
    expect(jsonSyntaxErrorOffset('[1,2,]')).to.equal(5);
    expect(jsonSyntaxErrorOffset('{"a":1')).to.equal(6);
    expect(jsonSyntaxErrorOffset('{"a":1}}')).to.equal(7);
    expect(jsonSyntaxErrorOffset('"\\x"')).to.equal(2);
    expect(jsonSyntaxErrorOffset('')).to.equal(0);
    expect(lineAndColumn('ab\n𠮷x', 6)).to.deep.equal({ line: 2, column: 3 });
  });

  it('accepts input with a UTF-8 byte order mark', () => {
    const body = JSON.stringify(sampleMovementRecordedTokutei());
    expect(validateCommand(type, `\uFEFF${body}`, registry).ok).to.equal(true);
  });
});

describe('hub schemas list (schemasListLines)', () => {
  it('lists every type with its title, route and 個人番号 flag', () => {
    const lines = schemasListLines(registry);
    expect(lines).to.have.length(registry.list().length);
    const line = lines.find((item) => item.startsWith('resident.movement.recorded.tokutei'));
    expect(line).to.include('住民異動記録（特定個人情報）');
    expect(line).to.include('KIZON_JUKI → TOUGOU_ATENA');
    expect(line).to.include('個人番号あり/carries My Number');
  });
});

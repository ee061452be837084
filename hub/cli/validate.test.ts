import { expect } from 'chai';
import { schemaRegistry } from '../../schemas/registry.js';
import { sampleMessage, sampleMovementRecordedTokutei } from '../../schemas/sample.js';
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

describe('hub validate: dates and characters of a real register (issue 17)', () => {
  const invalid = (mutate: Parameters<typeof run>[0]) => {
    const result = run(mutate);
    expect(result.ok, result.lines.join('\n')).to.equal(false);
    return result.lines;
  };
  const valid = (mutate: Parameters<typeof run>[0]) => {
    const result = run(mutate);
    expect(result.ok, result.lines.join('\n')).to.equal(true);
  };

  it('refuses an era date that never existed, at /era, naming the era range', () => {
    const cases = [
      { value: '2019-05-01', era: 'H' as const }, // 平成31年5月1日
      { value: '2019-04-30', era: 'R' as const }, // 令和元年4月30日
      { value: '1989-01-08', era: 'S' as const }, // 昭和64年1月8日
      { value: '1926-12-26', era: 'T' as const }, // 大正15年12月26日
      { value: '1912-07-31', era: 'M' as const }, // 明治45年7月31日
    ];
    for (const date of cases) {
      const lines = invalid((body) => {
        body.resident.birthDate = date;
      });
      expect(lines[0]).to.match(
        /^\/resident\/birthDate\/era: 元号と年月日が一致しません: 元号の期間外の日付です（.+） \/ era does not match the date: date does not exist in that era/,
      );
      expect(lines.join('\n')).not.to.include(date.value);
    }
  });

  it('accepts the boundary days under both eras', () => {
    for (const date of [
      { value: '1912-07-30', era: 'M' as const },
      { value: '1912-07-30', era: 'T' as const },
      { value: '1926-12-25', era: 'T' as const },
      { value: '1926-12-25', era: 'S' as const },
      { value: '1989-01-07', era: 'S' as const },
      { value: '1989-01-08', era: 'H' as const },
      { value: '2019-04-30', era: 'H' as const },
      { value: '2019-05-01', era: 'R' as const },
    ]) {
      valid((body) => {
        body.resident.birthDate = date;
      });
    }
  });

  it('accepts unknown parts (日不詳, 月日不詳) and checks their era by overlap', () => {
    for (const value of ['1950-04', '1950', '1950-04-00', '1950-00-00']) {
      valid((body) => {
        body.resident.birthDate = { value, era: 'S' };
      });
    }
    valid((body) => {
      body.resident.birthDate = { value: '1989', era: 'H' }; // 平成元年, 月日不詳
    });
    const lines = invalid((body) => {
      body.resident.birthDate = { value: '2019-05', era: 'H' };
    });
    expect(lines[0]).to.match(/^\/resident\/birthDate\/era: /);
    invalid((body) => {
      body.resident.birthDate = { value: '1950-00-05', era: 'S' };
    });
  });

  it('refuses a birth in the future and a movement after its processing date', () => {
    const birth = invalid((body) => {
      body.resident.birthDate = { value: '2099-01-01', era: 'R' };
    });
    expect(birth[0]).to.equal(
      '/resident/birthDate/value: 生年月日が未来の日付です（本日より後の出生は登録できません） / birth date is in the future (a birth after today cannot be registered)',
    );
    const moved = invalid((body) => {
      body.movedOn = { value: '2026-11-28', era: 'R' };
      body.processedOn = '2026-11-27';
    });
    expect(moved[0]).to.equal(
      '/movedOn/value: 異動年月日が処理日より後です（処理日より後にできるのは転出のみ） / movedOn is after processedOn (only a move-out may be dated after its processing date)',
    );
    valid((body) => {
      body.movedOn = { value: '2026-11-27', era: 'R' };
      body.processedOn = '2026-11-27';
    });
  });

  it('allows a move-out dated after its processing date', () => {
    const body = sampleMovementRecordedTokutei({}, 1, 'DOMESTIC_MOVE_OUT');
    body.movedOn = { value: '2026-12-20', era: 'R' };
    expect(validateCommand(type, JSON.stringify(body), registry).ok).to.equal(true);
  });

  it('accepts CP932 look-alikes in addresses (１−２−３ with U+2212, 〜, ‖, ¬, ¥)', () => {
    for (const banchiGo of ['１−２−３', '１－２－３', '１〜３', '‖¬¥']) {
      valid((body) => {
        body.resident.address.banchiGo = banchiGo;
      });
    }
  });

  it('refuses emoji, Hangul, zero-width and bidi characters in names, by code point', () => {
    const cases: readonly (readonly [string, string])[] = [
      ['見本😀', 'U+1F600'],
      ['見本한', 'U+D55C'],
      ['見\u200B本', 'U+200B'],
      ['見\u200D本', 'U+200D'],
      ['見\u202E本', 'U+202E'],
      ['見\u2067本', 'U+2067'],
      ['\uFEFF見本', 'U+FEFF'],
    ];
    for (const [name, code] of cases) {
      const lines = invalid((body) => {
        body.resident.name.name = name;
      });
      expect(lines[0]).to.match(/^\/resident\/name\/name: 使用できない文字を含みます: /);
      expect(lines[0]).to.include(code);
      expect(lines.join('\n')).not.to.include('見');
    }
  });

  it('refuses names and kana of only spaces', () => {
    for (const name of ['\u3000', '   ', '\u3000 \u3000']) {
      const lines = invalid((body) => {
        body.resident.name.name = name;
      });
      expect(lines).to.include(
        '/resident/name/name: 空白だけの値は使用できません / must not be only spaces',
      );
    }
    const kana = invalid((body) => {
      body.resident.name.nameKana = '\u3000\u3000';
    });
    expect(kana).to.include(
      '/resident/name/nameKana: 空白だけの値は使用できません / must not be only spaces',
    );
  });

  it('limits the CS half-width kana to 60 code points (the CS record holds 60 bytes)', () => {
    const submitted = sampleMessage('identity-info.update.submitted');
    const fits = { ...submitted, nameKanaHalfWidth: 'ｱ'.repeat(60) };
    const tooLong = { ...submitted, nameKanaHalfWidth: 'ｱ'.repeat(61) };
    expect(
      validateCommand('identity-info.update.submitted', JSON.stringify(fits), registry).ok,
    ).to.equal(true);
    const result = validateCommand(
      'identity-info.update.submitted',
      JSON.stringify(tooLong),
      registry,
    );
    expect(result.lines[0]).to.equal(
      '/nameKanaHalfWidth: 60 文字（コードポイント）以下であること / must have at most 60 code points',
    );
  });
});

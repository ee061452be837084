import { expect } from 'chai';
import iconv from 'iconv-lite';
import { defineCsv } from './csv.js';
import { CodecError } from './errors.js';

const columns = [
  { name: 'juminhyoCode', header: '住民票コード', required: true, pattern: /^[0-9]{11}$/ },
  { name: 'name', header: '氏名', required: true },
  { name: 'nameKana', header: 'フリガナ' },
  { name: 'address', header: '住所' },
] as const;

const rows = [
  {
    juminhyoCode: '24727059608',
    name: '山田　太郎',
    nameKana: 'ヤマダ　タロウ',
    address: '東京都千代田区',
  },
  {
    juminhyoCode: '00000000019',
    name: '髙橋　﨑子',
    nameKana: 'ﾀｶﾊｼ',
    address: '大阪府大阪市北区1-2, "3"',
  },
  { juminhyoCode: '12345678901', name: '鈴木　一郎', nameKana: '', address: '' },
];

function codecError(action: () => unknown): CodecError {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(CodecError);
    return error as CodecError;
  }
  expect.fail('expected a CodecError');
}

describe('CSV codec', () => {
  const cp932 = defineCsv({ name: 'residents', columns, encoding: 'cp932', header: true });

  it('round-trips CP932 with a header row and CRLF', () => {
    const bytes = cp932.encode(rows);
    const text = iconv.decode(bytes, 'cp932');
    expect(text.startsWith('住民票コード,氏名,フリガナ,住所\r\n')).to.equal(true);
    expect(bytes.includes(iconv.encode('髙橋', 'cp932'))).to.equal(true);
    expect(cp932.decode(bytes)).to.deep.equal(rows);
  });

  it('round-trips UTF-8 without a header and with LF', () => {
    const utf8 = defineCsv({
      name: 'residents-utf8',
      columns,
      encoding: 'utf-8',
      header: false,
      lineEnding: 'lf',
    });
    const withVariation = [{ ...rows[0]!, name: '葛\u{E0100}飾　花子' }];
    const bytes = utf8.encode(withVariation);
    expect(bytes.toString('utf8').split('\n')[0]).to.match(/^24727059608,/);
    expect(utf8.decode(bytes)).to.deep.equal(withVariation);
    expect(utf8.decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]))).to.deep.equal(
      withVariation,
    );
  });

  it('names line and column of a bad row, not its values', () => {
    const text =
      '住民票コード,氏名,フリガナ,住所\r\n24727059608,山田　太郎,ﾔﾏﾀﾞ,東京\r\n12345678901,鈴木\r\n';
    const short = codecError(() => cp932.decode(iconv.encode(text, 'cp932')));
    expect(short.location).to.deep.include({ layout: 'residents', line: 3, field: 'nameKana' });
    expect(short.message).not.to.include('鈴木');

    const empty = codecError(() =>
      cp932.decode(iconv.encode('住民票コード,氏名,フリガナ,住所\r\n24727059608,,,\r\n', 'cp932')),
    );
    expect(empty.location).to.deep.include({ line: 2, field: 'name' });

    const pattern = codecError(() =>
      cp932.decode(
        iconv.encode('住民票コード,氏名,フリガナ,住所\r\n2472705960,山田,,\r\n', 'cp932'),
      ),
    );
    expect(pattern.location).to.deep.include({ line: 2, field: 'juminhyoCode' });
    expect(pattern.message).not.to.include('2472705960');
  });

  it('checks the header row', () => {
    const error = codecError(() =>
      cp932.decode(iconv.encode('住民票コード,名前,フリガナ,住所\r\n', 'cp932')),
    );
    expect(error.location).to.deep.include({ line: 1, field: 'name' });
  });

  it('rejects an unrepresentable character with line, column and code point', () => {
    const error = codecError(() => cp932.encode([rows[0]!, { ...rows[2]!, address: '東京🍣' }]));
    expect(error.location).to.deep.include({
      line: 3,
      field: 'address',
      codePointIndex: 2,
      codePoint: 'U+1F363',
    });
  });

  it('rejects bytes that are not CP932 with line and byte offset', () => {
    const bytes = cp932.encode(rows.slice(0, 1));
    const broken = Buffer.concat([bytes, Buffer.from('24727059608,'), Buffer.of(0x81, 0x0a)]);
    const error = codecError(() => cp932.decode(broken));
    expect(error.location).to.deep.include({ line: 3, byteOffset: bytes.length + 12 });
  });

  it('reports malformed CSV with its line', () => {
    const error = codecError(() =>
      cp932.decode(
        iconv.encode('住民票コード,氏名,フリガナ,住所\r\n"24727059608,山田,,\r\n', 'cp932'),
      ),
    );
    expect(error.message).to.match(/malformed CSV/);
  });
});

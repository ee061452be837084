import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectorError } from '../../hub/errors.js';
import { sampleMessage } from '../../schemas/sample.js';
import { registryResidentExtractedToConsistencyCheckRecord } from '../../transformers/registry-resident-extracted-to-consistency-check-record.js';
import { consistencyRecordLayout, encodeConsistencyRecord, textHash } from '../jukinet-cs/codec.js';
import { renderCertificatePdf, subjectKeyOfPdf } from '../conveni-issuance/pdf.js';
import { isComplete, openAtomicFile, pathOfRef, readJsonLines } from './files.js';
import { httpSink } from './http-sink.js';
import { createSimulator, type Simulator } from './simulator.js';

function message(id: string) {
  const body = { hello: 'world' };
  return {
    messageId: id,
    messageType: 'atena.changed',
    correlationId: id,
    body,
    content: Buffer.from(JSON.stringify(body)),
    headers: {},
  };
}

async function deliveryError(deliver: () => Promise<void>): Promise<ConnectorError> {
  try {
    await deliver();
  } catch (error) {
    expect(error).to.be.instanceOf(ConnectorError);
    return error as ConnectorError;
  }
  expect.fail('expected a ConnectorError');
}

describe('connector runtime', () => {
  let sim: Simulator;
  before(async () => {
    sim = createSimulator({ system: 'TEST', port: 0 });
    await sim.start();
  });
  after(async () => {
    await sim.stop();
  });

  it('delivers once per message id (a redelivery is a duplicate at the system)', async () => {
    const sink = httpSink({ system: 'TEST', allowsMyNumber: false, baseUrl: sim.url() });
    await sink.deliver(message('m-1'));
    await sink.deliver(message('m-1'));
    expect(sim.received.map((entry) => entry.messageId)).to.deep.equal(['m-1']);
    expect(sim.received[0]?.body).to.deep.equal({ hello: 'world' });
  });

  it('classifies failures: 503 and timeouts retryable, 4xx and encoding failures not', async () => {
    const sink = httpSink({
      system: 'TEST',
      allowsMyNumber: false,
      baseUrl: sim.url(),
      timeoutMs: 200,
    });
    sim.control.mode = '503';
    expect((await deliveryError(() => sink.deliver(message('m-2')))).disposition).to.equal('retry');
    sim.control.mode = 'timeout';
    sim.control.delayMs = 1_000;
    const timedOut = await deliveryError(() => sink.deliver(message('m-3')));
    expect(timedOut.disposition).to.equal('retry');
    expect(timedOut.message).to.include('no answer within 200 ms');
    sim.control.mode = 'ok';
    const refusing = httpSink({
      system: 'TEST',
      allowsMyNumber: false,
      baseUrl: `${sim.url()}/nowhere`,
    });
    expect((await deliveryError(() => refusing.deliver(message('m-4')))).disposition).to.equal(
      'dead-letter',
    );
    const unencodable = httpSink({
      system: 'TEST',
      allowsMyNumber: false,
      baseUrl: sim.url(),
      encoding: {
        contentType: 'text/plain',
        encode: () => {
          throw new Error('no layout');
        },
      },
    });
    expect((await deliveryError(() => unencodable.deliver(message('m-5')))).disposition).to.equal(
      'dead-letter',
    );
    const unreachable = httpSink({
      system: 'TEST',
      allowsMyNumber: false,
      baseUrl: 'http://127.0.0.1:1',
    });
    expect((await deliveryError(() => unreachable.deliver(message('m-6')))).disposition).to.equal(
      'retry',
    );
  });

  it('writes files atomically: no file before commit, then the file and its marker', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hub-files-'));
    const path = join(dir, 'out', 'data.jsonl');
    const file = await openAtomicFile(path);
    await file.write('{"a":1}\n');
    await file.write(Buffer.from('{"a":2}\n'));
    expect(existsSync(path)).to.equal(false);
    expect(await isComplete(path)).to.equal(false);
    const { fileRef, sha256 } = await file.commit();
    expect(pathOfRef(fileRef)).to.equal(path);
    expect(await isComplete(path)).to.equal(true);
    expect(readFileSync(`${path}.done`, 'utf8').trim()).to.equal(sha256);
    expect(await readdir(join(dir, 'out'))).to.have.members(['data.jsonl', 'data.jsonl.done']);
    const lines: unknown[] = [];
    for await (const line of readJsonLines(path)) lines.push(line);
    expect(lines).to.deep.equal([{ a: 1 }, { a: 2 }]);
  });

  it('encodes the CS consistency record as fixed-width CP932 with hashed 統一文字 fields', () => {
    const record = registryResidentExtractedToConsistencyCheckRecord.transform(
      sampleMessage('registry.resident.extracted', 42),
      { messageId: 'x', now: '2026-11-27T00:00:00+09:00', lgCode: '131016' },
    );
    const bytes = encodeConsistencyRecord(record);
    expect(bytes.length).to.equal(consistencyRecordLayout.recordLength);
    const decoded = consistencyRecordLayout.decode(bytes);
    expect(decoded.juminhyoCode).to.equal(record.juminhyoCode);
    expect(decoded.myNumber).to.equal(record.myNumber);
    expect(decoded.nameHash).to.equal(textHash(record.name));
    expect(decoded.addressHash).to.equal(textHash(record.addressText));
    expect(decoded.nameKana).to.equal(record.nameKanaHalfWidth ?? '');
  });

  it('stamps the subject key in a real PDF and reads it back', async () => {
    const pdf = await renderCertificatePdf({
      subjectKey: 's1:abc-DEF_123',
      certificateType: 'JUMINHYO',
      issueNumber: 'X-1',
      centerRequestId: 'R-1',
      residentKey: 'r1:xyz',
      lines: [],
    });
    expect(pdf.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    expect(subjectKeyOfPdf(pdf)).to.equal('s1:abc-DEF_123');
    expect(subjectKeyOfPdf(Buffer.from('%PDF-1.3 nothing'))).to.equal(undefined);
  });
});

describe('HTTP sink connections', () => {
  it('sends again on a new connection when the system closed the kept-alive one', async () => {
    // A system that answers the first request of each connection and then closes the connection
    // without saying so (no "Connection: close"), as servers with a short keep-alive timeout do.
    const answered: string[] = [];
    const server = createServer((socket) => {
      let served = false;
      socket.on('data', (data: Buffer) => {
        if (served) {
          socket.destroy();
          return;
        }
        served = true;
        answered.push(/idempotency-key: (\S+)/i.exec(data.toString())?.[1] ?? '?');
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=60\r\n\r\nok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const sink = httpSink({
        system: 'TEST',
        allowsMyNumber: false,
        baseUrl: `http://127.0.0.1:${String(port)}`,
      });
      await sink.deliver(message('k-1'));
      await sink.deliver(message('k-2'));
      await sink.deliver(message('k-3'));
      expect(answered).to.deep.equal(['k-1', 'k-2', 'k-3']);
    } finally {
      server.close();
    }
  });
});

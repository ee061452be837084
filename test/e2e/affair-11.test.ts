import { expect } from 'chai';
import { eventually } from '../support/broker.js';
import { startE2e, type E2e } from './support.js';

interface Made {
  centerRequestId: string;
  certificateType: string;
  subjectKey: string;
}
interface Verdict {
  centerRequestId: string;
  status: string;
  errorKind?: string;
  answers: number;
}

async function results(e2e: E2e): Promise<Map<string, Verdict>> {
  const response = await fetch(`${e2e.url('JLIS_CERT_CENTER')}/results`);
  const body = (await response.json()) as { results: Verdict[] };
  return new Map(body.results.map((verdict) => [verdict.centerRequestId, verdict]));
}

describe('e2e affair 11: コンビニ交付 under concurrency', function () {
  this.timeout(120_000);
  let e2e: E2e;

  before(async () => {
    e2e = await startE2e();
  });
  after(async () => {
    await e2e.stop();
  });

  it('100 concurrent requests (住民票 and 戸籍): every certificate reaches its own requester', async () => {
    const { requests } = (await e2e.post('JLIS_CERT_CENTER', '/trigger/requests', {
      count: 100,
      firstSeed: 101,
      types: ['JUMINHYO', 'KOSEKI_ZENBU'],
      respondWithinMs: 60_000,
    })) as { requests: Made[] };
    expect(requests).to.have.length(100);
    expect(new Set(requests.map((request) => request.subjectKey)).size).to.equal(100);
    await eventually(
      async () =>
        [...(await results(e2e)).values()].every((verdict) => verdict.status !== 'pending'),
      90_000,
      'an answer for every kiosk request',
    );
    const verdicts = await results(e2e);
    const statuses = [...verdicts.values()].map((verdict) => verdict.status);
    expect(statuses.filter((status) => status === 'cross-delivery')).to.have.length(0);
    expect(statuses.filter((status) => status === 'issued')).to.have.length(100);
    expect([...verdicts.values()].every((verdict) => verdict.answers === 1)).to.equal(true);
    // Independently of the center's own check: the subject stamped in each PDF is the requester's.
    const received = await e2e.received('JLIS_CERT_CENTER');
    const expected = new Map(requests.map((request) => [request.centerRequestId, request]));
    let checked = 0;
    for (const message of received.messages) {
      if (message.messageType !== 'kiosk.certificate.produced') continue;
      const request = expected.get(String(message.body['centerRequestId']));
      expect(request, 'a certificate for a request the center made').to.not.equal(undefined);
      expect(message.body['pdfSubjectKey']).to.equal(request?.subjectKey);
      expect(message.body['certificateType']).to.equal(request?.certificateType);
      expect(message.correlationId).to.equal(request?.centerRequestId);
      checked += 1;
    }
    expect(checked).to.equal(100);
    // The 戸籍 path really went to the 戸籍 system (11-④⑤), once per 戸籍 request.
    const koseki = await e2e.received('KOSEKI');
    expect(koseki.count).to.equal(
      requests.filter((request) => request.certificateType === 'KOSEKI_ZENBU').length,
    );
  });

  it('an answer later than the deadline produces kiosk.certificate.failed (TIMEOUT) instead', async () => {
    await e2e.post('CONVENI_ISSUANCE', '/control', { mode: 'late', delayMs: 1_200 });
    try {
      const { requests } = (await e2e.post('JLIS_CERT_CENTER', '/trigger/requests', {
        count: 1,
        firstSeed: 500,
        types: ['JUMINHYO'],
        respondWithinMs: 1_500,
      })) as { requests: Made[] };
      const id = requests[0]?.centerRequestId ?? '';
      await eventually(
        async () => (await results(e2e)).get(id)?.status !== 'pending',
        30_000,
        'the late request answered',
      );
      const verdict = (await results(e2e)).get(id);
      expect(verdict?.status).to.equal('failed');
      expect(verdict?.errorKind).to.equal('TIMEOUT');
      const answers = (await e2e.received('JLIS_CERT_CENTER')).messages.filter(
        (message) => message.body['centerRequestId'] === id,
      );
      expect(answers.map((message) => message.messageType)).to.deep.equal([
        'kiosk.certificate.failed',
      ]);
    } finally {
      await e2e.post('CONVENI_ISSUANCE', '/control', { mode: 'ok', delayMs: 0 });
    }
  });

  it('a 戸籍 system that is down gives the kiosk a SYSTEM failure, not a wait', async () => {
    await e2e.post('KOSEKI', '/control', { mode: '503' });
    try {
      const { requests } = (await e2e.post('JLIS_CERT_CENTER', '/trigger/requests', {
        count: 1,
        firstSeed: 600,
        types: ['KOSEKI_KOJIN'],
      })) as { requests: Made[] };
      const id = requests[0]?.centerRequestId ?? '';
      await eventually(
        async () => (await results(e2e)).get(id)?.status !== 'pending',
        20_000,
        'the 戸籍 request answered',
      );
      expect((await results(e2e)).get(id)).to.include({ status: 'failed', errorKind: 'SYSTEM' });
    } finally {
      await e2e.post('KOSEKI', '/control', { mode: 'ok' });
    }
  });
});

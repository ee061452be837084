/**
 * Affair 11 end to end: 既存住基 → hub → コンビニ交付 (11-①), 支援措置 to コンビニ交付 and the CS, the center's
 * kiosk requests through the route's subject check, refusals, the deadline, and the 支援措置 audit.
 * Oracles: the center simulator's own verdicts and what it received (PDF stamps read there), the
 * dead letters on the broker, the audit rows in the store; keys are recomputed here with node:crypto.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { kosekiSimulator } from '../../connectors/koseki/simulator.js';
import { sampleAddress, sampleAtenaNumber, sampleCertSerial } from '../../schemas/sample.js';
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
interface AuditRow {
  request_id: string;
  channel: string;
  rule: string;
  subject_hash: string | null;
  requester_hash: string;
  certificate_type: string | null;
}

async function results(e2e: E2e): Promise<Map<string, Verdict>> {
  const response = await fetch(`${e2e.url('JLIS_CERT_CENTER')}/results`);
  const body = (await response.json()) as { results: Verdict[] };
  return new Map(body.results.map((verdict) => [verdict.centerRequestId, verdict]));
}

/** The address key the PDF must show, computed here (not with the simulator's code). */
function addressKey(seed: number): string {
  const address = sampleAddress(seed);
  const text = [
    address.prefecture,
    address.municipalityName,
    address.choaza ?? '',
    address.banchiGo ?? '',
    address.katagaki ?? '',
  ].join('');
  return `a1:${createHash('sha256').update(text, 'utf8').digest('base64url')}`;
}

describe('e2e affair 11: コンビニ交付 done right', function () {
  this.timeout(240_000);
  let e2e: E2e;

  before(async () => {
    e2e = await startE2e();
  });
  after(async () => {
    await e2e.stop();
  });

  /** Movements of `atena` the コンビニ交付 simulator has received. */
  async function movementsHeld(atenaNumber: string): Promise<number> {
    const received = await e2e.received('CONVENI_ISSUANCE');
    return received.messages.filter(
      (message) =>
        message.messageType === 'resident.movement.recorded' &&
        message.body['atenaNumber'] === atenaNumber,
    ).length;
  }

  /** Records a movement at 既存住基 and waits until the コンビニ交付 system holds it (11-①). */
  async function record(seed: number, body: Record<string, unknown> = {}): Promise<void> {
    const atenaNumber = sampleAtenaNumber(seed);
    const before = await movementsHeld(atenaNumber);
    await e2e.post('KIZON_JUKI', '/trigger/movement', { reason: 'RELOCATION', seed, ...body });
    await eventually(
      async () => (await movementsHeld(atenaNumber)) > before,
      60_000,
      `the movement of resident ${String(seed)} at the コンビニ交付 system`,
    );
  }

  /** One kiosk request, answered; returns its verdict and what the center received for it. */
  async function ask(
    seed: number,
    certificateType: string,
    extra: Record<string, unknown> = {},
  ): Promise<{ id: string; verdict: Verdict; body: Record<string, unknown> }> {
    const { requests } = (await e2e.post('JLIS_CERT_CENTER', '/trigger/requests', {
      seeds: [seed],
      types: [certificateType],
      respondWithinMs: 20_000,
      ...extra,
    })) as { requests: Made[] };
    const id = requests[0]?.centerRequestId ?? '';
    await eventually(
      async () => (await results(e2e)).get(id)?.status !== 'pending',
      30_000,
      `the answer to the ${certificateType} request of resident ${String(seed)}`,
    );
    const verdict = (await results(e2e)).get(id);
    const answers = (await e2e.received('JLIS_CERT_CENTER')).messages.filter(
      (message) => message.body['centerRequestId'] === id,
    );
    expect(answers, 'one answer per request').to.have.length(1);
    return { id, verdict: verdict!, body: answers[0]?.body ?? {} };
  }

  async function audit(): Promise<AuditRow[]> {
    await e2e.hub.store.outcomes.flush();
    return (await e2e.hub.store
      .knex('support_measure_refusals')
      .select('*')
      .orderBy('id')) as AuditRow[];
  }

  async function auditOf(id: string): Promise<AuditRow> {
    let row: AuditRow | undefined;
    await eventually(
      async () => {
        row = (await audit()).find((entry) => entry.request_id === id);
        return row !== undefined;
      },
      20_000,
      `the audit record of ${id}`,
    );
    return row!;
  }

  it('11-①: a movement reaches the コンビニ交付 system before the next request; the 住民票 shows the new address', async () => {
    await record(301, { historyNo: 1 });
    const first = await ask(301, 'JUMINHYO');
    expect(first.verdict.status).to.equal('issued');
    expect(first.body['pdfContentKey']).to.equal(addressKey(301));
    // 転居: a new address at 既存住基, and the very next kiosk request shows it.
    await record(301, { historyNo: 2, addressSeed: 9302 });
    const second = await ask(301, 'JUMINHYO');
    expect(second.verdict.status).to.equal('issued');
    expect(second.body['pdfContentKey']).to.equal(addressKey(9302));
    expect(addressKey(9302)).to.not.equal(addressKey(301));
    // A resident the registry never sent: the system answers only from what it received.
    expect((await ask(399, 'JUMINHYO')).verdict).to.include({
      status: 'failed',
      errorKind: 'NOT_FOUND',
    });
  });

  it('支援措置: the protected resident and covered household members are refused; a 一時解除 does not reach the kiosk; the audit holds no plaintext', async () => {
    await record(311, { setaiSeed: 311 });
    await record(312, { setaiSeed: 311 });
    await record(316, { setaiSeed: 316 });
    await record(317, { setaiSeed: 316 });
    const held = async (system: 'CONVENI_ISSUANCE' | 'JUKINET_CS') =>
      (await e2e.received(system)).messages.filter(
        (message) => message.messageType === 'suppression.changed',
      ).length;
    await e2e.post('KIZON_JUKI', '/trigger/suppression', { seed: 311, changeKind: 'START' });
    await e2e.post('KIZON_JUKI', '/trigger/suppression', { setaiSeed: 316, changeKind: 'START' });
    // The measure reaches every system that issues or discloses: コンビニ交付 and the CS.
    await eventually(
      async () => (await held('CONVENI_ISSUANCE')) === 2 && (await held('JUKINET_CS')) === 2,
      30_000,
      'suppression.changed at コンビニ交付 and the CS',
    );

    const protectedPerson = await ask(311, 'JUMINHYO');
    expect(protectedPerson.verdict).to.include({ status: 'failed', errorKind: 'BLOCKED' });
    // The kiosk text never says why.
    expect(String(protectedPerson.body['message'])).to.not.match(/支援|DV|措置|抑止/);
    // A member of the 世帯 alone is not covered by a personal measure; a household certificate is.
    expect((await ask(312, 'JUMINHYO')).verdict.status).to.equal('issued');
    const householdCopy = await ask(312, 'JUMINHYO', { householdAll: true });
    expect(householdCopy.verdict).to.include({ status: 'failed', errorKind: 'BLOCKED' });
    // A measure for the whole 世帯 covers each member.
    const covered = await ask(317, 'JUMINHYO');
    expect(covered.verdict).to.include({ status: 'failed', errorKind: 'BLOCKED' });

    // 一時解除 for one counter issuance stays at the registry: nothing is sent, the kiosk still refuses.
    const lift = (await e2e.post('KIZON_JUKI', '/trigger/suppression', {
      seed: 311,
      changeKind: 'TEMPORARY_LIFT',
    })) as { propagated: boolean };
    expect(lift.propagated).to.equal(false);
    const afterLift = await ask(311, 'JUMINHYO');
    expect(afterLift.verdict).to.include({ status: 'failed', errorKind: 'BLOCKED' });
    expect(await held('CONVENI_ISSUANCE')).to.equal(2);
    expect(await held('JUKINET_CS')).to.equal(2);

    // The audit: who asked, when, for whom (keyed hash), which rule — and nothing in clear.
    const rows = [
      await auditOf(protectedPerson.id),
      await auditOf(householdCopy.id),
      await auditOf(covered.id),
      await auditOf(afterLift.id),
    ];
    expect(rows.map((row) => row.rule)).to.deep.equal([
      'SUPPORT_MEASURE_SUBJECT',
      'SUPPORT_MEASURE_HOUSEHOLD',
      'SUPPORT_MEASURE_HOUSEHOLD',
      'SUPPORT_MEASURE_SUBJECT',
    ]);
    expect(rows.every((row) => row.channel === 'KIOSK')).to.equal(true);
    expect(rows[0]?.subject_hash).to.be.a('string').and.equal(rows[3]?.subject_hash);
    expect(rows[0]?.subject_hash).to.not.equal(rows[1]?.subject_hash);
    const everything = JSON.stringify(await audit());
    for (const seed of [311, 312, 316, 317]) {
      expect(everything).to.not.contain(sampleAtenaNumber(seed));
      expect(everything).to.not.contain(sampleCertSerial(seed));
    }
    // Nor the card subject keys the requests carried (the requester is kept as a keyed hash).
    expect(everything).to.not.contain('s1:');
  });

  it('200 concurrent requests, two replies swapped and some late: none reaches the wrong request', async () => {
    const seeds = Array.from({ length: 200 }, (_, index) => 401 + index);
    await Promise.all(
      seeds.map((seed) =>
        e2e.post('KIZON_JUKI', '/trigger/movement', { reason: 'RELOCATION', seed }),
      ),
    );
    await eventually(
      async () => {
        const held = new Set(
          (await e2e.received('CONVENI_ISSUANCE')).messages
            .filter((message) => message.messageType === 'resident.movement.recorded')
            .map((message) => String(message.body['atenaNumber'])),
        );
        return seeds.every((seed) => held.has(sampleAtenaNumber(seed)));
      },
      120_000,
      '200 residents at the コンビニ交付 system',
    );
    const swapped = [401, 402];
    const late = [403, 404, 405, 406, 407];
    const within = 30_000;
    await e2e.post('CONVENI_ISSUANCE', '/faults', {
      swap: swapped.map(sampleCertSerial),
      late: late.map(sampleCertSerial),
      lateMs: within + 2_000,
    });
    const lettersBefore = await e2e.deadLetters();
    const { requests } = (await e2e.post('JLIS_CERT_CENTER', '/trigger/requests', {
      seeds,
      types: ['JUMINHYO'],
      respondWithinMs: within,
    })) as { requests: Made[] };
    expect(requests).to.have.length(200);
    const bySeed = new Map(seeds.map((seed, index) => [seed, requests[index]!]));
    const swappedIds = new Set(swapped.map((seed) => bySeed.get(seed)?.centerRequestId));
    const lateIds = new Set(late.map((seed) => bySeed.get(seed)?.centerRequestId));
    const expectedIds = new Set(requests.map((made) => made.centerRequestId));

    // The swapped replies are dead-lettered by the subject check (policy), with the alert counted.
    await eventually(
      async () =>
        (await e2e.newDeadLetters(lettersBefore)).filter(
          (letter) => letter.type === 'certificate.data.replied',
        ).length === 2,
      60_000,
      'the two swapped replies dead-lettered',
    );
    const letters = (await e2e.newDeadLetters(lettersBefore)).filter(
      (letter) => letter.type === 'certificate.data.replied',
    );
    for (const letter of letters) {
      expect(letter).to.include({ errorCode: 'HUB_SUBJECT_MISMATCH', reasonClass: 'policy' });
      const body = JSON.parse(letter.body) as { centerRequestId: string };
      expect(swappedIds.has(body.centerRequestId)).to.equal(true);
    }
    const alerts = await e2e.hub.metrics.deadLettered.get();
    const alert = alerts.values.find(
      (value) =>
        value.labels.step === 'affair-11.reply-subject-check' && value.labels.reason === 'policy',
    );
    expect(alert?.value).to.equal(2);

    // Every other request is answered in time.
    await eventually(
      async () =>
        [...(await results(e2e)).values()]
          .filter((verdict) => expectedIds.has(verdict.centerRequestId))
          .filter((verdict) => !swappedIds.has(verdict.centerRequestId))
          .every((verdict) => verdict.status !== 'pending'),
      90_000,
      'an answer for every request that was not swapped',
    );
    // The late certificates were sent by the system after the deadline, and the hub dropped them.
    await eventually(
      async () => {
        const faults = (await (await fetch(`${e2e.url('CONVENI_ISSUANCE')}/faults`)).json()) as {
          lateSent: number;
        };
        return faults.lateSent === late.length;
      },
      60_000,
      'the late certificates sent',
    );
    // At the subject check each late request shows its timely TIMEOUT (skipped there) and the late
    // certificate dropped (a duplicate of the answered request, or expired): never published.
    const lateRows = async () => {
      await e2e.hub.store.outcomes.flush();
      const rows: { correlation_id: string; outcome: string }[] = await e2e.hub.store
        .knex('message_outcomes')
        .where({ step: 'affair-11.reply-subject-check' })
        .whereIn('correlation_id', [...lateIds].map(String))
        .select('correlation_id', 'outcome');
      return rows;
    };
    await eventually(
      async () => (await lateRows()).length === 2 * late.length,
      30_000,
      'the late certificates handled at the subject check',
    );
    const outcomes = (await lateRows()).map((row) => row.outcome);
    expect(outcomes.filter((outcome) => outcome === 'skipped')).to.have.length(late.length);
    expect(
      outcomes.filter((outcome) => outcome === 'duplicate' || outcome === 'expired'),
    ).to.have.length(late.length);

    const verdicts = await results(e2e);
    const mine = requests.map((made) => verdicts.get(made.centerRequestId)!);
    expect(mine.filter((verdict) => verdict.status === 'cross-delivery')).to.have.length(0);
    expect(mine.filter((verdict) => verdict.status === 'late')).to.have.length(0);
    for (const verdict of mine) {
      if (swappedIds.has(verdict.centerRequestId)) {
        expect(verdict, 'a swapped request gets nothing').to.include({
          status: 'pending',
          answers: 0,
        });
      } else if (lateIds.has(verdict.centerRequestId)) {
        expect(verdict, 'a late one: try at the counter, once').to.include({
          status: 'failed',
          errorKind: 'TIMEOUT',
          answers: 1,
        });
      } else {
        expect(verdict).to.include({ status: 'issued', answers: 1 });
      }
    }
    // Independently of the center's verdicts: every PDF it received is stamped with its requester.
    const expected = new Map(requests.map((made) => [made.centerRequestId, made]));
    let checked = 0;
    for (const message of (await e2e.received('JLIS_CERT_CENTER')).messages) {
      const made = expected.get(String(message.body['centerRequestId']));
      if (made === undefined || message.messageType !== 'kiosk.certificate.produced') continue;
      expect(message.body['pdfSubjectKey']).to.equal(made.subjectKey);
      expect(message.correlationId).to.equal(made.centerRequestId);
      checked += 1;
    }
    expect(checked).to.equal(200 - swapped.length - late.length);
    const failures = (await e2e.received('JLIS_CERT_CENTER')).messages.filter((message) =>
      lateIds.has(String(message.body['centerRequestId'])),
    );
    expect(failures.map((message) => message.body['message'])).to.satisfy((texts: unknown[]) =>
      texts.every((text) => String(text).includes('窓口')),
    );
    await e2e.post('CONVENI_ISSUANCE', '/faults', {});
  });

  it('転出予定者, deceased, 戸籍 without 利用登録 and kinds not offered are refused with their reasons; a 附票 request goes to the 附票 side', async () => {
    await record(701, { reason: 'DOMESTIC_MOVE_OUT' });
    await record(702, { honsekiOutside: true });
    await record(703, { reason: 'DEATH' });
    await record(704);
    const movingOut = await ask(701, 'JUMINHYO');
    expect(movingOut.verdict).to.include({ status: 'failed', errorKind: 'BLOCKED' });
    expect((await auditOf(movingOut.id)).rule).to.equal('PENDING_MOVE_OUT');
    const deceased = await ask(703, 'JUMINHYO');
    expect(deceased.verdict).to.include({ status: 'failed', errorKind: 'NOT_AVAILABLE' });
    expect((await auditOf(deceased.id)).rule).to.equal('DECEASED');
    const unregistered = await ask(702, 'KOSEKI_ZENBU');
    expect(unregistered.verdict).to.include({ status: 'failed', errorKind: 'NOT_AVAILABLE' });
    expect((await auditOf(unregistered.id)).rule).to.equal('NO_HONSEKI_REGISTRATION');
    // After 利用登録 the same person gets the 戸籍 certificate, from the 戸籍 system (11-④⑤).
    const kosekiBefore = (await e2e.received('KOSEKI')).count;
    await e2e.post('CONVENI_ISSUANCE', '/honseki-registrations', {
      authCertSerial: sampleCertSerial(702),
    });
    expect((await ask(702, 'KOSEKI_ZENBU')).verdict.status).to.equal('issued');
    expect((await e2e.received('KOSEKI')).count).to.equal(kosekiBefore + 1);
    const tax = await ask(704, 'TAX_INCOME');
    expect(tax.verdict).to.include({ status: 'failed', errorKind: 'NOT_AVAILABLE' });
    expect((await auditOf(tax.id)).rule).to.equal('NOT_OFFERED');

    // 附票: to the 附票 system at HUB_KOSEKI_FUHYO_URL (a stand-in answering like the 戸籍 one), not 戸籍.
    const fuhyo = kosekiSimulator(0);
    await fuhyo.start();
    const previous = process.env['HUB_KOSEKI_FUHYO_URL'];
    process.env['HUB_KOSEKI_FUHYO_URL'] = fuhyo.url();
    try {
      const kosekiCount = (await e2e.received('KOSEKI')).count;
      expect((await ask(704, 'KOSEKI_FUHYO')).verdict.status).to.equal('issued');
      expect(fuhyo.received.map((message) => message.body)).to.deep.equal([
        {
          certificateType: 'KOSEKI_FUHYO',
          subjectKey: (fuhyo.received[0]?.body as { subjectKey: string }).subjectKey,
        },
      ]);
      expect((await e2e.received('KOSEKI')).count).to.equal(kosekiCount);
    } finally {
      if (previous === undefined) delete process.env['HUB_KOSEKI_FUHYO_URL'];
      else process.env['HUB_KOSEKI_FUHYO_URL'] = previous;
      await fuhyo.stop();
    }
  });

  it('a 戸籍 system that is down gives the kiosk an answer, not a wait', async () => {
    await record(705);
    await e2e.post('KOSEKI', '/control', { mode: '503' });
    try {
      const down = await ask(705, 'KOSEKI_KOJIN');
      expect(down.verdict).to.include({ status: 'failed', errorKind: 'NOT_AVAILABLE' });
    } finally {
      await e2e.post('KOSEKI', '/control', { mode: 'ok' });
    }
  });
});

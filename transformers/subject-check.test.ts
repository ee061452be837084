import { expect } from 'chai';
import { HubError } from '../hub/errors.js';
import { sampleMessage } from '../schemas/sample.js';
import type { CertificateDataReplied } from '../schemas/types.gen.js';
import { certificateDataRepliedToKioskCertificateProduced as produced } from './certificate-data-replied-to-kiosk-certificate.js';
import { sampleContext } from './sample-context.js';

/** Stamps written here by hand (not with stampKeywords): the check must read what a PDF says. */
function pdfWith(keywords: string): string {
  return Buffer.from(
    `%PDF-1.7\n1 0 obj\n<</Keywords (${keywords})>>\nendobj\n%%EOF\n`,
    'latin1',
  ).toString('base64');
}
const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

function reply(seed: number): CertificateDataReplied {
  return sampleMessage('certificate.data.replied', seed);
}
function stamped(
  base: CertificateDataReplied,
  change: Partial<Record<string, string>>,
): CertificateDataReplied {
  const stamps = {
    subjectKey: base.requestSubjectKey,
    requestId: b64url(base.centerRequestId),
    kind: base.certificateType,
    residentKey: base.subject?.residentKey ?? '',
    ...change,
  };
  const keywords = `subjectKey=${stamps.subjectKey} requestId=${stamps.requestId} kind=${stamps.kind} residentKey=${stamps.residentKey}`;
  return { ...base, document: { ...base.document!, pdfBase64: pdfWith(keywords) } };
}
const failsWith = (input: CertificateDataReplied, context = sampleContext(input)) => {
  try {
    produced.transform(input, context);
  } catch (error) {
    expect(error).to.be.instanceOf(HubError);
    return (error as HubError).code + ' ' + (error as HubError).reasonClass;
  }
  return 'produced';
};

describe('the four-key subject check (affair-11.reply-subject-check)', () => {
  const base = reply(1);
  const other = reply(2);

  it('produces the certificate when request, card, kind and resident agree', () => {
    expect(failsWith(stamped(base, {}))).to.equal('produced');
  });

  it('refuses a reply for another request (correlation or the PDF’s request id)', () => {
    const input = stamped(base, {});
    expect(failsWith(input, sampleContext(input, { correlationId: 'JLIS-other' }))).to.equal(
      'HUB_SUBJECT_MISMATCH policy',
    );
    expect(failsWith(stamped(base, { requestId: b64url('JLIS-other') }))).to.equal(
      'HUB_SUBJECT_MISMATCH policy',
    );
  });

  it('refuses another person’s certificate under this request (a swapped reply)', () => {
    // The certificate of seed 2 answered under request 1, with every echo of request 1.
    const swapped: CertificateDataReplied = {
      ...base,
      subject: other.subject!,
      document: stamped(other, { requestId: b64url(base.centerRequestId) }).document!,
    };
    expect(failsWith(swapped)).to.equal('HUB_SUBJECT_MISMATCH policy');
    // Even when the system also echoes the other subject key, the saga's key decides.
    expect(
      failsWith({ ...swapped, requestSubjectKey: other.requestSubjectKey }, sampleContext(base)),
    ).to.equal('HUB_SUBJECT_MISMATCH policy');
  });

  it('refuses another kind of certificate and a PDF showing another resident', () => {
    expect(failsWith(stamped(base, { kind: 'KOSEKI_ZENBU' }))).to.equal(
      'HUB_SUBJECT_MISMATCH policy',
    );
    expect(failsWith(stamped(base, { residentKey: other.subject?.residentKey ?? '' }))).to.equal(
      'HUB_SUBJECT_MISMATCH policy',
    );
  });

  it('fails closed without the saga subject or a stamped PDF', () => {
    const input = stamped(base, {});
    const context = sampleContext(input);
    const noSubject = {
      messageId: context.messageId,
      now: context.now,
      lgCode: context.lgCode,
      correlationId: input.centerRequestId,
    };
    expect(failsWith(input, noSubject)).to.equal('HUB_SUBJECT_MISMATCH policy');
    expect(
      failsWith({ ...base, document: { ...base.document!, pdfBase64: pdfWith('none') } }),
    ).to.equal('HUB_SUBJECT_MISMATCH policy');
  });
});

import { expect } from 'chai';
import { TransformError } from '../hub/errors.js';
import {
  sampleMessage,
  sampleMovementRecorded,
  sampleMovementRecordedTokutei,
} from '../schemas/sample.js';
import {
  certificateDataRepliedToKioskCertificateFailed,
  certificateDataRepliedToKioskCertificateProduced,
  SubjectMismatchError,
} from './certificate-data-replied-to-kiosk-certificate.js';
import { mynumberChangeCompletedToRegistryCsReplyReceived } from './cs-replies-to-registry.js';
import { kioskCertificateRequestedToCertificateDataQuery } from './kiosk-certificate-requested-to-certificate-data-query.js';
import { certificateSubjectKey } from './kiosk-subject.js';
import { residentMovementRecordedToAtenaChanged } from './resident-movement-recorded-to-atena-changed.js';
import { residentMovementRecordedToMynumberGenerationRequested } from './resident-movement-recorded-to-mynumber-generation-requested.js';
import { residentMovementRecordedTokuteiToIdentityInfoUpdateSubmitted } from './resident-movement-recorded-tokutei-to-identity-info-update-submitted.js';
import { residentMovementRecordedTokuteiToMoveInNoticeSent } from './resident-movement-recorded-tokutei-to-move-in-notice-sent.js';
import { sampleContext } from './sample-context.js';

/** A shallow copy of `value` without `keys`. */
function omit<T extends object, K extends keyof T & string>(value: T, ...keys: K[]): Omit<T, K> {
  return Object.fromEntries(
    Object.entries(value).filter(([key]) => !(keys as string[]).includes(key)),
  ) as Omit<T, K>;
}

describe('transformer rules', () => {
  it('refuses a message of another municipality (共同利用 tenant check)', () => {
    const movement = sampleMovementRecorded();
    expect(() =>
      residentMovementRecordedToAtenaChanged.transform(
        movement,
        sampleContext(movement, { lgCode: '271004' }),
      ),
    ).to.throw(TransformError, 'another municipality');
  });

  it('requests a My Number only for BIRTH and OVERSEAS_MOVE_IN', () => {
    const birth = sampleMovementRecorded({}, 4, 'BIRTH');
    const moveIn = sampleMovementRecorded({}, 4, 'DOMESTIC_MOVE_IN');
    const hop = residentMovementRecordedToMynumberGenerationRequested;
    expect(hop.accepts?.(birth)).to.equal(true);
    expect(hop.accepts?.(moveIn)).to.equal(false);
    expect(hop.transform(birth, sampleContext(birth)).reason).to.equal('BIRTH');
    expect(() => hop.transform(moveIn, sampleContext(moveIn))).to.throw(TransformError);
  });

  it('skips household-only movements for the CS and maps 軽微な修正 to the CS reason', () => {
    const hop = residentMovementRecordedTokuteiToIdentityInfoUpdateSubmitted;
    expect(hop.accepts?.(sampleMovementRecordedTokutei({}, 2, 'HOUSEHOLD_SPLIT'))).to.equal(false);
    const minor = sampleMovementRecordedTokutei({}, 2, 'MINOR_CORRECTION');
    expect(hop.transform(minor, sampleContext(minor)).csUpdateReason).to.equal('MINOR_CORRECTION');
  });

  it('addresses the 転入通知 to the 最終住民登録地, never to the city itself, and maps its text like 1-⑥', () => {
    const hop = residentMovementRecordedTokuteiToMoveInNoticeSent;
    const movement = sampleMovementRecordedTokutei({}, 6, 'DOMESTIC_MOVE_IN');
    // Without a separate last registration: the 転入前住所's municipality.
    expect(hop.transform(movement, sampleContext(movement)).toLgCode).to.equal('011002');
    // Lived unregistered at the 転入前住所 (未届地): the notice goes where the resident was registered.
    const unregistered = {
      ...movement,
      resident: {
        ...movement.resident,
        lastRegisteredAddress: {
          lgCode: '271004',
          prefecture: '大阪府',
          municipalityName: '大阪市',
        },
      },
    };
    expect(hop.transform(unregistered, sampleContext(unregistered)).toLgCode).to.equal('271004');
    // Last registered in this city: no notice at all (the hop does not apply).
    const here = {
      ...movement,
      resident: {
        ...movement.resident,
        lastRegisteredAddress: { ...movement.resident.address },
      },
    };
    expect(here.resident.lastRegisteredAddress.lgCode).to.equal(movement.lgCode);
    expect(hop.accepts?.(here)).to.equal(false);
    expect(() => hop.transform(here, sampleContext(here))).to.throw(TransformError);
    const withoutPrior = { ...movement, resident: omit(movement.resident, 'priorAddress') };
    expect(hop.accepts?.(withoutPrior)).to.equal(false);
    // A private-use 外字 in the name fails here as it fails the 1-⑥ hop: never sent raw.
    const gaiji = {
      ...movement,
      resident: {
        ...movement.resident,
        name: { ...movement.resident.name, name: `${movement.resident.name.name}\uE123` },
      },
    };
    const message = (action: () => unknown) => {
      try {
        action();
      } catch (error) {
        return error instanceof TransformError ? 'TransformError' : 'other';
      }
      return 'passed';
    };
    expect(message(() => hop.transform(gaiji, sampleContext(gaiji)))).to.equal('TransformError');
    expect(
      message(() =>
        residentMovementRecordedTokuteiToIdentityInfoUpdateSubmitted.transform(
          gaiji,
          sampleContext(gaiji),
        ),
      ),
    ).to.equal('TransformError');
  });

  it('refuses a My Number "change" to the same number', () => {
    const reply = { ...sampleMessage('mynumber.change.completed') };
    reply.newMyNumber = reply.previousMyNumber;
    expect(() =>
      mynumberChangeCompletedToRegistryCsReplyReceived.transform(reply, sampleContext(reply)),
    ).to.throw(TransformError, 'newMyNumber equals previousMyNumber');
  });

  it('refuses a kiosk request whose correlation id is not its centerRequestId', () => {
    const request = sampleMessage('kiosk.certificate.requested');
    expect(() =>
      kioskCertificateRequestedToCertificateDataQuery.transform(
        request,
        sampleContext(request, { correlationId: 'JLIS-OTHER' }),
      ),
    ).to.throw(TransformError);
  });

  describe('kiosk certificate subject invariant (誤交付 guard)', () => {
    const hop = certificateDataRepliedToKioskCertificateProduced;
    const reply = sampleMessage('certificate.data.replied', 11);
    const context = sampleContext(reply);
    const otherKey = certificateSubjectKey('131016', '0A00000012F');

    it('produces the certificate when request id and every subject key agree', () => {
      const produced = hop.transform(reply, context);
      expect(produced.centerRequestId).to.equal(reply.centerRequestId);
      expect(produced.subjectKey).to.equal(context.subjectKey);
    });

    it('fails when the PDF was rendered for another person', () => {
      const document = reply.document;
      if (document === undefined) throw new Error('sample has a document');
      const wrong = { ...reply, document: { ...document, subjectKey: otherKey } };
      expect(() => hop.transform(wrong, context)).to.throw(SubjectMismatchError, 'subject differs');
    });

    it('fails when the registry resolved another certificate serial', () => {
      const wrong = {
        ...reply,
        subject: { authCertSerial: '0A00000012F', atenaNumber: '9000000012' },
      };
      expect(() => hop.transform(wrong, context)).to.throw(SubjectMismatchError, 'subject differs');
    });

    it('fails when the saga expected another subject, even if the reply is self-consistent', () => {
      expect(() => hop.transform(reply, { ...context, subjectKey: otherKey })).to.throw(
        SubjectMismatchError,
        'subject differs',
      );
    });

    it('fails when the reply answers another request or the context lacks the saga data', () => {
      expect(() =>
        hop.transform(reply, { ...context, correlationId: 'JLIS-20261127-00000012' }),
      ).to.throw(SubjectMismatchError, 'another request');
      expect(() => hop.transform(reply, omit(context, 'correlationId'))).to.throw(
        SubjectMismatchError,
        'no correlation id',
      );
      expect(() => hop.transform(reply, omit(context, 'subjectKey'))).to.throw(
        SubjectMismatchError,
        'no subject key',
      );
    });

    it('answers a blocked reply with a generic message that does not reveal a 支援措置', () => {
      const document = reply.document;
      if (document === undefined) throw new Error('sample has a document');
      const rest = omit(reply, 'document', 'subject');
      const blocked = {
        ...rest,
        outcome: 'BLOCKED' as const,
        blockedReason: 'SUPPORT_MEASURE' as const,
      };
      const failed = certificateDataRepliedToKioskCertificateFailed.transform(
        blocked,
        sampleContext(blocked),
      );
      expect(failed.errorKind).to.equal('BLOCKED');
      expect(failed.message).not.to.include('支援');
      expect(JSON.stringify(failed)).not.to.include('SUPPORT_MEASURE');
    });
  });
});

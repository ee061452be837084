/**
 * What the simulated 既存住基 remembers for affair 1: each resident's current snapshot and 個人番号,
 * and the movements still waiting for a number. 1-⑤: a generated number (birth, arrival from
 * abroad) is recorded and the waiting movement goes on to 1-⑥ with it — its own 異動事由 (出生 …)
 * and 異動年月日, not a correction; a changed number (1-②〜⑤, 変更請求) is recorded and the change
 * goes to the CS as a 修正 movement "個人番号の変更請求".
 */
import { sampleMyNumber, sampleResident } from '../../schemas/sample.js';
import type {
  MynumberChangeRequested,
  RegistryCsReplyReceived,
  ResidentCore,
  ResidentMovementRecorded,
  ResidentMovementRecordedTokutei,
} from '../../schemas/types.gen.js';
import type { Ingress } from '../runtime/ingress.js';
import { kizonJukiDescriptor } from './descriptor.js';

const KIZON_JUKI = kizonJukiDescriptor.system;

interface Entry {
  resident: ResidentCore;
  myNumber?: string;
  lastHistoryNo: number;
  /** A movement recorded without a number, waiting for the generated one (1-⑤ → 1-⑥). */
  waiting?: ResidentMovementRecorded;
}

/** What the registry applied of the 転入通知 for one former resident (the 除票's 確定 items). */
export interface AppliedNotices {
  /** noticeIssuedAt of the notice applied last (the latest). */
  latest: string;
  applied: number;
  /** Older resends that arrived after a later notice: not applied (j690 最新のもので取込). */
  superseded: number;
}

/** The registry's book of residents. */
export class RegistryBook {
  private readonly entries = new Map<string, Entry>();
  private readonly notices = new Map<string, AppliedNotices>();

  /** Applies a received 転入通知 to the 除票, the latest one winning. */
  applyMoveInNotice(reply: RegistryCsReplyReceived): void {
    const issuedAt = reply.moveInNotice?.noticeIssuedAt;
    if (issuedAt === undefined) return;
    const known = this.notices.get(reply.juminhyoCode);
    if (known === undefined) {
      this.notices.set(reply.juminhyoCode, { latest: issuedAt, applied: 1, superseded: 0 });
    } else if (Date.parse(issuedAt) < Date.parse(known.latest)) {
      known.superseded += 1;
    } else {
      known.latest = issuedAt;
      known.applied += 1;
    }
  }

  /** The 転入通知 applied for a former resident. */
  noticesOf(code: string): AppliedNotices | undefined {
    return this.notices.get(code);
  }

  /** Records a movement; `myNumber` absent when the CS is to generate one. */
  record(movement: ResidentMovementRecorded, myNumber: string | undefined): void {
    const code = movement.resident.juminhyoCode;
    const before = this.entries.get(code);
    this.entries.set(code, {
      resident: movement.resident,
      lastHistoryNo: movement.historyNo,
      ...(myNumber === undefined ? { waiting: movement } : { myNumber }),
      ...(myNumber === undefined && before?.myNumber !== undefined
        ? { myNumber: before.myNumber }
        : {}),
    });
  }

  /** The current record of a 宛名番号, with its 個人番号 (the 窓口's view, affair 3). */
  byAtena(atenaNumber: string): { resident: ResidentCore; myNumber?: string } | undefined {
    for (const entry of this.entries.values()) {
      if (entry.resident.atenaNumber === atenaNumber)
        return {
          resident: entry.resident,
          ...(entry.myNumber === undefined ? {} : { myNumber: entry.myNumber }),
        };
    }
    return undefined;
  }

  /** The current members of a 世帯. */
  household(setaiNumber: string): { resident: ResidentCore; myNumber?: string }[] {
    return [...this.entries.values()]
      .filter((entry) => entry.resident.setaiNumber === setaiNumber)
      .map((entry) => ({
        resident: entry.resident,
        ...(entry.myNumber === undefined ? {} : { myNumber: entry.myNumber }),
      }));
  }

  /** The 個人番号 the registry holds for a 住民票コード (a synthetic resident's if never changed). */
  myNumberOf(code: string, seed?: number): string | undefined {
    return (
      this.entries.get(code)?.myNumber ?? (seed === undefined ? undefined : sampleMyNumber(seed))
    );
  }

  /** The 個人番号変更要求 for synthetic resident `seed` (1-②). */
  changeRequest(
    seed: number,
    lgCode: string,
    today: string,
    changeKind: MynumberChangeRequested['changeKind'],
  ): MynumberChangeRequested {
    const resident =
      this.entries.get(sampleResident(seed).juminhyoCode)?.resident ?? sampleResident(seed);
    const entry = this.entries.get(resident.juminhyoCode);
    if (entry === undefined) {
      this.entries.set(resident.juminhyoCode, {
        resident,
        myNumber: sampleMyNumber(seed),
        lastHistoryNo: 1,
      });
    }
    return {
      lgCode,
      juminhyoCode: resident.juminhyoCode,
      atenaNumber: resident.atenaNumber,
      currentMyNumber: this.myNumberOf(resident.juminhyoCode, seed) ?? sampleMyNumber(seed),
      changeKind,
      requestedOn: today,
    };
  }

  /**
   * Applies a CS reply (1-⑤); returns the movement with 個人番号 to send on to 1-⑥, if any, and the
   * plain movement that goes with it.
   */
  apply(
    reply: RegistryCsReplyReceived,
    today: string,
  ): { movement: ResidentMovementRecorded; tokutei: ResidentMovementRecordedTokutei } | undefined {
    const entry = this.entries.get(reply.juminhyoCode);
    if (entry === undefined || reply.myNumber === undefined) return undefined;
    if (reply.replyKind === 'MYNUMBER_GENERATED') {
      entry.myNumber = reply.myNumber;
      const waiting = entry.waiting;
      delete entry.waiting;
      if (waiting === undefined) return undefined;
      return { movement: waiting, tokutei: { ...waiting, myNumber: reply.myNumber } };
    }
    if (reply.replyKind === 'MYNUMBER_CHANGED') {
      if (reply.previousMyNumber !== undefined && entry.myNumber !== reply.previousMyNumber) {
        return undefined;
      }
      entry.myNumber = reply.myNumber;
      entry.lastHistoryNo += 1;
      const movement: ResidentMovementRecorded = {
        lgCode: reply.lgCode,
        historyNo: entry.lastHistoryNo,
        movementReason: { category: 'CORRECTION', reason: 'MYNUMBER_CHANGE_REQUEST' },
        movedOn: { value: today },
        processedOn: today,
        notifiedOn: today,
        resident: entry.resident,
        changedFields: ['/myNumber'],
      };
      return { movement, tokutei: { ...movement, myNumber: reply.myNumber } };
    }
    return undefined;
  }
}

/** Publishes the change request (1-②). */
export function publishChangeRequest(ingress: Ingress, request: MynumberChangeRequested) {
  return ingress.publish(KIZON_JUKI, 'mynumber.change.requested', request, {
    eventKey: `${request.juminhyoCode}:change:${String(Date.now())}`,
  });
}

/** Publishes the movement that carries a new number on to 1-⑥ (and the plain one with it). */
export async function publishNumbered(
  ingress: Ingress,
  movement: ResidentMovementRecorded,
  tokutei: ResidentMovementRecordedTokutei,
  kind: string,
): Promise<void> {
  const key = `${movement.resident.atenaNumber}:${String(movement.historyNo)}:${kind}`;
  // Only the 特定個人情報 variant: the plain movement was published when it was recorded, except
  // for a number change, which is a movement of its own.
  if (kind === 'changed') {
    await ingress.publish(KIZON_JUKI, 'resident.movement.recorded', movement, { eventKey: key });
  }
  await ingress.publish(KIZON_JUKI, 'resident.movement.recorded.tokutei', tokutei, {
    eventKey: key,
  });
}

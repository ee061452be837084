/**
 * 市町村CS simulator. It generates My Numbers (valid check digit) for generation requests,
 * acknowledges or rejects 本人確認情報 updates and forwards accepted ones to the 都道府県サーバ,
 * forwards 転入通知 to the former municipality, and hands the consistency-check file to the
 * 都道府県サーバ and 全国サーバ, reporting each server's result. Replies go back through the CS
 * connector's ingress, after the `late` delay when one is set; `corruptNext` breaks the next reply
 * (the hub's edge check must dead-letter it).
 */
import { randomInt } from 'node:crypto';
import { withMyNumberCheckDigit } from '../../hub/security/my-number.js';
import { loggerFor } from '../../hub/logger.js';
import type {
  IdentityInfoUpdateSubmitted,
  JukinetConsistencyCheckExtractReady,
  MynumberGenerationRequested,
} from '../../schemas/types.gen.js';
import { postBytes } from '../runtime/http-sink.js';
import type { Ingress } from '../runtime/ingress.js';
import { createSimulator, jsonOf, type Inbound, type Simulator } from '../runtime/simulator.js';
import { jukinetCsDescriptor } from './descriptor.js';
import { installFuhyoRelay } from './fuhyo.js';
import { publishCsReply } from './ingress.js';
import type { CheckResult } from './servers.js';

/** Where the CS forwards to. */
export interface CsPeers {
  readonly prefecture: () => string;
  readonly national: () => string;
  readonly otherMunicipality: () => string;
}

/** Options of the CS simulator. */
export interface JukinetCsSimOptions {
  readonly port: number;
  readonly ingress: Ingress;
  readonly peers: CsPeers;
}

/** Error code the CS answers for an update it cannot apply (birth after processing date). */
export const CS_REJECT_CODE = 'E1001';

function forwardHeaders(inbound: Inbound): Record<string, string> {
  return {
    'idempotency-key': inbound.messageId,
    'x-message-type': inbound.messageType,
    'x-correlation-id': inbound.correlationId ?? inbound.messageId,
  };
}

/** Returns the CS simulator (call `start()`). */
export function jukinetCsSimulator(options: JukinetCsSimOptions): Simulator {
  const log = loggerFor('sim:JUKINET_CS');
  const now = () => new Date().toISOString();
  // Replies are sent after the HTTP answer, as the real CS answers asynchronously.
  const later = (what: string, work: () => Promise<void>) => {
    setImmediate(() => {
      void (async () => {
        await sim.pace();
        await work();
      })().catch((error: unknown) => {
        log.warn({ what, error: error instanceof Error ? error.name : 'error' }, 'CS reply failed');
      });
    });
  };

  const sim: Simulator = createSimulator({
    system: jukinetCsDescriptor.system,
    port: options.port,
    async onInbox(inbound) {
      const body = jsonOf(inbound);
      switch (inbound.messageType) {
        case 'mynumber.generation.requested': {
          const request = body as MynumberGenerationRequested;
          const corrupt = sim.takeCorruption();
          later('generation', async () => {
            const myNumber = withMyNumberCheckDigit(String(randomInt(10 ** 10, 10 ** 11)));
            await publishCsReply(
              options.ingress,
              'mynumber.generation.completed',
              {
                lgCode: request.lgCode,
                juminhyoCode: request.juminhyoCode,
                atenaNumber: request.atenaNumber,
                // A corrupted record: the number loses a digit (the edge check must refuse it).
                myNumber: corrupt ? myNumber.slice(1) : myNumber,
                generatedAt: now(),
              },
              inbound.messageId,
              inbound.correlationId,
            );
          });
          return { body };
        }
        case 'identity-info.update.submitted': {
          const update = body as IdentityInfoUpdateSubmitted;
          const rejected = (update.birthDate.value ?? '') > update.processedOn;
          if (!rejected) {
            // 1-⑦: the CS passes the accepted update to the prefecture before acknowledging it.
            await postBytes(
              'PREFECTURE_SERVER',
              `${options.peers.prefecture()}/inbox`,
              inbound.raw,
              {
                contentType: 'application/json',
                timeoutMs: 5_000,
                headers: forwardHeaders(inbound),
              },
            );
          }
          later('identity-info', async () => {
            const keys = {
              lgCode: update.lgCode,
              juminhyoCode: update.juminhyoCode,
              atenaNumber: update.atenaNumber,
              historyNo: update.historyNo,
            };
            if (rejected) {
              await publishCsReply(
                options.ingress,
                'identity-info.update.rejected',
                {
                  ...keys,
                  errorCode: CS_REJECT_CODE,
                  errorText: '生年月日が処理日より後です',
                  rejectedAt: now(),
                },
                inbound.messageId,
                inbound.correlationId,
              );
            } else {
              await publishCsReply(
                options.ingress,
                'identity-info.update.acknowledged',
                { ...keys, acceptedAt: now() },
                inbound.messageId,
                inbound.correlationId,
              );
            }
          });
          return { body };
        }
        case 'move-in.notice.sent': {
          // 1-⑩: the CS sends the 転入通知 on to the former municipality.
          await postBytes(
            'OTHER_MUNICIPALITY',
            `${options.peers.otherMunicipality()}/inbox`,
            inbound.raw,
            { contentType: 'application/json', timeoutMs: 5_000, headers: forwardHeaders(inbound) },
          );
          return { body };
        }
        case 'jukinet.consistency-check.extract-ready': {
          const manifest = body as JukinetConsistencyCheckExtractReady;
          later('consistency-check', async () => {
            for (const [source, url] of [
              ['PREFECTURE', options.peers.prefecture()],
              ['NATIONAL', options.peers.national()],
            ] as const) {
              const text = await postBytes(
                `${source}_SERVER`,
                `${url}/check`,
                JSON.stringify({ fileRef: manifest.fileRef, id: inbound.messageId }),
                { contentType: 'application/json', timeoutMs: 600_000 },
              );
              const result = JSON.parse(text) as CheckResult;
              await publishCsReply(
                options.ingress,
                'jukinet.consistency-check.result-ready',
                {
                  lgCode: manifest.lgCode,
                  fileRef: result.fileRef,
                  sha256: result.sha256,
                  extractSha256: manifest.sha256,
                  checkedCount: result.checkedCount,
                  mismatchCount: result.mismatchCount,
                  source,
                  asOf: manifest.asOf,
                  encoding: 'UTF-8',
                },
                `${inbound.messageId}:${source}`,
                inbound.correlationId,
              );
            }
          });
          return { body };
        }
        default:
          return (await fuhyo.onInbox(inbound)) ?? { body, status: 400 };
      }
    },
  });
  // 附票 notices and acknowledgements over 住基ネット (affair 2).
  const fuhyo = installFuhyoRelay(sim, {
    ingress: options.ingress,
    otherMunicipality: options.peers.otherMunicipality,
  });
  return sim;
}

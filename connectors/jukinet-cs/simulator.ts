/**
 * 市町村CS simulator. It asks 機構 (`kikou.ts`) for a number on generation and change requests,
 * acknowledges or rejects 本人確認情報 updates, keeps the accepted ones in its own 本人確認情報
 * (`holdings.ts`) and forwards them to the servers, forwards 転入通知 to the other municipality,
 * passes on 転入通知 for this city (`notices.ts`), and runs 本人確認情報整合 (`consistency.ts`): the
 * 既存住基↔CS check and 8-①② with the 都道府県サーバ and 全国サーバ. Replies go back through the CS
 * connector's ingress, after the `late` delay when one is set; `corruptNext` breaks the next reply
 * (the hub's edge check must dead-letter it).
 */
import express from 'express';
import { loggerFor } from '../../hub/logger.js';
import type {
  IdentityInfoUpdateSubmitted,
  JukinetConsistencyCheckExtractReady,
  MynumberChangeRequested,
  MynumberGenerationRequested,
} from '../../schemas/types.gen.js';
import { postBytes } from '../runtime/http-sink.js';
import type { Ingress } from '../runtime/ingress.js';
import { createSimulator, jsonOf, type Inbound, type Simulator } from '../runtime/simulator.js';
import { jukinetCsDescriptor } from './descriptor.js';
import { installFuhyoRelay } from './fuhyo.js';
import { publishCsReply } from './ingress.js';
import { runConsistency } from './consistency.js';
import { IdentityHoldings, type Drift } from './holdings.js';
import { isCheckField } from './items.js';
import { mountMoveInNoticeTrigger } from './notices.js';
import type { KikouRequest } from './kikou.js';
import { forwardDeliveryAddresses } from './delivery-address.js';
import { forwardFugoRequest } from './fugo.js';
import { mountIdentitySearch } from './identity-search.js';
import { tokureiCs } from './tokurei.js';

const defaultUrl = (port: number) => `http://127.0.0.1:${String(port)}`;

/** Where the CS forwards to. */
export interface CsPeers {
  readonly prefecture: () => string;
  readonly national: () => string;
  readonly otherMunicipality: () => string;
  /** 情報提供ネットワークシステム (affair 5) and 個人番号カード管理システム (affair 9). */
  readonly infoProvisionNetwork?: () => string;
  readonly cardMgmt?: () => string;
}

/** Options of the CS simulator. */
export interface JukinetCsSimOptions {
  readonly port: number;
  readonly ingress: Ingress;
  readonly peers: CsPeers;
  /** Folder for claim-check files shared with the hub and the servers. */
  readonly exchangeDir: string;
  /** Residents the CS holds at start (the synthetic population; `POST /holdings/seed` changes it). */
  readonly population?: number;
}

/** Residents the CS simulator holds unless told otherwise. */
export const DEFAULT_CS_POPULATION = 10_000;

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

  // The CS's own 本人確認情報 (8-①), kept current by affair 1.
  const holdings = new IdentityHoldings(options.population ?? DEFAULT_CS_POPULATION);
  // 1-③④: 機構 generates or changes the number (the 全国サーバ simulator answers for it).
  const kikou = async (request: KikouRequest): Promise<string> => {
    const text = await postBytes(
      'NATIONAL_SERVER',
      `${options.peers.national()}/kikou/mynumber`,
      JSON.stringify(request),
      { contentType: 'application/json', timeoutMs: 5_000 },
    );
    return (JSON.parse(text) as { myNumber: string }).myNumber;
  };
  // 特例転入 and 特例転出 (affair 7, 1-⑧).
  const tokurei = tokureiCs({
    ingress: options.ingress,
    later,
    prefecture: options.peers.prefecture,
    otherMunicipality: options.peers.otherMunicipality,
  });
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
            const myNumber = await kikou({ kind: 'GENERATE', juminhyoCode: request.juminhyoCode });
            holdings.setMyNumber(request.juminhyoCode, myNumber);
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
        case 'mynumber.change.requested': {
          // 1-②③④⑤: the change request goes to 機構; the new number comes back to the registry.
          const request = body as MynumberChangeRequested;
          later('change', async () => {
            const newMyNumber = await kikou({
              kind: 'CHANGE',
              juminhyoCode: request.juminhyoCode,
              currentMyNumber: request.currentMyNumber,
            });
            holdings.setMyNumber(request.juminhyoCode, newMyNumber);
            await publishCsReply(
              options.ingress,
              'mynumber.change.completed',
              {
                lgCode: request.lgCode,
                juminhyoCode: request.juminhyoCode,
                atenaNumber: request.atenaNumber,
                previousMyNumber: request.currentMyNumber,
                newMyNumber,
                changedAt: now(),
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
            holdings.apply(update);
            // 1-⑦: the CS passes the accepted update on before acknowledging it (to the prefecture,
            // and here directly to the national server too, standing for the prefecture's relay).
            for (const [system, url] of [
              ['PREFECTURE_SERVER', options.peers.prefecture()],
              ['NATIONAL_SERVER', options.peers.national()],
            ] as const) {
              await postBytes(system, `${url}/inbox`, inbound.raw, {
                contentType: 'application/json',
                timeoutMs: 5_000,
                headers: forwardHeaders(inbound),
              });
            }
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
          later('consistency-check', () =>
            runConsistency({
              manifest,
              messageId: inbound.messageId,
              correlationId: inbound.correlationId,
              holdings,
              exchangeDir: options.exchangeDir,
              ingress: options.ingress,
              prefectureUrl: options.peers.prefecture(),
              nationalUrl: options.peers.national(),
            }),
          );
          return { body };
        }
        case 'suppression.changed':
          // 支援措置 for the 住基ネット side (j410): taken as is (affair 11's route sends it).
          return { body };
        case 'fugo.acquisition.requested':
          return forwardFugoRequest(inbound, body, {
            ingress: options.ingress,
            later,
            networkUrl: options.peers.infoProvisionNetwork ?? (() => defaultUrl(18131)),
          });
        case 'card.delivery-address.extract-ready':
          return forwardDeliveryAddresses(inbound, body, {
            ingress: options.ingress,
            later,
            cardUrl: options.peers.cardMgmt ?? (() => defaultUrl(18130)),
          });
        default:
          return (
            (await fuhyo.onInbox(inbound)) ??
            (await tokurei.handle(inbound, body)) ?? { body, status: 400 }
          );
      }
    },
  });
  mountMoveInNoticeTrigger(sim, options.ingress);
  // 6-①④: 本人確認情報 searches and 情報照会 from the 統合端末 (through the hub), residents only.
  mountIdentitySearch(sim, holdings, '/identity/search', { residentsOnly: true });
  mountIdentitySearch(sim, holdings, '/kikou/inquiry', { residentsOnly: true });
  tokurei.mount(sim);
  // Tests and demos: how many residents the CS holds and which of their items drifted.
  sim.app.post('/holdings/seed', express.json(), (req, res) => {
    const body = (req.body ?? {}) as { population?: unknown; drift?: unknown };
    const population = body.population;
    if (typeof population !== 'number' || !Number.isInteger(population) || population < 0) {
      res.status(400).json({ error: 'population must be a whole number ≥ 0' });
      return;
    }
    const drift: Drift[] = [];
    for (const entry of Array.isArray(body.drift) ? (body.drift as unknown[]) : []) {
      const { recordNo, field } = (entry ?? {}) as { recordNo?: unknown; field?: unknown };
      if (typeof recordNo !== 'number' || !isCheckField(field)) {
        res.status(400).json({ error: 'drift entries are {recordNo, field} with a known field' });
        return;
      }
      drift.push({ recordNo, field });
    }
    holdings.seed(population, drift);
    res.json({ population, drift: drift.length });
  });
  // 附票 notices and acknowledgements over 住基ネット (affair 2).
  const fuhyo = installFuhyoRelay(sim, {
    ingress: options.ingress,
    otherMunicipality: options.peers.otherMunicipality,
  });
  return sim;
}

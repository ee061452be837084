/**
 * The CS simulator's 特例転入 / 特例転出 side (affair 7 and 1-⑧). For a 特例転入 in this city the CS
 * forwards the request for the 転出証明書情報 to the 転出地 (7-②, the other-municipality simulator
 * stands for it) and, unless told to hold, answers with the 転出地's 転出証明書情報 through the CS
 * connector's ingress (7-③); it takes the 本人確認情報 update (7-⑤), passes the notice on to the
 * 都道府県サーバ (7-⑥), and sends the 転入通知 on to the 転出地 (7-⑦⑧), reporting that it did. For a
 * 特例転出 from this city, `POST /tokurei/incoming-request` is another city's request arriving over
 * 住基ネット (published for the hub), and the 転出証明書情報 the hub sends (1-⑧) goes on to that city.
 *
 * Controls (tests and demos): `POST /tokurei/hold {hold}` makes the 転出地 silent (requests are kept),
 * `POST /tokurei/release` answers the kept ones (a late 転出地). The synthetic 転出証明書情報 carries
 * codes and dates only.
 */
import express from 'express';
import { postBytes } from '../runtime/http-sink.js';
import type { Ingress } from '../runtime/ingress.js';
import type { Inbound, InboxResult, Simulator } from '../runtime/simulator.js';
import { jukinetCsDescriptor } from './descriptor.js';

/** What the 特例 side needs from the CS simulator. */
export interface TokureiPeers {
  readonly ingress: Ingress;
  readonly later: (what: string, work: () => Promise<void>) => void;
  readonly prefecture: () => string;
  readonly otherMunicipality: () => string;
}

/** The message types the CS takes for 特例転入 / 特例転出. */
export const tokureiTypes = [
  'special-move-in.certificate-info.requested',
  'special-move-in.identity-info.updated',
  'special-move-in.prefecture-notice.sent',
  'special-move-in.move-in-notice.sent',
  'special-move-out.certificate-info.sent',
] as const;

interface Request {
  correlationId?: unknown;
  fromLgCode?: unknown;
  lgCode?: unknown;
  cardHolderJuminhyoCode?: unknown;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The handler; `mount` adds the control endpoints. */
export function tokureiCs(peers: TokureiPeers): {
  handle(inbound: Inbound, body: unknown): Promise<InboxResult> | undefined;
  mount(sim: Simulator): void;
} {
  let hold = false;
  const held: Request[] = [];
  const forward = (url: string, system: string, inbound: Inbound) =>
    postBytes(system, `${url}/inbox`, inbound.raw, {
      contentType: 'application/json',
      timeoutMs: 5_000,
      headers: {
        'idempotency-key': inbound.messageId,
        'x-message-type': inbound.messageType,
        'x-correlation-id': inbound.correlationId ?? inbound.messageId,
      },
    });
  const answer = (request: Request): void => {
    peers.later('tokurei-certificate', async () => {
      const correlationId = str(request.correlationId);
      await peers.ingress.publish(
        jukinetCsDescriptor.system,
        'special-move-in.certificate-info.received',
        {
          correlationId,
          lgCode: str(request.lgCode),
          issuedBy: str(request.fromLgCode),
          cardHolderJuminhyoCode: str(request.cardHolderJuminhyoCode),
          members: [{ juminhyoCode: str(request.cardHolderJuminhyoCode), cardHolder: true }],
          issuedAt: new Date().toISOString(),
        },
        { eventKey: `${correlationId}:certificate-info`, correlationId },
      );
    });
  };
  return {
    handle(inbound, body) {
      switch (inbound.messageType) {
        case 'special-move-in.certificate-info.requested':
          return (async () => {
            // 7-②: the request goes on to the 転出地; its answer comes back later (7-③).
            await forward(peers.otherMunicipality(), 'OTHER_MUNICIPALITY', inbound);
            const request = body as Request;
            if (hold) held.push(request);
            else answer(request);
            return { body };
          })();
        case 'special-move-in.identity-info.updated':
          return Promise.resolve({ body });
        case 'special-move-in.prefecture-notice.sent':
          return (async () => {
            await forward(peers.prefecture(), 'PREFECTURE_SERVER', inbound);
            return { body };
          })();
        case 'special-move-in.move-in-notice.sent':
          return (async () => {
            // 7-⑦ in, 7-⑧ out: on to the 転出地, then the CS reports that it went.
            await forward(peers.otherMunicipality(), 'OTHER_MUNICIPALITY', inbound);
            const correlationId = str((body as Request).correlationId);
            peers.later('tokurei-notice', async () => {
              await peers.ingress.publish(
                jukinetCsDescriptor.system,
                'special-move-in.move-in-notice.forwarded',
                { correlationId, forwardedAt: new Date().toISOString() },
                { eventKey: `${correlationId}:notice-forwarded`, correlationId },
              );
            });
            return { body };
          })();
        case 'special-move-out.certificate-info.sent':
          return (async () => {
            // 1-⑧: this city's 転出証明書情報 goes to the city that asked.
            await forward(peers.otherMunicipality(), 'OTHER_MUNICIPALITY', inbound);
            return { body };
          })();
        default:
          return undefined;
      }
    },
    mount(sim) {
      sim.app.post('/tokurei/hold', express.json(), (req, res) => {
        hold = (req.body as { hold?: unknown } | undefined)?.hold !== false;
        res.json({ hold, held: held.length });
      });
      sim.app.post('/tokurei/release', (_req, res) => {
        const released = held.splice(0);
        for (const request of released) answer(request);
        res.json({ released: released.length });
      });
      // Another city's request for the 転出証明書情報 of a resident who left this city by 特例転出.
      sim.app.post('/tokurei/incoming-request', express.json(), (req, res) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const correlationId = str(body['correlationId']);
        const code = str(body['cardHolderJuminhyoCode']);
        if (!/^[0-9A-Za-z-]{8,64}$/.test(correlationId) || !/^[0-9]{11}$/.test(code)) {
          res
            .status(400)
            .json({ error: 'correlationId and an 11-digit cardHolderJuminhyoCode are required' });
          return;
        }
        void peers.ingress
          .publish(
            jukinetCsDescriptor.system,
            'special-move-in.certificate-info.requested',
            {
              correlationId,
              lgCode: str(body['requestingLgCode']),
              fromLgCode: str(body['fromLgCode']),
              cardHolderJuminhyoCode: code,
            },
            { eventKey: `${correlationId}:incoming-request`, correlationId },
          )
          .then(
            (result) => res.json(result),
            () => res.status(502).json({ error: 'not published' }),
          );
      });
    },
  };
}

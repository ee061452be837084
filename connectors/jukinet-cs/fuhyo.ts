/**
 * 附票 notices across municipalities (seed 2-①②③): the CS side. What the hub sends the CS for a
 * 本籍 elsewhere (`koseki-fuhyo.entry-notice.sent`) and the 本籍地's acknowledgements
 * (`koseki-fuhyo.entry-notice.applied`) go out over 住基ネット to the CS of the municipality they are
 * for; what arrives from 住基ネット (`POST /network/inbox`) enters the hub through the CS connector's
 * ingress as `koseki-fuhyo.entry-notice.received` or `.acknowledged`.
 *
 * 住基ネット itself is simulated by `jukinetNetworkSimulator`: a directory of member CSes by
 * 地方公共団体コード that passes a message on to the member it is addressed to. A CS is joined to it
 * with `POST /network/config {networkUrl}`; a CS that is not joined hands such messages to the
 * 他市町村 simulator (the rest of the country, as in affair 1).
 */
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  KosekiFuhyoEntryNoticeApplied,
  KosekiFuhyoEntryNoticeSent,
} from '../../schemas/types.gen.js';
import { postBytes } from '../runtime/http-sink.js';
import type { Ingress } from '../runtime/ingress.js';
import { jsonOf, type Inbound, type InboxResult, type Simulator } from '../runtime/simulator.js';
import { publishCsReply } from './ingress.js';

/** Header naming the municipality a 住基ネット message is addressed to. */
export const TO_LG_CODE_HEADER = 'x-to-lg-code';

/** The CS's 附票 relay: its `/inbox` handler for the 附票 types, and its 住基ネット endpoints. */
export interface FuhyoRelay {
  /** Handles a 附票 type the hub delivered to the CS; undefined for any other type. */
  onInbox(inbound: Inbound): Promise<InboxResult | undefined>;
}

/** Installs the 附票 relay on a CS simulator. */
export function installFuhyoRelay(
  sim: Simulator,
  options: { readonly ingress: Ingress; readonly otherMunicipality: () => string },
): FuhyoRelay {
  let networkUrl: string | undefined;
  sim.app.post('/network/config', express.json(), (req, res) => {
    const url = ((req.body ?? {}) as { networkUrl?: unknown }).networkUrl;
    if (url !== undefined && (typeof url !== 'string' || !/^https?:\/\//.test(url))) {
      res.status(400).json({ error: 'networkUrl must be an http(s) URL' });
      return;
    }
    networkUrl = url;
    res.json({ joined: networkUrl !== undefined });
  });
  sim.app.post('/network/inbox', express.raw({ type: () => true, limit: '1mb' }), (req, res) => {
    void (async () => {
      const type = req.header('x-message-type') ?? '';
      const key = req.header('idempotency-key') ?? '';
      let body: unknown;
      try {
        body = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '') as unknown;
      } catch {
        res.status(400).json({ error: 'not JSON' });
        return;
      }
      if (key === '') {
        res.status(400).json({ error: 'Idempotency-Key is required' });
        return;
      }
      let accepted: boolean;
      if (type === 'koseki-fuhyo.entry-notice.sent') {
        const sent = body as KosekiFuhyoEntryNoticeSent;
        const { residenceLgCode } = sent;
        const notice: Partial<KosekiFuhyoEntryNoticeSent> = { ...sent };
        delete notice.residenceLgCode;
        delete notice.honsekiInCity;
        const result = await publishCsReply(
          options.ingress,
          'koseki-fuhyo.entry-notice.received',
          { ...notice, lgCode: sent.honsekiLgCode, fromLgCode: residenceLgCode },
          `fuhyo-in:${key}`,
          req.header('x-correlation-id'),
        );
        accepted = result.accepted;
      } else if (type === 'koseki-fuhyo.entry-notice.applied') {
        const applied = body as KosekiFuhyoEntryNoticeApplied;
        const result = await publishCsReply(
          options.ingress,
          'koseki-fuhyo.entry-notice.acknowledged',
          {
            lgCode: applied.residenceLgCode,
            noticeId: applied.noticeId,
            honsekiLgCode: applied.lgCode,
            juminhyoCode: applied.juminhyoCode,
            appliedAt: applied.appliedAt,
          },
          `fuhyo-ack:${key}`,
          req.header('x-correlation-id'),
        );
        accepted = result.accepted;
      } else {
        res.status(400).json({ error: 'not a 附票 message' });
        return;
      }
      res.json({ accepted });
    })().catch(() => {
      if (!res.headersSent) res.status(503).json({ error: 'the hub did not take the message' });
    });
  });

  async function sendOver(inbound: Inbound, toLgCode: string): Promise<void> {
    const headers = {
      'idempotency-key': inbound.messageId,
      'x-message-type': inbound.messageType,
      'x-correlation-id': inbound.correlationId ?? inbound.messageId,
      [TO_LG_CODE_HEADER]: toLgCode,
    };
    const target =
      networkUrl === undefined ? `${options.otherMunicipality()}/inbox` : `${networkUrl}/deliver`;
    await postBytes('OTHER_MUNICIPALITY', target, inbound.raw, {
      contentType: 'application/json',
      timeoutMs: 5_000,
      headers,
      myNumberInBody: false,
    });
  }

  return {
    async onInbox(inbound) {
      if (inbound.messageType === 'koseki-fuhyo.entry-notice.sent') {
        const notice = jsonOf(inbound) as KosekiFuhyoEntryNoticeSent;
        try {
          await sendOver(inbound, notice.honsekiLgCode);
        } catch {
          // No CS answers for that 本籍地 (or it refused): the hub's delivery fails visibly.
          return { body: notice, status: 422 };
        }
        return { body: notice };
      }
      if (inbound.messageType === 'koseki-fuhyo.entry-notice.applied') {
        const applied = jsonOf(inbound) as KosekiFuhyoEntryNoticeApplied;
        await sendOver(inbound, applied.residenceLgCode);
        return { body: applied };
      }
      return undefined;
    },
  };
}

/** A simulated 住基ネット: member CSes by 地方公共団体コード. */
export interface JukinetNetwork {
  url(): string;
  /** Joins a CS (its base URL) under a 地方公共団体コード. */
  join(lgCode: string, csUrl: string): void;
  /** Messages passed on, per addressed municipality. */
  readonly delivered: Map<string, number>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Returns a simulated 住基ネット (call `start()`); port 0 picks a free port. */
export function jukinetNetworkSimulator(port = 0): JukinetNetwork {
  const members = new Map<string, string>();
  const delivered = new Map<string, number>();
  const app = express();
  let server: Server | undefined;
  let bound = port;
  app.post('/deliver', express.raw({ type: () => true, limit: '1mb' }), (req, res) => {
    void (async () => {
      const to = req.header(TO_LG_CODE_HEADER) ?? '';
      const member = members.get(to);
      if (member === undefined) {
        res.status(404).json({ error: `no municipality ${to} on the network` });
        return;
      }
      const headers: Record<string, string> = {};
      for (const name of ['idempotency-key', 'x-message-type', 'x-correlation-id']) {
        const value = req.header(name);
        if (value !== undefined) headers[name] = value;
      }
      const text = await postBytes(
        'OTHER_MUNICIPALITY',
        `${member}/network/inbox`,
        req.body as Buffer,
        {
          contentType: 'application/json',
          timeoutMs: 5_000,
          headers,
          myNumberInBody: false,
        },
      );
      delivered.set(to, (delivered.get(to) ?? 0) + 1);
      res.type('application/json').send(text);
    })().catch(() => {
      if (!res.headersSent) res.status(502).json({ error: 'the member CS did not answer' });
    });
  });
  return {
    url: () => `http://127.0.0.1:${String(bound)}`,
    join(lgCode, csUrl) {
      members.set(lgCode, csUrl);
    },
    delivered,
    async start() {
      const next = createServer(app);
      await new Promise<void>((resolve, reject) => {
        next.once('error', reject);
        next.listen(port, '127.0.0.1', () => {
          resolve();
        });
      });
      server = next;
      bound = (next.address() as AddressInfo).port;
    },
    async stop() {
      const open = server;
      server = undefined;
      if (!open) return;
      open.closeAllConnections();
      await new Promise<void>((resolve) =>
        open.close(() => {
          resolve();
        }),
      );
    },
  };
}

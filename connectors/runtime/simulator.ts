/**
 * What every simulator shares: an HTTP server on its own port, `POST /inbox` for what the hub sends
 * (idempotent by `Idempotency-Key`), `GET /received` (what it took, as JSON: these are fake systems,
 * the endpoint exists for tests and demos, and nothing of it is logged), and `POST /control` to make
 * it fail: answer 503, hang past the connector's timeout, answer late, or corrupt its next record.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { loggerFor } from '../../hub/logger.js';

/** How a simulator answers: normally, 503, not at all (until delayMs), or late (after delayMs). */
export type SimMode = 'ok' | '503' | 'timeout' | 'late';

/** The failure controls (`POST /control`). */
export interface SimControl {
  mode: SimMode;
  delayMs: number;
  /** Corrupt the next record the simulator emits (a broken wire record). */
  corruptNext: boolean;
}

/** One message the simulator took. */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly messageType: string;
  readonly correlationId: string | undefined;
  readonly at: string;
  /** Parsed JSON, or the decoded record for binary wire formats. */
  readonly body: unknown;
}

/** An inbound request as a simulator's handler sees it. */
export interface Inbound {
  readonly messageId: string;
  readonly messageType: string;
  readonly correlationId: string | undefined;
  /** The hub's saga subject key sent with the message (header X-Saga-Subject), if any. */
  readonly sagaSubject?: string | undefined;
  readonly contentType: string;
  readonly raw: Buffer;
}

/** What a handler answers: the body to record, and an optional error status (4xx refusals). */
export interface InboxResult {
  readonly body: unknown;
  readonly status?: number;
  readonly reply?: unknown;
}

/** Options of a simulator. */
export interface SimulatorOptions {
  readonly system: string;
  readonly port: number;
  readonly host?: string;
  /** Handles one new (not duplicate) inbound message; runs after the control checks. */
  readonly onInbox?: (inbound: Inbound) => Promise<InboxResult> | InboxResult;
}

/** A running simulator. */
export interface Simulator {
  readonly system: string;
  readonly app: express.Express;
  readonly control: SimControl;
  readonly received: ReceivedMessage[];
  /** Requests refused by control (503 / timeout), for failure tests. */
  readonly refused: { count: number };
  port(): number;
  url(): string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Applies the late-mode delay before the simulator emits something itself. */
  pace(): Promise<void>;
  /** True once: the next emitted record should be corrupted. */
  takeCorruption(): boolean;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parseBody(inbound: Inbound): unknown {
  if (!inbound.contentType.includes('json')) return { bytes: inbound.raw.length };
  try {
    return JSON.parse(inbound.raw.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Creates a simulator; `start()` listens. */
export function createSimulator(options: SimulatorOptions): Simulator {
  const log = loggerFor(`sim:${options.system}`);
  const app = express();
  const control: SimControl = { mode: 'ok', delayMs: 0, corruptNext: false };
  const received: ReceivedMessage[] = [];
  const seen = new Set<string>();
  const refused = { count: 0 };
  let server: Server | undefined;
  let boundPort = options.port;
  const host = options.host ?? '127.0.0.1';

  app.get('/healthz', (_req, res) => {
    res.json({ system: options.system, ok: true });
  });
  app.get('/received', (_req, res) => {
    res.json({ system: options.system, count: received.length, messages: received });
  });
  app.post('/control', express.json(), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const mode = body['mode'];
    if (mode === 'ok' || mode === '503' || mode === 'timeout' || mode === 'late')
      control.mode = mode;
    else if (mode !== undefined) {
      res.status(400).json({ error: 'mode must be ok | 503 | timeout | late' });
      return;
    }
    const delay = body['delayMs'];
    if (typeof delay === 'number' && delay >= 0) control.delayMs = delay;
    if (typeof body['corruptNext'] === 'boolean') control.corruptNext = body['corruptNext'];
    if (body['reset'] === true) {
      received.length = 0;
      seen.clear();
      refused.count = 0;
    }
    log.info({ mode: control.mode, delayMs: control.delayMs }, 'simulator control changed');
    res.json(control);
  });
  app.post('/inbox', express.raw({ type: () => true, limit: '50mb' }), (req, res) => {
    void (async () => {
      if (control.mode === '503') {
        refused.count += 1;
        res.status(503).json({ error: 'simulated outage' });
        return;
      }
      if (control.mode === 'timeout') {
        refused.count += 1;
        // Hang: the connector's timeout fires first. The socket is closed at stop().
        await sleep(control.delayMs > 0 ? control.delayMs : 60_000);
        if (!res.headersSent) res.status(504).end();
        return;
      }
      if (control.mode === 'late') await sleep(control.delayMs);
      const messageId = req.header('idempotency-key') ?? '';
      const messageType = req.header('x-message-type') ?? '';
      if (messageId === '' || messageType === '') {
        res.status(400).json({ error: 'Idempotency-Key and X-Message-Type are required' });
        return;
      }
      if (seen.has(messageId)) {
        res.status(200).json({ duplicate: true });
        return;
      }
      const inbound: Inbound = {
        messageId,
        messageType,
        correlationId: req.header('x-correlation-id'),
        sagaSubject: req.header('x-saga-subject'),
        contentType: req.header('content-type') ?? '',
        raw: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      };
      let result: InboxResult;
      try {
        result = options.onInbox ? await options.onInbox(inbound) : { body: parseBody(inbound) };
      } catch (error) {
        log.warn(
          { messageId, error: error instanceof Error ? error.name : 'error' },
          'inbox failed',
        );
        res.status(500).json({ error: 'simulator failed' });
        return;
      }
      if (result.status !== undefined && result.status >= 400) {
        res.status(result.status).json({ error: 'refused', reply: result.reply ?? null });
        return;
      }
      seen.add(messageId);
      received.push({
        messageId,
        messageType,
        correlationId: inbound.correlationId,
        at: new Date().toISOString(),
        body: result.body,
      });
      log.debug({ messageId, messageType }, 'simulator received');
      res.status(200).json({ ok: true, reply: result.reply ?? null });
    })();
  });

  return {
    system: options.system,
    app,
    control,
    received,
    refused,
    port: () => boundPort,
    url: () => `http://${host}:${String(boundPort)}`,
    async start() {
      const next = createServer(app);
      await new Promise<void>((resolve, reject) => {
        next.once('error', reject);
        next.listen(options.port, host, () => {
          next.off('error', reject);
          resolve();
        });
      });
      server = next;
      boundPort = (next.address() as AddressInfo).port;
      log.info({ port: boundPort }, 'simulator listening');
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
    async pace() {
      if (control.mode === 'late' && control.delayMs > 0) await sleep(control.delayMs);
    },
    takeCorruption() {
      if (!control.corruptNext) return false;
      control.corruptNext = false;
      return true;
    },
  };
}

/** Reads a JSON body of an inbound message; throws on non-JSON. */
export function jsonOf(inbound: Inbound): unknown {
  return JSON.parse(inbound.raw.toString('utf8')) as unknown;
}

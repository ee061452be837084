import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import { loggerFor } from '../logger.js';
import type { DependencyStatus } from '../main.js';
import { corsPolicy } from './cors.js';

/** What the hub's HTTP server needs: where to listen, how to ask readiness, which metrics to show. */
export interface HttpServerOptions {
  readonly port: number;
  readonly host: string;
  /** Broker, store and engine readiness (the hub's own checks). */
  readonly readiness: () => Promise<DependencyStatus[]>;
  readonly metrics: Registry;
  /**
   * Run before `/metrics` (authentication): every route but /healthz and /readyz needs a signed-in
   * user or a system token, and metrics name routes and volumes an outsider should not see.
   */
  readonly metricsGuard?: readonly RequestHandler[];
  /** Longest wait for `readiness` before `/readyz` answers 503 (default 5000 ms). */
  readonly readinessTimeoutMs?: number;
  /** Who answers `/readyz`: the replica id, its host and the flows version it runs (issue 22). */
  readonly replica?: () => { id: string; host: string; flowsVersion: number };
  /** Origins allowed cross-origin access (HUB_CORS_ORIGINS); none by default. */
  readonly corsOrigins?: readonly string[];
  /** Express `trust proxy` (HUB_TRUST_PROXY); off by default. */
  readonly trustProxy?: string | undefined;
}

/** A listening HTTP server. Later work mounts `/editor` (Node-RED) and `/api/...` on `app`. */
export interface HttpServer {
  readonly app: express.Express;
  readonly server: Server;
  /** The real port (useful when listening on port 0). */
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish briefly, then closes every connection. */
  close(): Promise<void>;
}

/** An error answer: a stable code and a bilingual message. Never a request body or a payload value. */
interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

const log = loggerFor('http');

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

function notFound(res: ServerResponse): void {
  const body: ErrorBody & { readonly see: readonly string[] } = {
    error: { code: 'not_found', message: 'No such path / このパスはありません' },
    see: ['/healthz', '/readyz', '/metrics'],
  };
  sendJson(res, 404, body);
}

function statusOf(error: unknown): number {
  if (typeof error !== 'object' || error === null) return 500;
  const record = error as { status?: unknown; statusCode?: unknown };
  const status = typeof record.status === 'number' ? record.status : record.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

/**
 * The answer to an error that reached the end of the stack. Client errors (4xx) get a fixed message by
 * kind, never the error's own text: a body-parser message can quote the request body, which may hold
 * personal data. Server errors are logged by type and answered with a generic message.
 */
function failed(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  const status = statusOf(error);
  const kind = (error as { type?: unknown } | null)?.type;
  const code =
    typeof kind === 'string'
      ? kind.replace(/[^a-z.]/gi, '_')
      : status < 500
        ? 'bad_request'
        : 'internal';
  if (status >= 500) {
    log.error(
      {
        method: req.method,
        path: (req.url ?? '').split('?')[0],
        errorType: error instanceof Error ? error.name : typeof error,
      },
      'request failed / 要求の処理に失敗しました',
    );
  }
  const message =
    status === 413
      ? 'Request body too large / 要求本文が大きすぎます'
      : status === 415
        ? 'Unsupported content type / 対応していない Content-Type です'
        : status < 500
          ? 'Bad request / 不正な要求です'
          : 'Internal error / 内部エラー';
  const body: ErrorBody = { error: { code, message } };
  sendJson(res, status, body);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no answer within ${ms} ms`));
      }, ms);
    }),
  ]).finally(() => {
    clearTimeout(timer);
  });
}

/** HUB_TRUST_PROXY as express takes it: a hop count, or names/addresses (loopback, 10.0.0.0/8 …). */
function trustProxyValue(value: string): number | string[] {
  return /^[0-9]+$/.test(value) ? Number(value) : value.split(',').map((part) => part.trim());
}

/** Builds the express app with the operational routes: `/healthz`, `/readyz`, `/metrics`. */
function buildApp(options: HttpServerOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (options.trustProxy !== undefined) app.set('trust proxy', trustProxyValue(options.trustProxy));
  // First, so that no route mounted later (Node-RED's editor API) can open cross-origin access.
  app.use(corsPolicy(options.corsOrigins ?? []));

  app.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });

  app.get('/readyz', (_req, res, next) => {
    const timeoutMs = options.readinessTimeoutMs ?? 5000;
    withTimeout(options.readiness(), timeoutMs)
      .catch((error: unknown): DependencyStatus[] => [
        {
          name: 'engine',
          ok: false,
          detail: `readiness check failed (${error instanceof Error ? error.message : typeof error}) / 準備状態を確認できません`,
        },
      ])
      .then((dependencies) => {
        const ready = dependencies.length > 0 && dependencies.every((dependency) => dependency.ok);
        res
          .status(ready ? 200 : 503)
          .set('Cache-Control', 'no-store')
          .json({
            status: ready ? 'ready' : 'not ready',
            ...(options.replica === undefined ? {} : { replica: options.replica() }),
            dependencies: dependencies.map(({ name, ok, detail }) => ({ name, ok, detail })),
          });
      })
      .catch(next);
  });

  app.get('/metrics', ...(options.metricsGuard ?? []), (_req, res, next) => {
    options.metrics
      .metrics()
      .then((text) => {
        // Written as is: express's send() would reorder the content type's parameters.
        res.setHeader('Content-Type', options.metrics.contentType);
        res.setHeader('Cache-Control', 'no-store');
        res.end(text);
      })
      .catch(next);
  });

  return app;
}

/**
 * Starts the hub's HTTP server on `host:port` (port 0 picks a free one). Unknown paths answer 404 JSON
 * and errors answer JSON without echoing the request; both stay last even for routes mounted later.
 */
export async function createHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const app = buildApp(options);
  // The app's own "nothing matched" and "error" ends: routes mounted on `app` later still come first.
  const server = createServer((req, res) => {
    app(req as express.Request, res as express.Response, (error?: unknown) => {
      if (error === undefined || error === null || error === 'route' || error === 'router')
        notFound(res);
      else failed(req, res, error);
    });
  });
  // Longer than typical proxy idle timeouts (60 s), so the proxy, not the hub, closes idle connections.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 120_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(error);
    };
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      const force = setTimeout(() => {
        server.closeAllConnections();
      }, 2000);
      force.unref();
      server.close((error) => {
        clearTimeout(force);
        if (error === undefined) resolve();
        else reject(error);
      });
      server.closeIdleConnections();
    });
    return closing;
  };

  return { app, server, port, close };
}

/**
 * `/api/trace` (issue 24 item 7): `GET ?messageId=…` or `?correlationId=…`, and `POST` with a JSON body
 * `{ "juminhyoCode": "…" }` or `{ "myNumber": "…" }` — a person's number goes in a body, never in a URL
 * that proxies and access logs keep. Every role may search (the answer is masked); each search is
 * recorded in the operator log.
 */
import express, { type Response, type Router } from 'express';
import { authenticate, principalOf, requireRole, type Credentials } from '../http/auth.js';
import { definePlugin } from '../plugin.js';
import { answerRefusal, handle } from '../dead-letters/http.js';
import { OperatorRefusal } from '../dead-letters/service.js';
import {
  createTraceService,
  traceQueryFrom,
  type TraceActor,
  type TraceService,
} from './service.js';

function actorOf(res: Response): TraceActor {
  const principal = principalOf(res);
  if (principal?.kind !== 'user') {
    throw new OperatorRefusal(
      403,
      'a signed-in person is required',
      '利用者としての認証が必要です',
    );
  }
  return { name: principal.username, role: principal.role };
}

/** The router mounted at `/api/trace`. */
export function traceRouter(service: TraceService, credentials: Credentials): Router {
  const router = express.Router();
  router.use(authenticate(credentials));
  router.use(requireRole('operator', 'auditor', 'integrator'));
  router.use(express.json({ limit: '4kb' }));
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.get(
    '/',
    handle(async (req, res) => {
      const query = req.query as Record<string, unknown>;
      if (query['juminhyoCode'] !== undefined || query['myNumber'] !== undefined) {
        throw new OperatorRefusal(
          400,
          'send a 住民票コード or 個人番号 in a POST body, never in the URL',
          '住民票コード・個人番号は URL ではなく POST の本文で送ってください',
        );
      }
      res.json(await service.search(traceQueryFrom(query), actorOf(res)));
    }),
  );
  router.post(
    '/',
    handle(async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      res.json(await service.search(traceQueryFrom(body), actorOf(res)));
    }),
  );
  router.use(answerRefusal);
  return router;
}

/** `/api/trace` on the hub's HTTP server. */
export const tracePlugin = definePlugin({
  name: 'trace',
  needs: ['store', 'keyRing', 'engine', 'app', 'credentials'],
  start(context) {
    const service = createTraceService({
      store: context.store,
      keyRing: context.keyRing,
      steps: () => context.engine.steps(),
    });
    context.app.use('/api/trace', traceRouter(service, context.credentials));
    return Promise.resolve({ stop: () => Promise.resolve() });
  },
});

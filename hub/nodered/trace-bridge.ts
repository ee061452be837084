/**
 * The editor's bridge for message tracking and system pauses (issue 24 items 7 and 8), mounted on
 * Node-RED's admin app at `/editor/hub/trace` and `/editor/hub/pauses` for the "Tracking / 追跡"
 * sidebar. Like the dead-letter bridge it acts as the signed-in hub user with their current role:
 * every role may search (the answer is masked; each search is in the operator log), only operators
 * pause and resume. A person's number travels in a POST body, never in a URL.
 */
import express, { type Request, type Router } from 'express';
import { roles } from '../http/auth.js';
import { answerRefusal, handle, optionalText } from '../dead-letters/http.js';
import { OperatorRefusal } from '../dead-letters/service.js';
import type { PauseService } from '../health/pauses.js';
import { traceQueryFrom, type TraceService } from '../trace/service.js';

function actorOf(req: Request): { name: string; role: string } {
  const user = (req as Request & { user?: { username?: unknown; role?: unknown } }).user;
  const name = typeof user?.username === 'string' ? user.username : undefined;
  const role =
    typeof user?.role === 'string' && (roles as readonly string[]).includes(user.role)
      ? user.role
      : undefined;
  if (name === undefined || role === undefined) {
    throw new OperatorRefusal(
      403,
      'a signed-in hub user is required',
      'ハブの利用者としてのログインが必要です',
    );
  }
  return { name, role };
}

function jsonRouter(): Router {
  const router = express.Router();
  router.use(express.json({ limit: '4kb' }));
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  return router;
}

/** `POST /` with `{ messageId | correlationId | juminhyoCode | myNumber }`: the masked timeline. */
export function traceBridge(service: TraceService): Router {
  const router = jsonRouter();
  router.post(
    '/',
    handle(async (req, res) => {
      const actor = actorOf(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      res.json(await service.search(traceQueryFrom(body), actor));
    }),
  );
  router.use(answerRefusal);
  return router;
}

/** `GET /` (systems and pause state, `mayPause`), `POST /:system/pause|resume` (`{ reason }`). */
export function pausesBridge(service: PauseService): Router {
  const router = jsonRouter();
  router.get(
    '/',
    handle(async (req, res) => {
      const actor = actorOf(req);
      res.json({ mayPause: actor.role === 'operator', items: await service.list() });
    }),
  );
  for (const action of ['pause', 'resume'] as const) {
    router.post(
      `/:system/${action}`,
      handle(async (req, res) => {
        const actor = actorOf(req);
        const body = (req.body ?? {}) as Record<string, unknown>;
        const system = String(req.params['system']);
        const reason = optionalText(body['reason'], 'reason');
        const changed =
          action === 'pause'
            ? await service.pause(system, actor, reason)
            : await service.resume(system, actor, reason);
        res.json({ system, paused: action === 'pause', changed });
      }),
    );
  }
  router.use(answerRefusal);
  return router;
}

/**
 * The editor's bridge to the dead-letter service, mounted on Node-RED's admin app at
 * `/editor/hub/dead-letters` for the "Dead letters / デッドレター" sidebar. The editor signs in with
 * Node-RED's own tokens, so the sidebar cannot call `/api/dead-letters`; this router answers the same
 * things for the Node-RED user, acting as that hub user with their current role (read from
 * hub_users by the adminAuth on each request). The rules are the service's own (every role reads
 * masked, dry-runs; only operators replay). The sidebar never unmasks: that stays with
 * `hub dlq show --unmask` and `POST /api/dead-letters/:id/unmask`.
 */
import express, { type Request, type Router } from 'express';
import { roles } from '../http/auth.js';
import {
  answerRefusal,
  badRequest,
  filterFrom,
  handle,
  idOf,
  optionalText,
} from '../dead-letters/http.js';
import { reasonClasses } from '../store/dead-letters.js';
import { summaryOf } from '../dead-letters/view.js';
import type { Actor } from '../dead-letters/replay.js';
import { OperatorRefusal, type DeadLetterService } from '../dead-letters/service.js';

/** Letters one sidebar request may replay (the sidebar replays what the operator ticked). */
export const MAX_SIDEBAR_REPLAY = 200;

/** Letters the sidebar lists when no limit is asked for, and at most. */
const DEFAULT_LIST_LIMIT = 200;
const MAX_LIST_LIMIT = 1000;

/** The Node-RED user behind a request (set by `RED.auth.needsPermission`). */
function actorOf(req: Request): Actor {
  // The adminAuth's `users()` read the role from hub_users for this very request.
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

/**
 * The router the editor mounts at `hub/dead-letters` behind `RED.auth.needsPermission`:
 * `GET /me`, `GET /` (list, same filters as `/api/dead-letters`), `GET /counts` (per route and per
 * route and reason), `GET /:id` (masked detail), `POST /replay` (`{ ids, dryRun, to?, reason?, again? }`).
 */
export function deadLetterBridge(service: DeadLetterService): Router {
  const router = express.Router();
  router.use(express.json({ limit: '64kb' }));
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  router.get('/me', (req, res, next) => {
    try {
      const actor = actorOf(req);
      res.json({
        username: actor.name,
        role: actor.role,
        mayReplay: actor.role === 'operator',
        reasonClasses,
      });
    } catch (error) {
      next(error);
    }
  });

  router.get(
    '/',
    handle(async (req, res) => {
      actorOf(req);
      const filter = filterFrom(req.query);
      const limit = Math.min(filter.limit ?? DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT);
      const letters = await service.list({ ...filter, limit });
      res.json({ items: letters.map(summaryOf) });
    }),
  );

  router.get(
    '/counts',
    handle(async (req, res) => {
      actorOf(req);
      const counts = await service.counts(filterFrom(req.query));
      const routes = new Map<string | null, number>();
      for (const entry of counts)
        routes.set(entry.route, (routes.get(entry.route) ?? 0) + entry.count);
      res.json({
        routes: [...routes].map(([route, count]) => ({ route, count })),
        counts,
      });
    }),
  );

  router.get(
    '/:id',
    handle(async (req, res) => {
      const view = await service.show(idOf(req), { actor: actorOf(req) });
      res.json(view);
    }),
  );

  router.post(
    '/replay',
    handle(async (req, res) => {
      const actor = actorOf(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const ids = body['ids'];
      if (
        !Array.isArray(ids) ||
        ids.length === 0 ||
        ids.length > MAX_SIDEBAR_REPLAY ||
        !ids.every((id) => Number.isInteger(id) && (id as number) > 0)
      ) {
        throw badRequest(
          `ids must be a list of 1 to ${String(MAX_SIDEBAR_REPLAY)} dead-letter ids`,
          `ids は 1〜${String(MAX_SIDEBAR_REPLAY)} 件のデッドレター番号の配列です`,
        );
      }
      const report = await service.replay({
        actor,
        ids: ids as number[],
        to: optionalText(body['to'], 'to'),
        dryRun: body['dryRun'] === true,
        reason: optionalText(body['reason'], 'reason'),
        again: body['again'] === true,
      });
      res.json(report);
    }),
  );

  router.use(answerRefusal);
  return router;
}

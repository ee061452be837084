/**
 * The flows versions on the editor's admin API (issue 22), beside Node-RED's own `/editor/flows`:
 *
 * - `GET  /editor/hub/flows/versions` (flows.read): the history, newest first, and the version this
 *   replica runs — every replica answers the same once it has caught up.
 * - `POST /editor/hub/flows/versions/<version>/rollback` (flows.write; body `{"base": <n>}`
 *   optional): deploys the flows of an earlier version as a new version on every replica; 409 when
 *   another deploy was recorded after `base` (default: the version this replica runs), 404 for an
 *   unknown version.
 *
 * Node-RED's bearer tokens and permissions guard them, as they guard a deploy.
 */
import type { Express, RequestHandler } from 'express';
import type { Routing } from './routing.js';

interface EditorRequestUser {
  readonly username?: string;
}

function statusOf(error: unknown): number {
  const status =
    typeof error === 'object' && error !== null && 'status' in error ? Number(error.status) : NaN;
  if (Number.isInteger(status) && status >= 400 && status < 600) return status;
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : '';
  return code === 'flows_refused' ? 400 : 500;
}

/** Registers the routes on Node-RED's admin app. */
export function registerVersionsApi(
  httpAdmin: Express,
  needsPermission: (permission: string) => RequestHandler,
  routing: Routing,
  /** Makes Node-RED show the flows the routing now runs. */
  reload: () => Promise<void>,
): void {
  httpAdmin.get('/hub/flows/versions', needsPermission('flows.read'), (_req, res, next) => {
    routing
      .history(100)
      .then((rows) => {
        res.set('Cache-Control', 'no-store').json({
          running: routing.version(),
          versions: rows.map((row) => ({ ...row, at: row.at.toISOString() })),
        });
      })
      .catch(next);
  });
  httpAdmin.post(
    '/hub/flows/versions/:version/rollback',
    needsPermission('flows.write'),
    (req, res) => {
      const version = Number(req.params['version']);
      const body: unknown = req.body;
      const baseRaw =
        typeof body === 'object' && body !== null && 'base' in body ? body.base : undefined;
      if (!Number.isSafeInteger(version) || version < 1) {
        res.status(400).json({
          code: 'bad_version',
          message: 'the version must be a positive whole number / 版は正の整数で指定してください',
        });
        return;
      }
      if (baseRaw !== undefined && !Number.isSafeInteger(baseRaw)) {
        res.status(400).json({
          code: 'bad_base',
          message: '"base" must be a whole number / "base" は整数で指定してください',
        });
        return;
      }
      const user = (req as { user?: EditorRequestUser }).user;
      routing
        .rollback(version, user?.username ?? 'editor', baseRaw as number | undefined)
        .then(async (result) => {
          await reload().catch(() => undefined);
          res.json({ version: result.version, summary: result.summary });
        })
        .catch((error: unknown) => {
          const code =
            typeof error === 'object' && error !== null && 'code' in error
              ? String(error.code)
              : 'unexpected_error';
          res.status(statusOf(error)).json({
            code,
            message: error instanceof Error ? error.message : String(error),
          });
        });
    },
  );
}

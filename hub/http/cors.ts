/**
 * Cross-origin access: off unless `HUB_CORS_ORIGINS` names the origins allowed. Node-RED's editor API
 * sets `Access-Control-Allow-Origin: *` on every answer, including the preflight of a deploy; with it,
 * any web page an integrator opens could drive the admin API with a token it got hold of. This policy
 * runs first on the hub's HTTP app: it removes every `Access-Control-*` header anything later sets
 * (Node-RED included), answers preflights itself, and adds the headers only for a listed origin.
 */
import type { RequestHandler, Response } from 'express';

const allowedMethods = 'GET, HEAD, PUT, POST, DELETE';
/** Request headers a listed origin may send (the API's and the editor's). */
const allowedHeaders = [
  'authorization',
  'content-type',
  'idempotency-key',
  'x-correlation-id',
  'node-red-api-version',
  'node-red-deployment-type',
];

/** Whether `value` is an origin as browsers send it: scheme://host[:port], nothing more. */
export function isOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
}

/** The CORS policy over the exact origins listed (none: no cross-origin access at all). */
export function corsPolicy(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const setHeader = res.setHeader.bind(res);
    // Nothing after this middleware may open cross-origin access by itself.
    res.setHeader = ((name: string, value: number | string | readonly string[]) =>
      name.toLowerCase().startsWith('access-control-')
        ? res
        : setHeader(name, value)) as Response['setHeader'];
    const origin = req.headers.origin;
    const listed = origin !== undefined && allowed.has(origin);
    if (origin !== undefined) setHeader('Vary', 'Origin');
    const preflight =
      req.method === 'OPTIONS' &&
      origin !== undefined &&
      req.headers['access-control-request-method'] !== undefined;
    if (preflight) {
      if (!listed) {
        res.status(403).json({
          error: {
            code: 'cors_refused',
            message:
              'Cross-origin requests from this origin are not allowed (HUB_CORS_ORIGINS) / このオリジンからのクロスオリジン要求は許可されていません（HUB_CORS_ORIGINS）',
          },
        });
        return;
      }
      const asked = (req.headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((header) => header.trim().toLowerCase())
        .filter((header) => allowedHeaders.includes(header));
      setHeader('Access-Control-Allow-Origin', origin);
      setHeader('Access-Control-Allow-Methods', allowedMethods);
      if (asked.length > 0) setHeader('Access-Control-Allow-Headers', asked.join(', '));
      setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    if (listed) setHeader('Access-Control-Allow-Origin', origin);
    next();
  };
}

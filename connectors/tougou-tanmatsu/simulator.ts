/**
 * 統合端末 simulator (affairs 6 and 3): `POST /trigger/search` and `POST /trigger/inquiry` make one
 * request to the hub as the operator named in the body, `POST /trigger/juminhyo` one 住民票の写し
 * request; each answers what the terminal shows (the hub's answer) and keeps a summary at
 * `GET /results` (status, source, count — never the records). The hub's address is
 * `HUB_PUBLIC_URL` (default http://127.0.0.1:1880) unless `POST /hub {url}` sets it.
 */
import express from 'express';
import { createSimulator, type Simulator } from '../runtime/simulator.js';
import { identityRequest, juminhyoRequest, type TerminalSession } from './client.js';
import { tougouTanmatsuDescriptor } from './descriptor.js';

/** One request as the terminal remembers it. */
export interface TerminalResult {
  readonly kind: string;
  readonly httpStatus: number;
  readonly status?: unknown;
  readonly source?: unknown;
  readonly count: number;
}

function sessionOf(body: Record<string, unknown>, hubUrl: string): TerminalSession | undefined {
  const { username, password } = body;
  if (typeof username !== 'string' || typeof password !== 'string') return undefined;
  const terminalId = typeof body['terminalId'] === 'string' ? body['terminalId'] : 'TERMINAL-01';
  return { hubUrl, username, password, terminalId };
}

/** Returns the terminal simulator (call `start()`). */
export function tougouTanmatsuSimulator(port: number): Simulator {
  const sim = createSimulator({ system: tougouTanmatsuDescriptor.system, port });
  let hubUrl = process.env['HUB_PUBLIC_URL'] ?? 'http://127.0.0.1:1880';
  const results: TerminalResult[] = [];
  sim.app.post('/hub', express.json(), (req, res) => {
    const url = ((req.body ?? {}) as { url?: unknown }).url;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
      res.status(400).json({ error: 'url (http or https) is required' });
      return;
    }
    hubUrl = url.replace(/\/$/, '');
    res.json({ hubUrl });
  });
  sim.app.get('/results', (_req, res) => {
    res.json({ results });
  });
  const trigger = (kind: 'SEARCH' | 'INQUIRY' | 'JUMINHYO') =>
    express.Router().post('/', express.json(), (req, res) => {
      void (async () => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        const session = sessionOf(body, hubUrl);
        if (session === undefined) {
          res.status(400).json({ error: 'username and password of the operator are required' });
          return;
        }
        try {
          const answer =
            kind === 'JUMINHYO'
              ? await juminhyoRequest(session, body['request'])
              : await identityRequest(session, {
                  kind,
                  purpose: typeof body['purpose'] === 'string' ? body['purpose'] : '',
                  criteria: (body['criteria'] ?? {}) as Record<string, string>,
                  respondWithinMs:
                    typeof body['respondWithinMs'] === 'number' ? body['respondWithinMs'] : 10_000,
                });
          const records = answer.body['records'];
          results.push({
            kind,
            httpStatus: answer.httpStatus,
            status: answer.body['status'],
            source: answer.body['source'],
            count: Array.isArray(records) ? records.length : 0,
          });
          res.json(answer);
        } catch {
          res.status(502).json({ error: 'the hub did not answer' });
        }
      })();
    });
  sim.app.use('/trigger/search', trigger('SEARCH'));
  sim.app.use('/trigger/inquiry', trigger('INQUIRY'));
  sim.app.use('/trigger/juminhyo', trigger('JUMINHYO'));
  return sim;
}

/**
 * 本人確認情報の検索 and 情報照会 (affair 6) as the 市町村CS and the 全国サーバ / 機構 answer them:
 * `POST /identity/search` on the CS searches the city's own 本人確認情報 (6-①④), the same path on the
 * 全国サーバ searches the national copy (6-②③), and `POST /kikou/inquiry` on the 全国サーバ (standing
 * for 機構, as in `kikou.ts`) answers a 情報照会 (6-⑥⑦). Each answers whole records: which items a
 * 事務 may see is the hub's decision (hub/counter/purposes.ts), not the server's. The simulator's
 * failure control applies: `timeout` / `late` hold the answer for `delayMs`, `503` refuses.
 *
 * The client half (`searchIdentity`) is what the hub calls; it aborts at the caller's deadline.
 */
import express from 'express';
import type { JukinetConsistencyCheckRecord } from '../../schemas/types.gen.js';
import type { Simulator } from '../runtime/simulator.js';
import type { IdentityHoldings } from './holdings.js';

/** How the person is named (one of). */
export interface IdentityCriteria {
  readonly juminhyoCode?: string;
  readonly myNumber?: string;
  readonly name?: string;
  readonly birthDate?: string;
  readonly sex?: string;
  readonly address?: string;
}

/** What a server answers. */
export interface IdentityAnswer {
  readonly records: readonly JukinetConsistencyCheckRecord[];
}

/** Records a name search scans at most (the synthetic population is not indexed by name). */
const NAME_SCAN_LIMIT = 20_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The population record a synthetic 住民票コード or 個人番号 points at (digits 5–10 / 5–11). */
function hintsOf(criteria: IdentityCriteria): number[] {
  const hints: number[] = [];
  if (criteria.juminhyoCode !== undefined) hints.push(Number(criteria.juminhyoCode.slice(4, 10)));
  if (criteria.myNumber !== undefined) hints.push(Number(criteria.myNumber.slice(4, 11)));
  return hints.filter((hint) => Number.isInteger(hint) && hint > 0);
}

function matches(criteria: IdentityCriteria): (record: JukinetConsistencyCheckRecord) => boolean {
  return (record) =>
    (criteria.juminhyoCode === undefined || record.juminhyoCode === criteria.juminhyoCode) &&
    (criteria.myNumber === undefined || record.myNumber === criteria.myNumber) &&
    (criteria.name === undefined || record.name === criteria.name) &&
    (criteria.birthDate === undefined || record.birthDate.value === criteria.birthDate) &&
    (criteria.sex === undefined || record.sex === criteria.sex) &&
    (criteria.address === undefined || record.addressText.includes(criteria.address));
}

function criteriaOf(body: unknown): IdentityCriteria | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const source = body as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const key of ['juminhyoCode', 'myNumber', 'name', 'birthDate', 'sex', 'address']) {
    const value = source[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length === 0 || value.length > 200) return undefined;
    out[key] = value;
  }
  const named =
    out['juminhyoCode'] !== undefined ||
    out['myNumber'] !== undefined ||
    (out['name'] !== undefined && out['birthDate'] !== undefined);
  return named ? out : undefined;
}

const served = new WeakMap<Simulator, Record<string, number>>();

/** Mounts `POST <path>` answering from `holdings` (residents only when `residentsOnly`). */
export function mountIdentitySearch(
  sim: Simulator,
  holdings: IdentityHoldings,
  path: '/identity/search' | '/kikou/inquiry',
  options: { residentsOnly: boolean; scanLimit?: number },
): void {
  if (!served.has(sim)) {
    const counts: Record<string, number> = {};
    served.set(sim, counts);
    // Tests: how many searches and inquiries this server answered (counts only, nothing personal).
    sim.app.get('/identity/served', (_req, res) => {
      res.json(counts);
    });
  }
  const counts = served.get(sim) ?? {};
  sim.app.post(path, express.json(), (req, res) => {
    void (async () => {
      if (sim.control.mode === '503') {
        sim.refused.count += 1;
        res.status(503).json({ error: 'simulated outage' });
        return;
      }
      if (sim.control.mode === 'timeout' || sim.control.mode === 'late') {
        await sleep(sim.control.delayMs > 0 ? sim.control.delayMs : 60_000);
        if (sim.control.mode === 'timeout') {
          if (!res.headersSent) res.status(504).end();
          return;
        }
      }
      const criteria = criteriaOf(req.body);
      if (criteria === undefined) {
        res.status(400).json({
          error: 'name the person by juminhyoCode, myNumber, or name and birthDate',
        });
        return;
      }
      const records = holdings
        .find(matches(criteria), hintsOf(criteria), options.scanLimit ?? NAME_SCAN_LIMIT)
        .filter((record) => !options.residentsOnly || record.residentStatus === 'RESIDENT');
      // Nothing of the criteria or the records is logged or kept in /received.
      counts[path] = (counts[path] ?? 0) + 1;
      const answer: IdentityAnswer = { records };
      res.json(answer);
    })();
  });
}

/** The hub's call: one search or inquiry at `url`, aborted at `deadline` (epoch ms). */
export async function searchIdentity(
  url: string,
  criteria: IdentityCriteria,
  deadline: number,
): Promise<IdentityAnswer> {
  const remaining = deadline - Date.now();
  if (remaining <= 0) throw new DeadlinePassed();
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(criteria),
      signal: AbortSignal.timeout(remaining),
    });
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
      throw new DeadlinePassed();
    throw error;
  }
  if (!response.ok) throw new Error(`the server answered HTTP ${String(response.status)}`);
  return (await response.json()) as IdentityAnswer;
}

/** The terminal's deadline passed before an answer came. */
export class DeadlinePassed extends Error {
  constructor() {
    super('the deadline passed before the server answered');
    this.name = 'DeadlinePassed';
  }
}

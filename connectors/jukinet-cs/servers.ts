/**
 * The servers behind the 市町村CS: 都道府県サーバ and 全国サーバ (J-LIS 機構) keep their own copy of
 * the 本人確認情報 (the synthetic population plus the updates the CS forwards) and run the
 * consistency check over the file of the CS's own 本人確認情報 (`POST /check`, 8-②): every item of
 * every record is compared with the server's copy and each difference goes to a result file (keyed
 * hashes, never values). `POST /inject` makes the server's copy differ for chosen records, so tests
 * know the exact expected report. 全国サーバ also answers for 機構 (`kikou.ts`). 他市町村 takes 転入通知
 * forwarded by the CS.
 */
import express from 'express';
import { join } from 'node:path';
import type { IdentityInfoUpdateSubmitted } from '../../schemas/types.gen.js';
import { isComplete, pathOfRef } from '../runtime/files.js';
import { createSimulator, jsonOf, type Simulator } from '../runtime/simulator.js';
import { compareFile, type CompareResult } from './compare.js';
import { IdentityHoldings } from './holdings.js';
import { checkFields, isCheckField, type CheckField } from './items.js';
import { mountKikou } from './kikou.js';
import { mountIdentitySearch } from './identity-search.js';

export { checkFields, type CheckField } from './items.js';

/** The result manifest a server returns for a check. */
export type CheckResult = CompareResult;

/** Options of a checking server simulator. */
export interface CheckServerOptions {
  readonly system: 'PREFECTURE_SERVER' | 'NATIONAL_SERVER';
  readonly port: number;
  readonly exchangeDir: string;
}

/** Every synthetic resident exists at the servers (the 住民票コード encodes the record number). */
const SERVER_POPULATION = 999_999;

/** Starts nothing; returns a checking server simulator. */
export function checkServerSimulator(options: CheckServerOptions): Simulator {
  // The server's copy: the synthetic population, kept current by the updates the CS forwards (1-⑦).
  const holdings = new IdentityHoldings(SERVER_POPULATION);
  const sim = createSimulator({
    system: options.system,
    port: options.port,
    onInbox(inbound) {
      const body = jsonOf(inbound);
      if (inbound.messageType === 'identity-info.update.submitted') {
        holdings.apply(body as IdentityInfoUpdateSubmitted);
      }
      return { body };
    },
  });
  // 全国サーバ stands for 機構 too: it generates and changes 個人番号 for the CS (1-③④).
  if (options.system === 'NATIONAL_SERVER') {
    mountKikou(sim);
    // 6-②③: searches for people outside the city; 6-⑥⑦: 情報照会 to 機構.
    mountIdentitySearch(sim, holdings, '/identity/search', { residentsOnly: false });
    mountIdentitySearch(sim, holdings, '/kikou/inquiry', { residentsOnly: false });
  }
  const injected = new Map<number, Set<CheckField>>();
  sim.app.post('/inject', express.json(), (req, res) => {
    const list = ((req.body ?? {}) as { mismatches?: unknown }).mismatches;
    injected.clear();
    if (Array.isArray(list)) {
      for (const entry of list as { recordNo?: unknown; field?: unknown }[]) {
        if (typeof entry.recordNo !== 'number' || !isCheckField(entry.field)) continue;
        const fields = injected.get(entry.recordNo) ?? new Set<CheckField>();
        fields.add(entry.field);
        injected.set(entry.recordNo, fields);
      }
    }
    res.json({ injected: injected.size, fields: checkFields });
  });
  sim.app.post('/check', express.json(), (req, res) => {
    void (async () => {
      const body = (req.body ?? {}) as { fileRef?: unknown; id?: unknown };
      try {
        if (typeof body.fileRef !== 'string' || typeof body.id !== 'string')
          throw new Error('fileRef and id are required');
        const source = pathOfRef(body.fileRef);
        if (!(await isComplete(source))) throw new Error('the file has no completion marker');
        // 8-②: every item of every record of the CS's file against this server's copy.
        const result = await compareFile({
          source,
          target: join(
            options.exchangeDir,
            options.system.toLowerCase(),
            `result-${body.id}.jsonl`,
          ),
          hashKey: `${options.system}-result`,
          lookup: (code, recordNo) => holdings.byCode(code, recordNo),
          forced: (recordNo) => injected.get(recordNo),
        });
        res.json(result);
      } catch (error) {
        res.status(400).json({ error: error instanceof Error ? error.message : 'check failed' });
      }
    })();
  });
  return sim;
}

/** The 他市町村 simulator: takes the 転入通知 the CS forwards. */
export function otherMunicipalitySimulator(port: number): Simulator {
  return createSimulator({ system: 'OTHER_MUNICIPALITY', port });
}

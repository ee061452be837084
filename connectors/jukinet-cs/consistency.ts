/**
 * 本人確認情報整合 at the 市町村CS (affair 8). On the registry's extract (converted by the hub into
 * the CS layout) the CS runs two checks and reports each through the hub:
 * - `REGISTRY_CS` 既存住基↔CS: the registry's records against the CS's own 本人確認情報 (the
 *   standard's "CS側の本人確認情報との整合性"), a separate, named check;
 * - 8-①②: the CS writes a file of *its own* 本人確認情報 and sends it to the 都道府県サーバ and the
 *   全国サーバ, which compare every item with their copies and return a result file each.
 */
import { join } from 'node:path';
import type { JukinetConsistencyCheckExtractReady } from '../../schemas/types.gen.js';
import { postBytes } from '../runtime/http-sink.js';
import { openAtomicFile, pathOfRef } from '../runtime/files.js';
import type { Ingress } from '../runtime/ingress.js';
import { CS_SEPARATOR, encodeConsistencyRecord } from './codec.js';
import { compareFile, type CompareResult } from './compare.js';
import type { IdentityHoldings } from './holdings.js';
import { publishCsReply } from './ingress.js';

/** What the CS's consistency run needs. */
export interface ConsistencyRun {
  readonly manifest: JukinetConsistencyCheckExtractReady;
  readonly messageId: string;
  readonly correlationId: string | undefined;
  readonly holdings: IdentityHoldings;
  readonly exchangeDir: string;
  readonly ingress: Ingress;
  readonly prefectureUrl: string;
  readonly nationalUrl: string;
}

/** Writes the CS's own 本人確認情報 as a CS-layout file (8-①). */
export async function writeHoldingsFile(
  holdings: IdentityHoldings,
  path: string,
): Promise<{ fileRef: string; sha256: string; count: number }> {
  const file = await openAtomicFile(path);
  const batch: Buffer[] = [];
  let bytes = 0;
  let count = 0;
  for (const record of holdings.records()) {
    const encoded = encodeConsistencyRecord(record);
    batch.push(encoded, CS_SEPARATOR);
    bytes += encoded.length + CS_SEPARATOR.length;
    count += 1;
    if (bytes >= 256 * 1024) {
      await file.write(Buffer.concat(batch, bytes));
      batch.length = 0;
      bytes = 0;
    }
  }
  if (bytes > 0) await file.write(Buffer.concat(batch, bytes));
  const { fileRef, sha256 } = await file.commit();
  return { fileRef, sha256, count };
}

/** Runs both checks and publishes the three results. */
export async function runConsistency(run: ConsistencyRun): Promise<void> {
  const { manifest } = run;
  const dir = join(run.exchangeDir, 'jukinet-cs');
  const publish = (source: string, result: CompareResult, extra: Record<string, unknown> = {}) =>
    publishCsReply(
      run.ingress,
      'jukinet.consistency-check.result-ready',
      {
        lgCode: manifest.lgCode,
        fileRef: result.fileRef,
        sha256: result.sha256,
        extractSha256: manifest.sha256,
        checkedCount: result.checkedCount,
        mismatchCount: result.mismatchCount,
        source,
        asOf: manifest.asOf,
        encoding: 'UTF-8',
        ...extra,
      },
      `${run.messageId}:${source}`,
      run.correlationId,
    );
  // 既存住基↔CS: the registry's records (rejected ones never reached the file) against the CS's.
  const registry = await compareFile({
    source: pathOfRef(manifest.fileRef),
    target: join(dir, `registry-check-${run.messageId}.jsonl`),
    hashKey: 'JUKINET_CS-registry-check',
    lookup: (code, recordNo) => run.holdings.byCode(code, recordNo),
  });
  await publish('REGISTRY_CS', registry, { rejectedCount: manifest.rejectedCount ?? 0 });
  // 8-①: the CS's own 本人確認情報 to both servers; 8-②: their results back.
  const own = await writeHoldingsFile(run.holdings, join(dir, `own-${run.messageId}.dat`));
  for (const [source, url] of [
    ['PREFECTURE', run.prefectureUrl],
    ['NATIONAL', run.nationalUrl],
  ] as const) {
    const text = await postBytes(
      `${source}_SERVER`,
      `${url}/check`,
      JSON.stringify({ fileRef: own.fileRef, id: run.messageId }),
      { contentType: 'application/json', timeoutMs: 600_000 },
    );
    await publish(source, JSON.parse(text) as CompareResult);
  }
}

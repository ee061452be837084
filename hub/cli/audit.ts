/**
 * `hub audit verify` walks the operator log's hash chain and names the first altered or missing row
 * (exit 1) or reports OK with the head hash (exit 0), which an auditor can note elsewhere so that a
 * deleted newest row shows too. `hub audit list` prints the newest rows.
 */
import type { Command } from 'commander';
import { createOperatorLog } from '../audit/operator-log.js';
import { complain, describeError, exitCodes, say } from './output.js';
import { openCliStore } from './users.js';

/** `hub audit verify`. */
export async function auditVerifyCli(options: {
  json: boolean;
  expectHead?: string;
}): Promise<number> {
  const opened = await openCliStore('audit verify');
  if (opened === undefined) return exitCodes.usage;
  try {
    const result = await createOperatorLog(opened.store.knex).verify();
    if (result.ok && options.expectHead !== undefined && result.lastHash !== options.expectHead) {
      const line = {
        ok: false,
        rows: result.rows,
        problem: 'head',
        en: `the newest row's hash is ${result.lastHash}, not the expected ${options.expectHead}: rows were removed or added at the end`,
        ja: `最新の記録のハッシュが期待値と異なります（末尾の記録が削除または追加されています）`,
      };
      if (options.json) say(JSON.stringify(line));
      else complain(`hub audit verify: FAILED — ${line.en} / ${line.ja}`);
      return exitCodes.failed;
    }
    if (options.json) {
      say(JSON.stringify(result));
    } else if (result.ok) {
      say(
        `operator log OK: ${String(result.rows)} rows, head ${result.lastHash} / 操作記録は正常です（${String(result.rows)} 件）`,
      );
    } else {
      complain(
        `hub audit verify: FAILED at row ${String(result.seq)}: ${result.en} / ${result.ja}`,
      );
    }
    return result.ok ? exitCodes.ok : exitCodes.failed;
  } catch (error) {
    complain(`hub audit verify: ${describeError(error)} / 検証できませんでした`);
    return exitCodes.failed;
  } finally {
    await opened.store.close();
  }
}

/** `hub audit list`. */
export async function auditListCli(options: { limit: number; json: boolean }): Promise<number> {
  const opened = await openCliStore('audit list');
  if (opened === undefined) return exitCodes.usage;
  try {
    const rows = await createOperatorLog(opened.store.knex).list({ limit: options.limit });
    for (const row of rows) {
      if (options.json) {
        say(JSON.stringify({ ...row, at: row.at.toISOString() }));
      } else {
        say(
          [
            String(row.seq).padStart(6),
            row.at.toISOString(),
            row.actor,
            row.role,
            row.action,
            row.target ?? '-',
            row.reason ?? '',
          ].join('  '),
        );
      }
    }
    return exitCodes.ok;
  } catch (error) {
    complain(`hub audit list: ${describeError(error)} / 一覧を表示できませんでした`);
    return exitCodes.failed;
  } finally {
    await opened.store.close();
  }
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error('a positive whole number / 正の整数');
  return n;
}

/** Registers `hub audit verify` and `hub audit list`. */
export function registerAuditCommands(program: Command, setCode: (code: number) => void): void {
  const audit = program
    .command('audit')
    .summary('Operator audit log / 操作記録')
    .description('The hash-chained log of operator actions.\nハッシュ連鎖された運用操作の記録。');
  audit
    .command('verify')
    .summary('Verify the hash chain / 操作記録の検証')
    .description(
      'Walk the operator log from its first row; exit 1 naming the first altered or missing row.\n' +
        '操作記録を先頭から検証し、改ざん・欠落した最初の記録を示す（終了コード 1）。',
    )
    .option('--json', 'print the result as JSON / JSON で出力', false)
    .option('--expect-head <hash>', 'the head hash noted earlier / 以前に控えた最新ハッシュ')
    .action(async (options: { json: boolean; expectHead?: string }) => {
      setCode(await auditVerifyCli(options));
    });
  audit
    .command('list')
    .summary('Show the newest actions / 最新の操作')
    .description('Show the newest operator actions.\n最新の運用操作を表示する。')
    .option('--limit <n>', 'rows / 件数', positiveInt, 50)
    .option('--json', 'JSON Lines / JSON Lines で出力', false)
    .action(async (options: { limit: number; json: boolean }) => {
      setCode(await auditListCli(options));
    });
}

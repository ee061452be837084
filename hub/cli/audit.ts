/**
 * `hub audit verify` walks the operator log's keyed chain and names the first altered, missing or
 * unkeyed row (exit 1) or reports OK with the head (exit 0). `hub audit head` prints the head
 * (`<seq>:<hash>`) to keep outside the database; `verify --expect-head <value>` then also catches
 * rows deleted from the end. `hub audit rekey` re-anchors a log chained before it was keyed.
 * `hub audit list` prints the newest rows. The chain's key comes from the hub's secret key.
 * `hub audit access --day YYYY-MM-DD` prints the access record of one day (Japan time): every
 * 本人確認情報 search, 情報照会 and counter issuance (affairs 3 and 6), keyed hashes only.
 */
import type { Command } from 'commander';
import { hostname, userInfo } from 'node:os';
import { createOperatorLog, type OperatorLog } from '../audit/operator-log.js';
import { HubError } from '../errors.js';
import { complain, describeError, exitCodes, say } from './output.js';
import { openCliStore } from './users.js';

/** Opens the store and the key ring and runs `work` on the operator log; closes both. */
async function withOperatorLog(
  command: string,
  work: (log: OperatorLog) => Promise<number>,
): Promise<number> {
  const opened = await openCliStore(command);
  if (opened === undefined) return exitCodes.usage;
  try {
    const { loadKeyRing } = await import('../security/keys.js');
    const { keyRing } = loadKeyRing(opened.config);
    return await work(createOperatorLog(opened.store, keyRing));
  } catch (error) {
    complain(`hub ${command}: ${describeError(error)} / 実行できませんでした`);
    return error instanceof HubError && error.code === 'HUB_CONFIG_INVALID'
      ? exitCodes.usage
      : exitCodes.failed;
  } finally {
    await opened.store.close();
  }
}

/** `hub audit verify`. */
export function auditVerifyCli(options: { json: boolean; expectHead?: string }): Promise<number> {
  return withOperatorLog('audit verify', async (log) => {
    const result = await log.verify({ expectHead: options.expectHead });
    if (options.json) {
      say(JSON.stringify(result));
    } else if (result.ok) {
      say(
        `operator log OK: ${String(result.rows)} rows, head ${result.head}` +
          (options.expectHead === undefined ? '' : ' (kept head found / 控えた先頭を確認)') +
          ` / 操作記録は正常です（${String(result.rows)} 件）`,
      );
      if (options.expectHead === undefined) {
        say(
          'rows deleted from the end show only against a head kept elsewhere: hub audit verify --expect-head <hub audit head>' +
            ' / 末尾の削除は、別に控えた先頭値（hub audit head）との照合でのみ検出できます',
        );
      }
    } else {
      complain(
        `hub audit verify: FAILED at row ${String(result.seq)} (${result.problem}): ${result.en} / ${result.ja}`,
      );
    }
    return result.ok ? exitCodes.ok : exitCodes.failed;
  });
}

/** `hub audit head`: the value to keep elsewhere (a ticket, a print-out, another system). */
export function auditHeadCli(options: { json: boolean }): Promise<number> {
  return withOperatorLog('audit head', async (log) => {
    const head = await log.head();
    if (options.json) say(JSON.stringify({ head, at: new Date().toISOString() }));
    else say(head);
    return exitCodes.ok;
  });
}

/** `hub audit rekey`: re-anchors the chain under the current key (after an upgrade). */
export function auditRekeyCli(): Promise<number> {
  return withOperatorLog('audit rekey', async (log) => {
    const result = await log.rekey({
      name: `${userInfo().username}@${hostname()}`,
      role: 'operator',
    });
    say(
      `re-anchored ${String(result.rows)} row(s) under the current key; previous head ${result.previousHead} (recorded in the log); new head ${await log.head()}` +
        ` / ${String(result.rows)} 件を現用鍵で再署名しました（旧先頭値は記録済み）`,
    );
    return exitCodes.ok;
  });
}

/** `hub audit list`. */
export function auditListCli(options: { limit: number; json: boolean }): Promise<number> {
  return withOperatorLog('audit list', async (log) => {
    const rows = await log.list({ limit: options.limit });
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
  });
}

/** `hub audit access --day`: the access record of one day (Japan time), oldest first. */
export async function auditAccessCli(options: { day: string; json: boolean }): Promise<number> {
  const from = new Date(`${options.day}T00:00:00+09:00`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.day) || Number.isNaN(from.getTime())) {
    complain('hub audit access: --day must be YYYY-MM-DD / --day は YYYY-MM-DD で指定してください');
    return exitCodes.usage;
  }
  const opened = await openCliStore('audit access');
  if (opened === undefined) return exitCodes.usage;
  try {
    const { accessRecords } = await import('../store/access-records.js');
    const rows = await accessRecords(opened.store).list({
      from,
      to: new Date(from.getTime() + 86_400_000),
    });
    for (const row of rows) {
      if (options.json) say(JSON.stringify({ ...row, at: row.at.toISOString() }));
      else
        say(
          [
            row.at.toISOString(),
            row.affair,
            row.action,
            row.operator,
            row.terminal,
            row.purpose,
            row.criteriaKind,
            row.source ?? '-',
            row.result,
            String(row.resultCount),
            row.requestId,
          ].join('  '),
        );
    }
    if (!options.json)
      say(`${String(rows.length)} access(es) on ${options.day} / ${String(rows.length)} 件`);
    return exitCodes.ok;
  } catch (error) {
    complain(`hub audit access: ${describeError(error)} / 実行できませんでした`);
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

/** Registers `hub audit verify|head|rekey|list`. */
export function registerAuditCommands(program: Command, setCode: (code: number) => void): void {
  const audit = program
    .command('audit')
    .summary('Operator audit log / 操作記録')
    .description(
      'The keyed, chained log of operator actions.\n鍵付きハッシュで連鎖した運用操作の記録。',
    );
  audit
    .command('verify')
    .summary('Verify the keyed chain / 操作記録の検証')
    .description(
      'Walk the operator log from its first row; exit 1 naming the first altered, missing or unkeyed row. With --expect-head, the head kept earlier (hub audit head) must still be in the log.\n' +
        '操作記録を先頭から検証し、改ざん・欠落した最初の記録を示す（終了コード 1）。--expect-head で控えた先頭値も照合する。',
    )
    .option('--json', 'print the result as JSON / JSON で出力', false)
    .option(
      '--expect-head <seq:hash>',
      'the head printed earlier by hub audit head / 以前に hub audit head で控えた値',
    )
    .action(async (options: { json: boolean; expectHead?: string }) => {
      setCode(await auditVerifyCli(options));
    });
  audit
    .command('head')
    .summary('Print the head to keep elsewhere / 先頭値の表示')
    .description(
      'Print the newest row as <seq>:<hash>. Keep it outside the database (a ticket, another system); later, hub audit verify --expect-head <value> shows rows deleted from the end.\n' +
        '最新の記録を <番号>:<ハッシュ> で表示する。データベースの外に控え、後で hub audit verify --expect-head で照合する。',
    )
    .option('--json', 'JSON / JSON で出力', false)
    .action(async (options: { json: boolean }) => {
      setCode(await auditHeadCli(options));
    });
  audit
    .command('rekey')
    .summary('Re-anchor the chain under the current key / 現用鍵で再署名')
    .description(
      'Once after upgrading from an unkeyed log, or before removing an old key from the key file: checks the chain as it is, re-chains every row under the current key, and records the previous head.\n' +
        '鍵なしの記録からの移行時、または旧鍵の削除前に一度実行する。現在の連鎖を検証してから現用鍵で再署名し、旧先頭値を記録する。',
    )
    .action(async () => {
      setCode(await auditRekeyCli());
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
  audit
    .command('access')
    .summary('The access record of one day / 本人確認情報等のアクセス記録')
    .description(
      'Every 本人確認情報 search, 情報照会 and counter issuance of one day (Japan time): who, which terminal, which 事務, when, what (keyed hashes only) and how many results.\n' +
        '1日分（日本時間）の本人確認情報の検索・情報照会・窓口交付の記録（誰が・どの端末で・どの事務で・いつ・何を〈鍵付きハッシュ〉・何件）。',
    )
    .requiredOption('--day <YYYY-MM-DD>', 'the day, Japan time / 日付（日本時間）')
    .option('--json', 'JSON Lines / JSON Lines で出力', false)
    .action(async (options: { day: string; json: boolean }) => {
      setCode(await auditAccessCli(options));
    });
}

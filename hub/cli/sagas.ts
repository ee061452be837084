/**
 * `hub sagas list|show|retry|close`: multi-step cases (affair 7 特例転入, 1-⑧) as operators follow
 * them. Reading is masked and needs no sign-in (as `hub dlq list`); retrying a failed step and closing
 * a case act as a named operator (`--as <user>`, password from HUB_OPERATOR_PASSWORD or a prompt)
 * and are written to the operator log.
 */
import type { Command } from 'commander';
import { storeCredentials } from '../http/auth.js';
import type { SagaService, SagaSummary } from '../saga/service.js';
import type { Store } from '../store/types.js';
import { complain, describeError, exitCodes, say } from './output.js';
import { openCliStore, promptHidden } from './users.js';

interface Session {
  readonly store: Store;
  readonly service: SagaService;
}

async function inSession(
  command: string,
  work: (session: Session) => Promise<number>,
): Promise<number> {
  const opened = await openCliStore(command);
  if (opened === undefined) return exitCodes.usage;
  const { config, store } = opened;
  try {
    const [
      { loadKeyRing },
      { readFlowsDir },
      { sagasOfFlows },
      { createSagaService, SagaRefusal },
    ] = await Promise.all([
      import('../security/keys.js'),
      import('../nodered/flows-dir.js'),
      import('../saga/definition.js'),
      import('../saga/service.js'),
    ]);
    const service = createSagaService({
      store,
      keyRing: loadKeyRing(config).keyRing,
      definitions: sagasOfFlows(readFlowsDir(config.flowsDir)),
    });
    try {
      return await work({ store, service });
    } catch (error) {
      if (error instanceof SagaRefusal) {
        complain(`hub ${command}: refused: ${error.message} / 拒否: ${error.ja}`);
        return error.status === 400 ? exitCodes.usage : exitCodes.failed;
      }
      throw error;
    }
  } catch (error) {
    complain(`hub ${command}: ${describeError(error)} / 失敗しました`);
    return exitCodes.failed;
  } finally {
    await store.close();
  }
}

async function signIn(store: Store, command: string, user: string | undefined) {
  if (user === undefined) {
    complain(
      `hub ${command}: this is an operator action: sign in with --as <user> (password from HUB_OPERATOR_PASSWORD or the prompt) / 運用操作です。--as <利用者> で認証してください`,
    );
    return undefined;
  }
  const password =
    process.env['HUB_OPERATOR_PASSWORD'] ??
    (await promptHidden(`Password for ${user} / ${user} のパスワード: `));
  if (password === undefined) {
    complain(
      `hub ${command}: no password (set HUB_OPERATOR_PASSWORD or run on a terminal) / パスワードがありません`,
    );
    return undefined;
  }
  const verified = await storeCredentials(store).verifyUser(user, password);
  if (verified === undefined) {
    complain(`hub ${command}: sign-in failed for ${user} / ${user} として認証できませんでした`);
    return undefined;
  }
  return { name: verified.username, role: verified.role };
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

function where(summary: SagaSummary): string {
  return `${String(summary.stepNo)}/${String(summary.steps)} ${summary.stepId ?? '-'}`;
}

/** `hub sagas list`. */
export function sagasListCli(options: {
  all: boolean;
  json: boolean;
  limit: number;
}): Promise<number> {
  return inSession('sagas list', async ({ service }) => {
    const list = await service.list({ all: options.all, limit: options.limit });
    if (options.json) {
      for (const summary of list) say(JSON.stringify(summary));
      return exitCodes.ok;
    }
    const rows = list.map((s) => [
      s.correlationId,
      s.saga,
      s.createdAt,
      s.overdue ? `${s.state},OVERDUE` : s.state,
      where(s),
      s.dueOn ?? '-',
      s.waitingFor ?? '-',
      (s.errorEn ?? s.closedReason ?? '').slice(0, 60),
    ]);
    for (const line of table([
      // Dates never side by side: two dates in a row read like a 12-digit number to the leak scan.
      ['CORRELATION', 'SAGA', 'OPENED', 'STATE', 'STEP', 'DUE', 'WAITING FOR', 'REASON'],
      ...rows,
    ]))
      say(line);
    say(`${String(list.length)} saga(s) / 件`);
    return exitCodes.ok;
  });
}

/** `hub sagas show <correlation-id>`. */
export function sagasShowCli(correlationId: string, options: { json: boolean }): Promise<number> {
  return inSession('sagas show', async ({ service }) => {
    const shown = await service.show(correlationId);
    if (options.json) {
      say(JSON.stringify(shown));
      return exitCodes.ok;
    }
    const s = shown.summary;
    say(`saga ${s.saga} (${s.route ?? '-'})  ${s.correlationId}`);
    say(
      `state / 状態: ${s.state}${s.overdue ? ' OVERDUE / 期限超過' : ''}  step / 手順: ${where(s)}`,
    );
    if (s.waitingFor !== null)
      say(`waiting for / 待機中: ${s.waitingFor} (due / 期限 ${s.dueOn ?? '-'})`);
    if (s.errorEn !== null) say(`failed / 失敗: ${s.errorEn} / ${s.errorJa ?? ''}`);
    if (s.closedReason !== null) say(`closed / 終了理由: ${s.closedReason}`);
    for (const line of table([
      ['#', 'STEP', 'SYSTEM', 'STATE', 'DONE AT', 'LABEL'],
      ...shown.steps.map((step) => [
        String(step.no),
        step.id,
        step.system,
        step.state,
        step.doneAt ?? '-',
        step.label,
      ]),
    ]))
      say(line);
    say(`input (masked) / 起動内容（マスク済み）: ${JSON.stringify(shown.input)}`);
    return exitCodes.ok;
  });
}

/** `hub sagas retry|close <correlation-id>`. */
export function sagasActCli(
  action: 'retry' | 'close',
  correlationId: string,
  options: { as?: string; reason?: string },
): Promise<number> {
  return inSession(`sagas ${action}`, async ({ store, service }) => {
    if (action === 'close' && (options.reason === undefined || options.reason.trim() === '')) {
      complain('hub sagas close: a reason is required (--reason) / 理由（--reason）が必要です');
      return exitCodes.usage;
    }
    const actor = await signIn(store, `sagas ${action}`, options.as);
    if (actor === undefined) return exitCodes.usage;
    const summary =
      action === 'retry'
        ? await service.retry(correlationId, actor, options.reason)
        : await service.close(correlationId, actor, options.reason ?? '');
    say(
      `${summary.correlationId}: ${summary.state} (recorded in the operator log / 操作記録に記録しました)`,
    );
    return exitCodes.ok;
  });
}

/** Registers `hub sagas`. */
export function registerSagaCommands(program: Command, setCode: (code: number) => void): void {
  const sagas = program
    .command('sagas')
    .summary('Multi-step cases (affair 7 特例転入, 1-⑧) / 複数手順の案件')
    .description(
      'Open cases, overdue ones first; one case with its steps; retry a failed step or close a case (recorded).\n未完了の案件（期限超過を先頭に）、案件の手順、失敗した手順の再実行・案件の終了（記録される）。',
    );
  sagas
    .command('list')
    .summary('List open cases, overdue first / 未完了の案件一覧')
    .option('--all', 'closed and done ones too / 完了・終了分も', false)
    .option('--limit <n>', 'at most n rows / 最大件数', (value) => Number(value), 1000)
    .option('--json', 'JSON Lines / JSON Lines で出力', false)
    .action(async (options: { all: boolean; json: boolean; limit: number }) => {
      setCode(await sagasListCli(options));
    });
  sagas
    .command('show <correlation-id>')
    .summary('Show one case and its steps (masked) / 案件の表示')
    .option('--json', 'JSON / JSON で出力', false)
    .action(async (correlationId: string, options: { json: boolean }) => {
      setCode(await sagasShowCli(correlationId, options));
    });
  for (const action of ['retry', 'close'] as const) {
    sagas
      .command(`${action} <correlation-id>`)
      .summary(
        action === 'retry'
          ? 'Retry the failed step of a case (recorded) / 失敗した手順の再実行'
          : 'Close an open case with a reason (recorded) / 案件の終了',
      )
      .option(
        '--as <user>',
        'sign in as this operator (password: HUB_OPERATOR_PASSWORD or prompt) / オペレーターとして認証',
      )
      .option('--reason <text>', 'why (recorded) / 理由（記録される）')
      .action(async (correlationId: string, options: { as?: string; reason?: string }) => {
        setCode(await sagasActCli(action, correlationId, options));
      });
  }
}

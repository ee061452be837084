/**
 * `hub trace` (issue 24 item 7): one message's timeline across every step and system, found by message
 * id, correlation id, or a person. A 住民票コード or 個人番号 is read from standard input (or asked for
 * on the terminal without echo), never from the command line, where shell history and `ps` would keep
 * it; it is hashed with the hub's key before the search. Every search is recorded in the operator log
 * under the signed-in user (`--as`).
 */
import type { Command } from 'commander';
import { HubError } from '../errors.js';
import { OperatorRefusal } from '../dead-letters/service.js';
import type { Store } from '../store/types.js';
import { complain, describeError, exitCodes, say } from './output.js';
import { openCliStore, promptHidden, readStdinText } from './users.js';

/** Options of `hub trace`. */
export interface TraceCliOptions {
  readonly correlation?: string;
  readonly juminhyoCode?: boolean;
  readonly myNumber?: boolean;
  readonly as?: string;
  readonly json?: boolean;
}

/** Signs `user` in (password from HUB_OPERATOR_PASSWORD or the prompt); undefined after saying why not. */
export async function signInCli(
  store: Store,
  command: string,
  user: string | undefined,
): Promise<{ name: string; role: string } | undefined> {
  if (user === undefined) {
    complain(
      `hub ${command}: the access is recorded: sign in with --as <user> (password from HUB_OPERATOR_PASSWORD or the prompt)` +
        ' / アクセスは記録されます。--as <利用者> で認証してください',
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
  const { storeCredentials } = await import('../http/auth.js');
  const verified = await storeCredentials(store).verifyUser(user, password);
  if (verified === undefined) {
    complain(`hub ${command}: sign-in failed for ${user} / ${user} として認証できませんでした`);
    return undefined;
  }
  return { name: verified.username, role: verified.role };
}

async function readSubject(label: string): Promise<string | undefined> {
  if (process.stdin.isTTY) return promptHidden(`${label}: `);
  const text = await readStdinText();
  const line = text.split(/\r?\n/)[0]?.trim();
  return line === undefined || line === '' ? undefined : line;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** `hub trace [messageId] [--correlation <id>] [--juminhyo-code|--my-number] --as <user>`. */
export async function traceCli(
  messageId: string | undefined,
  options: TraceCliOptions,
): Promise<number> {
  const given = [
    messageId !== undefined,
    options.correlation !== undefined,
    options.juminhyoCode === true,
    options.myNumber === true,
  ].filter(Boolean).length;
  if (given !== 1) {
    complain(
      'hub trace: give exactly one of <messageId>, --correlation <id>, --juminhyo-code, --my-number' +
        ' / メッセージ ID・--correlation・--juminhyo-code・--my-number のいずれか一つを指定してください',
    );
    return exitCodes.usage;
  }
  const opened = await openCliStore('trace');
  if (opened === undefined) return exitCodes.usage;
  const { config, store } = opened;
  try {
    const actor = await signInCli(store, 'trace', options.as);
    if (actor === undefined) return exitCodes.usage;
    let query;
    if (messageId !== undefined) query = { messageId };
    else if (options.correlation !== undefined) query = { correlationId: options.correlation };
    else {
      const person = options.juminhyoCode === true;
      const value = await readSubject(
        person ? '住民票コード / resident code' : '個人番号 / My Number',
      );
      if (value === undefined) {
        complain('hub trace: no number on standard input / 標準入力に番号がありません');
        return exitCodes.usage;
      }
      query = person ? { juminhyoCode: value } : { myNumber: value };
    }
    const [{ loadKeyRing }, { createTraceService }] = await Promise.all([
      import('../security/keys.js'),
      import('../trace/service.js'),
    ]);
    const { keyRing } = loadKeyRing(config);
    const steps = await import('./dlq.js').then((module) =>
      module.routeSteps(config).catch(() => []),
    );
    const view = await createTraceService({ store, keyRing, steps: () => steps }).search(
      query,
      actor,
    );
    if (options.json === true) {
      say(JSON.stringify(view, null, 2));
      return view.entries.length === 0 ? exitCodes.failed : exitCodes.ok;
    }
    if (view.entries.length === 0) {
      complain('hub trace: nothing recorded for this search / 記録がありません');
      return exitCodes.failed;
    }
    say(
      `messages / メッセージ: ${String(view.messageIds.length)}  steps / ステップ: ${view.steps.join(', ')}` +
        `  systems / 連携先: ${view.systems.join(', ') || '-'}`,
    );
    const header = [
      'time / 時刻',
      'step / ステップ',
      'system / 連携先',
      'outcome / 結果',
      'type / 種別',
      'message id',
    ];
    const widths = [24, 46, 18, 22, 40, 0];
    say(header.map((cell, index) => pad(cell, widths[index] ?? 0)).join(' '));
    for (const entry of view.entries) {
      const outcome =
        entry.kind === 'dead-letter'
          ? `${entry.outcome} #${String(entry.deadLetterId ?? '')}`
          : `${entry.outcome}${entry.attempt !== null && entry.attempt > 1 ? ` (#${String(entry.attempt)})` : ''}`;
      const cells = [
        entry.at,
        entry.step ?? '-',
        entry.system ?? '-',
        outcome,
        entry.messageType,
        entry.messageId,
      ];
      say(cells.map((cell, index) => pad(cell, widths[index] ?? 0)).join(' '));
      if (entry.reasonEn !== undefined) say(`    ${entry.reasonJa ?? ''} / ${entry.reasonEn}`);
      else if (entry.reasonClass !== null) say(`    ${entry.reasonClass} ${entry.detail ?? ''}`);
    }
    if (view.truncated) say('(more linked messages exist / 関連メッセージはさらにあります)');
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof OperatorRefusal) {
      complain(`hub trace: ${error.reason.en} / ${error.reason.ja}`);
      return error.status === 400 ? exitCodes.usage : exitCodes.failed;
    }
    complain(`hub trace: ${describeError(error)} / 失敗しました`);
    return error instanceof HubError && error.code === 'HUB_CONFIG_INVALID'
      ? exitCodes.usage
      : exitCodes.failed;
  } finally {
    await store.close();
  }
}

/** Registers `hub trace`. */
export function registerTraceCommand(program: Command, setCode: (code: number) => void): void {
  program
    .command('trace')
    .summary('Track a message across steps and systems / メッセージの追跡')
    .description(
      'Show one timeline across every step and system for a message id, a correlation id, or a person ' +
        '(--juminhyo-code / --my-number: the number is read from standard input or asked for without echo, ' +
        'hashed with the hub key, never stored). Masked; each search is recorded in the operator log.\n' +
        'メッセージ ID・相関 ID・住民票コード・個人番号で、全ステップ・全連携先にわたる履歴を表示する。' +
        '番号は標準入力から読み（端末では表示せずに入力）、ハブの鍵でハッシュ化してから検索する。検索は操作ログに記録される。',
    )
    .argument('[messageId]', 'message id / メッセージ ID')
    .option('--correlation <id>', 'correlation id / 相関 ID')
    .option(
      '--juminhyo-code',
      '住民票コード from standard input / 標準入力の住民票コードで検索',
      false,
    )
    .option('--my-number', '個人番号 from standard input / 標準入力の個人番号で検索', false)
    .option(
      '--as <user>',
      'sign in as this user (password: HUB_OPERATOR_PASSWORD or prompt) / 利用者として認証',
    )
    .option('--json', 'JSON / JSON で出力', false)
    .action(async (messageId: string | undefined, options: TraceCliOptions) => {
      setCode(await traceCli(messageId, options));
    });
}

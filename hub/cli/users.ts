/**
 * `hub users add|list|disable|enable|remove` and `hub tokens add|revoke`: the people and systems that may use the HTTP API, and
 * the CLI's own sign-in for operator actions (`--as <user>`). Passwords come from a hidden TTY prompt
 * or `--password-stdin`, never from an argument (argv is visible to every user of the machine).
 */
import { Command, InvalidArgumentError } from 'commander';
import type { HubConfig } from '../config.js';
import { roles, storeCredentials, type Credentials, type Role } from '../http/auth.js';
import type { Store } from '../store/types.js';
import {
  complain,
  configOrComplain,
  describeError,
  exitCodes,
  oneShotLogging,
  say,
} from './output.js';

/** Reads all of stdin (for `--password-stdin`). */
export async function readStdinText(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks for a secret on the terminal without echoing it; undefined when stdin is not a TTY. */
export async function promptHidden(prompt: string): Promise<string | undefined> {
  const input = process.stdin;
  if (!input.isTTY) return undefined;
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve) => {
    let value = '';
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          input.setRawMode(false);
          input.pause();
          input.off('data', onData);
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (char === '\u0003') {
          input.setRawMode(false);
          input.pause();
          input.off('data', onData);
          process.stderr.write('\n');
          resolve(undefined);
          return;
        }
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    input.on('data', onData);
  });
}

/** Opens the configured store (migrated) for a one-shot command; undefined after printing why not. */
export async function openCliStore(
  command: string,
): Promise<{ config: HubConfig; store: Store } | undefined> {
  const config = configOrComplain();
  if (config === undefined) return undefined;
  oneShotLogging(config);
  try {
    const { openStore } = await import('../store/index.js');
    return { config, store: await openStore(config.dbUrl) };
  } catch (error) {
    complain(`hub ${command}: cannot open the store: ${describeError(error)} / ストアを開けません`);
    return undefined;
  }
}

function roleArgument(value: string): Role {
  if (!(roles as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`one of ${roles.join(', ')} / ${roles.join('、')} のいずれか`);
  }
  return value as Role;
}

/** `hub users add <name> --role <role>`: creates or replaces a user. */
export async function usersAddCli(
  name: string,
  options: { role: Role; passwordStdin: boolean },
): Promise<number> {
  let password: string | undefined;
  if (options.passwordStdin) {
    password = (await readStdinText()).replace(/\r?\n$/, '');
  } else {
    password = await promptHidden(`Password for ${name} / ${name} のパスワード: `);
    if (password !== undefined) {
      const again = await promptHidden('Again / 再入力: ');
      if (again !== password) {
        complain('hub users add: the passwords differ / パスワードが一致しません');
        return exitCodes.usage;
      }
    }
  }
  if (password === undefined) {
    complain(
      'hub users add: no terminal to ask for the password; use --password-stdin' +
        ' / 端末がありません。--password-stdin を使ってください',
    );
    return exitCodes.usage;
  }
  const opened = await openCliStore('users add');
  if (opened === undefined) return exitCodes.usage;
  try {
    await storeCredentials(opened.store).addUser(name, password, options.role);
    say(`user ${name} (${options.role}) saved / 利用者 ${name}（${options.role}）を登録しました`);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof RangeError) {
      complain(`hub users add: ${error.message}`);
      return exitCodes.usage;
    }
    complain(`hub users add: ${describeError(error)} / 登録に失敗しました`);
    return exitCodes.failed;
  } finally {
    await opened.store.close();
  }
}

async function withCredentials(
  command: string,
  work: (credentials: Credentials) => Promise<number>,
): Promise<number> {
  const opened = await openCliStore(command);
  if (opened === undefined) return exitCodes.usage;
  try {
    return await work(storeCredentials(opened.store));
  } catch (error) {
    complain(`hub ${command}: ${describeError(error)} / 失敗しました`);
    return exitCodes.failed;
  } finally {
    await opened.store.close();
  }
}

/** Registers `hub users add|list|disable|enable|remove` and `hub tokens add|revoke`. */
export function registerUserCommands(program: Command, setCode: (code: number) => void): void {
  const users = program
    .command('users')
    .summary('Users of the editor and API / 利用者')
    .description(
      'People who sign in to the editor and the operator API.\nエディタと運用 API の利用者。',
    );
  users
    .command('add')
    .summary('Add or replace a user / 利用者の追加・更新')
    .description(
      'Add a user (or replace its password and role). The password is asked on the terminal, or read from stdin with --password-stdin.\n' +
        '利用者を追加する（既存ならパスワードと権限を更新）。パスワードは端末で入力、または --password-stdin で標準入力から。',
    )
    .argument('<name>', 'user name / 利用者名')
    .requiredOption('--role <role>', `${roles.join('|')} / 権限`, roleArgument)
    .option('--password-stdin', 'read the password from stdin / 標準入力から読む', false)
    .action(async (name: string, options: { role: Role; passwordStdin: boolean }) => {
      setCode(await usersAddCli(name, options));
    });

  users
    .command('list')
    .summary('List users / 利用者一覧')
    .description(
      'Every user: name, role, enabled or disabled.\n利用者の一覧（名前・権限・有効／無効）。',
    )
    .option('--json', 'JSON / JSON で出力', false)
    .action(async (options: { json: boolean }) => {
      setCode(
        await withCredentials('users list', async (credentials) => {
          const list = await credentials.listUsers();
          if (options.json) {
            say(
              JSON.stringify(
                list.map((user) => ({ ...user, createdAt: user.createdAt.toISOString() })),
              ),
            );
            return exitCodes.ok;
          }
          if (list.length === 0) say('no users / 利用者はいません');
          for (const user of list) {
            say(
              `${user.username}\t${user.role}\t${user.disabled ? 'disabled / 無効' : 'enabled / 有効'}\t${user.createdAt.toISOString()}`,
            );
          }
          return exitCodes.ok;
        }),
      );
    });
  for (const [command, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    users
      .command(command)
      .summary(
        disabled ? 'Disable a user / 利用者の無効化' : 'Enable a user again / 利用者の再有効化',
      )
      .description(
        disabled
          ? 'Disable a user: sign-ins are refused and open editor sessions end at their next request; the user and its role stay for enabling again.\n' +
              '利用者を無効にする（サインインを拒否し、開いているエディタも次の操作で使えなくなる。利用者と権限は残る）。'
          : 'Enable a disabled user again.\n無効にした利用者を有効に戻す。',
      )
      .argument('<name>', 'user name / 利用者名')
      .action(async (name: string) => {
        setCode(
          await withCredentials(`users ${command}`, async (credentials) => {
            if (!(await credentials.setUserDisabled(name, disabled))) {
              complain(`hub users ${command}: no user ${name} / 利用者 ${name} はいません`);
              return exitCodes.failed;
            }
            say(
              disabled
                ? `user ${name} disabled / 利用者 ${name} を無効にしました`
                : `user ${name} enabled / 利用者 ${name} を有効にしました`,
            );
            return exitCodes.ok;
          }),
        );
      });
  }
  users
    .command('remove')
    .summary('Remove a user / 利用者の削除')
    .description(
      'Remove a user for good (the operator log keeps its name on what it did).\n利用者を削除する（操作記録の名前は残る）。',
    )
    .argument('<name>', 'user name / 利用者名')
    .action(async (name: string) => {
      setCode(
        await withCredentials('users remove', async (credentials) => {
          if (!(await credentials.removeUser(name))) {
            complain(`hub users remove: no user ${name} / 利用者 ${name} はいません`);
            return exitCodes.failed;
          }
          say(`user ${name} removed / 利用者 ${name} を削除しました`);
          return exitCodes.ok;
        }),
      );
    });

  const tokens = program
    .command('tokens')
    .summary('System tokens for ingest / システム用トークン')
    .description('Bearer tokens of the legacy systems.\n既存システム用のトークン。');
  tokens
    .command('add')
    .summary('Issue a token for a system / トークン発行')
    .description(
      'Issue a bearer token for a system; it is printed once and stored only as a hash.\n' +
        'システム用のトークンを発行する。表示は一度きりで、保存はハッシュのみ。',
    )
    .argument('<system>', 'system id, e.g. KIZON_JUKI / システム ID')
    .action(async (system: string) => {
      setCode(
        await withCredentials('tokens add', async (credentials) => {
          if (!/^[A-Z][A-Z0-9_]{1,31}$/.test(system)) {
            complain(
              'hub tokens add: a system id is 2-32 capitals, digits or "_" (e.g. KIZON_JUKI)' +
                ' / システム ID は英大文字・数字・_ の 2〜32 文字です',
            );
            return exitCodes.usage;
          }
          const { tokenId, token } = await credentials.addToken(system);
          say(`token id / トークン ID: ${tokenId}`);
          say(`token / トークン (shown once / 一度だけ表示): ${token}`);
          return exitCodes.ok;
        }),
      );
    });
  tokens
    .command('revoke')
    .summary('Revoke a token / トークン失効')
    .description('Revoke a token by its id.\nトークンを ID で失効させる。')
    .argument('<id>', 'token id / トークン ID')
    .action(async (id: string) => {
      setCode(
        await withCredentials('tokens revoke', async (credentials) => {
          if (await credentials.revokeToken(id)) {
            say(`token ${id} revoked / トークン ${id} を失効させました`);
            return exitCodes.ok;
          }
          complain(`hub tokens revoke: no active token ${id} / 有効なトークン ${id} はありません`);
          return exitCodes.failed;
        }),
      );
    });
}

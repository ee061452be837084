/**
 * `hub users add` and `hub tokens add|revoke`: the people and systems that may use the HTTP API, and
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
      complain(`hub users add: ${error.message} / 利用者名またはパスワードが条件を満たしません`);
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

/** Registers `hub users add` and `hub tokens add|revoke`. */
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

/**
 * `hub keys rotate`: a new secret key becomes current and every stored payload is re-encrypted under
 * it (old keys stay in the key file so nothing becomes unreadable half-way). `hub keys reencrypt`
 * does only the second half, for a key ring supplied through HUB_SECRET_KEY.
 */
import type { Command } from 'commander';
import { hostname, userInfo } from 'node:os';
import { complain, describeError, exitCodes, say } from './output.js';
import { openCliStore } from './users.js';

async function reencrypt(command: string, rotate: boolean): Promise<number> {
  const opened = await openCliStore(command);
  if (opened === undefined) return exitCodes.failed;
  const { config, store } = opened;
  try {
    const { addKeyToFile, loadKeyRing } = await import('../security/keys.js');
    if (rotate) {
      if (config.secretKey !== undefined) {
        complain(
          `hub ${command}: HUB_SECRET_KEY is set, so the key ring is not a file the hub can write. ` +
            'Put a new key (openssl rand -hex 32) first in its comma-separated list, restart, then run `hub keys reencrypt`.' +
            ' / HUB_SECRET_KEY を使用中のため鍵ファイルを書き換えられません。新しい鍵をリストの先頭に加えて再起動し、hub keys reencrypt を実行してください',
        );
        return exitCodes.usage;
      }
      const { keyId } = addKeyToFile(config.secretKeyFile);
      say(`new current key / 新しい鍵: ${keyId} (${config.secretKeyFile})`);
    }
    const { keyRing } = loadKeyRing(config);
    const { createDeadLetterRepository } = await import('../dead-letters/repository.js');
    const result = await createDeadLetterRepository(store.knex, keyRing).reencryptAll();
    const { createOperatorLog } = await import('../audit/operator-log.js');
    await createOperatorLog(store.knex).append({
      actor: `${userInfo().username}@${hostname()}`,
      role: 'operator',
      action: 'keys.rotate',
      target: keyRing.current.id,
      reason: rotate ? 'key rotation' : 're-encryption under the current key',
      detail: { rewritten: result.rewritten, keyIds: keyRing.ids },
    });
    say(
      `re-encrypted ${String(result.rewritten)} stored payload(s); ${String(result.current)} now under key ${keyRing.current.id}` +
        ` / ${String(result.rewritten)} 件を再暗号化しました`,
    );
    say(
      'keyed hashes made under the old key (subject hashes) are not rewritten: correlate old rows with the old key id' +
        ' / 旧鍵で作成したハッシュはそのままです',
    );
    return exitCodes.ok;
  } catch (error) {
    complain(`hub ${command}: ${describeError(error)} / 鍵の更新に失敗しました`);
    return exitCodes.failed;
  } finally {
    await store.close();
  }
}

/** Registers `hub keys rotate` and `hub keys reencrypt`. */
export function registerKeyCommands(program: Command, setCode: (code: number) => void): void {
  const keys = program
    .command('keys')
    .summary('Secret keys / 秘密鍵')
    .description(
      'The key that encrypts stored payloads and keys the hashes.\n保存データの暗号化と鍵付きハッシュの鍵。',
    );
  keys
    .command('rotate')
    .summary('New key, re-encrypt payloads / 鍵更新・再暗号化')
    .description(
      'Add a new key at the top of the key file (HUB_SECRET_KEY_FILE), make it current, and re-encrypt every stored payload under it. Old keys stay so a stopped rotation loses nothing; remove them by hand once this has finished.\n' +
        '鍵ファイルの先頭に新しい鍵を追加して現用とし、保存済みのペイロードをすべて再暗号化する。旧鍵は残る。',
    )
    .action(async () => {
      setCode(await reencrypt('keys rotate', true));
    });
  keys
    .command('reencrypt')
    .summary('Re-encrypt under the current key / 現用鍵で再暗号化')
    .description(
      'Re-encrypt every stored payload under the current key (after a rotation done through HUB_SECRET_KEY).\n現用鍵で保存済みのペイロードを再暗号化する。',
    )
    .action(async () => {
      setCode(await reencrypt('keys reencrypt', false));
    });
}

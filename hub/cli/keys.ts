/**
 * `hub keys rotate`: a new secret key becomes current only after every stored payload has been
 * re-encrypted under it and read back, in one transaction. The steps: the new key goes into the key
 * file as `pending:` (it decrypts, never encrypts; running hubs see it); the payloads are re-sealed
 * under it atomically; only then does it become the file's first (current) key; finally the letters
 * running hubs wrote under the old key meanwhile are swept. A failure before the commit leaves the
 * old key current, the rows as they were, and takes the pending key out again.
 * `hub keys reencrypt` does the re-sealing alone (a key ring supplied through HUB_SECRET_KEY), and
 * `hub keys status` counts stored payloads per key, which says when an old key may be removed.
 */
import type { Command } from 'commander';
import { hostname, userInfo } from 'node:os';
import { HubError } from '../errors.js';
import { complain, describeError, exitCodes, say } from './output.js';
import { openCliStore } from './users.js';

const actorName = () => `${userInfo().username}@${hostname()}`;

async function reencrypt(
  command: string,
  rotate: boolean,
  options: { skipUnreadable: boolean },
): Promise<number> {
  const opened = await openCliStore(command);
  if (opened === undefined) return exitCodes.failed;
  const { config, store } = opened;
  let unlock: (() => void) | undefined;
  try {
    const keys = await import('../security/keys.js');
    const { createDeadLetterRepository } = await import('../store/dead-letters.js');
    const { createOperatorLog } = await import('../audit/operator-log.js');
    if (rotate && config.secretKey !== undefined) {
      complain(
        `hub ${command}: HUB_SECRET_KEY is set, so the key ring is not a file the hub can write. ` +
          'Put a new key (openssl rand -hex 32) first in its comma-separated list, restart, then run `hub keys reencrypt`.' +
          ' / HUB_SECRET_KEY を使用中のため鍵ファイルを書き換えられません。新しい鍵をリストの先頭に加えて再起動し、hub keys reencrypt を実行してください',
      );
      return exitCodes.usage;
    }
    const { keyRing } = keys.loadKeyRing(config);
    const repository = createDeadLetterRepository(store, keyRing);
    const previous = keyRing.current.id;
    let target = previous;
    if (rotate) {
      const file = config.secretKeyFile;
      unlock = keys.lockKeyFile(file);
      const pending = keys.addPendingKey(file);
      target = pending.keyId;
      keyRing.reload();
      say(
        pending.resumed
          ? `resuming the rotation to key ${target} left pending / 保留中の鍵 ${target} への更新を再開します`
          : `new key ${target} added as pending (decrypts, does not encrypt yet) / 新しい鍵 ${target} を保留として追加しました`,
      );
      try {
        const result = await repository.reencryptAll({
          targetKeyId: target,
          skipUnreadable: options.skipUnreadable,
        });
        keys.promotePendingKey(file, target);
        keyRing.reload();
        say(
          `re-encrypted ${String(result.rewritten)} stored payload(s) under key ${target} and verified them; key ${target} is now current` +
            ` / ${String(result.rewritten)} 件を再暗号化・検証し、鍵 ${target} を現用鍵にしました`,
        );
        if (result.unreadable.length > 0) {
          say(
            `left under their old key (cannot be decrypted, marked unreadable): ${result.unreadable.join(', ')}` +
              ' / 復号できないため旧鍵のまま残したデッドレター',
          );
        }
      } catch (error) {
        // Nothing was sealed under the pending key (the transaction rolled back): take it out again,
        // unless an earlier run that stopped after its commit did seal rows under it.
        if ((await repository.countUnderKey(target)) === 0) keys.dropPendingKey(file, target);
        complain(
          `hub ${command}: ${describeError(error)}` +
            ` / 鍵の更新に失敗しました。現用鍵は ${previous} のままで、保存データは変更していません`,
        );
        if (error instanceof HubError && error.code === 'HUB_REENCRYPT_FAILED') {
          complain(`${error.reason.en} / ${error.reason.ja}`);
        }
        return exitCodes.failed;
      }
    }
    // Letters written under an older key (by hubs that had not yet reloaded the key file, or before a
    // HUB_SECRET_KEY rotation): re-sealed under the current key, again in one transaction.
    const sweep = await repository.reencryptAll({ skipUnreadable: true });
    await createOperatorLog(store, keyRing).append({
      actor: actorName(),
      role: 'operator',
      action: 'keys.rotate',
      target: keyRing.current.id,
      reason: rotate ? 'key rotation' : 're-encryption under the current key',
      detail: {
        previous,
        rewritten: sweep.rewritten,
        unreadable: sweep.unreadable,
        keyIds: keyRing.ids,
      },
    });
    say(
      `${String(sweep.current)} stored payload(s) under key ${keyRing.current.id}` +
        (sweep.rewritten > 0 ? ` (${String(sweep.rewritten)} more re-encrypted just now)` : '') +
        ` / 現用鍵のデータ ${String(sweep.current)} 件`,
    );
    if (sweep.unreadable.length > 0) {
      complain(
        `cannot be decrypted, marked unreadable: ${sweep.unreadable.join(', ')} / 復号できないデッドレター`,
      );
    }
    say(
      'old keys stay in the key file: remove one only when `hub keys status` shows no payload under it and every hub has reloaded' +
        ' (within HUB_KEY_RELOAD_INTERVAL_MS, or at once with SIGHUP) / 旧鍵は hub keys status で 0 件になってから削除してください',
    );
    say(
      'keyed hashes made under the old key (subject hashes) are not rewritten: correlate old rows with the old key id' +
        ' / 旧鍵で作成したハッシュはそのままです',
    );
    return exitCodes.ok;
  } catch (error) {
    complain(`hub ${command}: ${describeError(error)} / 鍵の更新に失敗しました`);
    return error instanceof HubError && error.code === 'HUB_CONFIG_INVALID'
      ? exitCodes.usage
      : exitCodes.failed;
  } finally {
    unlock?.();
    await store.close();
  }
}

/** `hub keys status`: the key ring, and stored payloads per key id. */
async function status(json: boolean): Promise<number> {
  const opened = await openCliStore('keys status');
  if (opened === undefined) return exitCodes.failed;
  const { config, store } = opened;
  try {
    const { loadKeyRing } = await import('../security/keys.js');
    const { keyRing } = loadKeyRing(config);
    const { createDeadLetterRepository } = await import('../store/dead-letters.js');
    const counts = await createDeadLetterRepository(store, keyRing).countsByKey();
    const keys = [...new Set([...keyRing.ids, ...counts.keys()])].map((id) => ({
      id,
      current: id === keyRing.current.id,
      pending: keyRing.pendingIds.includes(id),
      inKeyRing: keyRing.get(id) !== undefined,
      payloads: counts.get(id) ?? 0,
    }));
    if (json) {
      say(JSON.stringify({ current: keyRing.current.id, keys }));
      return exitCodes.ok;
    }
    for (const key of keys) {
      const role = key.current
        ? 'current / 現用'
        : key.pending
          ? 'pending / 保留'
          : key.inKeyRing
            ? 'old / 旧'
            : 'MISSING from the key ring / 鍵なし';
      say(`${key.id}  ${role.padEnd(24)} ${String(key.payloads)} payload(s) / 件`);
    }
    return exitCodes.ok;
  } catch (error) {
    complain(`hub keys status: ${describeError(error)} / 表示できませんでした`);
    return exitCodes.failed;
  } finally {
    await store.close();
  }
}

/** Registers `hub keys rotate`, `hub keys reencrypt` and `hub keys status`. */
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
      'Add a new key to the key file (HUB_SECRET_KEY_FILE) as pending, re-encrypt and verify every stored payload under it in one transaction, and only then make it current. A failure leaves the old key current and the data as it was. Running hubs follow the key file. Old keys stay; remove one only when `hub keys status` shows nothing under it.\n' +
        '鍵ファイルに新しい鍵を保留として追加し、保存済みのペイロードを一括で再暗号化・検証してから現用鍵にする。失敗時は旧鍵のまま何も変わらない。稼働中のハブは鍵ファイルの変更に追従する。',
    )
    .option(
      '--skip-unreadable',
      'leave payloads that cannot be decrypted under their old key instead of failing / 復号できないものは旧鍵のまま残す',
      false,
    )
    .action(async (options: { skipUnreadable: boolean }) => {
      setCode(await reencrypt('keys rotate', true, options));
    });
  keys
    .command('reencrypt')
    .summary('Re-encrypt under the current key / 現用鍵で再暗号化')
    .description(
      'Re-encrypt every stored payload under the current key (after a rotation done through HUB_SECRET_KEY), in one transaction.\n現用鍵で保存済みのペイロードを一括で再暗号化する。',
    )
    .action(async () => {
      setCode(await reencrypt('keys reencrypt', false, { skipUnreadable: true }));
    });
  keys
    .command('status')
    .summary('Keys and payloads per key / 鍵ごとの件数')
    .description(
      'The key ring (current, pending, old) and how many stored payloads each key seals.\n鍵の一覧と、鍵ごとの保存データ件数。',
    )
    .option('--json', 'JSON / JSON で出力', false)
    .action(async (options: { json: boolean }) => {
      setCode(await status(options.json));
    });
}

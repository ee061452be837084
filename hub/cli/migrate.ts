import { redactUrl } from '../config.js';
import { loadMigrateCommand } from './deps.js';
import {
  complain,
  configOrComplain,
  describeError,
  exitCodes,
  oneShotLogging,
  say,
} from './output.js';

/** `hub migrate`: applies pending migrations to the configured store and lists what it applied. */
export async function migrateCli(): Promise<number> {
  const config = configOrComplain();
  if (config === undefined) return exitCodes.usage;
  oneShotLogging(config);
  const where = redactUrl(config.dbUrl);
  const migrateCommand = await loadMigrateCommand();
  if (migrateCommand === undefined) {
    complain('hub migrate: the store is not built yet / ストアは未実装です');
    return exitCodes.notBuilt;
  }
  try {
    const { applied, current } = await migrateCommand(config.dbUrl);
    if (applied.length === 0) {
      say(`${where}: already up to date / 最新です (${current.length} migrations / 件)`);
    } else {
      say(`${where}: applied ${applied.length} migration(s) / ${applied.length} 件を適用しました`);
      for (const name of applied) say(`  + ${name}`);
    }
    return exitCodes.ok;
  } catch (error) {
    const message = describeError(error).split(config.dbUrl).join(where);
    complain(
      `hub migrate: failed on ${where}: ${message} — check HUB_DB_URL, or run \`hub doctor\`` +
        ` / マイグレーションに失敗しました`,
    );
    return exitCodes.failed;
  }
}

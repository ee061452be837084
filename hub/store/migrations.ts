import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

/** The project's migrations folder, found from this file so any working directory works (also from dist/). */
export const migrationsDirectory = resolve(import.meta.dirname, '../../migrations');

interface MigrationFile {
  readonly name: string;
  readonly path: string;
}

const migrationFile = /^(\d{14}_[a-z0-9_]+)\.(ts|js)$/;
// Under tsx this module is .ts and the sources sit next to it; from dist/ both are .js.
const ownExtension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';

function isMigration(value: unknown): value is Knex.Migration {
  if (typeof value !== 'object' || value === null) return false;
  const { up, down } = value as { up?: unknown; down?: unknown };
  return typeof up === 'function' && typeof down === 'function';
}

/**
 * Migrations named without their extension, so a database migrated under tsx (.ts) is not "corrupt"
 * for the compiled hub (.js), which knex's own directory loader would claim.
 */
export class HubMigrationSource implements Knex.MigrationSource<MigrationFile> {
  readonly directory: string;

  constructor(directory: string = migrationsDirectory) {
    this.directory = directory;
  }

  async getMigrations(): Promise<MigrationFile[]> {
    const byName = new Map<string, MigrationFile>();
    for (const entry of await readdir(this.directory)) {
      const match = migrationFile.exec(entry);
      const name = match?.[1];
      const extension = match?.[2];
      if (name === undefined) continue;
      if (byName.has(name) && extension !== ownExtension) continue;
      byName.set(name, { name, path: join(this.directory, entry) });
    }
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  getMigrationName(migration: MigrationFile): string {
    return migration.name;
  }

  async getMigration(migration: MigrationFile): Promise<Knex.Migration> {
    const module: unknown = await import(pathToFileURL(migration.path).href);
    if (!isMigration(module)) {
      throw new Error(`Migration ${migration.path} must export async functions up and down`);
    }
    return module;
  }
}

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Imports a module of the hub (path relative to this folder, `.js` suffix) that another piece of work
 * may not have landed yet. Undefined when neither its `.ts` nor its `.js` file exists; any other
 * failure (a syntax error, a missing import inside it) is thrown, never hidden.
 */
export async function optionalModule(
  relativePath: string,
): Promise<Readonly<Record<string, unknown>> | undefined> {
  const url = new URL(relativePath, import.meta.url);
  const jsFile = fileURLToPath(url);
  const tsFile = jsFile.replace(/\.js$/, '.ts');
  if (!existsSync(jsFile) && !existsSync(tsFile)) return undefined;
  return (await import(url.href)) as Readonly<Record<string, unknown>>;
}

/** One exported function of an optional module, or undefined when the module or export is absent. */
export async function optionalFunction(
  relativePath: string,
  name: string,
): Promise<((...args: never[]) => unknown) | undefined> {
  const module = await optionalModule(relativePath);
  const candidate = module?.[name];
  return typeof candidate === 'function' ? (candidate as (...args: never[]) => unknown) : undefined;
}

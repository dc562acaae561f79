import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { JobRegistry } from '../job/registry.js';
import { UsageError } from './exit-codes.js';

function looksLikeRegistry(value: unknown): value is JobRegistry {
  if (value instanceof JobRegistry) return true;
  // A registry built by another copy of warren (a linked checkout, a dist build) is accepted by shape.
  const candidate = value as Partial<Record<keyof JobRegistry, unknown>> | null | undefined;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.has === 'function' &&
    typeof candidate.names === 'function' &&
    typeof candidate.descriptors === 'function'
  );
}

/** A path relative to the working directory, an absolute path, or a package name. */
function moduleSpecifier(module: string): string {
  const path = isAbsolute(module) ? module : resolve(process.cwd(), module);
  if (existsSync(path)) return pathToFileURL(path).href;
  if (module.startsWith('.') || module.startsWith('/') || /\.[cm]?[jt]s$/.test(module)) {
    throw new UsageError(`--require: no such file: ${path}`);
  }
  return module;
}

/**
 * Imports the application's module and returns its job registry: the default export, or
 * the export named `registry`. The application decides what is registered; the CLI never
 * looks anything else up by name.
 */
export async function loadRegistry(module: string): Promise<JobRegistry> {
  const specifier = moduleSpecifier(module);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown } | null)?.code;
    // Node cannot import TypeScript by itself: say what to install rather than "Unknown file extension".
    if (/\.[cm]?ts$/.test(module) && (code === 'ERR_UNKNOWN_FILE_EXTENSION' || /Unknown file extension/.test(reason))) {
      throw new UsageError(
        `--require ${module}: Node cannot load TypeScript by itself. Install tsx in your app (\`npm install --save-dev tsx\`; the warren command then loads .ts modules), or compile first and pass the .js file (for example --require ./dist/jobs.js)`,
      );
    }
    throw new UsageError(`--require ${module}: cannot load the module: ${reason}`);
  }
  for (const candidate of [exports.default, exports.registry]) {
    if (looksLikeRegistry(candidate)) return candidate;
  }
  throw new UsageError(`--require ${module}: the module exports no JobRegistry (export it as the default export or as \`registry\`)`);
}

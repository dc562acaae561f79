#!/usr/bin/env node
// The `warren` command. In a checkout (src/ present) it runs the TypeScript sources
// through tsx, so the CLI never lags behind the code; in an installed package (no src/)
// it runs the compiled dist/cli/main.js. WARREN_CLI=dist forces the compiled build.
// When tsx is available it is also registered for the application's own modules, so
// `--require ./jobs.ts` works in both cases.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
const compiled = new URL('../dist/cli/main.js', import.meta.url);

async function registerTsx() {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    return true;
  } catch {
    return false;
  }
}

async function loadCli() {
  const tsx = await registerTsx();
  if (process.env.WARREN_CLI !== 'dist' && tsx && existsSync(source)) return import(source.href);
  if (existsSync(compiled)) return import(compiled.href);
  const hint = existsSync(source) ? 'install dev dependencies (tsx) or run `npm run build`' : 'reinstall the package';
  process.stderr.write(`warren: cannot find the CLI (${compiled.pathname} is missing): ${hint}\n`);
  process.exit(1);
}

const { main } = await loadCli();
const code = await main(process.argv);
process.exitCode = code;
// Everything is closed by now; if a stray handle keeps the process alive, do not hang.
setTimeout(() => process.exit(code), 2_000).unref();

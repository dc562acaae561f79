// Compiles the child scripts (bench/compare/) to plain JavaScript under bench/.build/<id>/
// with esbuild, each bundled with the warren it imports and its packages left as imports:
// one module for warren, as `npm run build` ships it (scripts/build.mjs), so producers and
// workers run on `node` alone, as in production. Under `node --import tsx` every process
// carries tsx's loader thread (~38 MB of RSS on this machine, and start-up CPU), which would
// blur the RSS comparison. package.json and schemas/ are copied to the build root, where
// warren looks for its own files, and bare imports resolve from the root node_modules.
// Source maps point back to the .ts files (the profile summary uses them).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
// esbuild comes with tsx (and vite); a transitive dev dependency.
import { build } from 'esbuild';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return typeScriptFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Builds into a fresh directory and returns it; `removeBuild` deletes it. */
export async function buildChildScripts(id: string): Promise<string> {
  const outdir = join(ROOT, 'bench', '.build', id);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: typeScriptFiles(join(ROOT, 'bench', 'compare')),
    bundle: true,
    packages: 'external',
    outbase: ROOT,
    outdir,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node}`,
    sourcemap: 'linked',
    logLevel: 'error',
  });
  cpSync(join(ROOT, 'package.json'), join(outdir, 'package.json'));
  cpSync(join(ROOT, 'schemas'), join(outdir, 'schemas'), { recursive: true });
  return outdir;
}

export function removeBuild(outdir: string): void {
  if (relative(join(ROOT, 'bench', '.build'), outdir).startsWith('..')) return;
  rmSync(outdir, { recursive: true, force: true });
}

/** "commit abc1234, 12 files changed under src/": which warren a run measured (read-only git). */
export function sourceState(): string {
  const git = (...args: string[]): string => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown commit';
  const changed = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length;
  return `warren at ${commit}${changed ? ` + ${changed} uncommitted change${changed > 1 ? 's' : ''} under src/` : ''}`;
}

// `npm run build`: dist/ as published. esbuild bundles warren's four entry points (the
// library, warren/rabbitmq, warren/testing and the CLI), their shared code in chunks so both entries use the
// same classes, dependencies left as imports; tsc writes the type declarations beside them.
// One module instead of warren's 160 files: fewer objects at start-up, so importing warren
// leaves V8's young generation at its first size (docs/performance.md, "Memory and GC").
// WARREN_BUILD_OUTDIR builds elsewhere (the build test does).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = process.env.WARREN_BUILD_OUTDIR ?? join(root, 'dist');
rmSync(outdir, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: { index: 'src/index.ts', rabbitmq: 'src/rabbitmq.ts', 'testing/index': 'src/testing/index.ts', 'cli/main': 'src/cli/main.ts' },
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outdir,
  sourcemap: 'linked',
  // Class names stay as written (RubySymbol, not _RubySymbol): they show in errors, logs and console output.
  keepNames: true,
  logLevel: 'warning',
});

const tsc = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json'), '--emitDeclarationOnly', '--outDir', outdir],
  {
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// `npm run bench`: runs every benchmark in bench/ one after another. Benchmarks print
// figures and ratios against a baseline measured in the same run; they never pass or fail.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const only = process.argv.slice(2);
const files = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)));

for (const file of files) {
  console.log(`\n## ${file}\n`);
  spawnSync('npx', ['tsx', new URL(file, import.meta.url).pathname], { stdio: 'inherit' });
}

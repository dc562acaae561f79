// Two-way imports between the top-level folders of src/ (job <-> worker, say): part of
// `npm run check:imports`. dependency-cruiser finds cycles between modules; this finds folders
// that lean on each other even when no single chain of modules loops. Type-only imports are
// erased at run time and do not count. Exit 1 when there is one.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const src = resolve(process.argv[2] ?? 'src');
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(path);
  }
};
walk(src);

/** The top-level folder of a file under src/ (a file directly in src/ is its own "folder"). */
const folderOf = (path) => {
  const parts = relative(src, path).split('/');
  return parts.length > 1 ? parts[0] : parts[0].replace(/\.ts$/, '');
};

const edges = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
    if (/^\s*(?:import|export)\s+type\s/.test(match[0])) continue;
    const target = resolve(dirname(file), match[1]);
    if (relative(src, target).startsWith('..')) continue;
    const from = folderOf(file);
    const to = folderOf(target);
    if (from === to) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    edges.get(from).set(to, `${relative(src, file)} -> ${match[1]}`);
  }
}

const cycles = [];
for (const [a, targets] of edges) {
  for (const [b, example] of targets) {
    const back = edges.get(b)?.get(a);
    if (a < b && back) cycles.push(`${a} <-> ${b} (${example}; ${back})`);
  }
}
if (cycles.length) {
  console.error(`src/ folders that import each other:\n  ${cycles.join('\n  ')}`);
  process.exit(1);
}
console.log('no two-way imports between folders of src/');

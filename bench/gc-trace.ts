// `npx tsx bench/gc-trace.ts [latency|drain]`: what the young-generation GC does in each process
// of a comparison stage. The stage runs for warren, raw amqplib on warren's wire format (the
// floor) and raw amqplib, every producer and worker under `node --trace-gc-nvp`; for the steady
// part of each process (after the first 40% of its run), per scavenge: bytes promoted to the old
// generation and bytes that survived in the young one (medians), pauses, and GC time per second.
// A process that promotes on every scavenge keeps something per job alive too long: that is how
// the worker's ack bookkeeping was found (bench/README.md, "The latency tail"). Bisect it by
// running a stripped-down worker under --trace-gc-nvp the same way.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChildScripts, removeBuild } from './compare/build.js';
import { runChildrenFrom, traceChildren } from './compare/spawn.js';
import { fillAndDrain, latencyAtSteadyRate, type Variant } from './compare/stages.js';
import { markdownTable, oneDecimal } from './compare/summary.js';
import { DIAGNOSTICS, RAW, WARREN } from './compare/variants.js';

interface Scavenge {
  atMs: number;
  kind: string;
  pauseMs: number;
  promoted: number;
  survived: number;
}

/** The GC events of one `--trace-gc-nvp` log (warren's JSON log lines are skipped). */
function readTrace(file: string): Scavenge[] {
  const events: Scavenge[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const at = / (\d+) ms: pause=/.exec(line);
    if (!at) continue;
    const field = (name: string): string => new RegExp(`\\b${name}=(\\S+)`).exec(line)?.[1] ?? '0';
    events.push({
      atMs: Number(at[1]),
      kind: field('gc'),
      pauseMs: Number(field('pause')),
      promoted: Number(field('promoted')),
      survived: Number(field('new_space_survived')),
    });
  }
  return events;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : Number.NaN;
}

function summarize(label: string, file: string): string[] {
  const all = readTrace(file);
  if (all.length < 2) return [label, 'no GC events', '', '', '', '', ''];
  const first = all[0]!.atMs;
  const steady = all.filter((event) => event.atMs > first + 0.4 * (all.at(-1)!.atMs - first));
  const seconds = Math.max((steady.at(-1)!.atMs - steady[0]!.atMs) / 1000, 0.001);
  const scavenges = steady.filter((event) => event.kind === 's');
  const kb = (bytes: number): string => oneDecimal(bytes / 1024);
  return [
    label,
    oneDecimal(scavenges.length / seconds),
    kb(median(scavenges.map((event) => event.promoted))),
    kb(median(scavenges.map((event) => event.survived))),
    `${oneDecimal(median(scavenges.map((event) => event.pauseMs)))} / ${oneDecimal(Math.max(...scavenges.map((event) => event.pauseMs)))}`,
    String(steady.filter((event) => event.kind !== 's').length),
    oneDecimal(steady.reduce((sum, event) => sum + event.pauseMs, 0) / seconds),
  ];
}

const stage = process.argv[2] === 'drain' ? 'drain' : 'latency';
const dir = join(tmpdir(), `warren-gc-trace-${randomUUID().slice(0, 8)}`);
const buildDir = await buildChildScripts(`gc-trace-${randomUUID().slice(0, 8)}`);
runChildrenFrom(buildDir);
const floor = DIAGNOSTICS.find((variant) => variant.wire === 'warren')!;
const rows: string[][] = [];
try {
  for (const variant of [WARREN, floor, RAW] as Variant[]) {
    const variantDir = join(dir, variant.system + (variant.wire ?? ''));
    mkdirSync(variantDir, { recursive: true });
    traceChildren(['--trace-gc-nvp'], variantDir);
    process.stderr.write(`${variant.label}: ${stage} stage under --trace-gc-nvp\n`);
    if (stage === 'latency') await latencyAtSteadyRate(variant);
    else await fillAndDrain(variant, 1);
    for (const file of readdirSync(variantDir).sort()) {
      rows.push(summarize(`${variant.label}: ${file.replace(/-\d+\.log$/, '')}`, join(variantDir, file)));
    }
  }
  console.log(
    markdownTable(
      [
        'process',
        'scavenges per s',
        'promoted per scavenge (KB, median)',
        'survived per scavenge (KB, median)',
        'scavenge pause median / max (ms)',
        'full GCs',
        'GC ms per s',
      ],
      rows,
    ),
  );
} finally {
  removeBuild(buildDir);
  rmSync(dir, { recursive: true, force: true });
}

// Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went inside a time
// window: by category (warren, each npm package, Node internals, GC, idle), by warren
// function (self time, and self time plus the non-warren code it calls: the cost a change
// to that function can remove), and the library functions warren calls most. Positions
// of compiled warren files are mapped back to src/*.ts lines through their source maps.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './build.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionCost {
  name: string;
  /** src/x.ts:line, or package/url for other code. */
  location: string;
  selfUs: number;
  /** Self time plus time in non-warren code called from it (its direct external cost). */
  attributedUs: number;
}

export interface ProfileSummary {
  windowUs: number;
  sampledUs: number;
  categories: Map<string, number>;
  warrenFunctions: FunctionCost[];
  /** Library or built-in functions, with the warren function that called into them. */
  externalFunctions: (FunctionCost & { calledFrom: string })[];
}

const sourceMaps = new Map<string, SourceMap | undefined>();

function sourceMapFor(path: string): SourceMap | undefined {
  if (!sourceMaps.has(path)) {
    const mapPath = `${path}.map`;
    sourceMaps.set(path, existsSync(mapPath) ? new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8'))) : undefined);
  }
  return sourceMaps.get(path);
}

/** Where a compiled frame comes from: `src/x.ts:line` (1-based) when a source map says so. */
function originalLocation(frame: CallFrame): string | undefined {
  if (!frame.url.startsWith('file://')) return undefined;
  const path = fileURLToPath(frame.url);
  const map = sourceMapFor(path);
  if (!map) return undefined;
  const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number };
  if (!entry.originalSource || entry.originalLine === undefined) return undefined;
  const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(dirname(path), entry.originalSource);
  return `${relative(ROOT, source)}:${entry.originalLine + 1}`;
}

const frameCategories = new WeakMap<CallFrame, string>();

/**
 * The kind of code a frame runs. A compiled child (bench/compare/build.ts) runs warren from a
 * bundle under the benchmark's build folder: its frames are warren's when their source map
 * leads back to src/, not by the bundle's own path.
 */
function categoryOf(frame: CallFrame): string {
  let category = frameCategories.get(frame);
  if (category === undefined) {
    category = originalLocation(frame)?.startsWith('src/') ? 'warren (src/)' : categoryOfUrl(frame);
    frameCategories.set(frame, category);
  }
  return category;
}

function categoryOfUrl(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8/native (program)';
    return 'V8 built-ins (JSON, Buffer...)';
  }
  if (url.startsWith('node:')) return 'Node internals';
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch) return packageMatch[1]!;
  if (/\/src\//.test(url)) return 'warren (src/)';
  if (/\/bench\//.test(url)) return 'benchmark code';
  return 'other';
}

const isWarren = (frame: CallFrame): boolean => categoryOf(frame) === 'warren (src/)';

function displayName(frame: CallFrame): string {
  return frame.functionName || '(anonymous)';
}

function locationOf(frame: CallFrame): string {
  const original = originalLocation(frame);
  if (original) return original;
  if (frame.url === '') return 'native';
  const packageMatch = /node_modules\/(.*)$/.exec(frame.url);
  const where = packageMatch ? packageMatch[1]! : frame.url.replace(/^file:\/\//, '');
  return `${where}:${frame.lineNumber + 1}`;
}

/** Summarizes the samples taken between `fromUs` and `toUs` (profile clock = process.hrtime). */
export function summarizeProfile(file: string, fromUs: number, toUs: number): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const categories = new Map<string, number>();
  const warren = new Map<string, FunctionCost>();
  const external = new Map<string, FunctionCost & { calledFrom: string }>();
  let sampledUs = 0;
  let time = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    time += delta;
    if (time < fromUs || time > toUs) continue;
    // A sample stands for the interval since the previous one.
    const weight = delta;
    sampledUs += weight;
    const leaf = byId.get(profile.samples[i]!)!;
    const category = categoryOf(leaf.callFrame);
    categories.set(category, (categories.get(category) ?? 0) + weight);

    // The nearest warren frame at or above the leaf gets the sample as "attributed".
    let owner: ProfileNode | undefined = leaf;
    while (owner && !isWarren(owner.callFrame)) owner = byId.get(parent.get(owner.id) ?? -1);
    if (owner) {
      const cost = costOf(warren, owner.callFrame);
      cost.attributedUs += weight;
      if (owner === leaf) cost.selfUs += weight;
    }
    if (!isWarren(leaf.callFrame) && !['GC', 'idle', 'V8/native (program)'].includes(category)) {
      const calledFrom = owner ? `${displayName(owner.callFrame)} (${locationOf(owner.callFrame)})` : '(not under warren)';
      const key = `${displayName(leaf.callFrame)}|${leaf.callFrame.url}|${leaf.callFrame.lineNumber}|${calledFrom}`;
      let cost = external.get(key);
      if (!cost)
        external.set(key, (cost = { name: displayName(leaf.callFrame), location: locationOf(leaf.callFrame), selfUs: 0, attributedUs: 0, calledFrom }));
      cost.selfUs += weight;
      cost.attributedUs += weight;
    }
  }
  return {
    windowUs: toUs - fromUs,
    sampledUs,
    categories,
    warrenFunctions: [...warren.values()].sort((a, b) => b.attributedUs - a.attributedUs),
    externalFunctions: [...external.values()].sort((a, b) => b.selfUs - a.selfUs),
  };
}

function costOf(costs: Map<string, FunctionCost>, frame: CallFrame): FunctionCost {
  const key = `${frame.url}|${frame.lineNumber}|${frame.columnNumber}`;
  let cost = costs.get(key);
  if (!cost) costs.set(key, (cost = { name: displayName(frame), location: locationOf(frame), selfUs: 0, attributedUs: 0 }));
  return cost;
}

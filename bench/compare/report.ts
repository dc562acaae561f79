// The markdown report of a comparison run: the main table with ratios and the issue's
// goals, the scale table, the diagnostic rows, and the delay benchmark's output.
import { CONFIG } from './config.js';
import { brokerCpuFigure, cpuFigure, drainFigure, type Figure, type PauseFigure, type Results } from './results.js';
import { cell, integer, markdownTable, oneDecimal, ratio, twoDecimals, type Format } from './summary.js';
import { BULLMQ, DIAGNOSTICS, RAW, WARREN } from './variants.js';

interface Row {
  label: string;
  figure: Figure;
  format: Format;
  /** The goal for this figure, and whether the medians meet it. */
  goal?: { text: string; met: (warren: number, raw: number, bullmq: number) => boolean };
}

const ROWS: Row[] = [
  { label: 'enqueue, one by one, each awaited (jobs/s)', figure: 'enqueueSingle', format: integer },
  {
    label: `enqueue, one by one, ${integer(CONFIG.batchSize)} in flight (jobs/s)`,
    figure: 'enqueueInFlight',
    format: integer,
    goal: { text: '≥ 0.9x raw', met: (w, r) => w >= 0.9 * r },
  },
  { label: `producer CPU per job, ${integer(CONFIG.batchSize)} in flight (µs)`, figure: 'producerCpuInFlight', format: integer },
  {
    label: 'enqueue, batches of 1,000 (jobs/s)',
    figure: 'enqueueBulk',
    format: integer,
    goal: { text: '≥ 0.9x raw, ≥ 1.0x BullMQ', met: (w, r, b) => w >= 0.9 * r && w >= b },
  },
  {
    label: 'drain, 1 worker process (jobs/s)',
    figure: 'drain',
    format: integer,
    goal: { text: '≥ 0.9x raw, ≥ 1.5x BullMQ', met: (w, r, b) => w >= 0.9 * r && w >= 1.5 * b },
  },
  { label: 'worker CPU per job (µs)', figure: 'cpu', format: integer, goal: { text: '≤ 1.5x raw', met: (w, r) => w <= 1.5 * r } },
  { label: 'worker peak RSS (MB)', figure: 'rss', format: integer, goal: { text: '≤ 1.2x raw', met: (w, r) => w <= 1.2 * r } },
  { label: `latency p50 at ${integer(CONFIG.latencyRate)} jobs/s (ms)`, figure: 'p50', format: twoDecimals },
  { label: `latency p95 at ${integer(CONFIG.latencyRate)} jobs/s (ms)`, figure: 'p95', format: twoDecimals },
  {
    label: `latency p99 at ${integer(CONFIG.latencyRate)} jobs/s (ms)`,
    figure: 'p99',
    format: twoDecimals,
    goal: { text: '≤ raw + 1 ms', met: (w, r) => w <= r + 1 },
  },
];

function verdict(results: Results, row: Row): string {
  if (!row.goal) return '';
  const [w, r, b] = [WARREN, RAW, BULLMQ].map((variant) => results.get(variant, row.figure)?.median ?? Number.NaN) as [number, number, number];
  if ([w, r, b].some(Number.isNaN)) return 'n/a';
  return row.goal.met(w, r, b) ? 'met' : '**not met**';
}

/** The lateness row of bench/delays.ts's table (`| delayed: lateness ... | count | p50 | p99 | max |`), in one cell. */
function delayedLateness(delays: string | undefined): string {
  if (delays === undefined) return 'not measured: comes from bench/delays.ts (delay issue), which does not exist yet';
  const row = /^\|\s*delayed: lateness[^|]*\|\s*(\d+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|/m.exec(delays);
  if (!row) return delays.startsWith('skipped') ? delays : 'see bench/delays.ts below';
  return `p50 ${row[2]}, p99 ${row[3]}, max ${row[4]} (${row[1]} jobs; bench/delays.ts, below)`;
}

export interface ReportContext {
  results: Results;
  /** bench/delays.ts's output, or undefined when that benchmark does not exist. */
  delays: string | undefined;
  /** One paragraph: date, machine, versions, settings, load. */
  header: string;
}

export function renderReport({ results, delays, header }: ReportContext): string {
  const main = markdownTable(
    ['figure', 'warren', 'raw amqplib', 'BullMQ', 'warren/raw', 'warren/BullMQ', 'goal', 'status'],
    [
      ...ROWS.map((row) => [
        row.label,
        ...[WARREN, RAW, BULLMQ].map((variant) => cell(results.get(variant, row.figure), row.format)),
        ratio(results.get(WARREN, row.figure), results.get(RAW, row.figure)),
        ratio(results.get(WARREN, row.figure), results.get(BULLMQ, row.figure)),
        row.goal?.text ?? '',
        verdict(results, row),
      ]),
      ['delayed-job lateness (ms)', delayedLateness(delays), ...Array<string>(6).fill('')],
    ],
  );
  const workers = CONFIG.scaleWorkers;
  const queueCounts = CONFIG.scaleQueues;
  const plural = (n: number, word: string): string => `${n} ${word}${n > 1 ? 's' : ''}`;
  const scale = markdownTable(
    [
      'drain (jobs/s)',
      ...workers.map((n) => plural(n, 'worker')),
      ...workers.map((n) => `worker CPU µs/job, ${n}`),
      ...workers.map((n) => `broker CPU µs/job, ${n}`),
    ],
    queueCounts.flatMap((queues) => [
      ...[WARREN, RAW].map((variant) => [
        `${variant.label}, ${plural(queues, 'queue')}`,
        ...workers.map((n) => cell(results.get(variant, drainFigure(n, queues)), integer)),
        ...workers.map((n) => cell(results.get(variant, cpuFigure(n, queues)), integer)),
        ...workers.map((n) => cell(results.get(variant, brokerCpuFigure(n, queues)), integer)),
      ]),
      [
        `warren/raw, ${plural(queues, 'queue')}`,
        ...workers.map((n) => ratio(results.get(WARREN, drainFigure(n, queues)), results.get(RAW, drainFigure(n, queues)))),
        ...workers.map((n) => ratio(results.get(WARREN, cpuFigure(n, queues)), results.get(RAW, cpuFigure(n, queues)))),
        ...workers.map((n) => ratio(results.get(WARREN, brokerCpuFigure(n, queues)), results.get(RAW, brokerCpuFigure(n, queues)))),
      ],
    ]),
  );
  const diagnostics = markdownTable(
    [
      'row (1 worker)',
      'enqueue, batches (jobs/s)',
      'enqueue, 1,000 in flight (jobs/s)',
      'producer CPU per job, 1,000 in flight (µs)',
      'drain (jobs/s)',
      'worker CPU per job (µs)',
      'broker CPU per job (µs)',
      'peak RSS (MB)',
      'latency p50 / p99 (ms)',
    ],
    [WARREN, ...DIAGNOSTICS, RAW].map((variant) => [
      variant.label,
      cell(results.get(variant, 'enqueueBulk'), integer),
      cell(results.get(variant, 'enqueueInFlight'), integer),
      cell(results.get(variant, 'producerCpuInFlight'), integer),
      cell(results.get(variant, 'drain'), integer),
      cell(results.get(variant, 'cpu'), integer),
      cell(results.get(variant, 'broker'), integer),
      cell(results.get(variant, 'rss'), integer),
      results.get(variant, 'p50') ? `${cell(results.get(variant, 'p50'), twoDecimals)} / ${cell(results.get(variant, 'p99'), twoDecimals)}` : 'n/a',
    ]),
  );
  const pauseColumns = (role: 'worker' | 'producer'): Array<[PauseFigure, Format]> => [
    [`${role}:gcMsPerSecond`, oneDecimal],
    [`${role}:gcLongPerSecond`, oneDecimal],
    [`${role}:gcMaxMs`, oneDecimal],
    [`${role}:loopDelayP99Ms`, oneDecimal],
  ];
  const pauses = markdownTable(
    [
      'latency stage (after warm-up)',
      'worker: GC ms per s',
      'worker: GC pauses > 2 ms per s',
      'worker: longest GC pause (ms)',
      'worker: event-loop delay p99 (ms)',
      'producer: GC ms per s',
      'producer: GC pauses > 2 ms per s',
      'producer: longest GC pause (ms)',
      'producer: event-loop delay p99 (ms)',
    ],
    [WARREN, RAW, BULLMQ, ...DIAGNOSTICS.filter((variant) => variant.latency)].map((variant) => [
      variant.label,
      ...[...pauseColumns('worker'), ...pauseColumns('producer')].map(([figure, format]) => cell(results.get(variant, figure), format)),
    ]),
  );
  return [
    '## warren vs raw amqplib vs BullMQ',
    '',
    header,
    '',
    main,
    '',
    '### What pauses the processes during the latency stage',
    '',
    pauses,
    '',
    '### Drain with more worker processes and more queues',
    '',
    scale,
    ...(CONFIG.diagnostics ? ['', "### Diagnostics: what warren's logging, queue kinds and wire format cost", '', diagnostics] : []),
    ...(delays === undefined ? [] : ['', '### Delayed-job lateness (bench/delays.ts)', '', delays]),
    ...(results.failures().length ? ['', '### Failed samples (left out of the medians)', '', ...results.failures().map((line) => `- ${line}`)] : []),
  ].join('\n');
}

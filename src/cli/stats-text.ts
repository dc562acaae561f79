import type { WorkerHeartbeat } from '../presence/heartbeat.js';
import type { StatsSnapshot } from '../stats/stats-snapshot.js';

/**
 * `warren stats` and `warren workers list` as text: plain columns a terminal and `grep` both
 * read. warren's own queues (the delay ladder's 31 levels and its due queue, the dead-letter
 * queue) are one line each, not one per queue.
 */

/** A number with thousands separators, or `?` when unknown. */
function count(value: number | undefined): string {
  return value === undefined ? '?' : value.toLocaleString('en-US');
}

function rate(value: number | undefined): string {
  return value === undefined ? '?' : value.toFixed(1);
}

/** ms as the largest unit that keeps it readable: 350 ms, 4.2 s, 12 min, 3.5 h, 2.1 d. */
export function duration(ms: number | undefined): string {
  if (ms === undefined) return '?';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

/** Rows as columns padded to their widest cell (numbers right-aligned). */
export function columns(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number> = new Set()): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, index) => (rightAligned.has(index) ? cell.padStart(widths[index] ?? 0) : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** Control characters out of text that came from the broker (a heartbeat, a job class). */
export function safe(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: they are what is removed
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function progressText(progress: unknown): string {
  if (progress === undefined) return '';
  const text = typeof progress === 'string' ? progress : JSON.stringify(progress);
  return `  progress ${safe(text.length > 80 ? `${text.slice(0, 77)}...` : text)}`;
}

/** The live workers, each with its running jobs and recent cancels. */
export function workersText(workers: readonly WorkerHeartbeat[], now = Date.now()): string[] {
  if (workers.length === 0) return ['no live workers (none sent a heartbeat lately)'];
  const lines: string[] = [];
  for (const worker of workers) {
    const up = duration(now - Date.parse(worker.startedAt));
    lines.push(
      `${safe(worker.id)}  ${worker.state}  queues=${safe(worker.queues.join(','))}  busy ${worker.busy}/${worker.concurrency}  ` +
        `performed ${count(worker.performed)}  failed ${count(worker.failed)}  up ${up}  warren ${safe(worker.version)}` +
        (worker.scheduler ? `  schedules: ${worker.scheduler.leader ? 'leader' : 'standby'} of ${safe(worker.scheduler.group)}` : ''),
    );
    for (const job of worker.running) {
      const running = duration(now - Date.parse(job.startedAt));
      lines.push(
        `    ${safe(job.jobClass)} ${safe(job.jobId)}  queue=${safe(job.queue)}  running ${running}${job.cancelRequested ? '  (cancel requested)' : ''}${progressText(job.progress)}${job.step ? `  step ${safe(job.step)}${job.resumptions ? ` (resumed ${job.resumptions}x)` : ''}` : ''}`,
      );
    }
    for (const cancel of worker.cancels.slice(0, 3)) {
      lines.push(`    cancel of ${safe(cancel.jobClass)} ${safe(cancel.jobId)} at ${safe(cancel.requestedAt)}: ${cancel.outcome}`);
    }
  }
  return lines;
}

/** The whole snapshot as text. */
export function statsText(snapshot: StatsSnapshot, deadLetterQueue: string, now = Date.now()): string {
  const lines = [`warren stats at ${snapshot.takenAt}`, ''];
  if (snapshot.queues.length === 0) lines.push('no job queues found (declare them, or name them with --queue)');
  else {
    const header = ['QUEUE', 'READY', 'RUNNING', 'CONSUMERS', 'IN/S', 'ACKED/S', 'LATENCY'];
    const rows = snapshot.queues.map((queue) => [
      queue.paused ? `${safe(queue.name)} (paused)` : safe(queue.name),
      count(queue.ready),
      count(queue.unacked),
      count(queue.consumers),
      rate(queue.enqueuedPerSecond),
      rate(queue.performedPerSecond),
      duration(queue.latencyMs),
    ]);
    lines.push(...columns([header, ...rows], new Set([1, 2, 3, 4, 5, 6])));
  }
  const delayed = snapshot.delayed.reduce((sum, window) => sum + window.messages, 0);
  const windows = snapshot.delayed.map((window) => `${window.window}: ${count(window.messages)}`).join(', ');
  const reasons = Object.entries(snapshot.deadLetters.byReason)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, n]) => `${safe(reason)}: ${count(n)}`)
    .join(', ');
  const partly = snapshot.deadLetters.scanned < snapshot.deadLetters.total ? ` (reasons of the oldest ${count(snapshot.deadLetters.scanned)})` : '';
  lines.push(
    '',
    "warren's own queues",
    `  delayed jobs and retries (the delay ladder): ${count(delayed)}${windows ? `  (${windows})` : ''}`,
    `  dead letters (${safe(deadLetterQueue)}): ${count(snapshot.deadLetters.total)}${reasons ? `  (${reasons})${partly}` : ''}`,
    '',
    `workers: ${snapshot.workers.length} live`,
    ...workersText(snapshot.workers, now).map((line) => `  ${line}`),
  );
  return `${lines.join('\n')}\n`;
}

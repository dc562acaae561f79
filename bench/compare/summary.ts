// Samples -> "median (min-max)" cells, ratios and goal checks for the markdown tables.

/** Repeated measurements of one figure; failures are kept as their messages. */
export class Samples {
  readonly values: number[] = [];
  readonly failures: string[] = [];

  add(value: number): void {
    this.values.push(value);
  }

  fail(error: unknown): void {
    this.failures.push(error instanceof Error ? error.message.split('\n')[0]! : String(error));
  }

  get median(): number {
    if (this.values.length === 0) return Number.NaN;
    const sorted = [...this.values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  }

  get min(): number {
    return Math.min(...this.values);
  }

  get max(): number {
    return Math.max(...this.values);
  }
}

export type Format = (value: number) => string;

export const integer: Format = (value) => Math.round(value).toLocaleString('en-US');
export const oneDecimal: Format = (value) => value.toFixed(1);
export const twoDecimals: Format = (value) => value.toFixed(2);

/** "median (min-max)", or what went wrong. */
export function cell(samples: Samples | undefined, format: Format): string {
  if (!samples) return 'n/a';
  if (samples.values.length === 0) return samples.failures.length ? 'failed (see below)' : 'n/a';
  const failed = samples.failures.length ? ` (${samples.failures.length} failed)` : '';
  if (samples.values.length === 1) return `${format(samples.median)}${failed}`;
  return `${format(samples.median)} (${format(samples.min)}–${format(samples.max)})${failed}`;
}

export function ratio(a: Samples | undefined, b: Samples | undefined): string {
  if (!a || !b || a.values.length === 0 || b.values.length === 0) return 'n/a';
  return `${(a.median / b.median).toFixed(2)}x`;
}

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

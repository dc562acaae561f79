import { createRequire } from 'node:module';
import { ConfigurationError } from '../errors.js';

/**
 * The part of a prom-client `Registry` warren uses: a `new Registry()`, prom-client's global
 * `register`, or anything shaped like them. Declared here rather than imported from
 * prom-client, so that warren's type declarations do not require prom-client in an
 * application that never asks for metrics (it is an optional peer dependency).
 */
export interface MetricsRegistry {
  /** The content type of what `metrics()` returns (Prometheus text 0.0.4, or OpenMetrics). */
  readonly contentType: string;
  /** Every metric of the registry, in the exposition format. */
  metrics(): Promise<string>;
  /** Called by each metric warren creates in the registry. */
  registerMetric(metric: object): void;
  /** The metric registered under `name`, if any: warren refuses to register a name twice. */
  getSingleMetric(name: string): unknown;
}

/** A counter with its label values bound (prom-client's `counter.labels(...)`). */
export interface PromCounterChild {
  inc(value?: number): void;
}

export interface PromCounter {
  labels(...values: string[]): PromCounterChild;
  inc(labels: Record<string, string>, value?: number): void;
}

export interface PromGauge {
  set(value: number): void;
  set(labels: Record<string, string>, value: number): void;
  reset(): void;
}

/** What warren passes to prom-client's metric constructors. */
export interface PromMetricConfiguration {
  name: string;
  help: string;
  labelNames?: string[];
  registers: MetricsRegistry[];
  /** Called by prom-client at each scrape, before the metric is read. */
  collect?: () => void;
}

/** The classes warren takes from prom-client (15.x). */
export interface PromClient {
  Registry: new () => MetricsRegistry;
  Counter: new (configuration: PromMetricConfiguration) => PromCounter;
  Gauge: new (configuration: PromMetricConfiguration) => PromGauge;
}

const requireFromHere = createRequire(import.meta.url);
let loaded: PromClient | undefined;

/** A failure to find prom-client itself (not a module prom-client needs). */
function isMissing(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.includes("'prom-client'");
}

/**
 * prom-client, loaded on first use: importing warren never loads it, and an application
 * without it runs as before. Only asking for metrics without it installed fails, with a
 * ConfigurationError that says what to install. `load` is for tests (a require that fails).
 */
export function loadPromClient(load: (id: string) => unknown = requireFromHere): PromClient {
  if (loaded && load === requireFromHere) return loaded;
  let module: PromClient;
  try {
    module = load('prom-client') as PromClient;
  } catch (error) {
    if (isMissing(error)) {
      throw new ConfigurationError('metrics need prom-client, an optional peer dependency of warren: install prom-client (npm install prom-client)', {
        cause: error,
      });
    }
    throw error;
  }
  if (load === requireFromHere) loaded = module;
  return module;
}

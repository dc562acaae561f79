import type { Context, Span, TextMapGetter, TextMapSetter, Tracer } from '@opentelemetry/api';
import type { Envelope } from '../envelope/envelope.js';
import { redactError } from '../support/redact.js';
import { WARREN_VERSION } from '../support/package-info.js';
import { otelApi, tracingActive, type OtelApi } from './otel-api.js';

/**
 * warren's OpenTelemetry spans: a PRODUCER span per job published (enqueue, enqueueAt, the bulk
 * path, a job's retry) whose context travels in the message's W3C `traceparent` / `tracestate`
 * headers, and a CONSUMER span per delivery a worker performs, child of that context, inside
 * which the job runs (so what it enqueues, its retry above all, is a child of it).
 *
 * Attributes follow the OpenTelemetry messaging semantic conventions v1.27.0 (status:
 * development): `messaging.operation.type` is `send` (v1.27 renamed `publish` to it) or
 * `process`, `messaging.operation.name` `publish` or `process`, `messaging.destination.name` the
 * exchange (empty for the default exchange), `messaging.rabbitmq.destination.routing_key`. Span
 * names are `<messaging.operation.name> <queue>`: warren's exchange is shared by every queue, so
 * the queue is the destination that tells jobs apart. warren's own attributes are `warren.*`.
 *
 * Everything here is a no-op when `@opentelemetry/api` is not installed or nothing is registered
 * with it (see tracingActive), and never throws: a tracing failure must not fail a job.
 */

/** The instrumentation scope of warren's spans. */
export const TRACER_NAME = 'warren';

/** The attribute names warren sets. */
export const ATTRIBUTES = Object.freeze({
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destination: 'messaging.destination.name',
  routingKey: 'messaging.rabbitmq.destination.routing_key',
  deliveryTag: 'messaging.rabbitmq.message.delivery_tag',
  messageId: 'messaging.message.id',
  bodySize: 'messaging.message.body.size',
  errorType: 'error.type',
  queue: 'warren.queue',
  jobClass: 'warren.job.class',
  jobId: 'warren.job.id',
  /** Publish: the envelope's executions (0 for a new job, n for the retry after the nth). Process: the execution this is (1 first). */
  executions: 'warren.job.executions',
  /** Publish of a delayed job: ms from the publish to when it is due. */
  delayMs: 'warren.job.delay_ms',
  /** Process: performed, retried, discarded, skipped, failed, abandoned or undecodable. */
  outcome: 'warren.job.outcome',
  /** Process: what the worker does with the delivery: ack, dead-letter, requeue or abandon. */
  verdict: 'warren.delivery.verdict',
  redelivered: 'warren.delivery.redelivered',
});

const SYSTEM = 'rabbitmq';

/** A published job's span (see startPublishTrace). */
export interface PublishTrace {
  /** The trace headers to send with the message (what the registered propagator writes: `traceparent`, `tracestate`), if any. */
  readonly headers: Record<string, string> | undefined;
  /** Records where the job is published to (the topology's route for its queue). */
  route(exchange: string, routingKey: string): void;
  /** Ends the span when `published` settles (error status when it rejects); resolves and rejects as it does. */
  settle<T>(published: Promise<T>): Promise<T>;
}

/**
 * Starts the PRODUCER span of publishing `envelope` (due in `delayMs`, when positive), child of
 * the active context. Undefined when tracing is off: then nothing else is done for the job.
 */
export function startPublishTrace(envelope: Envelope, delayMs: number): PublishTrace | undefined {
  const api = otelApi();
  if (api === undefined || !tracingActive(api)) return undefined;
  try {
    return new OtelPublishTrace(api, envelope, delayMs);
  } catch {
    return undefined;
  }
}

const headerSetter: TextMapSetter<Record<string, string>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

class OtelPublishTrace implements PublishTrace {
  readonly headers: Record<string, string> | undefined;
  private readonly span: Span;

  constructor(
    private readonly api: OtelApi,
    envelope: Envelope,
    delayMs: number,
  ) {
    const attributes: Record<string, string | number> = {
      [ATTRIBUTES.system]: SYSTEM,
      [ATTRIBUTES.operationType]: 'send',
      [ATTRIBUTES.operationName]: 'publish',
      [ATTRIBUTES.messageId]: envelope.job_id,
      [ATTRIBUTES.queue]: envelope.queue_name,
      [ATTRIBUTES.jobClass]: envelope.job_class,
      [ATTRIBUTES.jobId]: envelope.job_id,
      [ATTRIBUTES.executions]: envelope.executions,
    };
    if (delayMs > 0) attributes[ATTRIBUTES.delayMs] = Math.round(delayMs);
    const parent = api.context.active();
    this.span = tracer(api).startSpan(`publish ${envelope.queue_name}`, { kind: api.SpanKind.PRODUCER, attributes }, parent);
    const headers: Record<string, string> = {};
    api.propagation.inject(api.trace.setSpan(parent, this.span), headers, headerSetter);
    this.headers = hasKeys(headers) ? headers : undefined;
  }

  route(exchange: string, routingKey: string): void {
    try {
      this.span.setAttribute(ATTRIBUTES.destination, exchange);
      if (routingKey) this.span.setAttribute(ATTRIBUTES.routingKey, routingKey);
    } catch {
      // A tracing failure never fails the publish.
    }
  }

  settle<T>(published: Promise<T>): Promise<T> {
    return published.then(
      (value) => {
        endSpan(this.span);
        return value;
      },
      (error: unknown) => {
        failSpan(this.api, this.span, error);
        endSpan(this.span);
        throw error;
      },
    );
  }
}

/** The parts of a received AMQP message the consumer span reads (amqplib's ConsumeMessage has them). */
export interface ReceivedMessage {
  readonly content: { readonly length: number };
  readonly fields: { readonly exchange: string; readonly routingKey: string; readonly deliveryTag: number; readonly redelivered: boolean };
  readonly properties: { readonly messageId?: unknown; readonly headers?: unknown };
}

/** A delivery's span (see startProcessTrace). */
export interface ProcessTrace {
  /** Records the job the delivery carries, once its envelope is read. */
  job(envelope: Envelope): void;
  /** Calls `perform` with the span's context active, so what the job does (its retry's publish) is a child of the span. */
  run(perform: () => void): void;
  /** Ends the span: the job's outcome and the delivery's verdict, an error status when `error` is given. */
  end(outcome: string, verdict: string, error?: unknown): void;
}

/**
 * Starts the CONSUMER span of processing `message` from `queue`, child of the context its
 * trace headers carry (a root span when they are absent or malformed). Undefined when tracing is off.
 */
export function startProcessTrace(queue: string, message: ReceivedMessage): ProcessTrace | undefined {
  const api = otelApi();
  if (api === undefined || !tracingActive(api)) return undefined;
  try {
    return new OtelProcessTrace(api, queue, message);
  } catch {
    return undefined;
  }
}

/** A header's text: strings, and byte arrays (a `longstr` other clients may send as bytes) as UTF-8; nothing else. */
function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

/** Reads own properties only (a header named `__proto__` must not pass for another: see ownHeader in amqp/message.ts). */
const headerGetter: TextMapGetter<Record<string, unknown>> = {
  keys(carrier) {
    return Object.keys(carrier);
  },
  get(carrier, key) {
    return Object.hasOwn(carrier, key) ? headerText(carrier[key]) : undefined;
  },
};

/** The context the message's trace headers carry; ROOT_CONTEXT when they are absent, malformed or the propagator throws. */
function extractContext(api: OtelApi, headers: unknown): Context {
  if (headers === null || typeof headers !== 'object') return api.ROOT_CONTEXT;
  try {
    // Onto the root context, not the active one: a consumer callback may run in whatever context started the worker.
    return api.propagation.extract(api.ROOT_CONTEXT, headers as Record<string, unknown>, headerGetter);
  } catch {
    return api.ROOT_CONTEXT;
  }
}

class OtelProcessTrace implements ProcessTrace {
  private readonly span: Span;
  private readonly context: Context;
  private ended = false;

  constructor(
    private readonly api: OtelApi,
    queue: string,
    message: ReceivedMessage,
  ) {
    const { fields, properties } = message;
    const attributes: Record<string, string | number | boolean> = {
      [ATTRIBUTES.system]: SYSTEM,
      [ATTRIBUTES.operationType]: 'process',
      [ATTRIBUTES.operationName]: 'process',
      [ATTRIBUTES.destination]: fields.exchange,
      [ATTRIBUTES.deliveryTag]: fields.deliveryTag,
      [ATTRIBUTES.bodySize]: message.content.length,
      [ATTRIBUTES.queue]: queue,
    };
    if (fields.routingKey) attributes[ATTRIBUTES.routingKey] = fields.routingKey;
    if (typeof properties.messageId === 'string') attributes[ATTRIBUTES.messageId] = properties.messageId;
    if (fields.redelivered) attributes[ATTRIBUTES.redelivered] = true;
    const parent = extractContext(api, properties.headers);
    this.span = tracer(api).startSpan(`process ${queue}`, { kind: api.SpanKind.CONSUMER, attributes }, parent);
    this.context = api.trace.setSpan(parent, this.span);
  }

  job(envelope: Envelope): void {
    try {
      this.span.setAttributes({
        [ATTRIBUTES.jobClass]: envelope.job_class,
        [ATTRIBUTES.jobId]: envelope.job_id,
        [ATTRIBUTES.executions]: envelope.executions + 1,
      });
    } catch {
      // A tracing failure never fails the job.
    }
  }

  run(perform: () => void): void {
    let started = false;
    try {
      this.api.context.with(this.context, () => {
        started = true;
        perform();
      });
    } catch (error) {
      // A context manager that failed before calling perform must not lose the job; perform's own errors are not caught here.
      if (started) throw error;
      perform();
    }
  }

  end(outcome: string, verdict: string, error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.span.setAttributes({ [ATTRIBUTES.outcome]: outcome, [ATTRIBUTES.verdict]: verdict });
    } catch {
      // Ended all the same.
    }
    if (error !== undefined) failSpan(this.api, this.span, error);
    endSpan(this.span);
  }
}

function tracer(api: OtelApi): Tracer {
  return api.trace.getTracer(TRACER_NAME, WARREN_VERSION);
}

/** Error status, `error.type` and the exception (message and stack redacted of credentials). */
function failSpan(api: OtelApi, span: Span, error: unknown): void {
  try {
    const safe = redactError(error);
    const type = error instanceof Error ? error.constructor.name || error.name : typeof error;
    span.setAttribute(ATTRIBUTES.errorType, type);
    span.recordException(safe);
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: safe.message });
  } catch {
    // Ended all the same.
  }
}

function endSpan(span: Span): void {
  try {
    span.end();
  } catch {
    // A tracing failure never fails a job.
  }
}

function hasKeys(record: Record<string, string>): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return true;
  return false;
}

import type { Options } from 'amqplib';
import type { Logger } from 'pino';
import type { AmqpAdapter } from '../adapters/amqp/amqp-adapter.js';
import { HEADERS } from '../amqp/message.js';
import { redactText } from '../support/redact.js';
import { republishedHeaders, republishedProperties } from '../amqp/republish.js';
import { DEFAULTS } from '../config/defaults.js';
import { UnencodableMessageError, UnroutableError } from '../errors.js';
import type { Delivery } from './delivery.js';
import type { DeadLetterReason } from './events.js';

/** The own properties of `headers` named in `names` (none of the rest). */
function pickOwn(headers: Record<string, unknown> | undefined, names: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of names) if (headers && Object.hasOwn(headers, name)) picked[name] = headers[name];
  return picked;
}

function errorClass(error: Error): string {
  return error.name || error.constructor.name || 'Error';
}

/** The stack frames of `error` (its `at ...` lines, not the message), redacted, at most DEFAULTS.amqp.deadLetterBacktraceFrames. */
export function backtraceOf(error: Error): string {
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  return redactText(
    frames
      .slice(0, DEFAULTS.amqp.deadLetterBacktraceFrames)
      .map((line) => line.trim())
      .join('\n'),
  ).slice(0, 4_000);
}

/**
 * The properties of the dead letter: the original message's (priority included, so a job sent
 * back keeps it), without its trip headers (x-death, CC, the due time: see isTripHeader), plus
 * the reason headers. `warren-executions` counts the failed execution too (the body, kept
 * byte for byte, still has the envelope as it was delivered).
 */
export function deadLetterProperties(
  delivery: Delivery,
  reason: DeadLetterReason,
  error: Error,
  maxMessageChars: number = DEFAULTS.amqp.deadLetterMessageMaxChars,
  options: { keepOriginalHeaders: boolean } = { keepOriginalHeaders: true },
): Options.Publish & { messageId: string } {
  const original = delivery.message.properties.headers as Record<string, unknown> | undefined;
  const headers = republishedHeaders(options.keepOriginalHeaders ? original : pickOwn(original, [HEADERS.executions, HEADERS.traceparent, HEADERS.tracestate]));
  if (!options.keepOriginalHeaders) headers[HEADERS.headersDropped] = 'the original headers were too large to copy into the dead letter';
  // Count the execution that just failed (perform started for these reasons), so the dead letter says how many ran.
  const executions = headers[HEADERS.executions];
  if (typeof executions === 'number' && (reason === 'failed' || reason === 'deserialization')) headers[HEADERS.executions] = executions + 1;
  Object.assign(headers, {
    [HEADERS.reason]: reason,
    [HEADERS.errorClass]: errorClass(error),
    [HEADERS.errorMessage]: redactText(error.message).slice(0, maxMessageChars),
    [HEADERS.originalQueue]: delivery.queue,
    [HEADERS.originalExchange]: delivery.message.fields.exchange,
    [HEADERS.originalRoutingKey]: delivery.message.fields.routingKey,
    [HEADERS.deadAt]: new Date().toISOString(),
  });
  const backtrace = backtraceOf(error);
  if (backtrace.length > 0) headers[HEADERS.errorBacktrace] = backtrace;
  return republishedProperties(delivery.message.properties, headers);
}

/**
 * Moves a delivery to the dead-letter queue: the body byte for byte (so it can be sent
 * back unchanged), the original properties, and headers giving the reason, the error
 * class, a bounded and redacted error message, the original queue, exchange and routing
 * key, and the time. Resolves once the broker confirmed it; the caller acks after.
 * One queue for all dead letters (DEFAULTS.amqp.deadLetterQueue), declared on first use.
 */
export class DeadLetterPublisher {
  constructor(
    private readonly adapter: AmqpAdapter,
    readonly queue: string = DEFAULTS.amqp.deadLetterQueue,
    private readonly logger?: Logger,
  ) {}

  /**
   * Rejects when the broker did not confirm the dead letter (the caller requeues the delivery).
   * When the dead-letter queue is gone (deleted while the worker ran: the publish comes back
   * unroutable) it is declared again, as the topology says, and the publish tried once more.
   */
  async publish(delivery: Delivery, reason: DeadLetterReason, error: Error): Promise<void> {
    let properties = deadLetterProperties(delivery, reason, error);
    try {
      try {
        await this.adapter.publishToQueue(this.queue, delivery.message.content, properties);
      } catch (failure) {
        // Headers another client could send but amqplib cannot re-encode (over 64 KiB): keep the body and the reason, drop them.
        if (!(failure instanceof UnencodableMessageError)) throw failure;
        properties = deadLetterProperties(delivery, reason, error, undefined, { keepOriginalHeaders: false });
        await this.adapter.publishToQueue(this.queue, delivery.message.content, properties);
      }
    } catch (failure) {
      if (!(failure instanceof UnroutableError) || !(await this.adapter.redeclareQueue(this.queue).catch(() => false))) throw failure;
      this.logger?.warn({ deadLetterQueue: this.queue }, 'the dead-letter queue was missing on the broker (deleted?); declared it again');
      await this.adapter.publishToQueue(this.queue, delivery.message.content, properties);
    }
  }
}

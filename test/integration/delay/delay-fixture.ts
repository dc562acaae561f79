// Per-test delay ladders: every test gets its own ladder prefix, dead-letter queue and job
// queues (names start with a unique prefix), and deletes all of them afterwards.
import { DelayLadder, type DelayOptions, Worker, type WorkerEvents, type WorkerOptions } from '../../../src/index.js';
import { delayRegistry } from './delay-jobs.js';
import { BrokerProbe, uniquePrefix } from '../../support/broker-probe.js';

/** 2^22 ms is 70 minutes: enough for the one-hour test, and fewer declarations than the default 36 levels. */
export const TEST_LEVELS = 23;

export class DelayFixture {
  readonly prefix = uniquePrefix();
  readonly deadLetterQueue = `${this.prefix}dead`;
  readonly ladder: DelayLadder;
  private readonly queues = new Set<string>([this.deadLetterQueue]);
  private readonly workers: Worker[] = [];

  private constructor(
    public probe: BrokerProbe,
    private readonly url: string,
    options: DelayOptions,
  ) {
    this.ladder = new DelayLadder({ prefix: `${this.prefix}delay`, levels: TEST_LEVELS, deadLetterQueue: this.deadLetterQueue, ...options });
  }

  static async open(url: string, options: DelayOptions = {}): Promise<DelayFixture> {
    return new DelayFixture(await BrokerProbe.open(url), url, options);
  }

  /** A new probe connection (after a broker restart closed the old one). */
  async reconnect(): Promise<void> {
    await this.probe.close();
    this.probe = await BrokerProbe.open(this.url);
  }

  /** Starts a worker on this test's ladder and dead-letter queue (stopped by stopWorkers). */
  async startWorker(options: Partial<WorkerOptions> & { queues: string[] }): Promise<Worker> {
    const worker = new Worker({
      url: this.url,
      registry: delayRegistry,
      handleSignals: false,
      delays: this.ladder,
      deadLetterQueue: this.deadLetterQueue,
      deadLetterRetryDelayMs: 200,
      ...options,
    });
    this.workers.push(worker);
    await worker.start();
    return worker;
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((worker) => worker.stop()));
  }

  /** A job queue name of this test (deleted afterwards). */
  queue(name: string): string {
    const full = `${this.prefix}${name}`;
    this.queues.add(full);
    return full;
  }

  /** Messages waiting in the ladder (its levels and its due queue). */
  async waitingInLadder(): Promise<number> {
    let total = 0;
    for (const queue of this.ladder.queueNames()) total += await this.probe.messageCountIfAny(queue);
    return total;
  }

  async cleanup(): Promise<void> {
    // A fresh connection: the test's may have been closed by the broker (a forced close, a restart).
    await this.reconnect();
    await this.probe.deleteQueues([...this.queues, ...this.ladder.queueNames()]);
    await this.probe.deleteExchanges(this.ladder.exchangeNames());
    await this.probe.close();
  }
}

/** The payloads of `event` the worker emits from now on. */
export function collect<E extends keyof WorkerEvents & string>(worker: Worker, event: E): Array<WorkerEvents[E]> {
  const seen: Array<WorkerEvents[E]> = [];
  worker.events.on(event, (payload) => seen.push(payload));
  return seen;
}

import { EventEmitter } from 'node:events';

/** An event name -> payload map, for example `{ 'job:start': JobStartEvent }`. */
export type EventMap = { [event: string]: unknown };

/**
 * A thin typed face over Node's EventEmitter: `on`, `once`, `off` and `emit` check the
 * payload against the map. A listener that throws is reported on `onListenerError`
 * instead of breaking the code that emitted (a broken metrics hook must not stop acks).
 */
export class TypedEmitter<Events extends EventMap> {
  private readonly emitter = new EventEmitter();

  constructor(private readonly onListenerError: (error: unknown, event: string) => void = () => {}) {
    this.emitter.setMaxListeners(0);
  }

  on<E extends keyof Events & string>(event: E, listener: (payload: Events[E]) => void): this {
    this.emitter.on(event, listener);
    return this;
  }

  once<E extends keyof Events & string>(event: E, listener: (payload: Events[E]) => void): this {
    this.emitter.once(event, listener);
    return this;
  }

  off<E extends keyof Events & string>(event: E, listener: (payload: Events[E]) => void): this {
    this.emitter.off(event, listener);
    return this;
  }

  /** Whether anyone listens to `event`: emitters skip building payloads nobody reads. */
  has(event: keyof Events & string): boolean {
    return this.emitter.listenerCount(event) > 0;
  }

  emit<E extends keyof Events & string>(event: E, payload: Events[E]): void {
    if (this.emitter.listenerCount(event) === 0) return;
    for (const listener of this.emitter.rawListeners(event)) {
      try {
        (listener as (payload: Events[E]) => void)(payload);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }

  removeAllListeners(): void {
    this.emitter.removeAllListeners();
  }
}

import { createHash } from 'node:crypto';
import { DEFAULTS } from '../config/defaults.js';
import { onOwnChannel } from './own-channel.js';
import type { AmqpConnection } from './connection.js';

/**
 * Slots of per-key concurrency limits, held on the broker: slot n of a key is an exclusive queue
 * (`warren.slot.<job class>.<key hash>.<n>`) declared on the worker's consuming connection.
 * RabbitMQ lets one connection own an exclusive queue: another connection's declaration fails
 * with 405 RESOURCE_LOCKED, so a slot has one holder across every process, and the broker frees it
 * when the holder's connection closes (a crash, kill -9, a network cut), the same moment it
 * gives the job's delivery back. A slot held by this process is remembered here, since a second
 * declaration on the same connection would succeed.
 */
export class SlotLocks {
  private readonly heldHere = new Set<string>();

  constructor(private readonly connection: AmqpConnection) {}

  /** The base name of a key's slots. */
  static slotBase(jobName: string, key: string): string {
    const digest = createHash('sha256').update(jobName).update('\0').update(key).digest('hex').slice(0, 32);
    const readable = jobName.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 100);
    return `${DEFAULTS.flow.slotQueuePrefix}.${readable}.${digest}`;
  }

  /** Takes a free slot of `base` (0 to limit - 1); resolves with its release, or undefined when all are taken. */
  async acquire(base: string, limit: number): Promise<(() => void) | undefined> {
    const model = this.connection.current;
    if (!model) throw new Error('not connected to the broker');
    for (let n = 0; n < limit; n += 1) {
      const name = `${base}.${n}`;
      if (this.heldHere.has(name)) continue;
      this.heldHere.add(name);
      let taken = false;
      try {
        taken = await onOwnChannel(model, async (channel) => {
          try {
            await channel.assertQueue(name, { exclusive: true, durable: false, autoDelete: false, arguments: { 'x-queue-type': 'classic' } });
            return true;
          } catch (error) {
            if ((error as { code?: number }).code === 405) return false; // another process holds it
            throw error;
          }
        });
      } finally {
        if (!taken) this.heldHere.delete(name);
      }
      if (taken) return () => this.release(name);
    }
    return undefined;
  }

  /** Frees a slot (deleting its queue; one whose connection closed is gone already, and one another process took since is not touched). */
  private release(name: string): void {
    this.heldHere.delete(name);
    const model = this.connection.current;
    if (!model) return;
    void onOwnChannel(model, (channel) => channel.deleteQueue(name)).catch(() => {});
  }
}

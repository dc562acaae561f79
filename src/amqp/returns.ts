import type { Message } from 'amqplib';

/** Why the broker returned a `mandatory` message (basic.return). */
export interface ReturnedMessage {
  replyCode: number;
  replyText: string;
  exchange: string;
  routingKey: string;
}

/** One publish waiting for its confirm; `returned` is set when a basic.return for it arrived first. */
export interface TrackedPublish {
  readonly messageId: string;
  returned: ReturnedMessage | undefined;
}

/**
 * Matches basic.return frames to pending publishes by message id. The broker sends the
 * return before the ack of the same message, so when the confirm arrives the publish
 * already knows it was unroutable. The publisher forwards its channel's 'return' events here.
 */
export class ReturnTracker {
  private readonly pending = new Map<string, TrackedPublish[]>();

  track(messageId: string): TrackedPublish {
    const tracked: TrackedPublish = { messageId, returned: undefined };
    this.add(tracked);
    return tracked;
  }

  /** Tracks an object of the caller's own (the publisher's pending publish). */
  add(tracked: TrackedPublish): void {
    const list = this.pending.get(tracked.messageId);
    if (list) list.push(tracked);
    else this.pending.set(tracked.messageId, [tracked]);
  }

  release(tracked: TrackedPublish): void {
    const list = this.pending.get(tracked.messageId);
    if (!list) return;
    const index = list.indexOf(tracked);
    if (index !== -1) list.splice(index, 1);
    if (list.length === 0) this.pending.delete(tracked.messageId);
  }

  /** Called for each basic.return; marks the oldest pending publish with that message id. */
  onReturn(message: Message): void {
    const messageId = message.properties.messageId as string | undefined;
    if (!messageId) return;
    const tracked = this.pending.get(messageId)?.find((entry) => entry.returned === undefined);
    if (!tracked) return;
    const { replyCode, replyText, exchange, routingKey } = message.fields as Message['fields'] & {
      replyCode: number;
      replyText: string;
    };
    tracked.returned = { replyCode, replyText, exchange, routingKey };
  }

  get size(): number {
    return this.pending.size;
  }
}

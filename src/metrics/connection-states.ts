import type { ConnectionRole } from '../amqp/connection.js';

/**
 * Whether each observed connection is up, by the object that reported it (a worker, an
 * adapter) and its role, from the connection events: up after `connection:connect`, down
 * after `connection:disconnect` or `connection:failed`, and every one of a worker down after
 * `worker:stopped` (closing them emits no disconnect). A source is unknown until its first
 * event, so observe before `start()`: a worker observed once connected shows nothing until
 * its next reconnect rather than a wrong 0.
 */
export class ConnectionStates {
  private readonly states = new Map<object, Map<ConnectionRole, boolean>>();

  set(source: object, role: ConnectionRole, up: boolean): void {
    let roles = this.states.get(source);
    if (!roles) {
      roles = new Map();
      this.states.set(source, roles);
    }
    roles.set(role, up);
  }

  /** Every connection of `source` down: a stopped worker closed them without a disconnect event. */
  allDown(source: object): void {
    const roles = this.states.get(source);
    if (roles) for (const role of roles.keys()) roles.set(role, false);
  }

  forget(source: object): void {
    this.states.delete(source);
  }

  /**
   * warren_connection_up{role}: 1 when every observed connection of the role is up, 0 when
   * one is down (two workers in one process: either one down is worth an alert).
   */
  byRole(): Map<ConnectionRole, 0 | 1> {
    const result = new Map<ConnectionRole, 0 | 1>();
    for (const roles of this.states.values()) {
      for (const [role, up] of roles) result.set(role, up && result.get(role) !== 0 ? 1 : 0);
    }
    return result;
  }
}

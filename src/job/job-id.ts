import { randomUUID } from 'node:crypto';

let preset: string | undefined;

/**
 * The id a Job being constructed gets (its `jobId` field initializer): a fresh UUID v4, or,
 * while `withJobId` builds a job from an envelope, the envelope's id, so the worker does not
 * make (and throw away) a UUID per delivery.
 */
export function newJobId(): string {
  const id = preset ?? randomUUID();
  preset = undefined;
  return id;
}

/** Runs `build` (which constructs one job) so that job gets `id` as its jobId. */
export function withJobId<T>(id: string, build: () => T): T {
  preset = id;
  try {
    return build();
  } finally {
    preset = undefined;
  }
}

// STUB: the job-layer helper owns and replaces this file; keep these signatures.
import { UnknownJobError } from '../errors.js';

export interface JobDescriptor {
  name: string;
  /** Per-job perform timeout in ms, when the job declares one. */
  timeoutMs: number | undefined;
}

/** Explicit name -> job map the application fills. Nothing is looked up dynamically. */
export class JobRegistry {
  private readonly byName = new Map<string, JobDescriptor>();
  has(name: string): boolean {
    return this.byName.has(name);
  }
  names(): string[] {
    return [...this.byName.keys()];
  }
  descriptors(): JobDescriptor[] {
    return [...this.byName.values()];
  }
  describe(name: string): JobDescriptor {
    const d = this.byName.get(name);
    if (!d) throw new UnknownJobError(name);
    return d;
  }
}

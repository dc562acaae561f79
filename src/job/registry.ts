import { RegistrationError, UnknownJobError } from '../errors.js';
import { timeoutOf } from './execution.js';
import { Job } from './job.js';
import type { JobClass } from './job-class.js';
import { jobNameOf } from './job-name.js';
import { staticQueueName } from './queue-name.js';

export interface JobDescriptor {
  name: string;
  /** Per-job perform timeout in ms, when the job declares one. */
  timeoutMs: number | undefined;
  /** What the name refers to. Named handlers (issue 5) will add 'handler'. */
  kind: 'job';
  /** The queue the job always uses (prefix applied), or undefined when it depends on the arguments. */
  queueName: string | undefined;
}

/** A registered name. A union so named handlers can join later as another member. */
export interface JobEntry {
  kind: 'job';
  name: string;
  jobClass: JobClass;
}
export type RegistryEntry = JobEntry;

/**
 * Explicit name -> job map the application fills:
 * `new JobRegistry().register(SendEmailJob, OtherJob)`. Workers find jobs here by the
 * envelope's `job_class`; nothing is ever loaded or instantiated by a name that was
 * not registered. Names are each class's jobName (default: the class name).
 */
export class JobRegistry {
  private readonly byName = new Map<string, RegistryEntry>();

  /** Register job classes. RegistrationError for a non-job or a name already taken. */
  register(...jobClasses: JobClass[]): this {
    for (const jobClass of jobClasses) {
      if (typeof jobClass !== 'function' || !(jobClass.prototype instanceof Job)) {
        throw new RegistrationError(`${describeValue(jobClass)} is not a job class (a subclass of Job)`);
      }
      const name = jobNameOf(jobClass);
      this.add({ kind: 'job', name, jobClass });
    }
    return this;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  descriptors(): JobDescriptor[] {
    return [...this.byName.values()].map(describeEntry);
  }

  /** The descriptor for `name`; UnknownJobError when it is not registered. */
  describe(name: string): JobDescriptor {
    return describeEntry(this.resolve(name));
  }

  /** The entry for `name`; UnknownJobError when it is not registered. */
  resolve(name: string): RegistryEntry {
    const entry = this.byName.get(name);
    if (!entry) throw new UnknownJobError(name);
    return entry;
  }

  private add(entry: RegistryEntry): void {
    const existing = this.byName.get(entry.name);
    if (existing) {
      const same = existing.jobClass === entry.jobClass ? ' (the same class, registered twice)' : '';
      throw new RegistrationError(`job name "${entry.name}" is already registered${same}`);
    }
    this.byName.set(entry.name, entry);
  }
}

function describeEntry(entry: RegistryEntry): JobDescriptor {
  return {
    name: entry.name,
    kind: entry.kind,
    timeoutMs: timeoutOf(entry.jobClass),
    queueName: staticQueueName(entry.jobClass),
  };
}

function describeValue(value: unknown): string {
  return typeof value === 'function' ? `class ${value.name || '(anonymous)'}` : String(value);
}

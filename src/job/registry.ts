import { RegistrationError, UnknownJobError } from '../errors.js';
import { timeoutOf } from './timeout.js';
import { Job } from './job.js';
import type { JobClass } from './job-class.js';
import { jobNameOf } from './job-class.js';
import { staticQueueName } from './queue-name.js';

export interface JobDescriptor {
  name: string;
  /** Per-job perform timeout in ms, when the job declares one. */
  timeoutMs: number | undefined;
  /** What the name refers to: a job class, or a named handler (src/handlers) run by a job class made for it. */
  kind: RegistryEntry['kind'];
  /** The queue the job always uses (prefix applied), or undefined when it depends on the arguments. */
  queueName: string | undefined;
}

/** A registered name: a job class, or a named handler. Both are performed by `jobClass`. */
export interface JobEntry {
  kind: 'job';
  name: string;
  jobClass: JobClass;
}

/**
 * A named handler (Buffalo-style `register('send_email', fn)`, see src/handlers). It is
 * performed by a job class made for it, so it gets the same envelope, callbacks,
 * retries, timeout and dead letters as any job.
 */
export interface HandlerEntry {
  kind: 'handler';
  name: string;
  jobClass: JobClass;
}

export type RegistryEntry = JobEntry | HandlerEntry;

/**
 * Explicit name -> job map the application fills:
 * `new JobRegistry().register(SendEmailJob, OtherJob)`. Workers find jobs here by the
 * envelope's `job_class`; nothing is ever loaded or instantiated by a name that was
 * not registered. Names are each class's jobName (default: the class name).
 * Named handlers share the same name space (`HandlerWorker#register` adds them with
 * `registerHandler`): a handler and a job class cannot have the same name.
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

  /**
   * Register a named handler, performed by `jobClass` (a Job subclass whose jobName is
   * `name`; `HandlerWorker#register` makes it). RegistrationError when the name is taken.
   */
  registerHandler(name: string, jobClass: JobClass): this {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new RegistrationError(`a handler name must be a non-empty string (got ${JSON.stringify(name) ?? String(name)})`);
    }
    if (typeof jobClass !== 'function' || !(jobClass.prototype instanceof Job) || jobNameOf(jobClass) !== name) {
      throw new RegistrationError(`handler "${name}" needs a job class whose jobName is "${name}"`);
    }
    this.add({ kind: 'handler', name, jobClass });
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
      const taken = existing.kind === 'handler' ? 'a handler' : 'a job class';
      throw new RegistrationError(`${entry.kind} name "${entry.name}" is already registered, by ${taken}${same}`);
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

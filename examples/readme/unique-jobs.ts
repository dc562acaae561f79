// README.md's "Unique jobs", in process with the test adapter (workers and the AMQP adapter keep the locks on the broker):
//   npx tsx --tsconfig examples/readme/tsconfig.json examples/readme/unique-jobs.ts
import { configure, DuplicateJobError, Job, JobRegistry } from 'warren';
import { performEnqueuedJobs, TestAdapter } from 'warren/testing';

const search = { reindex: async (_userId: number) => {} };
const registry = new JobRegistry();
const adapter = new TestAdapter({ registry });
configure({ adapter });

// README:begin
class ReindexUserJob extends Job {
  // One pending (or running) reindex per user; the lock lasts an hour at most.
  static override unique = { key: (userId: number) => userId, until: 'executed' as const, ttl: 3_600_000 };

  async perform(userId: number): Promise<void> {
    await search.reindex(userId);
  }
}

const first = await ReindexUserJob.performLater(42); // first.successfullyEnqueued === true
const again = await ReindexUserJob.performLater(42); // again.successfullyEnqueued === false
// again.enqueueError is a DuplicateJobError; `onDuplicate: 'raise'` makes performLater throw it.
await ReindexUserJob.set({ unique: false }).performLater(42); // this one skips the check
// README:end

registry.register(ReindexUserJob);
if (!first.successfullyEnqueued || again.successfullyEnqueued || !(again.enqueueError instanceof DuplicateJobError)) throw new Error('unique failed');
await performEnqueuedJobs(adapter);
if (!(await ReindexUserJob.performLater(42)).successfullyEnqueued) throw new Error('the lock was not freed');
console.log('unique jobs ok');

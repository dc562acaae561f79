// README.md's "Per-key concurrency limits", in process with the test adapter (the limit itself is applied by workers):
//   npx tsx --tsconfig examples/readme/tsconfig.json examples/readme/flow-control.ts
import { configure, Job, JobRegistry } from 'warren';
import { TestAdapter } from 'warren/testing';

const accounts = { sync: async (_accountId: number) => {} };
const registry = new JobRegistry();
const adapter = new TestAdapter({ registry });
configure({ adapter });

// README:begin
class SyncAccountJob extends Job {
  // At most one sync per account at a time, across every worker; other accounts go on.
  static override concurrency = { key: (accountId: number) => accountId, limit: 1 };

  async perform(accountId: number): Promise<void> {
    await accounts.sync(accountId);
  }
}
// README:end

registry.register(SyncAccountJob);
await SyncAccountJob.performLater(42);
if (adapter.enqueuedJobs.length !== 1) throw new Error('not enqueued');
console.log('flow control ok');

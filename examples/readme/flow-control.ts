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

const github = { fetchRepo: async (_token: string, _repo: string) => {} };

// README:begin
class FetchRepoJob extends Job {
  // At most 100 starts per minute per API token, across every worker; over that, jobs wait their turn.
  static override rateLimit = { key: (token: string) => token, limit: 100, per: 60_000 };

  async perform(token: string, repo: string): Promise<void> {
    await github.fetchRepo(token, repo);
  }
}
// README:end

registry.register(SyncAccountJob, FetchRepoJob);
await SyncAccountJob.performLater(42);
await FetchRepoJob.performLater('token-1', 'rails/rails');
if (adapter.enqueuedJobs.length !== 2) throw new Error('not enqueued');
console.log('flow control ok');

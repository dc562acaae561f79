// The GlobalID and custom serializer examples of docs/arguments.md, run with the test adapter.
import { Job, JobRegistry, configure, registerLocator, registerSerializer } from 'warren';
import { TestAdapter, performEnqueuedJobs } from 'warren/testing';

const db = { users: { findById: async (id: string) => (id === '7' ? new User(7) : undefined) } };
const received: unknown[] = [];
class SendReceiptJob extends Job {
  async perform(user: User) {
    received.push(user);
  }
}
const registry = new JobRegistry().register(SendReceiptJob);
const adapter = new TestAdapter({ registry });
configure({ adapter });
const user = { id: 7, toGlobalId: () => 'gid://shop/User/7' };

// README:begin
class User { constructor(readonly id: number) {} toGlobalId() { return `gid://shop/User/${this.id}`; } }
registerLocator('User', { find: (id) => db.users.findById(id) });   // optional findMany for batches

await SendReceiptJob.performLater(user);   // {"_aj_globalid":"gid://shop/User/7"}; perform receives the loaded User
// README:end

await performEnqueuedJobs(adapter, { untilEmpty: true });
if (!(received[0] instanceof User) || received[0].id !== 7) throw new Error('perform did not receive the loaded User');

class Money {
  constructor(
    readonly cents: number,
    readonly currency: string,
  ) {}
}

// README:begin
registerSerializer<Money>({
  name: 'MoneySerializer',                              // written as _aj_serialized: "MoneySerializer"
  isSerializable: (v): v is Money => v instanceof Money,
  serialize: (m) => ({ cents: m.cents, currency: m.currency }),
  deserialize: (h) => new Money(Number(h.cents), String(h.currency)),
});
// README:end

console.log('records ok');

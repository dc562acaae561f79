// The retryOn / discardOn / rescueFrom example of docs/jobs.md: declaring the rules runs as shown.
import { DeserializationError, Job } from 'warren';

class GatewayTimeout extends Error {}
class RateLimited extends Error {}
class NetworkError extends Error {}
class CardDeclined extends Error {}
const notifyCustomer = async (_customerId: unknown, _error: Error) => {};
const audit = { log: (_jobId: string, _error: unknown) => {} };

// README:begin
class ChargeCardJob extends Job {
  static {
    this.retryOn(GatewayTimeout, { wait: 'polynomiallyLonger', attempts: 10 });
    this.retryOn(RateLimited, { wait: (executions) => executions * 1_000, attempts: 'unlimited', jitter: 0 });
    this.retryOn(NetworkError, { wait: 5_000, queue: 'payments_retry', priority: 0 });
    this.discardOn(DeserializationError);                          // the record is gone: drop the job
    this.rescueFrom(CardDeclined, function (error) { return notifyCustomer(this.arguments[0], error); });
    this.afterDiscard((job, error) => audit.log(job.jobId, error));
  }
  async perform(customerId: number, cents: number) {}
}
// README:end

console.log(ChargeCardJob.name, 'declared');

// The demo's jobs: a mailer, a delayed report, and a payment that fails once and is retried.
import { Job, JobRegistry, registerLocator, withSymbolKeys } from '../../src/index.js';

/** A tiny "model" that identifies itself with a GlobalID, located from an in-memory table. */
export class User {
  constructor(
    readonly id: number,
    readonly email: string,
  ) {}
  toGlobalId(): string {
    return `gid://demo/User/${this.id}`;
  }
}

const users = new Map([[1, new User(1, 'ada@example.com')]]);
registerLocator('User', { find: async (id) => users.get(Number(id)) });

export const done = new EventTarget();
function say(line: string): void {
  process.stdout.write(`  ${line}\n`);
  done.dispatchEvent(new Event('performed'));
}

export class WelcomeEmailJob extends Job {
  static override jobName = 'WelcomeEmailJob';
  static {
    this.queueAs('demo_mailers');
  }
  async perform(user: User): Promise<void> {
    say(`WelcomeEmailJob: welcome mail to ${user.email} (locale ${this.locale})`);
  }
}

export class ReportJob extends Job {
  static override jobName = 'ReportJob';
  static {
    this.queueAs('demo_reports');
  }
  async perform(options: { month: string }): Promise<void> {
    const late = this.scheduledAt ? Date.now() - this.scheduledAt.getTime() : 0;
    say(`ReportJob: report for ${options.month}, ran ${late} ms after its scheduled time`);
  }
}

export class CardDeclined extends Error {
  override name = 'CardDeclined';
}

let declinedOnce = false;
export class ChargeCardJob extends Job {
  static override jobName = 'ChargeCardJob';
  static {
    this.queueAs('demo_payments');
    this.queueWithPriority(0);
    this.retryOn(CardDeclined, { wait: 500, attempts: 3, jitter: 0 });
  }
  async perform(user: User, cents: bigint): Promise<void> {
    if (!declinedOnce) {
      declinedOnce = true;
      process.stdout.write(`  ChargeCardJob: attempt ${this.executions} for ${user.email} declined; retrying in 500 ms\n`);
      throw new CardDeclined('card declined');
    }
    say(`ChargeCardJob: charged ${cents} cents to ${user.email} on attempt ${this.executions}`);
  }
}

export const registry = new JobRegistry().register(WelcomeEmailJob, ReportJob, ChargeCardJob);
export const demoQueues = ['demo_mailers', 'demo_reports', 'demo_payments'];
export { withSymbolKeys };

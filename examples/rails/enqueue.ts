// warren -> Rails, the warren side: enqueues a ReportJob with the arguments Rails' ReportJob
// takes, under locale "es" and time zone America/Los_Angeles, and prints its job id. Then
// examples/rails/perform.rb runs it with Active Job.
//
//   npx tsx examples/rails/enqueue.ts [--queue rails-reports]   (AMQP_URL)
//   ruby examples/rails/perform.rb --queue rails-reports --count 1
import { parseArgs } from 'node:util';
import {
  AmqpAdapter,
  CalendarDate,
  configure,
  Duration,
  RubyDateTime,
  RubySymbol,
  ZonedTime,
  asKeywordArguments,
  withLocale,
  withSymbolKeys,
  withTimezone,
} from '../../src/index.js';
import { ReportJob, ShopUser } from './report-job.js';

const { values } = parseArgs({ options: { queue: { type: 'string', default: 'rails-reports' } } });
const adapter = new AmqpAdapter({ url: process.env.AMQP_URL });
configure({ adapter });
try {
  const job = await withLocale('es', () =>
    withTimezone('America/Los_Angeles', () =>
      ReportJob.set({ queue: values.queue! }).performLater(
        new ShopUser(42), // gid://shop/User/42
        withSymbolKeys({ period: new RubySymbol('weekly'), filters: withSymbolKeys({ region: 'EU', tags: ['vip', 1.5] }, ['region']) }, ['period']),
        new RubySymbol('weekly'),
        new CalendarDate(2024, 5, 31),
        new Date('2024-05-01T12:30:45.123Z'),
        new RubyDateTime('2024-05-01T14:30:00.000000000+02:00'),
        Duration.minutes(90),
        '1234.56', // a BigDecimal travels as a bare string to Rails 6.1 (Decimal for 7.1)
        new ZonedTime('2024-05-01T05:00:00.000000000-07:00', 'America/Los_Angeles'),
        2n ** 70n,
        asKeywordArguments({ notify: true }),
      ),
    ),
  );
  process.stdout.write(`${job.jobId}\n`);
} finally {
  await adapter.close();
}

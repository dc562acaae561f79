// The warren side of the polyglot examples: performs the `send_invoice` handler job that
// examples/python, examples/go and examples/ruby publish. Start it first: it declares the
// queue (bound to the `warren` exchange by its name) that the producers publish to.
//
//   npx tsx examples/python/worker.ts          (AMQP_URL, default the local broker; Ctrl-C stops)
import { currentLocale, HandlerWorker, registerLocator } from '../../src/index.js';

// GlobalID references (`gid://billing/Invoice/1042`) are located through a registered locator.
registerLocator('Invoice', { find: (id) => ({ id, number: `INV-${id}` }) });

const worker = new HandlerWorker({ url: process.env.AMQP_URL });
worker.register(
  'send_invoice',
  ({ invoice, customer, due_on, issued_at, amount_cents, ledger_entry, total }, { jobId }) => {
    // Values arrive typed: a located record, CalendarDate, Date, bigint, Decimal...
    console.log(`[${currentLocale()}] job ${jobId}`, { invoice, customer, due_on, issued_at, amount_cents, ledger_entry, total });
  },
  { queue: process.env.WARREN_QUEUE ?? 'invoices' },
);
await worker.start();
console.log(`waiting for send_invoice jobs on ${worker.amqpWorker?.queues.join(', ')}`);

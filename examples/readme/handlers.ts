// The named-handler example of docs/handlers.md (Buffalo's worker interface), run against the broker
// (the README test runs it in a virtual host of its own).
import { HandlerWorker } from 'warren';

class SmtpError extends Error {}
const mailer = { send: async (_userId: unknown) => {} };

// README:begin
const worker = new HandlerWorker({ url: process.env.AMQP_URL });
worker.register('send_email', async ({ user_id }, ctx) => mailer.send(user_id), {
  queue: 'mailers',
  retry: { on: SmtpError, attempts: 5, wait: 'polynomiallyLonger' },
});
await worker.start();                                             // consumes the handlers' queues
await worker.perform({ handler: 'send_email', args: { user_id: 123 } });
await worker.performIn({ handler: 'send_email', args: { user_id: 123 } }, 5_000);
await worker.performAt({ handler: 'send_email', args: { user_id: 123 } }, new Date('2026-12-24T09:00:00Z'));
await worker.stop();
// README:end

console.log('handlers ok');

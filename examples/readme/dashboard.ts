// The dashboard example of README.md ("Dashboard"): the dashboard mounted in an application's
// own server under /warren, behind a token. Run by test/integration/web-dashboard.test.ts
// (PORT=0 there), which checks what it prints.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDashboard } from 'warren/rabbitmq';

const url = process.env.AMQP_URL;
process.env.WARREN_WEB_TOKEN ??= 'an-example-token-0123456789abcdef';

// README:begin
const dashboard = createDashboard({
  url,                                              // or AMQP_URL; its password is never shown
  basePath: '/warren',                              // every link it makes starts with it
  auth: { token: process.env.WARREN_WEB_TOKEN! },   // or { username, password }; or none, behind your own auth
  redact: (args) => args.map((arg) => (typeof arg === 'string' && /^\d{13,19}$/.test(arg) ? '[card]' : arg)),
});
const server = createServer((req, res) => {
  if (req.url?.startsWith('/warren')) return dashboard.handler(req, res);
  res.end('the application');
});
server.listen(Number(process.env.PORT ?? 3000));
// README:end

await new Promise((resolve) => server.once('listening', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const page = await fetch(`${origin}/warren/queues`, { headers: { authorization: `Bearer ${process.env.WARREN_WEB_TOKEN}` } });
const refused = await fetch(`${origin}/warren/queues`);
const app = await (await fetch(`${origin}/`)).text();
server.close();
await dashboard.close();
if (page.status !== 200 || !(await page.text()).includes('<h1>Queues</h1>')) throw new Error(`the dashboard answered ${page.status}`);
if (refused.status !== 401) throw new Error(`without the token the dashboard answered ${refused.status}`);
if (app !== 'the application') throw new Error('the application did not answer');
console.log('dashboard ok');

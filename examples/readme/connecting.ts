// The connection example of docs/rabbitmq.md. It compiles in the README test; it is not run, as it needs
// a TLS broker and certificate files.
import fs from 'node:fs';
import { AmqpAdapter } from 'warren';

const cert = fs.readFileSync('client.pem');
const key = fs.readFileSync('client.key');

// README:begin
new AmqpAdapter({
  url: 'amqps://app:secret@rabbit.internal:5671/prod',   // default: AMQP_URL, then DEFAULTS.amqp.url
  tls: { ca: fs.readFileSync('ca.pem'), cert, key, servername: 'rabbit.internal' },
  heartbeatSeconds: 10,
});
// README:end

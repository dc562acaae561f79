// The dead-letter example of docs/dead-letters.md, run against the broker (in a virtual host of its own in the README test).
import { DeadLetterQueue } from 'warren';

const url = process.env.AMQP_URL;

// README:begin
const dead = await DeadLetterQueue.open({ url });     // its own connection; dead.close() when done
await dead.list({ queue: 'mailers', limit: 20 });     // also .count(), .retry(jobId), .retryAll(), .purge()
// README:end

await dead.close();
console.log('dead letters ok');

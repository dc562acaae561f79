// The signing example of docs/reliability.md: building a signing producer and workers (nothing connects until used).
import { AmqpAdapter, JobRegistry, Worker } from 'warren';

const registry = new JobRegistry();

// README:begin
const signing = { keys: { k1: process.env.WARREN_SIGNING_KEY! } };   // rotate with several keys + signWith
new AmqpAdapter({ signing });
new Worker({ registry, signing });                                  // require: false while migrating producers
new Worker({ registry, signing: { ...signing, checkQueue: true } }); // a signed job copied into another queue does not run there
// README:end

console.log('signing ok');

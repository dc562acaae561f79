// The buffered logging example of docs/logging.md.
// README:begin
import { destination, pino } from 'pino';
import { configure } from 'warren';

const logDestination = destination({ dest: 1, sync: false, minLength: 4096 });
configure({ logger: pino({ name: 'warren', level: 'info' }, logDestination) });
setInterval(() => logDestination.flush(), 1_000).unref(); // a quiet worker's lines still appear
// README:end

logDestination.flushSync();
console.log('logging ok');

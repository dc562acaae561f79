// The line-by-line logging example of docs/logging.md.
// README:begin
import { destination, pino } from 'pino';
import { configure } from 'warren';

// One write system call per line, as warren 0.1 logged: no line waits.
configure({ logger: pino({ name: 'warren', level: 'info' }, destination({ dest: 1, sync: true })) });
// README:end

console.log('logging ok');

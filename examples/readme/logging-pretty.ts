// The readable-or-JSON logging example of docs/logging.md.
// README:begin
import { pino } from 'pino';
import { configure, defaultLogFormat, logDestination } from 'warren';

configure({ logger: pino({ name: 'warren' }, logDestination(defaultLogFormat(process.stdout), 1)) });
// README:end

settings().logger.info('logging ok');
import { settings } from 'warren';

import type { Command } from 'commander';
import { DelayLadder } from '../amqp/delay/ladder.js';
import { DEFAULTS } from '../config/defaults.js';

/** Flags of the commands that declare or read the delay ladder and the dead-letter queue. */
export interface DelayFlags {
  delayPrefix?: string;
  deadLetterQueue?: string;
}

export function addDelayFlags(command: Command): Command {
  return command
    .option('--delay-prefix <prefix>', `prefix of the delay ladder exchanges and queues (default: ${DEFAULTS.delay.prefix})`)
    .option('--dead-letter-queue <name>', `the dead-letter queue (default: ${DEFAULTS.amqp.deadLetterQueue})`);
}

/** The delay ladder the flags describe (producers and workers must use the same). */
export function delayLadder(flags: DelayFlags): DelayLadder {
  return new DelayLadder({
    ...(flags.delayPrefix ? { prefix: flags.delayPrefix } : {}),
    ...(flags.deadLetterQueue ? { deadLetterQueue: flags.deadLetterQueue } : {}),
  });
}

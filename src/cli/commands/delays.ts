import { Command } from 'commander';
import type { Logger } from 'pino';
import { AmqpAdapter } from '../../adapters/amqp/amqp-adapter.js';
import { inspectLegacyLadder, migrateLegacyLadder, type LegacyLadderQueue } from '../../amqp/delay/legacy-ladder.js';
import { DEFAULTS } from '../../config/defaults.js';
import { openBroker, type OpenBroker } from '../../amqp/topology/broker.js';
import { addConnectionFlags, brokerTarget, connectionOptions, type ConnectionFlags } from '../connection-flags.js';
import { addDelayFlags, delayLadder, type DelayFlags } from '../delay-flags.js';
import { EXIT } from '../exit-codes.js';

interface DelaysFlags extends ConnectionFlags, DelayFlags {
  delete?: boolean;
}

async function withBroker<T>(flags: DelaysFlags, work: (broker: OpenBroker) => Promise<T>): Promise<T> {
  const { url, socketOptions } = brokerTarget(flags);
  const broker = await openBroker(url, { socketOptions });
  try {
    return await work(broker);
  } finally {
    await broker.close();
  }
}

/** What `warren topology verify` and `warren delays status` say about warren 0.1's classic ladder. */
export function describeLegacyLadder(prefix: string, queues: readonly LegacyLadderQueue[]): string {
  if (queues.length === 0) return `no classic delay ladder of warren 0.1 under "${prefix}"`;
  const waiting = queues.reduce((sum, queue) => sum + queue.messages, 0);
  const busy = queues.filter((queue) => queue.messages > 0).map((queue) => `${queue.name}: ${queue.messages}`);
  return [
    `warren 0.1's classic delay ladder is still on the broker under "${prefix}" (${queues.length} level queues, ${waiting} delayed job(s) waiting${busy.length ? `: ${busy.join(', ')}` : ''}).`,
    `  warren now delays jobs through the quorum ladder ("${prefix}.quorum.*"), which survives broker restarts; it never publishes to the old one.`,
    `  Jobs waiting there still reach their queues when due (through "${prefix}.deliver"), but a broker restart can drop one mid-hop.`,
    waiting > 0
      ? '  Run `warren delays migrate` to move them into the quorum ladder now (due times and message ids kept), then `warren delays migrate --delete` to remove the old ladder.'
      : '  It is empty: `warren delays migrate --delete` removes it.',
  ].join('\n');
}

/** `warren delays status|migrate`: the delay ladder, and the move from warren 0.1's classic ladder. */
export function delaysCommand(logger: Logger, setExit: (code: number) => void): Command {
  const status = addDelayFlags(addConnectionFlags(new Command('status')))
    .description("say whether warren 0.1's classic delay ladder is still on the broker, and what it holds")
    .action(async (flags: DelaysFlags) => {
      const prefix = flags.delayPrefix ?? DEFAULTS.delay.prefix;
      const queues = await withBroker(flags, (broker) => inspectLegacyLadder(broker.connection, prefix));
      process.stdout.write(`${describeLegacyLadder(prefix, queues)}\n`);
      setExit(EXIT.ok);
    });
  const migrate = addDelayFlags(addConnectionFlags(new Command('migrate')))
    .description("move the jobs waiting in warren 0.1's classic delay ladder into the quorum ladder (each confirmed before its original is removed)")
    .option('--delete', 'afterwards, delete the old level queues that are empty, and the old exchanges once all are gone')
    .action(async (flags: DelaysFlags) => {
      const prefix = flags.delayPrefix ?? DEFAULTS.delay.prefix;
      const adapter = new AmqpAdapter({ ...connectionOptions(flags), delays: delayLadder(flags), logger });
      try {
        const report = await withBroker(flags, (broker) =>
          migrateLegacyLadder(broker.connection, prefix, (queue, content, properties, dueAt) => adapter.publishIntoQueueAt(queue, content, properties, dueAt), {
            deleteEmpty: flags.delete === true,
          }),
        );
        process.stdout.write(`${report.moved} delayed job(s) moved into the quorum ladder`);
        if (report.left > 0) process.stdout.write(`, ${report.left} left in place (they name no queue; they drain to the dead-letter queue)`);
        process.stdout.write('\n');
        for (const name of report.deleted) process.stdout.write(`deleted ${name}\n`);
        setExit(report.left > 0 ? EXIT.failure : EXIT.ok);
      } finally {
        await adapter.close();
      }
    });
  return new Command('delays').description("the delay ladder: status, and migrating from warren 0.1's classic ladder").addCommand(status).addCommand(migrate);
}

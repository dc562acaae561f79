import { Command } from 'commander';
import type { Logger } from 'pino';
import { inspectLegacyLadder } from '../../amqp/delay/legacy-ladder.js';
import { DEFAULTS } from '../../config/defaults.js';
import { openBroker } from '../../amqp/topology/broker.js';
import { defaultTopology, loadTopology, planTopology, type Topology } from '../../topology/index.js';
import { applyTopology, verifyTopology } from '../../amqp/topology/index.js';
import { addConnectionFlags, brokerTarget, type ConnectionFlags } from '../connection-flags.js';
import { addDelayFlags, delayLadder, type DelayFlags } from '../delay-flags.js';
import { EXIT } from '../exit-codes.js';
import { describeLegacyLadder } from './delays.js';
import { collect } from '../parsers.js';

interface TopologyFlags extends ConnectionFlags, DelayFlags {
  topology?: string[];
  verbose?: boolean;
}

/** The files (or the default topology) plus the delay ladder and dead-letter queue every producer and worker declares. */
async function topologyFrom(flags: TopologyFlags): Promise<Topology> {
  const topology = flags.topology?.length ? await loadTopology(flags.topology) : defaultTopology();
  return delayLadder(flags).extendTopology(topology);
}

function subcommand(name: string, description: string, run: (flags: TopologyFlags) => Promise<number>, setExit: (code: number) => void): Command {
  const command = new Command(name)
    .description(description)
    .option('--topology <file>', 'topology file (YAML or JSON); repeatable (default: the default topology)', collect)
    .option('--verbose', "list every declaration, warren's own delay ladder and what already matches included");
  addConnectionFlags(command);
  addDelayFlags(command);
  return command.action(async (flags: TopologyFlags) => setExit(await run(flags)));
}

export function topologyCommand(_logger: Logger, setExit: (code: number) => void): Command {
  return new Command('topology')
    .description('plan, apply or verify the exchanges, queues and bindings of topology files')
    .addCommand(
      subcommand(
        'plan',
        'print what would be declared (validates the files; no broker needed)',
        async (flags) => {
          process.stdout.write(`${planTopology(await topologyFrom(flags)).format({ verbose: flags.verbose === true })}\n`);
          return EXIT.ok;
        },
        setExit,
      ),
    )
    .addCommand(
      subcommand(
        'apply',
        'declare what is missing (idempotent); report what exists with other arguments instead of failing',
        async (flags) => {
          const topology = await topologyFrom(flags);
          const { url, socketOptions } = brokerTarget(flags);
          const report = await applyTopology(url, topology, { socketOptions });
          process.stdout.write(`${report.format({ verbose: flags.verbose === true })}\n`);
          if (report.entries.some((entry) => entry.action === 'failed')) return EXIT.failure;
          return report.ok ? EXIT.ok : EXIT.drift;
        },
        setExit,
      ),
    )
    .addCommand(
      subcommand(
        'verify',
        'compare the broker with the files; exit 3 and explain how to migrate when they differ',
        async (flags) => {
          const topology = await topologyFrom(flags);
          const { url, socketOptions } = brokerTarget(flags);
          const report = await verifyTopology(url, topology, { socketOptions });
          process.stdout.write(`${report.format({ verbose: flags.verbose === true })}\n`);
          // warren 0.1's classic ladder is not drift (nothing of it is declared any more), but an operator must hear of it.
          const prefix = flags.delayPrefix ?? DEFAULTS.delay.prefix;
          const broker = await openBroker(url, { socketOptions });
          try {
            const legacy = await inspectLegacyLadder(broker.connection, prefix);
            if (legacy.length > 0) process.stdout.write(`${describeLegacyLadder(prefix, legacy)}\n`);
          } finally {
            await broker.close();
          }
          return report.ok ? EXIT.ok : EXIT.drift;
        },
        setExit,
      ),
    );
}

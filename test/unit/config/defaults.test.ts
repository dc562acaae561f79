import type { Command } from 'commander';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, redactUrl } from '../../../src/index.js';
import { deadCommand } from '../../../src/cli/commands/dead.js';
import { enqueueCommand } from '../../../src/cli/commands/enqueue.js';
import { workerCommand } from '../../../src/cli/commands/worker.js';

const logger = pino({ level: 'silent' });
const noExit = (): void => {};

/** Every option's description and default, as `--help` prints them (without line wrapping), subcommands included. */
function helpText(command: Command): string {
  return [
    ...command.options.map((option) => `${option.flags} ${option.description} ${String(option.defaultValue ?? '')}`),
    ...command.commands.map(helpText),
  ].join('\n');
}

describe('defaults live in DEFAULTS only', () => {
  it('the delay defaults are DEFAULTS.delay, frozen', () => {
    expect(DEFAULTS.delay.prefix).toBe('warren.delay');
    expect(Object.isFrozen(DEFAULTS.delay)).toBe(true);
  });

  it('the CLI help states the DEFAULTS values and the default URL redacted, never its password', () => {
    const worker = helpText(workerCommand(logger, noExit));
    const enqueue = helpText(enqueueCommand(logger, noExit));
    const dead = helpText(deadCommand(logger, noExit));
    expect(worker).toContain(`(default: ${DEFAULTS.amqp.concurrency})`);
    expect(worker).toContain(`(default: ${DEFAULTS.amqp.shutdownTimeoutMs})`);
    expect(worker).toContain(`(default: ${DEFAULTS.delay.prefix})`);
    expect(enqueue).toContain(`(default: ${DEFAULTS.amqp.publishTimeoutMs})`);
    expect(enqueue).toMatch(new RegExp(`--encoding .* ${DEFAULTS.encoding}$`, 'm'));
    expect(dead).toContain(`(default: ${DEFAULTS.amqp.deadLetterQueue})`);
    for (const text of [worker, enqueue, dead]) {
      expect(text).toContain(redactUrl(DEFAULTS.amqp.url));
      expect(text).not.toContain('guest:guest');
    }
  });
});

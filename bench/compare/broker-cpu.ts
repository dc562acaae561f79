// The CPU time of the broker's Erlang VM, for the scale table's "broker CPU per job": where the
// broker, not the client, becomes the bound. Read from /proc/<pid>/stat of the node that
// `rabbitmqctl` reaches (the default node on this machine: the one AMQP_URL points at here).
// Linux only; anywhere else, or without rabbitmqctl, the figure is left out.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

let brokerPid: Promise<number | undefined> | undefined;

async function findBrokerPid(): Promise<number | undefined> {
  try {
    const { stdout } = await run('rabbitmqctl', ['eval', 'os:getpid().'], { timeout: 30_000 });
    const pid = Number(/"(\d+)"/.exec(stdout)?.[1]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** User + system CPU of the broker process so far, in µs; undefined when it cannot be read. */
export async function brokerCpuUs(): Promise<number | undefined> {
  brokerPid ??= findBrokerPid();
  const pid = await brokerPid;
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, inside parentheses): utime is the 14th field, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks / TICKS_PER_SECOND) * 1e6 : undefined;
  } catch {
    return undefined;
  }
}

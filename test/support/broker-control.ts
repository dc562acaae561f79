import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * `rabbitmqctl close_all_connections`: the broker closes every client connection, as it
 * does on a node failover. WARREN_TEST_CLOSE_SCOPE=own closes only this process's
 * connections (theirs are named `warren <role> <host>:<pid>`), for running the test
 * while other suites use the broker.
 */
export async function forceCloseConnections(reason = 'warren serial test'): Promise<void> {
  if (process.env.WARREN_TEST_CLOSE_SCOPE !== 'own') {
    await run('rabbitmqctl', ['close_all_connections', reason]);
    return;
  }
  const { stdout: listing } = await run('rabbitmqctl', ['list_connections', '-q', '--no-table-headers', 'pid', 'client_properties']);
  const own = listing
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([pid, properties = '']) => pid && properties.includes(`:${process.pid}"`));
  await Promise.all(own.map(([pid]) => run('rabbitmqctl', ['close_connection', pid!, reason])));
}

import net from 'node:net';

const DEFAULT_URL = 'amqp://guest:guest@127.0.0.1:5672';

export interface ResolvedBroker {
  url: string;
  stop: () => Promise<void>;
}

function reachable(url: string, timeoutMs = 3000): Promise<boolean> {
  const parsed = new URL(url);
  const port = Number(parsed.port || (parsed.protocol === 'amqps:' ? 5671 : 5672));
  return new Promise((resolve) => {
    const socket = net.connect({ host: parsed.hostname, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export async function resolveBroker(): Promise<ResolvedBroker> {
  const url = process.env.AMQP_URL ?? DEFAULT_URL;
  if (await reachable(url)) return { url, stop: async () => {} };

  if (await dockerAvailable()) {
    const { RabbitMQContainer } = await import('@testcontainers/rabbitmq');
    const container = await new RabbitMQContainer('rabbitmq:3.13-management').start();
    return { url: container.getAmqpUrl(), stop: async () => void (await container.stop()) };
  }

  const where = new URL(url);
  throw new Error(
    [
      `No RabbitMQ broker answers at ${where.hostname}:${where.port || 5672} and no Docker engine is available for testcontainers.`,
      "warren's broker tests need a real RabbitMQ. Do one of:",
      '  - start a local broker: `rabbitmq-server -detached` (Debian: apt-get install rabbitmq-server)',
      '  - run one in Docker: `docker compose up -d rabbitmq` (docker-compose.yml at the repository root)',
      '  - point the tests at a broker: AMQP_URL=amqp://user:pass@host:5672 npm test',
    ].join('\n'),
  );
}

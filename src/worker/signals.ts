import type { Logger } from 'pino';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * First SIGTERM/SIGINT: graceful stop. A second one while stopping: abort in-flight
 * jobs now (their deliveries are redelivered). Returns a function that removes the handlers.
 */
export function handleShutdownSignals(stop: () => Promise<void>, abortNow: () => void, logger: Logger): () => void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    received += 1;
    if (received === 1) {
      logger.info({ signal }, 'stopping: no new jobs; in-flight jobs may finish');
      stop().catch((error: unknown) => logger.error({ err: error }, 'error while stopping'));
    } else {
      logger.warn({ signal }, 'second signal: aborting in-flight jobs now (they will be redelivered)');
      abortNow();
    }
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return () => {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  };
}

import { defineConfig } from 'vitest/config';

/**
 * Two phases (scripts/test.mjs runs them in order):
 * - "parallel": unit, conformance, integration and interop tests; every broker test
 *   uses its own uniquely named queues and exchanges.
 * - "serial" (test/serial/): tests that restart, block or reconfigure the broker.
 *   They run one file at a time, alone, and leave the broker as they found it.
 */
const phase = process.env.WARREN_TEST_PHASE ?? 'parallel';

export default defineConfig({
  test: {
    include: phase === 'serial' ? ['test/serial/**/*.test.ts'] : ['test/**/*.test.ts'],
    exclude: phase === 'serial' ? [] : ['test/serial/**', 'node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: phase !== 'serial',
    // Three files at once even on two cores: most broker tests wait on the broker and on worker
    // processes, and three cut the parallel phase from about 6.4 to 5 minutes here (all passing).
    maxWorkers: phase === 'serial' ? 1 : 3,
    minWorkers: 1,
    env: { WARREN_LOG_LEVEL: process.env.WARREN_LOG_LEVEL ?? 'silent' },
  },
});

import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * One runner for every kind of test. Projects keep fast unit tests apart from the integration
 * tests that load real models and the end-to-end tests that build the site and drive Chromium.
 *
 * Order: the unit and integration files run first (sequence.groupOrder 1), two at a time even on
 * two cores (most keep one core busy: one-thread onnxruntime-node sessions, a spawned build or
 * script, module loading; measured on the 2-core machine: 153 s instead of about 320 s one at a
 * time), while the e2e global setup builds the site in the background. Then the e2e files
 * (groupOrder 2), one at a time, each waiting for that build (tests/helpers/built-site.ts).
 */
const NODE_WORKERS = Math.max(2, availableParallelism() - 1);

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          maxWorkers: NODE_WORKERS,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          maxWorkers: NODE_WORKERS,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          // Starts the site build in the background and serves it; the setup file waits for it.
          globalSetup: ['tests/e2e/global-setup.ts'],
          setupFiles: ['tests/helpers/built-site.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          // expect.poll waits for a page to settle (a re-cut, a saved head, an error message): quick
          // on an idle machine, but the 1 s default failed under load, so every poll gets 30 s.
          expect: { poll: { timeout: 30_000, interval: 100 } },
          // One browser-heavy file at a time: the machine has two cores.
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});

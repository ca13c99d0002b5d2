import { defineConfig } from 'vitest/config';

/**
 * One runner for every kind of test. Projects keep fast unit tests apart from the integration
 * tests that load real models and the end-to-end tests that build the site and drive Chromium.
 */
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          // One browser-heavy file at a time: the machine has two cores.
          fileParallelism: false,
        },
      },
    ],
  },
});

import { defineConfig } from 'vitest/config';

/**
 * One runner for every kind of test. Projects keep fast unit tests apart from the integration
 * tests that load real models and the end-to-end tests that build the site and drive Chromium.
 *
 * Order: the unit and integration files run first (sequence.groupOrder 1), while the e2e global
 * setup builds the site in the background; then the e2e files (groupOrder 2), one at a time, each
 * waiting for that build (tests/helpers/built-site.ts). The default groupOrder 0 is not used: with
 * one worker (the default on two cores) Vitest would queue those files after every ordered group.
 */
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node', sequence: { groupOrder: 1 } } },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
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
          // One browser-heavy file at a time: the machine has two cores.
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});

import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      // unit tests are pure, but a loaded 2-core machine can stretch the corpus tests past the 5 s default
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 60_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // the CLI under test is dist/: rebuilt here when a source is newer than the build
          globalSetup: ['test/e2e/build.setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
})

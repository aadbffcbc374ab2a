// Kept under test/ so the top level stays as the project layout asks.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**'],
    // Integration tests bring up real namespaces and sshd; generous but bounded.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // 2 cores: two files at a time; fleets use distinct prefixes and subnets so they can overlap.
    maxWorkers: 2,
    reporters: ['default'],
  },
});

import {defineConfig} from 'vitest/config';

export default defineConfig({
    test: {
        include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx', 'packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
        globalSetup: ['test/setup/build-go-helpers.ts'],
        testTimeout: 20_000,
        hookTimeout: 120_000,
    },
});

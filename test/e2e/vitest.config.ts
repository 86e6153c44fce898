// The browser test on its own: npx vitest run --config test/e2e/vitest.config.ts
import {defineConfig} from 'vitest/config';

export default defineConfig({
    root: new URL('../..', import.meta.url).pathname,
    test: {
        include: ['test/e2e/**/*.e2e.test.ts'],
        testTimeout: 60_000,
        hookTimeout: 120_000,
    },
});

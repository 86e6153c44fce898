// The browser test on its own: npx vitest run --config test/e2e/vitest.config.ts
import {defineConfig} from 'vitest/config';

export default defineConfig({
    root: new URL('../..', import.meta.url).pathname,
    test: {
        include: ['test/e2e/**/*.e2e.test.ts'],
        testTimeout: 60_000,
        hookTimeout: 120_000,
        // real-webapp.e2e.test.ts runs a real Mattermost server beside Chromium: on two cores the files take
        // turns (each file sets the longer timeouts its own hooks need).
        fileParallelism: false,
    },
});

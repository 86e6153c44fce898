// The real-server suite on its own: npx vitest run --config test/server/vitest.config.ts
// Each file starts real Mattermost servers (PostgreSQL, the fixture of shared/mattermost); on two cores they
// run one file at a time.
import {defineConfig} from 'vitest/config';

export default defineConfig({
    root: new URL('../..', import.meta.url).pathname,
    test: {
        include: ['test/server/**/*.server.test.ts'],
        fileParallelism: false,
        testTimeout: 60_000,
        hookTimeout: 240_000,
        teardownTimeout: 60_000,
    },
});

// npm run bench:server — posts/s, POST latency and post-to-DM delay on a real Mattermost server with the
// plugin disabled and enabled (test/server/bench; `npm run bench:server -- --help`). Needs dist/'s
// linux-amd64 bundle (npm run dist -- --platforms linux-amd64), PostgreSQL and ../shared/mattermost.
// Last line: {"bench":"server","ratio_nomatch":…,"ratio_match":…,"alert_p50_ms":…,"alert_p99_ms":…,"missing":…}
import {importTypeScript} from './run-ts.mjs';

const {main} = await importTypeScript('test/server/bench/cli.ts');
process.exitCode = await main({
    argv: process.argv.slice(2),
    stdout: (line) => console.log(line),
    stderr: (line) => console.error(line),
});

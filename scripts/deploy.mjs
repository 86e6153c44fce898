// npm run deploy — uploads the plugin bundle to a running Mattermost server and enables it
// (tools/deploy/cli.ts; `npm run deploy -- --help`). The TypeScript is bundled in memory and run from there
// (scripts/run-ts.mjs), so Node.js 20 runs it without a compile step.
import {importTypeScript, root} from './run-ts.mjs';

const {main} = await importTypeScript('tools/deploy/cli.ts');

process.exitCode = await main({
    argv: process.argv.slice(2),
    env: process.env,
    root,
    stdout: (line) => console.log(line),
    stderr: (line) => console.error(line),
});

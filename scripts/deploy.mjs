// npm run deploy — uploads the plugin bundle to a running Mattermost server and enables it
// (tools/deploy/cli.ts; `npm run deploy -- --help`). The TypeScript is bundled in memory with esbuild and
// run from there, so Node.js 20 runs it without a compile step.
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {build} from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const {outputFiles} = await build({
    entryPoints: [path.join(root, 'tools/deploy/cli.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'error',
});
const source = outputFiles[0].text;
const {main} = await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);

process.exitCode = await main({
    argv: process.argv.slice(2),
    env: process.env,
    root,
    stdout: (line) => console.log(line),
    stderr: (line) => console.error(line),
});

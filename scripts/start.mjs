// npm start — the plugin in a real Mattermost server on this machine (tools/start/start.ts;
// `npm start -- --help`). Runs until Ctrl-C, then stops everything it started.
import {importTypeScript, root} from './run-ts.mjs';

const {main} = await importTypeScript('tools/start/start.ts');
const code = await main({
    argv: process.argv.slice(2),
    env: process.env,
    root,
    stdout: (line) => console.log(line),
    stderr: (line) => console.error(line),
});
// Exit now: nothing this command started is left, and a timer of the wait for Ctrl-C must not keep it up.
process.exit(code);

// npm run bench:rpc — builds the TypeScript test plugin, then lets Mattermost's host code drive it and
// the Go reference plugin in one run (test/conformance/benchrpc). Prints a table and a final JSON line.
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const step = (cmd, args, cwd) => {
    const res = spawnSync(cmd, args, {cwd, stdio: 'inherit'});
    if (res.status !== 0) {
        process.exit(res.status ?? 1);
    }
};
step('node', ['scripts/build.mjs', '--test-plugin'], root);
step('go', ['test', './benchrpc', '-run', '^$', '-bench', 'RPC', '-benchtime', '1x', '-count', '1'], path.join(root, 'test/conformance'));

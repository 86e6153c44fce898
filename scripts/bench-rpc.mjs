// npm run bench:rpc — builds the TypeScript test plugin, then lets Mattermost's host code drive it and
// the Go reference plugin in one run (test/conformance/benchrpc). Prints a table and a final JSON line.
//
//   node scripts/bench-rpc.mjs                    the test plugin runs on the Node.js on the PATH (as the
//                                                 portable bundle does on a server)
//   node scripts/bench-rpc.mjs --embedded-node    on the Node.js the standalone bundles embed (see
//                                                 sea/runtimes.mjs), for this machine's platform
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {extractRuntime, hostPlatform, NODE_VERSION} from './sea/runtimes.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const embedded = process.argv.includes('--embedded-node');
const step = (cmd, args, cwd, env = process.env) => {
    const res = spawnSync(cmd, args, {cwd, stdio: 'inherit', env});
    if (res.status !== 0) {
        process.exit(res.status ?? 1);
    }
};
step('node', ['scripts/build.mjs', '--test-plugin'], root);
let env = process.env;
let binDir;
if (embedded) {
    // The test plugin's launcher runs the first `node` on its PATH, which go-plugin passes on from here.
    binDir = mkdtempSync(path.join(os.tmpdir(), 'bench-rpc-node-'));
    await extractRuntime(hostPlatform(), path.join(root, '.cache', 'node-runtimes'), path.join(binDir, 'node'));
    env = {...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`};
    console.log(`test plugin on Node.js ${NODE_VERSION} (the standalone bundles' runtime)`);
}
try {
    step('go', ['test', './benchrpc', '-run', '^$', '-bench', 'RPC', '-benchtime', '1x', '-count', '1'], path.join(root, 'test/conformance'), env);
} finally {
    if (binDir) {
        rmSync(binDir, {recursive: true, force: true});
    }
}

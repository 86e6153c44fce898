// npm run bench:rpc — builds the TypeScript test plugin, then lets Mattermost's host code drive it and
// the Go reference plugin in one run (test/conformance/benchrpc). Prints a table and a final JSON line.
//
//   node scripts/bench-rpc.mjs                    the test plugin runs on the Node.js on the PATH (as the
//                                                 portable bundle does on a server)
//   node scripts/bench-rpc.mjs --embedded-node    on the Node.js the standalone bundles embed (see
//                                                 mattermost-plugin-node's tools/runtimes.mjs), for
//                                                 this machine's platform
//   node scripts/bench-rpc.mjs --busy-cpus        with one lowest-priority busy loop per CPU beside it: no
//                                                 CPU ever idles, so no round trip pays for waking an idle
//                                                 (virtual) CPU. Separates that cost from the plugins' own
//                                                 work; the figures to compare against targets are those
//                                                 without it. Combines with --embedded-node.
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {cacheDir, runtimesCache} from '../packages/mattermost-plugin-node/tools/cache.mjs';
import {extractRuntime, hostPlatform, NODE_VERSION} from '../packages/mattermost-plugin-node/tools/runtimes.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const embedded = process.argv.includes('--embedded-node');
const busyCpus = process.argv.includes('--busy-cpus');
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
    await extractRuntime(hostPlatform(), runtimesCache(cacheDir()), path.join(binDir, 'node'));
    env = {...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`};
    console.log(`test plugin on Node.js ${NODE_VERSION} (the standalone bundles' runtime)`);
}
const spinners = [];
// step() exits the process on a failure, past any finally block
process.on('exit', () => spinners.forEach((child) => child.kill('SIGKILL')));
if (busyCpus) {
    for (let i = 0; i < os.availableParallelism(); i++) {
        const child = spawn(process.execPath, ['-e', 'for (;;) {}'], {stdio: 'ignore'});
        os.setPriority(child.pid, 19);
        spinners.push(child);
    }
    console.log(`${spinners.length} busy loops at priority 19 beside the benchmark`);
}
try {
    step('go', ['test', './benchrpc', '-run', '^$', '-bench', 'RPC', '-benchtime', '1x', '-count', '1'], path.join(root, 'test/conformance'), env);
} finally {
    for (const child of spinners) {
        child.kill('SIGKILL');
    }
    if (binDir) {
        rmSync(binDir, {recursive: true, force: true});
    }
}

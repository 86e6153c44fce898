// Runs the Go conformance suite (Mattermost's real plugin host code) twice: against the Go reference
// plugin, which proves the tests, and against our TypeScript test plugin, which they exist for.
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cwd = path.join(root, 'test/conformance');
const only = process.argv[2]; // "go" or "ts" to run one side

// The first pass runs every package (the product's tests in ./alerts use the real build either way);
// the second re-runs the protocol suite with the TypeScript plugin under test.
const runs = [
    {name: 'Go reference plugin, and the product (./alerts)', key: 'go', pkgs: ['./...'], env: {}},
    {name: 'TypeScript plugin', key: 'ts', pkgs: ['.'], env: {CONFORMANCE_PLUGIN_DIR: path.join(cwd, 'build/tsplugin')}},
];

let failed = false;
for (const run of runs) {
    if (only && only !== run.key) {
        continue;
    }
    console.log(`\n== conformance: ${run.name}`);
    const res = spawnSync('go', ['test', '-count=1', '-timeout=15m', ...run.pkgs], {
        cwd,
        stdio: 'inherit',
        env: {...process.env, ...run.env},
    });
    if (res.status !== 0) {
        failed = true;
        console.log(`== conformance FAILED: ${run.name}`);
    }
}
process.exit(failed ? 1 : 0);

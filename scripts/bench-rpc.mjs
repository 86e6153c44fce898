// npm run bench:rpc — builds the TypeScript test plugin, then lets Mattermost's host code drive it and
// the Go reference plugin in one run (test/conformance/benchrpc). Prints a table and a final JSON line.
//
//   node scripts/bench-rpc.mjs                    the test plugin runs on the Node.js on the PATH (as the
//                                                 portable bundle does on a server)
//   node scripts/bench-rpc.mjs --runs 5           how many runs (default 5), each with fresh processes for
//                                                 both plugins; the summary gives each figure's median
//                                                 and range over the runs. One run's ratio moves by up
//                                                 to ±8 % with where the scheduler puts the processes
//                                                 (measured: 1.01-1.20 in eight runs of one build), far
//                                                 more than the hooks' own variation within a run. Runs
//                                                 alternate which plugin starts first (BENCH_GO_FIRST):
//                                                 the one started first tends to come out slower.
//   node scripts/bench-rpc.mjs --embedded-node    on the Node.js the standalone bundles embed (see
//                                                 mattermost-plugin-node's tools/runtimes.mjs), for
//                                                 this machine's platform
//   node scripts/bench-rpc.mjs --go-vs-go         the Go reference plugin in both places (an A/A run): what
//                                                 the benchmark itself makes of two identical plugins, to
//                                                 read the TypeScript figures against
//   node scripts/bench-rpc.mjs --busy-cpus        with one lowest-priority busy loop per CPU beside it: no
//                                                 CPU ever idles, so no round trip pays for waking an idle
//                                                 (virtual) CPU. Separates that cost from the plugins' own
//                                                 work; the figures to compare against targets are those
//                                                 without it. Combines with --embedded-node.
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {cacheDir, runtimesCache} from '../packages/mattermost-plugin-node/tools/cache.mjs';
import {extractRuntime, hostPlatform, NODE_VERSION} from '../packages/mattermost-plugin-node/tools/runtimes.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const embedded = process.argv.includes('--embedded-node');
const busyCpus = process.argv.includes('--busy-cpus');
const goVsGo = process.argv.includes('--go-vs-go');
const runsAt = process.argv.indexOf('--runs');
const runs = runsAt < 0 ? 5 : Number(process.argv[runsAt + 1]);
if (!Number.isInteger(runs) || runs < 1) {
    console.error('bench:rpc: --runs takes a positive whole number');
    process.exit(2);
}
const step = (cmd, args, cwd, env = process.env) => {
    const res = spawnSync(cmd, args, {cwd, stdio: 'inherit', env});
    if (res.status !== 0) {
        process.exit(res.status ?? 1);
    }
};
let env = process.env;
let binDir;
let goCopyDir;
if (goVsGo) {
    // The reference plugin, built as the benchmark builds it, in the TypeScript plugin's place.
    goCopyDir = mkdtempSync(path.join(os.tmpdir(), 'bench-rpc-go-'));
    const exe = `plugin-${hostPlatform()}`;
    step('go', ['build', '-o', path.join(goCopyDir, exe), '.'], path.join(root, 'test/conformance/refplugin'));
    const manifest = {id: 'com.example.conformance', name: 'Conformance (Go reference, A/A)', version: '0.0.1', server: {executables: {[hostPlatform()]: exe}}};
    writeFileSync(path.join(goCopyDir, 'plugin.json'), JSON.stringify(manifest));
    env = {...env, BENCH_TS_PLUGIN_DIR: goCopyDir};
    console.log('A/A: the Go reference plugin in both places ("TypeScript" is the second copy)');
} else {
    step('node', ['scripts/build.mjs', '--test-plugin'], root);
}
if (embedded) {
    // The test plugin's launcher runs the first `node` on its PATH, which go-plugin passes on from here.
    binDir = mkdtempSync(path.join(os.tmpdir(), 'bench-rpc-node-'));
    await extractRuntime(hostPlatform(), runtimesCache(cacheDir()), path.join(binDir, 'node'));
    env = {...env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`};
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
/** One run of the Go benchmark, its output passed through; returns its final JSON line. */
function runOnce(i) {
    const goFirst = i % 2 === 1;
    console.log(`\n== run ${i + 1} of ${runs} (${goFirst ? 'Go' : 'TypeScript'} plugin started first)`);
    const args = ['test', './benchrpc', '-run', '^$', '-bench', 'RPC', '-benchtime', '1x', '-count', '1'];
    const runEnv = {...env, BENCH_GO_FIRST: goFirst ? '1' : '0'};
    const res = spawnSync('go', args, {cwd: path.join(root, 'test/conformance'), stdio: ['ignore', 'pipe', 'inherit'], env: runEnv, encoding: 'utf8'});
    process.stdout.write(res.stdout ?? '');
    if (res.status !== 0) {
        process.exit(res.status ?? 1);
    }
    const line = (res.stdout ?? '').split('\n').find((l) => l.startsWith('{"'));
    if (!line) {
        console.error('bench:rpc: the benchmark printed no JSON line');
        process.exit(1);
    }
    return JSON.parse(line);
}

const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round2 = (x) => Math.round(x * 100) / 100;

try {
    const results = [];
    for (let i = 0; i < runs; i++) {
        results.push(runOnce(i));
    }
    const keys = ['hook_ratio', 'hook_cpu_ratio', 'api_ratio', 'http_ratio', 'start_ms', 'go_start_ms'];
    console.log(`\n${`over ${runs} runs`.padEnd(26)}  ${'median'.padStart(8)}  range`);
    const summary = {bench: 'rpc', runs, node: goVsGo ? 'none (go vs go)' : embedded ? `v${NODE_VERSION}` : process.version, busy_cpus: busyCpus};
    for (const k of keys) {
        const xs = results.map((r) => r[k]);
        summary[k] = round2(median(xs));
        console.log(`${k.padEnd(26)}  ${String(summary[k]).padStart(8)}  ${Math.min(...xs)}-${Math.max(...xs)}`);
    }
    summary.hook_ratios = results.map((r) => r.hook_ratio);
    console.log(JSON.stringify(summary));
} finally {
    for (const child of spinners) {
        child.kill('SIGKILL');
    }
    for (const dir of [binDir, goCopyDir]) {
        if (dir) {
            rmSync(dir, {recursive: true, force: true});
        }
    }
}

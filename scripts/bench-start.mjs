// npm run bench:start — builds this machine's standalone bundle and the portable bundle (npm run dist for the
// host platform only), then lets Mattermost's host code start and drive the standalone executable and the Go
// reference plugin in one run (test/conformance/benchstart): start to handshake line, RSS after activation
// and after 1 000 and 10 000 hook calls; then the same for examples/hello (the runtime without the
// product). Prints tables and a final JSON line.
//
//   node scripts/bench-start.mjs [--no-build] [--exec-argv "<node options baked into the executable>"]
import {spawnSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {hostPlatform} from '../packages/mattermost-plugin-node/tools/runtimes.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

const step = (cmd, argv, cwd, env = {}) => {
    const res = spawnSync(cmd, argv, {cwd, stdio: 'inherit', env: {...process.env, ...env}});
    if (res.status !== 0) {
        process.exit(res.status ?? 1);
    }
};

if (!args.includes('--no-build')) {
    const execArgv = args.indexOf('--exec-argv');
    const extra = execArgv >= 0 ? ['--exec-argv', args[execArgv + 1] ?? ''] : [];
    step(process.execPath, ['packages/mattermost-plugin-node/tools/cli.mjs', 'dist', '--platforms', hostPlatform(), ...extra], root);
    // The runtime alone (BenchmarkRuntimeAlone): examples/hello, the smallest plugin on the package.
    step(process.execPath, ['packages/mattermost-plugin-node/tools/cli.mjs', 'dist', '--plugin', 'examples/hello', '--platforms', hostPlatform(), ...extra], root);
}
const helloDist = path.join(root, 'examples/hello/dist');
// go test prints its own summary after the benchmark's output: the JSON line is moved to the very end.
const bench = spawnSync('go', ['test', './benchstart', '-run', '^$', '-bench', '^Benchmark(Start|RuntimeAlone)$', '-benchtime', '1x', '-count', '1', '-timeout', '20m'], {
    cwd: path.join(root, 'test/conformance'),
    stdio: ['inherit', 'pipe', 'inherit'],
    env: {
        ...process.env,
        BENCH_DIST_DIR: path.join(root, 'dist'),
        ...(existsSync(path.join(helloDist, 'bundles.json')) ? {BENCH_HELLO_DIST_DIR: helloDist} : {}),
    },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
});
const lines = (bench.stdout ?? '').split('\n');
const isResult = (l) => l.startsWith('{"bench":"start"');
process.stdout.write(lines.filter((l) => !isResult(l)).join('\n'));
if (bench.status !== 0) {
    process.exit(bench.status ?? 1);
}
const result = lines.find(isResult);
if (result === undefined) {
    console.error('bench:start: the benchmark printed no result line');
    process.exit(1);
}
console.log(result);

// npm run bench:decode — the TypeScript runtime's own share of a MessageHasBeenPosted hook: decoding the
// call (net/rpc header and gob args) the host sends for a realistic 1 KiB post with metadata, and turning
// the Go-named post into the @mattermost/types shape (modelFromGo). The bytes come from Go itself
// (test/conformance/benchrpc/postframe, the same post as bench:rpc), which also times encoding/gob
// decoding them, in the same run, as the anchor. Each figure is given in wall time and in the process's CPU
// time (all threads, the garbage collector's too) per call; the ratios use CPU time, which other jobs on
// the machine distort far less than wall time. Prints a table and, last, one JSON line.
//
//   node scripts/bench-decode.mjs [--rounds 100000]
//   node --cpu-prof scripts/bench-decode.mjs --only decode|model           (where the time goes: one part alone)
import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {loadavg, tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

import {build} from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const at = argv.indexOf('--rounds');
const rounds = at >= 0 ? Number(argv[at + 1]) : 100_000;
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? argv[onlyAt + 1] : undefined;
if (only !== undefined && only !== 'decode' && only !== 'model') {
    console.error('bench:decode: --only wants decode or model');
    process.exit(2);
}
if (!Number.isSafeInteger(rounds) || rounds < 100) {
    console.error('bench:decode: --rounds wants an integer ≥ 100');
    process.exit(2);
}

const frames = JSON.parse(
    execFileSync('go', ['run', './benchrpc/postframe', '-n', '64', '-rounds', String(rounds)], {
        cwd: path.join(root, 'test/conformance'),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
    }),
);
const first = Buffer.from(frames.first, 'base64');
const next = frames.next.map((b) => Buffer.from(b, 'base64'));

// Bundled to a file (not a data: URL) so that a --cpu-prof profile points into readable code.
const dir = mkdtempSync(path.join(tmpdir(), 'bench-decode-'));
const src = path.join(root, 'packages/mattermost-plugin-node/src');
try {
    await build({
        stdin: {
            contents: `export {GobDecoder} from ${JSON.stringify(path.join(src, 'transport/gob/index.ts'))};
export {modelFromGo} from ${JSON.stringify(path.join(src, 'mattermost/models.ts'))};`,
            resolveDir: root,
            loader: 'ts',
        },
        outfile: path.join(dir, 'decode.mjs'),
        bundle: true,
        platform: 'node',
        conditions: ['development'],
        format: 'esm',
        target: 'node20',
        sourcemap: 'inline',
        logLevel: 'warning',
    });
    const {GobDecoder, modelFromGo} = await import(pathToFileURL(path.join(dir, 'decode.mjs')).href);

    const decoder = new GobDecoder();
    /** One call as the netrpc reader sees it: bytes in, header and body out. */
    const decodeCall = (bytes) => {
        decoder.push(bytes);
        const header = decoder.next();
        const body = decoder.next();
        if (header === undefined || body === undefined || decoder.buffered !== 0) {
            throw new Error('a frame did not decode to exactly one header and one body');
        }
        return body.value;
    };
    const firstArgs = decodeCall(first);
    const check = modelFromGo('Post', firstArgs.B);
    if (typeof check.message !== 'string' || check.metadata?.files?.[0]?.extension !== 'pdf' || check.props?.conformance_noop !== true) {
        throw new Error(`the decoded post is not the post Go sent: ${JSON.stringify(check).slice(0, 300)}`);
    }

    let sink = 0;
    /** µs per call: [wall, cpu]. */
    const timeLoop = (n, convert) => {
        const c0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < n; i++) {
            const args = decodeCall(next[i % next.length]);
            if (convert) {
                sink += modelFromGo('Post', args.B).message.length;
            } else {
                sink += args.B.Message.length;
            }
        }
        const wall = Number(process.hrtime.bigint() - t0) / 1e3 / n;
        const c = process.cpuUsage(c0);
        return [wall, (c.user + c.system) / n];
    };
    if (only === 'model') {
        const posts = next.map((bytes) => decodeCall(bytes).B);
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < rounds; i++) {
            sink += modelFromGo('Post', posts[i % posts.length]).message.length;
        }
        console.log(`modelFromGo(Post) alone: ${(Number(process.hrtime.bigint() - t0) / 1e3 / rounds).toFixed(2)} µs, load ${loadavg()[0]}`);
    } else if (only === 'decode') {
        const [wall, cpu] = timeLoop(rounds, false);
        console.log(`gob decode alone: ${wall.toFixed(2)} µs (cpu ${cpu.toFixed(2)} µs), load ${loadavg()[0]}`);
    } else {
        report();
    }
    function report() {
        timeLoop(Math.ceil(rounds / 10), true); // warm up: JIT
        // Alternated halves, so that machine noise weighs on both figures alike.
        const half = Math.ceil(rounds / 2);
        const mean = (a, b) => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
        const decode = mean(timeLoop(half, false), timeLoop(half, false));
        const both = mean(timeLoop(half, true), timeLoop(half, true));
        if (sink === 0) {
            throw new Error('nothing decoded');
        }
        const go = [frames.go_decode_us, frames.go_decode_cpu_us];
        const load = loadavg().map((x) => x.toFixed(2)).join(' ');
        console.log(`\nMessageHasBeenPosted call of ${next[0].length} bytes, ${rounds} rounds, load ${load}`);
        console.log(`${'per call'.padEnd(44)} ${'wall µs'.padStart(8)} ${'cpu µs'.padStart(8)} ${'cpu / Go'.padStart(9)}`);
        const row = (name, [wall, cpu]) =>
            console.log(`${name.padEnd(44)} ${wall.toFixed(2).padStart(8)} ${cpu.toFixed(2).padStart(8)} ${(cpu / go[1]).toFixed(2).padStart(9)}`);
        row('gob decode (header + args)', decode);
        row('gob decode + modelFromGo(Post)', both);
        row('modelFromGo(Post) alone (difference)', [both[0] - decode[0], both[1] - decode[1]]);
        row('Go encoding/gob decode (header + args)', go);
        const r2 = (x) => Math.round(x * 100) / 100;
        console.log(
            JSON.stringify({
                bench: 'decode',
                decode_cpu_us: r2(decode[1]),
                decode_model_cpu_us: r2(both[1]),
                go_decode_cpu_us: r2(go[1]),
                decode_ratio: r2(decode[1] / go[1]),
                decode_model_ratio: r2(both[1] / go[1]),
                load: loadavg()[0],
            }),
        );
    }
} finally {
    rmSync(dir, {recursive: true, force: true});
}

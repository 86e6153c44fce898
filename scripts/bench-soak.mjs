// npm run bench:soak — the soak run: N posts (default 50 000) through two servers (two plugin processes
// of the built product under Mattermost's plugin host code) sharing one fake API (KV store, users,
// channels), with word updates, snoozes and membership changes interleaved through ServeHTTP on both
// servers. Every expected alert DM must arrive exactly once, with the right words, and no other; both
// plugin processes' RSS is sampled. Builds the product first, then runs test/conformance/benchsoak.
//
//   node scripts/bench-soak.mjs [--posts N | N] [--workers N] [--seed N] [--max-rss-growth PCT]
//                               [--max-heap-growth PCT] [--short] [--no-build]
//
// --short is the CI size (2 000 posts, the default of `go test ./benchsoak`). Memory is checked from the end
// of the warm-up (the first 20% of the posts) to the end: --max-heap-growth (default 10) bounds the growth of
// each plugin's live heap after a full GC (a leak), --max-rss-growth (default 50) its raw RSS, which V8's
// lazy collection lets drift. $SOAK_POSTS, $SOAK_WORKERS, $SOAK_SEED, $SOAK_MAX_RSS_GROWTH_PCT and
// $SOAK_MAX_HEAP_GROWTH_PCT are read when the flags are absent. The last line printed is
// {"bench":"soak","posts":…,"dm_expected":…,"dm_delivered":…,"dm_duplicates":…,"dm_unexpected":…,
//  "posts_per_s":…,"rss_growth_pct":…, …}. Exits non-zero on any missing, duplicate or unexpected DM.
import {spawn, spawnSync} from 'node:child_process';
import {loadavg} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
    const opts = {
        posts: process.env.SOAK_POSTS ?? '50000',
        workers: process.env.SOAK_WORKERS ?? '',
        seed: process.env.SOAK_SEED ?? '',
        // Memory must stay flat once warmed up (the first 20% of the posts): the live heap after a full GC
        // within 10%; raw RSS, which V8's lazy collection lets drift by some 30%, within 50%.
        maxRssGrowth: process.env.SOAK_MAX_RSS_GROWTH_PCT ?? '50',
        maxHeapGrowth: process.env.SOAK_MAX_HEAP_GROWTH_PCT ?? '10',
        build: true,
    };
    const positive = (name, v) => {
        if (!/^\d+$/.test(v ?? '') || Number(v) <= 0) {
            console.error(`bench:soak: ${name} must be a positive integer, got ${JSON.stringify(v)}`);
            process.exit(2);
        }
        return v;
    };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === '--short') opts.posts = '2000';
        else if (a === '--no-build') opts.build = false;
        else if (a === '--posts') opts.posts = positive(a, argv[++i]);
        else if (a === '--workers') opts.workers = positive(a, argv[++i]);
        else if (a === '--seed') opts.seed = positive(a, argv[++i]);
        else if (a === '--max-rss-growth') opts.maxRssGrowth = positive(a, argv[++i]);
        else if (a === '--max-heap-growth') opts.maxHeapGrowth = positive(a, argv[++i]);
        else if (/^\d+$/.test(a)) opts.posts = positive('posts', a);
        else {
            console.error(`bench:soak: unknown argument ${a}`);
            process.exit(2);
        }
    }
    positive('posts', opts.posts);
    return opts;
}

const opts = parseArgs(process.argv.slice(2));
if (opts.build) {
    const res = spawnSync(process.execPath, ['packages/mattermost-plugin-node/tools/cli.mjs', 'build'], {cwd: root, stdio: 'inherit'});
    if (res.status !== 0) {
        process.exit(res.status ?? 1);
    }
}

const env = {...process.env, SOAK_POSTS: opts.posts};
for (const [key, value] of [
    ['SOAK_WORKERS', opts.workers],
    ['SOAK_SEED', opts.seed],
    ['SOAK_MAX_RSS_GROWTH_PCT', opts.maxRssGrowth],
    ['SOAK_MAX_HEAP_GROWTH_PCT', opts.maxHeapGrowth],
]) {
    if (value) env[key] = value;
}
console.log(`bench:soak: ${opts.posts} posts; node ${process.version}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const started = Date.now();
const go = spawn('go', ['test', './benchsoak', '-run', '^TestSoak$', '-count=1', '-v', '-timeout=120m'], {
    cwd: path.join(root, 'test/conformance'),
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
});

// Pass the run's report through as it comes, minus go test's own chatter; keep the JSON line for last.
let result = '';
let pending = '';
const isResult = (l) => l.startsWith('{') && l.includes('"bench":"soak"');
const isChatter = (l) => /^(=== RUN|--- PASS|PASS$|ok\s)/.test(l);
go.stdout.setEncoding('utf8');
go.stdout.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const l of lines) {
        if (isResult(l)) result = l;
        else if (!isChatter(l)) console.log(l);
    }
});
go.on('close', (code, signal) => {
    if (pending) {
        if (isResult(pending)) result = pending;
        else console.log(pending);
    }
    console.log(`bench:soak: ${((Date.now() - started) / 1000).toFixed(0)} s in all; load average now ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    if (code !== 0 || !result) {
        console.error(`bench:soak: FAILED (go test ${code ?? signal})`);
        if (result) console.log(result);
        process.exit(code || 1);
    }
    console.log(result);
});

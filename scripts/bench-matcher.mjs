// Timing of the trigger-word matcher (prints numbers, asserts nothing):
//   node scripts/bench-matcher.mjs [counts...]      default counts: 1000 10000 100000
// For each word count: the time to build a WordMatcher, then the time to match 1 KiB posts (English,
// Japanese, emoji-heavy) against it. Bundles server/alerts/matcher.ts with esbuild first.
import {build} from 'esbuild';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(tmpdir(), 'bench-matcher-'));
const out = path.join(dir, 'matcher.mjs');
await build({
    entryPoints: [path.join(root, 'server/alerts/matcher.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    // workspace packages resolve to their TypeScript sources
    conditions: ['development'],
    format: 'esm',
    logLevel: 'warning',
});
const {WordMatcher} = await import(pathToFileURL(out).href);
rmSync(dir, {recursive: true, force: true});

const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (counts.length === 0) counts.push(1000, 10000, 100000);

// Deterministic pseudo-random words: a third are two-word phrases, some CJK, some emoji shortcodes.
let seed = 42;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const syll = ['ka', 'to', 'ri', 'men', 'dar', 'sel', 'op', 'un', 'vi', 'lo', 'gra', 'ste', 'ph', 'qu', 'zen'];
const cjk = '部署障害対応監視本番環境設定変更確認完了開始終了';
function word(i) {
    const r = rand();
    if (r < 0.05) return [...Array(2 + Math.floor(rand() * 3))].map(() => cjk[Math.floor(rand() * cjk.length)]).join('');
    let w = '';
    for (let k = 0; k < 2 + Math.floor(rand() * 3); k++) w += syll[Math.floor(rand() * syll.length)];
    w += i.toString(36);
    return r < 0.35 ? `${w} ${syll[Math.floor(rand() * syll.length)]}` : w;
}
const fill = (s) => {
    let t = '';
    while (t.length < 1024) t += s;
    return t.slice(0, 1024);
};
const posts = {
    english: fill('We will deploy the new release tonight; whoever is on call please watch the dashboards (https://grafana.example.com/d/abc) and ping @oncall if error rates go up. '),
    japanese: fill('本日の夜に新しいリリースを本番環境へ部署します。監視をお願いします。障害があれば連絡してください。'),
    emoji: fill('ship it :rocket: 🚀 👍🏽 :+1: ❤️ 🎉 done ✅ :tada: '),
};

/** Best of 7 rounds of ~50 ms (the least disturbed by other load), in ms per call. */
function time(fn) {
    for (let i = 0; i < 200; i++) fn();
    let best = Infinity;
    for (let round = 0; round < 7; round++) {
        let n = 0;
        const start = performance.now();
        let t = start;
        while (t - start < 50) {
            fn();
            n++;
            t = performance.now();
        }
        best = Math.min(best, (t - start) / n);
    }
    return best;
}

// One-time table set-up (character classes, case folding, emoji names) is not part of a build.
let t0 = performance.now();
new WordMatcher([{word: 'warm', value: 0}]).match('warm up: ÄÖ 部署 :rocket: 🚀');
console.log(`node ${process.version}; one-time table set-up ${(performance.now() - t0).toFixed(1)} ms`);

// Memory of many small matchers (the caller caches one per channel).
{
    global.gc?.();
    const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const keep = [];
    for (let c = 0; c < 2000; c++) keep.push(new WordMatcher([5, 6, 7, 8, 9].map((k) => ({word: word(c * 10 + k), value: 'u'}))));
    global.gc?.();
    const after = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    console.log(`2000 matchers of 5 words: ~${((after - before) / 2 ** 20).toFixed(1)} MiB (${keep.length})${global.gc ? '' : ' (run with --expose-gc for a steadier number)'}`);
}

for (const count of counts) {
    const entries = [];
    for (let i = 0; i < count; i++) entries.push({word: word(i), value: `user${i % 500}`});
    entries.push({word: 'deploy', value: 'u'}, {word: 'on call', value: 'u'}, {word: ':rocket:', value: 'u'}, {word: '部署', value: 'u'});
    t0 = performance.now();
    const m = new WordMatcher(entries);
    const buildMs = performance.now() - t0;
    const per = Object.entries(posts).map(([name, text]) => `${name} ${(time(() => m.match(text)) * 1000).toFixed(0)} µs`);
    const heap = (process.memoryUsage().heapUsed / 2 ** 20).toFixed(0);
    console.log(`${String(count).padStart(7)} words (${m.size} distinct): build ${buildMs.toFixed(1)} ms; match 1 KiB: ${per.join(', ')}; heap ${heap} MiB`);
}


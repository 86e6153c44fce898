// Trigger-word matching, per 1 KiB post, against channels of 10, 1 000 and 100 000 words:
//   node scripts/bench-match.mjs            (npm run bench:match)
// - warm: WordMatcher.match on a built matcher (per post kind: English, Japanese, emoji-heavy, Korean);
// - cold: decode the channel's JSON document {"version":n,"users":{uid:[{word,key}]}} and build the matcher;
// - naive: one regular expression per word (same whole-word rule, ASCII approximation); at large counts a
//   sample of the expressions is timed and scaled to the full count.
// Prints a table and, last, one JSON line: {"bench":"match","us_per_post_100k":…,"cold_ms_1k":…,"speedup_vs_naive_100k":…}
// (us_per_post_100k: the English post, which is the common case; the other kinds follow in the same line;
// the Korean post has particles after its words, which the matcher looks up at every Hangul character).
// Bundles server/alerts/matcher.ts with esbuild first (as scripts/bench-matcher.mjs does).
import {build} from 'esbuild';
import {mkdtempSync, rmSync} from 'node:fs';
import {loadavg, tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(tmpdir(), 'bench-match-'));
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
// The previous implementation (one Aho–Corasick automaton over all words), kept for the tests, for comparison.
const outRef = path.join(dir, 'reference.mjs');
await build({
    entryPoints: [path.join(root, 'test/unit/alerts/reference_matcher.ts')],
    outfile: outRef,
    bundle: true,
    platform: 'node',
    // workspace packages resolve to their TypeScript sources
    conditions: ['development'],
    format: 'esm',
    logLevel: 'warning',
});
const {ReferenceWordMatcher} = await import(pathToFileURL(outRef).href);
rmSync(dir, {recursive: true, force: true});

const COUNTS = [10, 1000, 100000];

// Deterministic pseudo-random words (as in bench-matcher.mjs): a third two-word phrases, some CJK.
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
// Posts reach the plugin decoded from JSON: flat strings (not the ropes/slices string building leaves).
const posts0 = {
    english: fill('We will deploy the new release tonight; whoever is on call please watch the dashboards (https://grafana.example.com/d/abc) and ping @oncall if error rates go up. '),
    japanese: fill('本日の夜に新しいリリースを本番環境へ部署します。監視をお願いします。障害があれば連絡してください。'),
    emoji: fill('ship it :rocket: 🚀 👍🏽 :+1: ❤️ 🎉 done ✅ :tada: '),
    korean: fill('오늘 밤에 새 릴리스를 운영 서버에 배포합니다. 서버가 다운되면 바로 연락해 주세요. 모니터링을 부탁드립니다. '),
};
const posts = JSON.parse(JSON.stringify(posts0));

/** The channel document as the store keeps it: 5 words per user. */
function channelDoc(count) {
    const users = {};
    for (let i = 0; i < count; i++) {
        const uid = `user${String(Math.floor(i / 5)).padStart(22, '0')}`;
        const w = word(i);
        (users[uid] ??= []).push({word: w, key: w.toLowerCase()});
    }
    const extra = (users['user_extra'] ??= []);
    for (const w of ['deploy', 'on call', ':rocket:', '部署', '서버']) extra.push({word: w, key: w});
    return JSON.stringify({version: 7, users});
}

function entriesOf(json) {
    const doc = JSON.parse(json);
    const entries = [];
    for (const [uid, words] of Object.entries(doc.users)) for (const w of words) entries.push({word: w.word, value: uid});
    return entries;
}

/** Best of `rounds` rounds of ~`ms` ms (the least disturbed by other load), in ms per call. */
function time(fn, {rounds = 7, ms = 50, warm = 200} = {}) {
    for (let i = 0; i < warm; i++) fn();
    let best = Infinity;
    for (let round = 0; round < rounds; round++) {
        let n = 0;
        const start = performance.now();
        let t = start;
        while (t - start < ms) {
            fn();
            n++;
            t = performance.now();
        }
        best = Math.min(best, (t - start) / n);
    }
    return best;
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The naive way: one case-insensitive regular expression per word, whole words by lookarounds. */
function naiveRegex(w) {
    return new RegExp(`(?<![\\p{L}\\p{N}\\p{M}_-])${escape(w).replace(/ +/g, '\\s+')}(?![\\p{L}\\p{N}\\p{M}_-])`, 'iu');
}

// One-time table set-up (character classes, case folding, emoji names) is not part of any build.
let t0 = performance.now();
new WordMatcher([{word: 'warm', value: 0}]).match('warm up: ÄÖ 部署 :rocket: 🚀');
const setupMs = performance.now() - t0;

const rows = [];
for (const count of COUNTS) {
    const json = channelDoc(count);
    const entries = entriesOf(json);
    const m = new WordMatcher(entries);
    const warm = {};
    for (const [name, text] of Object.entries(posts)) warm[name] = time(() => m.match(text), {rounds: 11}) * 1000;
    const cold = time(() => new WordMatcher(entriesOf(json)), {rounds: 5, ms: count >= 100000 ? 1 : 100, warm: count >= 100000 ? 2 : 20});
    // Naive: compile and run a sample of the expressions (building them is part of the naive approach too).
    const words = entries.map((e) => e.word);
    const sample = words.length <= 2000 ? words : words.filter((_, i) => i % Math.ceil(words.length / 2000) === 0);
    const regexes = sample.map(naiveRegex);
    const naiveRun = time(() => {
        for (const re of regexes) re.test(posts.english);
    }, {rounds: 3, ms: 100, warm: 3});
    const naive = (naiveRun * words.length) / sample.length * 1000;
    const old = new ReferenceWordMatcher(entries);
    const oldWarm = time(() => old.match(posts.english)) * 1000;
    const oldCold = time(() => new ReferenceWordMatcher(entriesOf(json)), {rounds: count >= 100000 ? 1 : 5, ms: count >= 100000 ? 1 : 100, warm: count >= 100000 ? 0 : 5});
    rows.push({count, distinct: m.size, warm, cold, naive, oldWarm, oldCold, sampled: sample.length < words.length});
}

const f = (x, d = 1) => x.toFixed(d);
console.log(`node ${process.version}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; one-time table set-up ${f(setupMs)} ms (not in cold)`);
console.log('per 1 KiB post; warm = match on a built matcher (µs); cold = JSON.parse of the channel doc + build (ms); naive = one RegExp per word, English post (µs); old = the previous matcher (test/unit/alerts/reference_matcher.ts)');
console.log('');
console.log(['words', 'distinct', 'warm en µs', 'warm ja µs', 'warm emoji µs', 'warm ko µs', 'cold ms', 'naive en µs', 'naive/warm', 'old en µs', 'old cold ms'].map((h) => h.padStart(14)).join(''));
for (const r of rows) {
    console.log(
        [
            String(r.count),
            String(r.distinct),
            f(r.warm.english),
            f(r.warm.japanese),
            f(r.warm.emoji),
            f(r.warm.korean),
            f(r.cold, 2),
            f(r.naive, 0) + (r.sampled ? '*' : ''),
            (r.naive / r.warm.english < 10 ? f(r.naive / r.warm.english, 2) : f(r.naive / r.warm.english, 0)) + '×',
            f(r.oldWarm),
            f(r.oldCold, 2),
        ]
            .map((c) => c.padStart(14))
            .join(''),
    );
}
const r10 = rows[0];
const r100k = rows[rows.length - 1];
console.log('');
console.log(`* scaled from a sample of 2000 expressions. Flatness: warm (English) at 100 000 words / at 10 words = ${f(r100k.warm.english / r10.warm.english, 2)}`);
const r1k = rows.find((r) => r.count === 1000);
console.log(
    JSON.stringify({
        bench: 'match',
        us_per_post_100k: Number(f(r100k.warm.english, 2)),
        cold_ms_1k: Number(f(r1k.cold, 3)),
        speedup_vs_naive_100k: Math.round(r100k.naive / r100k.warm.english),
        us_per_post_100k_japanese: Number(f(r100k.warm.japanese, 2)),
        us_per_post_100k_emoji: Number(f(r100k.warm.emoji, 2)),
        us_per_post_100k_korean: Number(f(r100k.warm.korean, 2)),
        load_avg_1m: Number(loadavg()[0].toFixed(2)),
    }),
);

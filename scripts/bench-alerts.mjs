// npm run bench:alerts — posts per second through the alerts path, in two parts, 1 000 users x 5 words in
// one channel; 9 posts in 10 match nobody, 1 in 10 names 1-3 users' words. Builds the product first
// (mattermost-plugin-node build: plugin.json, server/dist, assets, webapp/dist).
//   node scripts/bench-alerts.mjs [posts]        (posts: part 1 only, default 20000)
//
// Part 1, IN-PROCESS: Notifier.onPosted (version-stamp read, cached matcher, match, snooze from the channel
// doc, one users and one memberships lookup per post, one alert-ledger write per alert, alert formatting,
// DM) with an in-memory KV store and a fake Mattermost host that answers at once. The host RPC (plugin <->
// server) is NOT included: this is the plugin's own cost per post. It also counts the server API calls
// (host and KV) per post that alerts nobody and per alert. Its JSON line carries "in_process": true.
//
// Part 2, HOST PATH: test/conformance/benchalerts — the built plugin under Mattermost's plugin host code
// with the in-memory fake API; words set through the plugin's HTTP API, 3 000 posts through
// MessageHasBeenPosted from 4 goroutines, the alert DM count checked ($BENCH_ALERTS_POSTS /
// $BENCH_ALERTS_WORKERS change them); then the server API calls, counted by the fake API, per post that
// alerts nobody and per alert (steady state, and the first alert to each user).
// Last line (part 2): {"bench":"alerts","posts_per_s":…,"p99_ms":…,"p50_ms":…,"dms":…,
//   "calls_per_nomatch_post":…,"calls_per_alert":…,"calls_per_first_alert":…,"path":"host"}
import {spawnSync} from 'node:child_process';
import {build} from 'esbuild';
import {mkdtempSync, rmSync} from 'node:fs';
import {loadavg, tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const step = (cmd, args, cwd) => {
    const res = spawnSync(cmd, args, {cwd, stdio: 'inherit'});
    if (res.status !== 0) {
        process.exit(res.status ?? 1);
    }
};
step(process.execPath, ['packages/mattermost-plugin-node/tools/cli.mjs', 'build'], root);
console.log('\n==== part 1/2: IN-PROCESS (Notifier.onPosted, no host RPC) ====');
const dir = mkdtempSync(path.join(tmpdir(), 'bench-alerts-'));
const out = path.join(dir, 'alerts.mjs');
await build({
    stdin: {
        contents: [
            "export {Notifier} from './server/alerts/notifier.ts';",
            "export {WordStore, channelDocKey, channelStampKey} from './server/alerts/store.ts';",
            "export {RecipientLedger} from './server/alerts/recipient_ledger.ts';",
            "export {defaultSettings} from './server/alerts/settings.ts';",
            "export {normalizeWord} from './server/alerts/matcher.ts';",
        ].join('\n'),
        resolveDir: root,
        loader: 'ts',
    },
    outfile: out,
    bundle: true,
    platform: 'node',
    // workspace packages resolve to their TypeScript sources
    conditions: ['development'],
    format: 'esm',
    logLevel: 'warning',
});
const alerts = await import(pathToFileURL(out).href);
rmSync(dir, {recursive: true, force: true});
const {Notifier, WordStore, channelDocKey, channelStampKey, RecipientLedger, defaultSettings, normalizeWord} = alerts;

const POSTS = Number(process.argv[2] ?? 20000);
const USERS = 1000;
const WORDS_PER_USER = 5;

// ---- an in-memory KV store (byte values, compare-and-set, expiry ignored: the run is short) ----
const enc = new TextEncoder();
const bytes = (v) => (typeof v === 'string' ? enc.encode(v) : v);
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
let calls = 0;
class MemoryKV {
    map = new Map();
    async get(key) {
        calls++;
        return this.map.get(key) ?? null;
    }
    async set(key, value) {
        calls++;
        this.map.set(key, bytes(value));
    }
    async compareAndSet(key, oldValue, value) {
        calls++;
        const cur = this.map.get(key) ?? null;
        if (oldValue === null ? cur !== null : cur === null || !same(cur, oldValue)) return false;
        this.map.set(key, bytes(value));
        return true;
    }
    async compareAndDelete(key, oldValue) {
        calls++;
        const cur = this.map.get(key);
        if (!cur || !same(cur, oldValue)) return false;
        this.map.delete(key);
        return true;
    }
    async delete(key) {
        calls++;
        this.map.delete(key);
    }
}

// ---- a fake host: fixed answers, no latency ----
const teamId = 'team0000000000000000000000';
const channelId = 'chan0000000000000000000000';
const botId = 'bot00000000000000000000000';
let dms = 0;
const user = (id) => ({id, username: `name_${id.slice(-6)}`, delete_at: 0, locale: 'en', timezone: {useAutomaticTimezone: 'true', automaticTimezone: 'UTC', manualTimezone: ''}});
const host = {
    async getUser(id) {
        calls++;
        return user(id);
    },
    async getUsersByIds(ids) {
        calls++;
        return ids.map(user);
    },
    async getChannel(id) {
        calls++;
        return {id, name: 'town-square', display_name: 'Town Square', type: 'O', team_id: teamId};
    },
    async getChannelMember(channel, user) {
        calls++;
        return {channel_id: channel, user_id: user};
    },
    async getChannelMembersByIds(channel, users) {
        calls++;
        return users.map((u) => ({channel_id: channel, user_id: u}));
    },
    async getTeam(id) {
        calls++;
        return {id, name: 'team'};
    },
    async getDirectChannel(a, b) {
        calls++;
        return {id: b.replace(/^user/, 'dmch')};
    },
    async createPost(post) {
        calls++;
        dms++;
        return {...post, id: `p${dms}`};
    },
};
const log = {debug() {}, info() {}, warn() {}, error() {}};

// ---- data ----
let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const pick = (a) => a[Math.floor(rand() * a.length)];
const syll = ['ka', 'to', 'ri', 'men', 'dar', 'sel', 'op', 'un', 'vi', 'lo', 'gra', 'ste', 'ph', 'qu', 'zen'];
const userId = (i) => `user${String(i).padStart(22, '0')}`;
const wordsOf = [];
const users = {};
for (let u = 0; u < USERS; u++) {
    const list = [];
    for (let k = 0; k < WORDS_PER_USER; k++) {
        let w = '';
        for (let s = 0; s < 2 + Math.floor(rand() * 2); s++) w += pick(syll);
        w += (u * WORDS_PER_USER + k).toString(36);
        if (k === 4) w = `${w} ${pick(syll)}`; // one phrase each
        list.push(w);
    }
    wordsOf.push(list);
    users[userId(u)] = list.map((word) => ({word, key: normalizeWord(word)}));
}
const kv = new MemoryKV();
await kv.set(channelDocKey(channelId), JSON.stringify({version: 1, users}));
await kv.set(channelStampKey(channelId), '1');

const filler = [
    'We will ship the new release tonight; whoever is around please watch the dashboards and ping the team if error rates go up.',
    'Thanks! Merged, the build is green. Next: the migration script, then the docs (https://docs.example.com/guide#setup).',
    'Can someone review PR 4211? It touches the cache layer, so a second pair of eyes would help. :+1:',
    'Standup moved to 10:30 tomorrow. Agenda: incidents, the roadmap, hiring.',
    'lol yes 😅 that was me, sorry — fixed in main now',
];
function post(i) {
    let message = '';
    const len = 100 + Math.floor(rand() * 600);
    while (message.length < len) message += pick(filler) + ' ';
    let matched = 0;
    if (i % 10 === 0) {
        const n = 1 + Math.floor(rand() * 3);
        for (let k = 0; k < n; k++) {
            const at = Math.floor(rand() * message.length);
            const cut = message.lastIndexOf(' ', at);
            message = `${message.slice(0, cut + 1)}${pick(wordsOf[Math.floor(rand() * USERS)])} ${message.slice(cut + 1)}`;
            matched++;
        }
    }
    return {post: {id: `post${String(i).padStart(22, '0')}`, channel_id: channelId, user_id: 'author0000000000000000000', message: JSON.parse(JSON.stringify(message)), type: '', props: {}, root_id: '', create_at: 0, update_at: 0, edit_at: 0}, matched};
}

let clock = Date.parse('2026-01-05T10:00:00Z');
const now = () => clock;
const settings = {...defaultSettings, alertsPerMinute: 1000};
const store = new WordStore(kv, {now});
const notifier = new Notifier({
    host,
    log,
    store,
    ledger: new RecipientLedger(kv, {now}),
    settings: () => settings,
    botUserId: () => botId,
    siteURL: () => 'https://chat.example.com',
    now,
});

// One-time table set-up (character classes, case folding, emoji names), then the first post: reading
// the channel doc and building its matcher (cold).
let t = performance.now();
normalizeWord('warm up: ÄÖ 部署 :rocket: 🚀');
const setupMs = performance.now() - t;
const first = post(1);
t = performance.now();
await notifier.onPosted(first.post);
const coldMs = performance.now() - t;

for (let i = 0; i < 2000; i++) {
    clock += 50;
    await notifier.onPosted(post(-i - 2).post);
}
const prepared = [];
for (let i = 0; i < POSTS; i++) prepared.push(post(i));
const times = new Float64Array(POSTS);
dms = 0;
let expected = 0;
// Server API calls (host and KV) of each post, by whether it alerted anyone.
const count = {noMatchPosts: 0, noMatchCalls: 0, alertPosts: 0, alertCalls: 0, alerts: 0};
const start = performance.now();
for (let i = 0; i < POSTS; i++) {
    clock += 50;
    const p = prepared[i];
    expected += p.matched;
    const [callsBefore, dmsBefore] = [calls, dms];
    t = performance.now();
    await notifier.onPosted(p.post);
    times[i] = performance.now() - t;
    if (dms === dmsBefore) {
        count.noMatchPosts++;
        count.noMatchCalls += calls - callsBefore;
    } else {
        count.alertPosts++;
        count.alertCalls += calls - callsBefore;
        count.alerts += dms - dmsBefore;
    }
}
const total = performance.now() - start;
const callsPerNoMatch = count.noMatchCalls / count.noMatchPosts;
const callsPerAlert = (count.alertCalls - callsPerNoMatch * count.alertPosts) / count.alerts;
const sent = dms;
times.sort();
const q = (f) => times[Math.min(POSTS - 1, Math.floor(f * POSTS))];
const matchedPosts = prepared.filter((p) => p.matched > 0);
const noMatch = [];
const withMatch = [];
// Per-kind latency (re-run a sample of each kind, fresh post ids).
for (const [kind, list, into] of [['no match', prepared.filter((p) => p.matched === 0).slice(0, 2000), noMatch], ['match', matchedPosts.slice(0, 1000), withMatch]]) {
    for (const p of list) {
        clock += 50;
        const again = {...p.post, id: `${p.post.id.slice(0, 20)}r${kind.length}`.padEnd(26, 'x')};
        t = performance.now();
        await notifier.onPosted(again);
        into.push(performance.now() - t);
    }
    into.sort((a, b) => a - b);
}
const med = (a) => a[Math.floor(a.length / 2)];

console.log(`node ${process.version}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('IN-PROCESS: Notifier.onPosted with an in-memory KV and a fake host answering at once (host RPC excluded)');
console.log(`channel: ${USERS} users x ${WORDS_PER_USER} words; ${POSTS} posts (100-700 chars), 1 in 10 naming 1-3 users' words`);
console.log(`one-time table set-up ${setupMs.toFixed(1)} ms; first post (reads the channel doc, builds the matcher): ${coldMs.toFixed(2)} ms`);
console.log(`alert DMs sent: ${sent} (user words placed in posts: ${expected})`);
console.log(`throughput: ${Math.round(POSTS / (total / 1000))} posts/s; latency p50 ${q(0.5).toFixed(3)} ms, p90 ${q(0.9).toFixed(3)} ms, p99 ${q(0.99).toFixed(3)} ms, max ${times[POSTS - 1].toFixed(3)} ms`);
console.log(`by kind: no match p50 ${med(noMatch).toFixed(3)} ms; with 1-3 alerts p50 ${med(withMatch).toFixed(3)} ms`);
console.log(`server API calls (host and KV; first alerts to a user included): ${callsPerNoMatch.toFixed(2)} per post that alerts nobody, ${callsPerAlert.toFixed(2)} per alert beyond that (${count.alertPosts} posts, ${count.alerts} alerts)`);
console.log(JSON.stringify({bench: 'alerts', posts_per_s: Math.round(POSTS / (total / 1000)), p99_ms: Number(q(0.99).toFixed(3)), p50_ms: Number(q(0.5).toFixed(3)), calls_per_nomatch_post: Number(callsPerNoMatch.toFixed(3)), calls_per_alert: Number(callsPerAlert.toFixed(3)), in_process: true}));

// ---- part 2: the whole hook path under Mattermost's plugin host code (Go) ----
console.log('\n==== part 2/2: HOST PATH (plugin host -> RPC hook -> plugin -> KV -> DM), test/conformance/benchalerts ====');
const go = spawnSync('go', ['test', './benchalerts', '-run', '^$', '-bench', 'Alerts', '-benchtime', '1x', '-count', '1'], {
    cwd: path.join(root, 'test/conformance'),
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
});
const lines = (go.stdout ?? '').split('\n').filter((l) => l !== '');
const isResult = (l) => l.startsWith('{') && l.includes('"bench":"alerts"') && l.includes('"path":"host"');
for (const l of lines) {
    if (!isResult(l)) console.log(l);
}
const result = lines.filter(isResult).at(-1);
if (go.status !== 0 || !result) {
    console.error(`bench:alerts: the host-path benchmark failed (go test exit ${go.status ?? go.signal})`);
    process.exit(go.status || 1);
}
console.log(result);

// The real-server benchmark: one Mattermost server on PostgreSQL, listeners with trigger words in one
// channel, 4 posters posting through REST. Each workload runs in alternating phases, plugin disabled and
// enabled (and the Go anchor, with --anchor), because this 2-core VM is noisy: medians of like phases are
// compared, never a single pair.
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type {Client4} from '@mattermost/client';

import {distBundle, prepareBundle} from '../harness/bundle.js';
import {callsBetween, readPluginApiCalls, sumOf, type PluginApiCalls} from '../harness/plugin_api_calls.js';
import {queryDatabase} from '../harness/postgres.js';
import {RealMattermost, uploadPlugin, type RealUser} from '../harness/world.js';

import {awaitDms, botDmsSince, tallyAlerts, type AlertTally} from './alerts_received.js';
import {loadLine, machineLine} from './machine.js';
import type {BenchOptions} from './options.js';
import {postAll, type SentPost} from './posting.js';
import {buildAnchor, buildFloor, setWords, switchTo, type PluginUnderTest} from './plugins_under_test.js';
import {median, percentile, round} from './stats.js';
import {describeSplits, readAlertTimings, splitAlerts, type AlertSplit, type AlertTimingsReport} from './timings.js';
import {listenerWords, planPosts, type WorkloadKind} from './workload.js';

const WORDS_EACH = 5;
const POSTERS = 4;
const WARMUP_POSTS = 100;

export interface BenchIO {
    out: (line: string) => void;
    /** Aborted on Ctrl-C or when the time limit is reached. */
    signal: AbortSignal;
    /** The world's name: its scratch folder is <tmp>/mm-<name>-*, which is how Ctrl-C finds its server. */
    worldName: string;
}

interface PhaseResult {
    workload: WorkloadKind;
    plugin: PluginUnderTest['label'] | 'off';
    round: number;
    postsPerS: number;
    latenciesMs: number[];
    alerts: AlertTally;
    /** The plugin API calls our plugin made during the phase (its debug/api-calls route), when it has one. */
    apiCalls?: number;
    posts: number;
    /** Our plugin's own timings of the phase (debug/alert-timings), when it has them. */
    timings?: AlertTimingsReport;
    /** Our plugin's CPU during the phase's posts (without its activation), ms. */
    phaseCpuMs?: number;
    splits?: AlertSplit[];
}

/** Runs `fn` over `items`, `limit` at a time. */
async function eachLimit<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(Array.from({length: Math.min(limit, items.length)}, async () => {
        while (next < items.length) {
            const i = next++;
            await fn(items[i], i);
        }
    }));
}

/** The plugin's settings as the System Console saves them (whole configuration read, changed, written). */
async function setPluginSetting(admin: Client4, id: string, key: string, value: number): Promise<void> {
    const config = await admin.getConfig();
    const plugins = (config.PluginSettings.Plugins ?? {}) as Record<string, Record<string, unknown>>;
    plugins[id] = {...(plugins[id] ?? {}), [key.toLowerCase()]: value};
    config.PluginSettings.Plugins = plugins;
    await admin.updateConfig(config);
}

const ms = (x: number) => (Number.isFinite(x) ? `${Math.round(x)} ms` : '-');
const rate = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');

function phaseLine(n: number, total: number, r: PhaseResult): string {
    const a = r.alerts;
    const alerts = a.expected > 0 || a.unexpected > 0 || a.delivered > 0
        ? `alerts ${a.delivered}/${a.expected}, missing ${a.missing}, dup ${a.duplicates}, unexpected ${a.unexpected}, DM p50 ${ms(percentile(a.delaysMs, 50))} p99 ${ms(percentile(a.delaysMs, 99))}`
        : 'no DMs';
    const calls = (r.apiCalls === undefined ? '' : `  API calls ${r.apiCalls} (${(r.apiCalls / r.posts).toFixed(2)} per post)`) +
        (r.timings && r.timings.posts > 0
            ? `, inside the plugin per post: hook ${(r.timings.hook_ms_total / r.timings.posts).toFixed(2)} ms, CPU ${(r.timings.cpu_ms / r.timings.posts).toFixed(2)} ms (activation included)` +
              (r.phaseCpuMs !== undefined ? `, ${(r.phaseCpuMs / r.posts).toFixed(2)} ms (the phase's own)` : '')
            : '');
    return `phase ${String(n).padStart(2)}/${total} ${r.workload.padEnd(7)} ${r.plugin.padEnd(6)} ${rate(r.postsPerS).padStart(6)} posts/s  ` +
        `POST p50 ${ms(percentile(r.latenciesMs, 50))} p99 ${ms(percentile(r.latenciesMs, 99))}  ${alerts}${calls}`;
}

interface Summary {
    postsPerS: number;
    postP50: number;
    postP99: number;
    alerts: AlertTally;
}

function summarise(results: readonly PhaseResult[]): Summary {
    const latencies = results.flatMap((r) => r.latenciesMs);
    const sum = (f: (a: AlertTally) => number) => results.reduce((s, r) => s + f(r.alerts), 0);
    return {
        postsPerS: median(results.map((r) => r.postsPerS)),
        postP50: percentile(latencies, 50),
        postP99: percentile(latencies, 99),
        alerts: {
            expected: sum((a) => a.expected),
            delivered: sum((a) => a.delivered),
            missing: sum((a) => a.missing),
            duplicates: sum((a) => a.duplicates),
            unexpected: sum((a) => a.unexpected),
            delaysMs: results.flatMap((r) => r.alerts.delaysMs),
        },
    };
}

/**
 * Whether setting the words made each listener's direct channel with the bot (#12: made then, not on the
 * first alert): polls the database for up to 30 s, since it happens in the background of the requests.
 */
async function directChannelsMade(db: Parameters<typeof queryDatabase>[0], botId: string, userIds: readonly string[]): Promise<string> {
    const started = Date.now();
    const count = () => {
        const names = userIds.map((u) => (u < botId ? `${u}__${botId}` : `${botId}__${u}`));
        if (![botId, ...userIds].every((x) => /^[a-z0-9]{26}$/.test(x))) {
            throw new Error('not Mattermost ids');
        }
        return Number(queryDatabase(db, `SELECT count(*) FROM channels WHERE type = 'D' AND name IN (${names.map((n) => `'${n}'`).join(',')})`).trim());
    };
    let made = count();
    while (made < userIds.length && Date.now() - started < 30_000) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        made = count();
    }
    return `direct channels of the bot with the listeners, made while the words were set: ${made} of ${userIds.length} (${Date.now() - started} ms after the last answer)`;
}

/** Runs the bench; resolves to its JSON result (the caller prints it last). */
export async function runBench(o: BenchOptions, io: BenchIO): Promise<Record<string, number | string | null>> {
    const {out, signal} = io;
    const aborted = () => signal.aborted;
    out(machineLine());
    out(loadLine('at start'));
    const started = Date.now();

    const scratchAnchor = o.anchor ? mkdtempSync(path.join(os.tmpdir(), 'bench-anchor-')) : undefined;
    const scratchFloor = o.floor ? mkdtempSync(path.join(os.tmpdir(), 'bench-floor-')) : undefined;
    let world: RealMattermost | undefined;
    try {
        let anchorBundle: string | undefined;
        if (scratchAnchor) {
            out('building the Go anchor plugin (../shared/anchors/go-trigger) ...');
            anchorBundle = await buildAnchor(scratchAnchor, signal);
        }
        let floorBundle: string | undefined;
        if (scratchFloor) {
            out('building the floor plugin (test/conformance/cmd/floorplugin) ...');
            floorBundle = await buildFloor(scratchFloor, signal);
        }
        signal.throwIfAborted();
        out('starting Mattermost (PostgreSQL, one server) ...');
        world = await RealMattermost.start({name: io.worldName});
        signal.throwIfAborted();
        const w = world;
        const admin = w.admin.client;
        const version = (await fetch(`${w.url}/api/v4/system/ping`)).headers.get('x-version-id') ?? '';
        out(`server: Mattermost ${/^\d+\.\d+\.\d+/.exec(version)?.[0] ?? version} at ${w.url}, PostgreSQL database ${w.db.name}`);

        const plugins: PluginUnderTest[] = [];
        // The fixture is 9.10, older than the manifest's min_server_version: see harness/bundle.ts.
        const ourBundle = prepareBundle(distBundle(), w.scratch, {minServerVersion: '9.10.0'});
        plugins.push({label: 'ours', id: await uploadPlugin(admin, ourBundle.file), botUsername: 'trigger-alerts'});
        // Flood control (10 alerts per person per minute by default) would hold back alerts the bench
        // counts; the anchor has none. The counters are still kept, so their cost is still measured.
        await setPluginSetting(admin, 'trigger-alerts', 'AlertsPerMinute', 1000);
        if (anchorBundle) {
            plugins.push({label: 'anchor', id: await uploadPlugin(admin, anchorBundle), botUsername: 'go-trigger'});
        }
        if (floorBundle) {
            // no words, no bot: it only ever runs in the phases without matches
            plugins.push({label: 'floor', id: await uploadPlugin(admin, floorBundle), botUsername: ''});
        }
        const alerting = plugins.filter((p) => p.label !== 'floor');

        out(`setup: ${o.users} listeners x ${WORDS_EACH} words and ${POSTERS} posters in one channel ...`);
        const posters: RealUser[] = [];
        const listeners: RealUser[] = [];
        await eachLimit(Array.from({length: POSTERS + o.users}), 4, async (_, i) => {
            const u = await w.createUser(i < POSTERS ? 'poster' : 'listener');
            (i < POSTERS ? posters : listeners)[i < POSTERS ? i : i - POSTERS] = u;
            await admin.addToTeam(w.team.id, u.user.id);
        });
        const channel = await w.createChannel([...posters, ...listeners], {name: 'bench'});
        const words = listenerWords(o.users, WORDS_EACH);
        const botIds: string[] = [];
        for (const p of alerting) {
            signal.throwIfAborted();
            await switchTo(admin, plugins, p);
            botIds.push((await admin.getUserByUsername(p.botUsername)).id);
            await eachLimit(listeners, 4, (u, i) => setWords(w.url, p, u.token, channel.id, words[i]));
            if (p.label === 'ours') {
                out(await directChannelsMade(w.db, botIds.at(-1)!, listeners.map((u) => u.user.id)));
            }
        }
        const listenerIds = listeners.map((u) => u.user.id);
        const posterClients = posters.map((u) => u.client);

        await switchTo(admin, plugins, undefined);
        out(`warm-up: ${WARMUP_POSTS} posts, no plugin`);
        await postAll(posterClients, channel.id, planPosts('nomatch', WARMUP_POSTS, words, 1).map((p) => p.message), aborted);

        // off, ours, off, anchor, ... so that every plugin phase has a bare-server phase next to it.
        const stepsOf = (ps: readonly PluginUnderTest[]): (PluginUnderTest | undefined)[] => ps.flatMap((p) => [undefined, p]);
        const schedule = (['nomatch', 'match'] as const).flatMap((workload) => {
            const steps = stepsOf(workload === 'match' ? alerting : plugins);
            return Array.from({length: o.rounds}, (_, round) => steps.map((plugin) => ({workload, round, plugin}))).flat();
        });
        out(`phases: ${schedule.length} x ${o.posts} posts (${o.rounds} rounds of ${stepsOf(plugins).map((p) => p?.label ?? 'off').join(', ')} without matches, ` +
            `of ${stepsOf(alerting).map((p) => p?.label ?? 'off').join(', ')} with), ${POSTERS} posters`);
        const results: PhaseResult[] = [];
        for (const [n, step] of schedule.entries()) {
            signal.throwIfAborted();
            await switchTo(admin, plugins, step.plugin);
            if (o.phaseWarmup > 0) {
                // Every phase starts a fresh plugin process (and the bare server a fresh phase): posts that
                // alert nobody first, unmeasured, so that V8 has compiled the hook path (about the first 2 000
                // hooks, see bench:rpc) and a phase measures the plugin as it runs for days, not its first seconds.
                await postAll(posterClients, channel.id, planPosts('nomatch', o.phaseWarmup, words, 500 + n).map((p) => p.message), aborted);
            }
            const readCalls = (): Promise<PluginApiCalls | undefined> =>
                step.plugin?.label === 'ours' ? readPluginApiCalls(w.url, w.admin.token).catch(() => undefined) : Promise.resolve(undefined);
            // The plugin's CPU since its activation, read before the posts so that the phase's own is known
            // (before the call count: the timings route's caller check is a plugin API call too).
            const cpuBefore = step.plugin?.label === 'ours' ? (await readAlertTimings(w.url, w.admin.token).catch(() => undefined))?.cpu_ms : undefined;
            const callsBefore = await readCalls();
            const planned = planPosts(step.workload, o.posts, words, 1000 + n);
            const {posts, wallMs} = await postAll(posterClients, channel.id, planned.map((p) => p.message), aborted);
            const want = step.plugin ? posts.reduce((s: number, p: SentPost) => s + planned[p.index].expected.length, 0) : 0;
            const since = Math.min(...posts.map((p) => p.createAt));
            const dms = await awaitDms(() => botDmsSince(w.db, botIds, since), want, {quietMs: want > 0 ? 15_000 : 3_000});
            const callsAfter = callsBefore ? await readCalls() : undefined;
            // After the call count: the timings route's own caller check is a plugin API call too.
            const timings = step.plugin?.label === 'ours' ? await readAlertTimings(w.url, w.admin.token).catch(() => undefined) : undefined;
            const result: PhaseResult = {
                workload: step.workload,
                plugin: step.plugin?.label ?? 'off',
                round: step.round,
                postsPerS: posts.length / (wallMs / 1000),
                latenciesMs: posts.map((p) => p.latencyMs),
                alerts: tallyAlerts(posts, step.plugin ? planned : planned.map(() => ({message: '', expected: []})), listenerIds, dms),
                apiCalls: callsBefore && callsAfter ? sumOf(callsBetween(callsBefore, callsAfter)) : undefined,
                posts: posts.length,
                timings,
                phaseCpuMs: timings && cpuBefore !== undefined ? timings.cpu_ms - cpuBefore : undefined,
                splits: timings ? splitAlerts(timings, dms) : undefined,
            };
            results.push(result);
            out(phaseLine(n + 1, schedule.length, result));
            if (result.splits && result.timings) {
                describeSplits(result.splits, result.timings.gc, result.timings.event_loop).forEach((l) => out(l));
            }
        }
        await switchTo(admin, plugins, undefined);

        out('');
        out(`summary (medians of ${o.rounds} phases of ${o.posts} posts; latency percentiles over all posts of those phases):`);
        const ours: Record<string, number | null> = {};
        const others: Record<string, number | null> = {};
        const pick = (workload: WorkloadKind, plugin: PhaseResult['plugin']) => summarise(results.filter((r) => r.workload === workload && r.plugin === plugin));
        // Each plugin phase against the bare-server phase just before it: how much the noise moves a ratio.
        const pairs = (workload: WorkloadKind, plugin: PhaseResult['plugin']) => results
            .map((r, i) => (r.workload === workload && r.plugin === plugin && i > 0 ? r.postsPerS / results[i - 1].postsPerS : undefined))
            .filter((x): x is number => x !== undefined)
            .map((x) => x.toFixed(2))
            .join(' ');
        for (const workload of ['nomatch', 'match'] as const) {
            const off = pick(workload, 'off');
            out(`  ${workload.padEnd(7)} off     ${rate(off.postsPerS)} posts/s, POST p50 ${ms(off.postP50)} p99 ${ms(off.postP99)}`);
            for (const p of workload === 'match' ? alerting : plugins) {
                const on = pick(workload, p.label);
                const ratio = on.postsPerS / off.postsPerS;
                const a = on.alerts;
                const alertText = workload === 'match'
                    ? `; alerts ${a.delivered} of ${a.expected} delivered, missing ${a.missing}, duplicates ${a.duplicates}, unexpected ${a.unexpected}; ` +
                      `post->DM p50 ${ms(percentile(a.delaysMs, 50))} p99 ${ms(percentile(a.delaysMs, 99))}`
                    : `; DMs ${a.unexpected} (none expected)`;
                out(`  ${workload.padEnd(7)} ${p.label.padEnd(7)} ${rate(on.postsPerS)} posts/s = ${ratio.toFixed(2)} x off (each phase / the off phase before it: ${pairs(workload, p.label)}), ` +
                    `POST p50 ${ms(on.postP50)} p99 ${ms(on.postP99)}${alertText}`);
                const [keys, prefix] = p.label === 'ours' ? [ours, ''] : [others, `${p.label}_`];
                keys[`${prefix}ratio_${workload}`] = round(ratio, 2);
                if (workload === 'match') {
                    keys[`${prefix}alert_p50_ms`] = round(percentile(a.delaysMs, 50), 0);
                    keys[`${prefix}alert_p99_ms`] = round(percentile(a.delaysMs, 99), 0);
                    keys[`${prefix}missing`] = a.missing;
                }
            }
        }
        // Plugin API calls (ours only): per post that alerts nobody, from the nomatch phases; per alert, what the
        // match phases made beyond that per post, per alert delivered.
        const counted = (workload: WorkloadKind) => results.filter((r) => r.workload === workload && r.plugin === 'ours' && r.apiCalls !== undefined);
        const sumBy = (rs: PhaseResult[], f: (r: PhaseResult) => number) => rs.reduce((s, r) => s + f(r), 0);
        if (counted('nomatch').length > 0 && counted('match').length > 0) {
            const perPost = sumBy(counted('nomatch'), (r) => r.apiCalls!) / sumBy(counted('nomatch'), (r) => r.posts);
            const m = counted('match');
            const perAlert = (sumBy(m, (r) => r.apiCalls!) - perPost * sumBy(m, (r) => r.posts)) / sumBy(m, (r) => r.alerts.delivered);
            out(`  plugin API calls: ${perPost.toFixed(2)} per post that alerts nobody, ${perAlert.toFixed(2)} per alert (each phase a new plugin process)`);
            ours.api_calls_per_nomatch_post = round(perPost, 2);
            ours.api_calls_per_alert = round(perAlert, 2);
        }
        const timed = results.filter((r) => r.workload === 'match' && r.splits && r.timings);
        if (timed.length > 0) {
            out(`  ours, all match phases:`);
            describeSplits(timed.flatMap((r) => r.splits!), timed.flatMap((r) => r.timings!.gc)).forEach((l) => out(l));
        }
        if (plugins.some((p) => p.label === 'floor')) {
            const cost = (ratio: number | null | undefined) => (typeof ratio === 'number' ? `${Math.round((1 - ratio) * 100)} %` : 'n/a');
            out(`  without matches, ours costs ${cost(ours.ratio_nomatch)} of the bare server's throughput, a plugin whose hook does nothing ${cost(others.floor_ratio_nomatch)}`);
        }
        if (plugins.some((p) => p.label === 'anchor')) {
            const ratioOf = (k: string) => Number(ours[k]) / Number(others[`anchor_${k}`]);
            out(`  ours / anchor: throughput ratio without matches ${ratioOf('ratio_nomatch').toFixed(2)}, with ${ratioOf('ratio_match').toFixed(2)}; ` +
                `post->DM p50 ${ratioOf('alert_p50_ms').toFixed(2)}x, p99 ${ratioOf('alert_p99_ms').toFixed(2)}x`);
        }
        out(loadLine('at end'));
        out(`took ${Math.round((Date.now() - started) / 1000)} s`);
        // The reference's keys first, in its order; the anchor's after them.
        const {ratio_nomatch, ratio_match, alert_p50_ms, alert_p99_ms, missing} = ours;
        const {api_calls_per_nomatch_post, api_calls_per_alert} = ours;
        return {bench: 'server', ratio_nomatch, ratio_match, alert_p50_ms, alert_p99_ms, missing, api_calls_per_nomatch_post, api_calls_per_alert, ...others};
    } finally {
        await world?.stop();
        if (scratchFloor) {
            rmSync(scratchFloor, {recursive: true, force: true});
        }
        if (scratchAnchor) {
            rmSync(scratchAnchor, {recursive: true, force: true});
        }
    }
}

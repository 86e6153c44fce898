// What posts cost the plugin in server round trips on a real Mattermost, counted by the plugin itself (its
// admin-only debug/api-calls route): a post that alerts nobody one call (the channel's version stamp); a post
// that alerts three people one call for their accounts and one for their memberships, then per alert one
// ledger write and the DM; a new plugin process reads each recipient's ledger once and finds their direct
// channel in it. The direct channels are made when the words are set (in the background of those requests),
// so no alert ever asks for one.
import type {Channel} from '@mattermost/types/channels';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

import {alertDms} from './harness/alert_dms.js';
import {installTriggerAlerts, type InstalledPlugin} from './harness/install_trigger_alerts.js';
import {queryDatabase} from './harness/postgres.js';
import {callsBetween, readPluginApiCalls, sumOf, type PluginApiCalls} from './harness/plugin_api_calls.js';
import {TriggerWordsApi} from './harness/trigger_words_api.js';
import {eventually, RealMattermost, waitPluginRunning, type RealUser} from './harness/world.js';

const FILLER = 'the release train leaves at noon and the team checks the dashboards before lunch';

describe('plugin API calls per post and per alert on a real Mattermost', () => {
    let world: RealMattermost;
    let plugin: InstalledPlugin;
    let poster: RealUser;
    let listeners: RealUser[];
    let channel: Channel;
    const wordOf = (i: number): string => `kwcalls${i}`;
    /** GetDirectChannel calls of the process while the words were set. */
    let directChannelAsks: number | undefined;

    beforeAll(async () => {
        world = await RealMattermost.start({name: 'apicalls'});
        plugin = await installTriggerAlerts(world);
        poster = await world.createUser('poster');
        listeners = [await world.createUser('listener'), await world.createUser('listener'), await world.createUser('listener')];
        await world.addToTeam(poster, ...listeners);
        channel = await world.createChannel([poster, ...listeners]);
        const before = await readPluginApiCalls(world.url, world.admin.token);
        for (const [i, u] of listeners.entries()) {
            await new TriggerWordsApi(world.url, u.token).replace(channel.id, [wordOf(i)]);
        }
        // The direct channels are made in the background of those requests: wait for them, so that no test
        // below counts their calls.
        await eventually(async () => {
            const asks = callsBetween(before, await readPluginApiCalls(world.url, world.admin.token)).GetDirectChannel ?? 0;
            return asks >= listeners.length && directChannelsWithBot() === listeners.length ? asks : undefined;
        }, 'the direct channels made after the words were set', 60_000);
        directChannelAsks = callsBetween(before, await readPluginApiCalls(world.url, world.admin.token)).GetDirectChannel;
    });
    afterAll(async () => world?.stop());

    const read = (): Promise<PluginApiCalls> => readPluginApiCalls(world.url, world.admin.token);
    /** The listeners' direct channels with the bot that exist on the server (from its database). */
    function directChannelsWithBot(): number {
        const names = listeners.map((u) => [u.user.id, plugin.botId].sort().join('__'));
        if (!names.every((n) => /^[a-z0-9_]+$/.test(n))) {
            throw new Error('unexpected ids');
        }
        return Number(queryDatabase(world.db, `SELECT count(*) FROM channels WHERE type = 'D' AND name IN (${names.map((n) => `'${n}'`).join(',')})`).trim());
    }
    const alertCount = async (u: RealUser): Promise<number> => (await alertDms(u.client, world.team.id, u.user.id, plugin.botId)).length;

    /** Posts `messages` one after the other, then waits until every listener has `dmsEach` alerts in all. */
    async function postAndAwait(messages: string[], dmsEach: number): Promise<void> {
        for (const m of messages) {
            await world.post(poster, channel.id, m);
        }
        for (const u of listeners) {
            await eventually(async () => ((await alertCount(u)) >= dmsEach ? true : undefined), `${dmsEach} alerts for @${u.user.username}`, 60_000);
            expect(await alertCount(u)).toBe(dmsEach);
        }
    }

    it('answers system admins only, with the figures of the plugin process of that server', async () => {
        const res = await fetch(`${world.url}/plugins/${plugin.id}/debug/api-calls`, {headers: {Authorization: `Bearer ${listeners[0]!.token}`}});
        expect(res.status).toBe(403);
        const calls = await read();
        expect(world.servers[0]!.pluginPids(plugin.id)).toContain(calls.pid);
        expect(calls.total).toBeGreaterThan(0);
    });

    it("setting a user's first words makes their direct channel with the bot, once per user", async () => {
        expect(directChannelAsks).toBe(listeners.length);
        expect(directChannelsWithBot()).toBe(listeners.length);
        // Words set again: the ledger this process remembers already has the channel, nothing is asked.
        const before = await read();
        await new TriggerWordsApi(world.url, listeners[0]!.token).replace(channel.id, [wordOf(0)]);
        await new TriggerWordsApi(world.url, listeners[0]!.token).replace(channel.id, [wordOf(0), 'kwcallsextra']);
        await new TriggerWordsApi(world.url, listeners[0]!.token).replace(channel.id, [wordOf(0)]);
        expect(callsBetween(before, await read()).GetDirectChannel).toBeUndefined();
    });

    it('a post that alerts nobody costs one call: the version stamp', async () => {
        const before = await read();
        const posts = 20;
        for (let i = 0; i < posts; i++) {
            const mark = sumOf(callsBetween(before, await read()));
            await world.post(poster, channel.id, `${FILLER} (${i})`);
            // One post at a time: a hook that starts while another's stamp read is in flight shares that read
            // (by design, fewer calls under load), so each post waits for its own read before the next.
            await eventually(async () => (sumOf(callsBetween(before, await read())) > mark ? true : undefined), `the hook of post ${i}`, 30_000);
        }
        expect(callsBetween(before, await read())).toEqual({KVGet: posts});
    });

    it('a post that alerts three people costs 3 calls, and each alert 2 more: 3 per alert (steady state)', async () => {
        const all = listeners.map((_, i) => wordOf(i)).join(' and ');
        const first = await read();
        await postAndAwait([`${FILLER}: ${all}`], 1); // the first alerts of this process: caches fill
        // ... but no direct channel is asked for: the ledgers got them when the words were set.
        expect(callsBetween(first, await read()).GetDirectChannel).toBeUndefined();
        const before = await read();
        // With the warm-up and the next test, 10 alerts per person: within the default flood limit per minute.
        const posts = 8;
        for (let i = 0; i < posts; i++) {
            // One post at a time, as for the posts that alert nobody: overlapping hooks would share a stamp read.
            await postAndAwait([`${FILLER} ${i}: ${all}`], 2 + i);
        }
        const calls = callsBetween(before, await read());
        expect(calls).toEqual({
            KVGet: posts, // the stamp, as for every post
            GetUsersByIds: posts, // the author and the three recipients, in one call
            GetChannelMembersByIds: posts, // the recipients' memberships, in one call
            KVSetWithOptions: 3 * posts, // each recipient's ledger: delivery marker and flood counter together
            CreatePost: 3 * posts, // the DMs, in the direct channels the ledgers remember
        });
        // Per alert: 3 calls with the stamp every post pays; 8/3 without it (bench:alerts' "per alert").
        expect(sumOf(calls) / (3 * posts)).toBe(3);
        expect((sumOf(calls) - posts) / (3 * posts)).toBeCloseTo(8 / 3, 5);
    }, 180_000);

    it('a new plugin process reads each ledger once and takes the direct channels from it', async () => {
        await world.admin.client.disablePlugin(plugin.id);
        await eventually(async () => (world.servers[0]!.pluginPids(plugin.id).length === 0 ? true : undefined), 'the plugin process gone', 60_000);
        await world.admin.client.enablePlugin(plugin.id);
        await waitPluginRunning(world.admin.client, plugin.id, {timeoutMs: 120_000});
        const before = await read();
        const alerted = await alertCount(listeners[0]!);
        await postAndAwait([`${FILLER}: ${listeners.map((_, i) => wordOf(i)).join(' ')}`], alerted + 1);
        expect(callsBetween(before, await read())).toEqual({
            KVGet: 1 + 1 + 3, // the stamp, the channel's document (nothing cached yet), the three ledgers
            GetUsersByIds: 1,
            GetChannelMembersByIds: 1,
            GetChannel: 1, // the channel's and team's names, kept for a minute
            GetTeam: 1,
            KVSetWithOptions: 3,
            CreatePost: 3, // and no GetDirectChannel: the ledgers know the direct channels
        });
    }, 240_000);
});

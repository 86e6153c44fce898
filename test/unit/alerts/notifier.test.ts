// The notifier in-process: who gets a DM for a post, against the real store and alert ledger over an
// in-memory KV, with a fake Mattermost behind AlertsHost; and what each post and each alert costs in server
// round trips (the host calls and KV calls are counted).
import type {Post} from '@mattermost/types/posts';
import {beforeEach, describe, expect, it} from 'vitest';

import {ChannelNamesCache} from '../../../server/alerts/channel_names.js';
import type {AlertsHost} from '../../../server/alerts/host.js';
import {normalizeWord} from '../../../server/alerts/matcher.js';
import {Notifier} from '../../../server/alerts/notifier.js';
import {RecipientLedger} from '../../../server/alerts/recipient_ledger.js';
import {defaultSettings, type Settings} from '../../../server/alerts/settings.js';
import {Snooze} from '../../../server/alerts/snooze.js';
import {WordStore} from '../../../server/alerts/store.js';
import {AppError, type Log} from 'mattermost-plugin-node';

import {FakeKV} from './fake_kv.js';

const id = (c: string): string => c.repeat(26);
const channel = id('c');
const bot = id('z');
const [alice, bob, carol, dave, erin] = [id('a'), id('b'), id('d'), id('e'), id('f')];

let kv: FakeKV;
let store: WordStore;
let settings: Settings;
let members: Set<string>;
let deactivated: Set<string>;
let unknownUsers: Set<string>;
let channelName: string;
let dms: Array<{to: string; channel: string; message: string}>;
let failingDMs: Set<string>;
let failingLookups: boolean;
let hostCalls: string[];
let logged: Array<{level: string; message: string; kv: unknown[]}>;
let clock: {t: number};
let notifier: Notifier;

const notFound = (): AppError => new AppError({id: 'app.missing', message: 'not found', statusCode: 404});
const dmChannelOf = (userId: string): string => `dm${userId.slice(0, 24)}`;

const host: AlertsHost = {
    getUser: async (userId) => {
        hostCalls.push('getUser');
        if (unknownUsers.has(userId)) {
            throw notFound();
        }
        return {id: userId, username: `user-${userId[0]}`, delete_at: deactivated.has(userId) ? 1 : 0} as never;
    },
    getUsersByIds: async (userIds) => {
        hostCalls.push('getUsersByIds');
        if (failingLookups) {
            throw new Error('database is down');
        }
        return userIds.filter((u) => !unknownUsers.has(u)).map((u) => ({id: u, username: `user-${u[0]}`, delete_at: deactivated.has(u) ? 1 : 0, locale: u === carol ? 'de' : 'en'})) as never;
    },
    getChannel: async (channelId) => {
        hostCalls.push('getChannel');
        return {id: channelId, name: 'town-square', display_name: channelName, type: 'O', team_id: id('t')} as never;
    },
    getChannelMember: async (channelId, userId) => {
        hostCalls.push('getChannelMember');
        if (!members.has(userId)) {
            throw notFound();
        }
        return {channel_id: channelId, user_id: userId} as never;
    },
    getChannelMembersByIds: async (channelId, userIds) => {
        hostCalls.push('getChannelMembersByIds');
        return userIds.filter((u) => members.has(u)).map((u) => ({channel_id: channelId, user_id: u})) as never;
    },
    getTeam: async (teamId) => {
        hostCalls.push('getTeam');
        return {id: teamId, name: 'acme'} as never;
    },
    getDirectChannel: async (_bot, userId) => {
        hostCalls.push('getDirectChannel');
        return {id: dmChannelOf(userId)} as never;
    },
    createPost: async (post) => {
        hostCalls.push('createPost');
        const to = [alice, bob, carol, dave, erin, ...extraUsers].find((u) => dmChannelOf(u) === post.channel_id) ?? '?';
        if (failingDMs.has(to)) {
            throw new Error('DM refused');
        }
        dms.push({to, channel: String(post.channel_id), message: String(post.message)});
        return post as Post;
    },
};
let extraUsers: string[] = [];

const recorder = (level: string) => (message: string, ...kv: unknown[]): void => {
    logged.push({level, message, kv});
};
const log: Log = {debug: recorder('debug'), info: recorder('info'), warn: recorder('warn'), error: recorder('error')};

let seq = 0;
function post(userId: string, message: string, extra: Partial<Post> = {}): Post {
    seq++;
    return {id: `p${seq}`.padEnd(26, 'x'), channel_id: channel, user_id: userId, message, type: '', props: {}, root_id: '', edit_at: 0, update_at: seq, ...extra} as Post;
}

async function setWords(userId: string, words: string[], on = store): Promise<void> {
    await on.updateUserWords(channel, userId, () => words.map((word) => ({word, key: normalizeWord(word)})));
}

/** A notifier as one server runs it: its own store, ledger and caches over its own view of the shared KV. */
function serverNotifier(kvView: FakeKV | ReturnType<FakeKV['client']>, withStore?: WordStore, h: AlertsHost = host): Notifier {
    const now = () => clock.t;
    return new Notifier({
        host: h,
        log,
        store: withStore ?? new WordStore(kvView, {now}),
        ledger: new RecipientLedger(kvView, {now}),
        settings: () => settings,
        botUserId: () => bot,
        siteURL: () => 'https://chat.example.com',
        now,
    });
}

/** What one call of `fn` costs: host calls by method, KV calls by op. */
async function cost(fn: () => Promise<unknown>): Promise<{host: Record<string, number>; kv: Record<string, number>; total: number}> {
    hostCalls = [];
    kv.resetCalls();
    await fn();
    const tally = (list: string[]) => list.reduce<Record<string, number>>((m, k) => ({...m, [k]: (m[k] ?? 0) + 1}), {});
    return {host: tally(hostCalls), kv: tally(kv.calls.map((c) => c.op)), total: hostCalls.length + kv.calls.length};
}

beforeEach(async () => {
    clock = {t: Date.UTC(2026, 0, 5, 10, 0, 0)};
    kv = new FakeKV({now: () => clock.t});
    store = new WordStore(kv, {now: () => clock.t});
    settings = {...defaultSettings};
    members = new Set([alice, bob, carol, dave, erin]);
    deactivated = new Set();
    unknownUsers = new Set();
    channelName = 'Town Square';
    dms = [];
    failingDMs = new Set();
    failingLookups = false;
    hostCalls = [];
    extraUsers = [];
    logged = [];
    notifier = serverNotifier(kv, store);
    await setWords(alice, ['deploy', 'on call']);
    await setWords(carol, ['deploy']);
});

describe('notifier', () => {
    it('alerts every matching member once, listing all their words, never the author', async () => {
        expect(await notifier.onPosted(post(carol, 'who is on   call for the deploy?'))).toBe(1);
        expect(dms).toHaveLength(1);
        expect(dms[0]!.to).toBe(alice);
        expect(dms[0]!.channel).toBe(dmChannelOf(alice));
        expect(dms[0]!.message).toContain('deploy');
        expect(dms[0]!.message).toContain('on call');
        expect(dms[0]!.message).toContain('@user-d');
        expect(dms[0]!.message).toContain('https://chat.example.com/acme/pl/');
    });

    it("writes each DM in its recipient's language (the locale comes with the users lookup)", async () => {
        expect(await notifier.onPosted(post(bob, 'deploy'))).toBe(2);
        expect(dms.find((d) => d.to === carol)!.message).toContain('@user-b hat `deploy` in **Town Square** (~town-square) erwähnt');
        expect(dms.find((d) => d.to === alice)!.message).toContain('@user-b mentioned `deploy` in **Town Square**');
    });

    it('skips non-members, deactivated users, system messages, the bot and (by default) other bots', async () => {
        members.delete(carol);
        deactivated.add(alice);
        expect(await notifier.onPosted(post(bob, 'deploy'))).toBe(0);
        deactivated.clear();
        expect(await notifier.onPosted(post(bob, 'deploy', {type: 'system_join_channel'}))).toBe(0);
        expect(await notifier.onPosted(post(bot, 'deploy'))).toBe(0);
        expect(await notifier.onPosted(post(dave, 'deploy', {props: {from_bot: 'true'}}))).toBe(0);
        settings = {...settings, alertOnBotPosts: true};
        expect(await notifier.onPosted(post(dave, 'deploy', {props: {from_bot: 'true'}}))).toBe(1);
        expect(dms.map((d) => d.to)).toEqual([alice]);
    });

    it('checks membership when the post arrives: a member who left gets nothing, one who came back does', async () => {
        expect(await notifier.onPosted(post(bob, 'deploy'))).toBe(2);
        members.delete(alice);
        expect(await notifier.onPosted(post(bob, 'deploy'))).toBe(1);
        members.add(alice);
        expect(await notifier.onPosted(post(bob, 'deploy'))).toBe(2);
        unknownUsers.add(carol); // deleted from the server
        expect(await notifier.onPosted(post(bob, 'deploy'))).toBe(1);
    });

    it('sends one DM per post per user even when the post is delivered twice', async () => {
        const p = post(bob, 'deploy');
        expect(await notifier.onPosted(p)).toBe(2);
        expect(await notifier.onPosted(p)).toBe(0);
        expect(dms).toHaveLength(2);
    });

    it('sends one DM per post per user when two servers handle the same post at once', async () => {
        kv.latency = () => 1;
        const s1 = serverNotifier(kv.client('s1'));
        const s2 = serverNotifier(kv.client('s2'));
        const p = post(bob, 'deploy');
        const sent = await Promise.all([s1.onPosted(p), s2.onPosted(p), s1.onPosted(p), s2.onPosted(p)]);
        expect(sent.reduce((a, b) => a + b, 0)).toBe(2);
        expect(dms.map((d) => d.to).sort()).toEqual([alice, carol].sort());
    });

    it('alerts on edits only for words the previous version did not have', async () => {
        const before = post(bob, 'deploy now');
        await notifier.onPosted(before);
        dms = [];
        const after = {...before, message: 'deploy now, who is on call?', edit_at: 99};
        expect(await notifier.onUpdated(after, before)).toBe(1);
        expect(dms[0]!.to).toBe(alice);
        expect(dms[0]!.message).toContain('on call');
    });

    it('still alerts when the author is no longer known to the server', async () => {
        unknownUsers.add(dave);
        expect(await notifier.onPosted(post(dave, 'deploy'))).toBe(2);
        expect(dms[0]!.message).toContain('someone');
    });

    it('matches new words right after they are written, without a stale cache', async () => {
        await notifier.onPosted(post(bob, 'warm the cache'));
        await setWords(alice, ['release']);
        expect(await notifier.onPosted(post(bob, 'release it'))).toBe(1);
        expect(await notifier.onPosted(post(bob, 'on call'))).toBe(0);
    });

    it('holds a snooze set through another server from the next post on, and its end too', async () => {
        const other = new WordStore(kv.client('s2'), {now: () => clock.t});
        const snooze = new Snooze(other, () => clock.t);
        await notifier.onPosted(post(bob, 'warm the cache'));
        await snooze.set(alice, channel, '1h', '');
        expect(await notifier.onPosted(post(bob, 'deploy'))).toBe(1);
        expect(dms.map((d) => d.to)).toEqual([carol]);
        await snooze.set(alice, channel, 'off', '');
        expect(await notifier.onPosted(post(bob, 'deploy'))).toBe(2);
        const until = (await snooze.set(alice, channel, '1h', ''))!;
        clock.t = until; // the snooze ends at its time, whether or not anything rewrote the doc
        expect(await notifier.onPosted(post(bob, 'on call'))).toBe(1);
    });

    it('applies the flood limit across servers and reports the held-back alerts in the next minute', async () => {
        settings = {...settings, alertsPerMinute: 2};
        const s1 = serverNotifier(kv.client('s1'));
        const s2 = serverNotifier(kv.client('s2'));
        for (let i = 0; i < 5; i++) {
            await [s1, s2][i % 2]!.onPosted(post(bob, `on call ${i}`));
        }
        expect(dms.filter((d) => d.to === alice)).toHaveLength(2);
        clock.t += 60_000;
        await s2.onPosted(post(bob, 'on call again'));
        const last = dms.at(-1)!;
        expect(last.to).toBe(alice);
        expect(last.message).toMatch(/\b3 more alerts were held back/);
    });

    it('logs a DM that could not be sent as a warning and still alerts the others', async () => {
        failingDMs.add(alice);
        const p = post(bob, 'deploy');
        expect(await notifier.onPosted(p)).toBe(1);
        expect(dms.map((d) => d.to)).toEqual([carol]);
        expect(logged).toEqual([
            {level: 'warn', message: 'trigger alert not delivered', kv: ['user_id', alice, 'post_id', p.id, 'error', 'Error: DM refused']},
        ]);
    });

    it('logs one warning and sends nothing when the users or memberships cannot be read', async () => {
        failingLookups = true;
        const p = post(bob, 'deploy');
        expect(await notifier.onPosted(p)).toBe(0);
        expect(dms).toEqual([]);
        expect(logged).toEqual([
            {level: 'warn', message: 'trigger alerts not delivered', kv: ['post_id', p.id, 'recipients', 2, 'error', 'Error: database is down']},
        ]);
        failingLookups = false;
        expect(await notifier.onPosted(p)).toBe(2); // nothing was decided: a redelivery alerts
    });

    it('sends nothing when alerts are disabled', async () => {
        settings = {...settings, enableAlerts: false};
        expect(await notifier.onPosted(post(bob, 'deploy'))).toBe(0);
        expect(dms).toEqual([]);
    });

    it('alerts the recipients of one post a few at a time, each exactly once', async () => {
        const many = Array.from({length: 20}, (_, i) => `u${String(i).padStart(2, '0')}`.padEnd(26, 'u'));
        extraUsers = many;
        for (const u of many) {
            members.add(u);
            await setWords(u, ['release']);
        }
        let inFlight = 0;
        let most = 0;
        const slowHost: AlertsHost = {
            ...host,
            createPost: async (p) => {
                inFlight++;
                most = Math.max(most, inFlight);
                await new Promise((resolve) => setTimeout(resolve, 5));
                inFlight--;
                return host.createPost(p);
            },
        };
        const n = serverNotifier(kv, store, slowHost);
        expect(await n.onPosted(post(bob, 'release today'))).toBe(20);
        expect(dms.map((d) => d.to).sort()).toEqual([...many].sort());
        expect(most).toBeGreaterThan(1);
        expect(most).toBeLessThanOrEqual(8);
    });

    it('asks for the direct channel again when the server refuses the remembered one', async () => {
        await notifier.onPosted(post(bob, 'deploy'));
        let refused = 0;
        const moved = 'm'.repeat(26);
        const n = serverNotifier(kv, store, {
            ...host,
            getDirectChannel: async (_b, u) => ({id: u === alice ? moved : dmChannelOf(u)}) as never,
            createPost: async (p) => {
                if (p.channel_id === dmChannelOf(alice)) {
                    refused++;
                    throw new AppError({id: 'api.post.create_post.channel.app_error', message: 'no channel', statusCode: 400});
                }
                dms.push({to: p.channel_id === moved ? alice : '?', channel: String(p.channel_id), message: String(p.message)});
                return p as Post;
            },
        });
        dms = [];
        expect(await n.onPosted(post(bob, 'on call'))).toBe(1);
        expect(await n.onPosted(post(bob, 'on call'))).toBe(1);
        expect(refused).toBe(1);
        expect(dms.map((d) => d.channel)).toEqual([moved, moved]);
    });
});

describe('server round trips', () => {
    it('a post that alerts nobody costs one KV read (the version stamp)', async () => {
        await notifier.onPosted(post(bob, 'warm the cache'));
        expect(await cost(() => notifier.onPosted(post(bob, 'nothing to see here')))).toEqual({host: {}, kv: {get: 1}, total: 1});
        // A word in the channel, but only the author's own: still nobody to alert.
        expect(await cost(() => notifier.onPosted(post(alice, 'on call')))).toEqual({host: {}, kv: {get: 1}, total: 1});
    });

    it('an alert costs one ledger write and the DM; a post that alerts adds one users and one members call', async () => {
        extraUsers = [];
        await setWords(dave, ['deploy']);
        // Cold: the channel's names, each recipient's ledger and direct channel are read once.
        const cold = await cost(() => notifier.onPosted(post(bob, 'deploy')));
        expect(cold.host).toEqual({getUsersByIds: 1, getChannelMembersByIds: 1, getChannel: 1, getTeam: 1, getDirectChannel: 3, createPost: 3});
        expect(cold.kv).toEqual({get: 4, compareAndSet: 3});
        // Warm: per post the stamp, the users and the memberships; per alert one compare-and-set and the DM.
        const warm = await cost(() => notifier.onPosted(post(bob, 'deploy')));
        expect(dms).toHaveLength(6);
        expect(warm.host).toEqual({getUsersByIds: 1, getChannelMembersByIds: 1, createPost: 3});
        expect(warm.kv).toEqual({get: 1, compareAndSet: 3});
        expect(warm.total).toBe(9); // 3 per alert, the stamp read included
        // A process started later knows the direct channels from the ledger: no GetDirectChannel.
        const later = serverNotifier(kv);
        const restarted = await cost(() => later.onPosted(post(bob, 'deploy')));
        expect(restarted.host.getDirectChannel).toBeUndefined();
    });

    it('a snoozed recipient costs no call at all', async () => {
        await new Snooze(store, () => clock.t).set(carol, channel, '8h', '');
        await notifier.onPosted(post(bob, 'deploy'));
        const c = await cost(() => notifier.onPosted(post(bob, 'deploy')));
        expect(c.host).toEqual({getUsersByIds: 1, getChannelMembersByIds: 1, createPost: 1});
        expect(c.kv).toEqual({get: 1, compareAndSet: 1});
        // Through another server: this one reads the changed doc once, and rebuilds nothing.
        await new Snooze(new WordStore(kv.client('s2'), {now: () => clock.t}), () => clock.t).set(alice, channel, '8h', '');
        // Everyone who matched is snoozed: nothing but the stamp and the doc the snooze changed (and, this
        // once, the lookups started on the cached doc while the stamp was read).
        expect(await cost(() => notifier.onPosted(post(bob, 'deploy')))).toEqual({host: {getUsersByIds: 1, getChannelMembersByIds: 1}, kv: {get: 2}, total: 4});
        expect(await cost(() => notifier.onPosted(post(bob, 'deploy')))).toEqual({host: {}, kv: {get: 1}, total: 1});
    });

    it("reads the channel's names once a minute: a rename shows in alerts within that minute", async () => {
        await notifier.onPosted(post(bob, 'deploy'));
        channelName = 'War Room';
        await notifier.onPosted(post(bob, 'deploy'));
        expect(dms.at(-1)!.message).toContain('Town Square');
        clock.t += 60_000;
        const c = await cost(() => notifier.onPosted(post(bob, 'deploy')));
        expect(c.host.getChannel).toBe(1);
        expect(dms.at(-1)!.message).toContain('War Room');
    });
});

describe('matching while the stamp is read', () => {
    it("looks the recipients up before the stamp's answer, and alerts once it confirms the cache", async () => {
        await notifier.onPosted(post(bob, 'deploy')); // warm
        const held = kv.hold({op: 'get', key: (k) => k.startsWith('tw1:st:')});
        hostCalls = [];
        const pending = notifier.onPosted(post(bob, 'deploy'));
        await held.arrived;
        await new Promise((resolve) => setTimeout(resolve, 5));
        expect(hostCalls.sort()).toEqual(['getChannelMembersByIds', 'getUsersByIds']);
        expect(dms).toHaveLength(2); // nothing decided before the stamp answered
        held.release();
        expect(await pending).toBe(2);
    });

    it('drops what it found on a stale cache: words changed on another server alert as they are now', async () => {
        const s2 = new WordStore(kv.client('s2'), {now: () => clock.t});
        await notifier.onPosted(post(bob, 'warm the cache'));
        await setWords(alice, ['release'], s2);
        await setWords(carol, [], s2);
        hostCalls = [];
        expect(await notifier.onPosted(post(bob, 'deploy the release'))).toBe(1);
        expect(dms.map((d) => d.to)).toEqual([alice]);
        expect(dms[0]!.message).toContain('`release`');
        expect(dms[0]!.message).not.toContain('`deploy`');
        // The early lookups (for alice and carol on "deploy") were made, then the ones for the current words.
        expect(hostCalls.filter((c) => c === 'getUsersByIds')).toHaveLength(2);
    });

    it('takes a snooze set on another server from the current doc, not the cached one', async () => {
        const s2 = new WordStore(kv.client('s2'), {now: () => clock.t});
        await notifier.onPosted(post(bob, 'warm the cache'));
        await new Snooze(s2, () => clock.t).set(carol, channel, '1h', '');
        expect(await notifier.onPosted(post(bob, 'deploy'))).toBe(1);
        expect(dms.map((d) => d.to)).toEqual([alice]);
    });
});

describe('ChannelNamesCache', () => {
    it('shares one lookup between concurrent posts and does not keep a failed one', async () => {
        let calls = 0;
        let fail = true;
        const names = new ChannelNamesCache({
            ...host,
            getChannel: async (c) => {
                calls++;
                await new Promise((resolve) => setTimeout(resolve, 2));
                if (fail) {
                    throw notFound();
                }
                return {id: c, name: 'n', display_name: 'N', type: 'O', team_id: ''} as never;
            },
        });
        await expect(names.get(channel)).rejects.toBeInstanceOf(AppError);
        fail = false;
        const all = await Promise.all([names.get(channel), names.get(channel), names.get(channel)]);
        expect(all.map((n) => n.display_name)).toEqual(['N', 'N', 'N']);
        expect(calls).toBe(2);
    });
});

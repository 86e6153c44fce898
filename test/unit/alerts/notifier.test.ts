// The notifier in-process: who gets a DM for a post, against the real store, flood control and snooze over
// an in-memory KV, with a fake Mattermost behind AlertsHost.
import type {Post} from '@mattermost/types/posts';
import {beforeEach, describe, expect, it} from 'vitest';

import {FloodControl} from '../../../server/alerts/flood.js';
import type {AlertsHost} from '../../../server/alerts/host.js';
import {normalizeWord} from '../../../server/alerts/matcher.js';
import {Notifier} from '../../../server/alerts/notifier.js';
import {defaultSettings, type Settings} from '../../../server/alerts/settings.js';
import {Snooze} from '../../../server/alerts/snooze.js';
import {WordStore} from '../../../server/alerts/store.js';
import {AppError} from '../../../server/mattermost/errors.js';
import type {Log} from '../../../server/mattermost/logger.js';

import {FakeKV} from './fake_kv.js';

const id = (c: string): string => c.repeat(26);
const channel = id('c');
const bot = id('z');
const [alice, bob, carol, dave] = [id('a'), id('b'), id('d'), id('e')];

let kv: FakeKV;
let store: WordStore;
let settings: Settings;
let members: Set<string>;
let deactivated: Set<string>;
let unknownUsers: Set<string>;
let dms: Array<{to: string; message: string}>;
let failingDMs: Set<string>;
let logged: Array<{level: string; message: string; kv: unknown[]}>;
let notifier: Notifier;

const notFound = (): AppError => new AppError({id: 'app.missing', message: 'not found', statusCode: 404});

const host: AlertsHost = {
    getUser: async (userId) => {
        if (unknownUsers.has(userId)) {
            throw notFound();
        }
        return {id: userId, username: `user-${userId[0]}`, delete_at: deactivated.has(userId) ? 1 : 0} as never;
    },
    getChannel: async (channelId) => ({id: channelId, name: 'town-square', display_name: 'Town Square', type: 'O', team_id: id('t')}) as never,
    getChannelMember: async (channelId, userId) => {
        if (!members.has(userId)) {
            throw notFound();
        }
        return {channel_id: channelId, user_id: userId} as never;
    },
    getTeam: async (teamId) => ({id: teamId, name: 'acme'}) as never,
    getDirectChannel: async (_bot, userId) => ({id: `dm-${userId}`}) as never,
    createPost: async (post) => {
        const to = String(post.channel_id).slice(3);
        if (failingDMs.has(to)) {
            throw new Error('DM refused');
        }
        dms.push({to, message: String(post.message)});
        return post as Post;
    },
};

const recorder = (level: string) => (message: string, ...kv: unknown[]): void => {
    logged.push({level, message, kv});
};
const log: Log = {debug: recorder('debug'), info: recorder('info'), warn: recorder('warn'), error: recorder('error')};

let seq = 0;
function post(userId: string, message: string, extra: Partial<Post> = {}): Post {
    seq++;
    return {id: `p${seq}`.padEnd(26, 'x'), channel_id: channel, user_id: userId, message, type: '', props: {}, root_id: '', edit_at: 0, update_at: seq, ...extra} as Post;
}

async function setWords(userId: string, words: string[]): Promise<void> {
    await store.updateUserWords(channel, userId, () => words.map((word) => ({word, key: normalizeWord(word)})));
}

beforeEach(async () => {
    kv = new FakeKV();
    store = new WordStore(kv);
    settings = {...defaultSettings};
    members = new Set([alice, bob, carol, dave]);
    deactivated = new Set();
    unknownUsers = new Set();
    dms = [];
    failingDMs = new Set();
    logged = [];
    notifier = new Notifier({
        host,
        log,
        kv,
        store,
        flood: new FloodControl(kv),
        snooze: new Snooze(kv),
        settings: () => settings,
        botUserId: () => bot,
        siteURL: () => 'https://chat.example.com',
    });
    await setWords(alice, ['deploy', 'on call']);
    await setWords(carol, ['deploy']);
});

describe('notifier', () => {
    it('alerts every matching member once, listing all their words, never the author', async () => {
        expect(await notifier.onPosted(post(carol, 'who is on   call for the deploy?'))).toBe(1);
        expect(dms).toHaveLength(1);
        expect(dms[0]!.to).toBe(alice);
        expect(dms[0]!.message).toContain('deploy');
        expect(dms[0]!.message).toContain('on call');
        expect(dms[0]!.message).toContain('https://chat.example.com/acme/pl/');
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

    it('sends one DM per post per user even when the post is delivered twice', async () => {
        const p = post(bob, 'deploy');
        expect(await notifier.onPosted(p)).toBe(2);
        expect(await notifier.onPosted(p)).toBe(0);
        expect(dms).toHaveLength(2);
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
    });

    it('matches new words right after they are written, without a stale cache', async () => {
        await notifier.onPosted(post(bob, 'warm the cache'));
        await setWords(alice, ['release']);
        expect(await notifier.onPosted(post(bob, 'release it'))).toBe(1);
        expect(await notifier.onPosted(post(bob, 'on call'))).toBe(0);
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

    it('sends nothing when alerts are disabled', async () => {
        settings = {...settings, enableAlerts: false};
        expect(await notifier.onPosted(post(bob, 'deploy'))).toBe(0);
        expect(dms).toEqual([]);
    });

    it('alerts the recipients of one post a few at a time, each exactly once', async () => {
        const many = Array.from({length: 20}, (_, i) => `u${String(i).padStart(2, '0')}`.padEnd(26, 'u'));
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
        const n = new Notifier({host: slowHost, log, kv, store, flood: new FloodControl(kv), snooze: new Snooze(kv), settings: () => settings, botUserId: () => bot, siteURL: () => 'https://chat.example.com'});
        expect(await n.onPosted(post(bob, 'release today'))).toBe(20);
        expect(dms.map((d) => d.to).sort()).toEqual([...many].sort());
        expect(most).toBeGreaterThan(1);
        expect(most).toBeLessThanOrEqual(8);
    });
});


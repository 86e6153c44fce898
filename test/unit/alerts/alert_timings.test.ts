// Where an alert's time goes (server/alerts/alert_timings.ts), as the notifier records it for the real-server
// benchmark: every alert sent, its marks in the order the steps happen, nothing for a post that alerts nobody.
import type {Post} from '@mattermost/types/posts';
import {afterEach, describe, expect, it} from 'vitest';

import {AlertTimings} from '../../../server/alerts/alert_timings.js';
import type {AlertsHost} from '../../../server/alerts/host.js';
import {Notifier} from '../../../server/alerts/notifier.js';
import {RecipientLedger} from '../../../server/alerts/recipient_ledger.js';
import {defaultSettings} from '../../../server/alerts/settings.js';
import {WordStore} from '../../../server/alerts/store.js';
import type {Log} from 'mattermost-plugin-node';

import {FakeKV} from './fake_kv.js';

const id = (c: string): string => c.repeat(26);
const [channel, bot, alice, bob, carol] = [id('c'), id('z'), id('a'), id('b'), id('d')];
const quiet: Log = {debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined};
const slow = <T>(ms: number, v: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(v), ms));

const host: AlertsHost = {
    getUser: async (u) => ({id: u, username: u[0], delete_at: 0}) as never,
    getUsersByIds: (ids) => slow(5, ids.map((u) => ({id: u, username: u[0], delete_at: 0, locale: 'en'})) as never),
    getChannel: async (c) => ({id: c, name: 'town-square', display_name: 'Town Square', type: 'O', team_id: id('t')}) as never,
    getChannelMember: async (c, u) => ({channel_id: c, user_id: u}) as never,
    getChannelMembersByIds: async (c, ids) => ids.map((u) => ({channel_id: c, user_id: u})) as never,
    getTeam: async (t) => ({id: t, name: 'acme'}) as never,
    getDirectChannel: async (_b, u) => ({id: `dm${u.slice(0, 24)}`}) as never,
    createPost: (p) => slow(5, p as Post),
};

describe('alert timings', () => {
    const timings = new AlertTimings();
    afterEach(() => timings.stop());

    it('records each alert sent with its steps in order, and counts every post considered', async () => {
        const kv = new FakeKV({latency: () => 2});
        const store = new WordStore(kv);
        await store.updateUserWords(channel, alice, () => [{word: 'deploy', key: 'deploy'}]);
        await store.updateUserWords(channel, carol, () => [{word: 'deploy', key: 'deploy'}]);
        const notifier = new Notifier({host, log: quiet, store, ledger: new RecipientLedger(kv), settings: () => defaultSettings, botUserId: () => bot, siteURL: () => '', timings});
        const createAt = Date.now() - 3;
        const post = (n: number, message: string): Post => ({id: `p${n}`.padEnd(26, 'x'), channel_id: channel, user_id: bob, message, type: '', props: {}, root_id: '', create_at: createAt}) as Post;
        expect(await notifier.onPosted(post(1, 'nothing here'))).toBe(0);
        expect(await notifier.onPosted(post(2, 'time to deploy'))).toBe(2);
        const r = timings.report();
        expect(r.pid).toBe(process.pid);
        expect(r.posts).toBe(2);
        expect(r.cpu_ms).toBeGreaterThan(0);
        expect(r.alerts.map((a) => a.user_id).sort()).toEqual([alice, carol].sort());
        for (const a of r.alerts) {
            expect(a.post_id).toBe(post(2, '').id);
            expect(a.post_create_at).toBe(createAt);
            expect(a.hook_start_at).toBeGreaterThanOrEqual(createAt);
            expect(a.stamp_ms).toBeGreaterThan(0);
            expect(a.lookups_ms).toBeGreaterThanOrEqual(a.stamp_ms);
            expect(a.lookups_ms).toBeGreaterThanOrEqual(4); // the users lookup takes 5 ms
            expect(a.claimed_ms).toBeGreaterThanOrEqual(a.lookups_ms);
            expect(a.dm_sent_ms).toBeGreaterThanOrEqual(a.claimed_ms);
            expect(a.dm_done_ms - a.dm_sent_ms).toBeGreaterThanOrEqual(4); // CreatePost takes 5 ms
        }
        expect(r.hook_ms_total).toBeGreaterThanOrEqual(Math.max(...r.alerts.map((a) => a.dm_done_ms)));
    });
});

// The bot's direct channel with a user is made when the user sets words (#12), not on their first alert:
// which requests tell the app (HTTP PUT and POST, /trigger add; not a removal, a refused add or an empty
// list), and that the alert path then finds the channel in the ledger, asks for no channel, and still
// finds a new one when the remembered one is gone.
import http from 'node:http';
import type {AddressInfo} from 'node:net';

import type {Post} from '@mattermost/types/posts';
import express from 'express';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';

import {executeTrigger} from '../../../server/alerts/command.js';
import type {AlertsHost} from '../../../server/alerts/host.js';
import {alertsRouter} from '../../../server/alerts/http.js';
import {Notifier} from '../../../server/alerts/notifier.js';
import {RecipientLedger, ledgerKey} from '../../../server/alerts/recipient_ledger.js';
import {defaultSettings} from '../../../server/alerts/settings.js';
import {Snooze} from '../../../server/alerts/snooze.js';
import {WordStore} from '../../../server/alerts/store.js';
import {AppError, type Log} from 'mattermost-plugin-node';

import {FakeKV} from './fake_kv.js';

const id = (c: string): string => c.repeat(26);
const channel = id('c');
const bot = id('z');
const [alice, bob] = [id('a'), id('b')];
const dmOf = (userId: string, generation = 0): string => `${generation}dm${userId.slice(0, 23)}`;

const quiet: Log = {debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined};

interface FakeServer {
    host: AlertsHost;
    /** getDirectChannel calls, by user. */
    directChannelAsks: string[];
    dms: Array<{channel: string; message: string}>;
    /** The DM channels that exist; a DM into another one is refused, as the server refuses a deleted channel. */
    live: Map<string, string>;
}

function fakeServer(): FakeServer {
    const s: FakeServer = {directChannelAsks: [], dms: [], live: new Map(), host: undefined as unknown as AlertsHost};
    const generation = new Map<string, number>();
    s.host = {
        getUser: async (userId) => ({id: userId, username: `user-${userId[0]}`, delete_at: 0, locale: 'en'}) as never,
        getUsersByIds: async (ids) => ids.map((u) => ({id: u, username: `user-${u[0]}`, delete_at: 0, locale: 'en'})) as never,
        getChannel: async (channelId) => ({id: channelId, name: 'town-square', display_name: 'Town Square', type: 'O', team_id: id('t')}) as never,
        getChannelMember: async (channelId, userId) => ({channel_id: channelId, user_id: userId}) as never,
        getChannelMembersByIds: async (channelId, ids) => ids.map((u) => ({channel_id: channelId, user_id: u})) as never,
        getTeam: async (teamId) => ({id: teamId, name: 'acme'}) as never,
        getDirectChannel: async (_bot, userId) => {
            s.directChannelAsks.push(userId);
            let dm = s.live.get(userId);
            if (dm === undefined) {
                // made anew: a channel deleted before gets a new id
                const g = (generation.get(userId) ?? -1) + 1;
                generation.set(userId, g);
                dm = dmOf(userId, g);
                s.live.set(userId, dm);
            }
            return {id: dm} as never;
        },
        createPost: async (p) => {
            if (![...s.live.values()].includes(String(p.channel_id))) {
                throw new AppError({id: 'app.channel.get.existing.app_error', message: 'channel not found', statusCode: 404});
            }
            s.dms.push({channel: String(p.channel_id), message: String(p.message)});
            return p as Post;
        },
    };
    return s;
}

describe('the direct channel is made when words are set', () => {
    let kv: FakeKV;
    let store: WordStore;
    let told: string[];
    let httpServer: http.Server | undefined;

    beforeEach(() => {
        kv = new FakeKV();
        store = new WordStore(kv);
        told = [];
    });
    afterEach(async () => {
        await new Promise<void>((resolve) => (httpServer ? httpServer.close(() => resolve()) : resolve()));
        httpServer = undefined;
    });

    async function api(): Promise<(method: string, path: string, body?: unknown) => Promise<number>> {
        const server = fakeServer();
        const app = express().use('/api/v1', alertsRouter({
            host: server.host, log: quiet, store, snooze: new Snooze(store), settings: () => ({...defaultSettings, maxWordsPerChannel: 2}),
            wordsSet: (userId) => told.push(userId),
        }));
        httpServer = http.createServer(app);
        await new Promise<void>((resolve) => httpServer!.listen(0, '127.0.0.1', resolve));
        const base = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/api/v1`;
        return async (method, path, body) => {
            const res = await fetch(`${base}${path}`, {
                method,
                headers: {'Mattermost-User-Id': alice, 'Content-Type': 'application/json'},
                body: body === undefined ? undefined : JSON.stringify(body),
            });
            await res.arrayBuffer();
            return res.status;
        };
    }

    it('HTTP: PUT of a list with words and POST of a new word tell the app; removals, empty lists and refused adds do not', async () => {
        const call = await api();
        expect(await call('PUT', `/channels/${channel}/words`, {words: ['deploy']})).toBe(200);
        expect(told).toEqual([alice]);
        expect(await call('POST', `/channels/${channel}/words`, {word: 'release'})).toBe(201);
        expect(told).toEqual([alice, alice]);
        expect(await call('POST', `/channels/${channel}/words`, {word: 'Release'})).toBe(409); // already there
        expect(await call('POST', `/channels/${channel}/words`, {word: 'hotfix'})).toBe(422); // over the limit of 2
        expect(await call('DELETE', `/channels/${channel}/words/release`)).toBe(200);
        expect(await call('PUT', `/channels/${channel}/words`, {words: []})).toBe(200);
        expect(await call('GET', `/channels/${channel}/words`)).toBe(200);
        expect(told).toEqual([alice, alice]);
    });

    it('/trigger add of a new word tells the app; the same word again, remove and list do not', async () => {
        const server = fakeServer();
        const deps = {host: server.host, store, snooze: new Snooze(store), settings: () => defaultSettings, wordsSet: (userId: string) => told.push(userId)};
        const trigger = (command: string) => executeTrigger(deps, {user_id: bob, channel_id: channel, team_id: '', root_id: '', parent_id: '', trigger_id: '', command});
        await trigger('/trigger add deploy');
        expect(told).toEqual([bob]);
        await trigger('/trigger add deploy');
        await trigger('/trigger remove deploy');
        await trigger('/trigger list');
        expect(told).toEqual([bob]);
    });

    it("the first alert then asks for no channel, and a deleted channel is replaced by the server's new one", async () => {
        const server = fakeServer();
        const ledger = new RecipientLedger(kv);
        const notifier = new Notifier({
            host: server.host, log: quiet, store, ledger, settings: () => defaultSettings, botUserId: () => bot, siteURL: () => 'https://chat.example.com',
        });
        await store.updateUserWords(channel, alice, () => [{word: 'deploy', key: 'deploy'}]);
        // What AlertsApp does when told (its wordsSet).
        expect(await ledger.rememberDirectChannel(alice, async () => (await server.host.getDirectChannel(bot, alice)).id)).toBe(dmOf(alice));
        expect(server.directChannelAsks).toEqual([alice]);

        let seq = 0;
        const post = (message: string): Post => ({id: `p${++seq}`.padEnd(26, 'x'), channel_id: channel, user_id: bob, message, type: '', props: {}, root_id: '', edit_at: 0, update_at: seq}) as Post;
        expect(await notifier.onPosted(post('time to deploy'))).toBe(1);
        expect(server.dms.map((d) => d.channel)).toEqual([dmOf(alice)]);
        expect(server.directChannelAsks).toEqual([alice]); // not asked again on the alert path

        // A new process (a restart, another server) finds it in the ledger too.
        const other = new Notifier({
            host: server.host, log: quiet, store: new WordStore(kv), ledger: new RecipientLedger(kv), settings: () => defaultSettings, botUserId: () => bot, siteURL: () => '',
        });
        expect(await other.onPosted(post('deploy again'))).toBe(1);
        expect(server.directChannelAsks).toEqual([alice]);

        // The channel is deleted on the server: the alert asks once, gets the new channel, and keeps it.
        server.live.delete(alice);
        expect(await notifier.onPosted(post('deploy, third time'))).toBe(1);
        expect(server.directChannelAsks).toEqual([alice, alice]);
        expect(server.dms.map((d) => d.channel)).toEqual([dmOf(alice), dmOf(alice), dmOf(alice, 1)]);
        expect(await notifier.onPosted(post('deploy, fourth time'))).toBe(1);
        expect(server.directChannelAsks).toEqual([alice, alice]);
        expect((JSON.parse(kv.peek(ledgerKey(alice))!) as {dm: string}).dm).toBe(dmOf(alice, 1));
    });
});

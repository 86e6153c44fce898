// The trigger-words HTTP API in-process, as the plugin serves it (the router under /api/v1 and the
// JSON 404 of app.ts), over the real WordStore and Snooze on an in-memory KV, with a fake Mattermost:
// alice is in both channels, bob only in the open one, carol in none. Requests go through a real
// loopback HTTP server so that methods, paths, headers and bodies arrive exactly as sent.
import http from 'node:http';
import type {AddressInfo} from 'node:net';

import express from 'express';

import type {AlertsHost} from '../../../server/alerts/host.js';
import {alertsRouter} from '../../../server/alerts/http.js';
import {defaultSettings, type Settings} from '../../../server/alerts/settings.js';
import {Snooze} from '../../../server/alerts/snooze.js';
import {WordStore} from '../../../server/alerts/store.js';
import {AppError, type Log} from 'mattermost-plugin-node';
import {FakeKV} from '../alerts/fake_kv.js';

export const alice = 'a'.repeat(26);
export const bob = 'b'.repeat(26);
export const carol = 'd'.repeat(26);
export const openChannel = 'c'.repeat(25) + '1';
export const privateChannel = 'c'.repeat(25) + '2';
export const missingChannel = 'c'.repeat(25) + '9';
export const users = [alice, bob, carol];
export const channels = [openChannel, privateChannel];

const members = new Set([`${openChannel}:${alice}`, `${openChannel}:${bob}`, `${privateChannel}:${alice}`]);

export function isMember(channelId: string, userId: string): boolean {
    return members.has(`${channelId}:${userId}`);
}

const notFound = (what: string): AppError => new AppError({id: `app.${what}.missing`, message: `${what} not found`, statusCode: 404});

export const fakeHost: AlertsHost = {
    getUser: async (id) => {
        if (!users.includes(id)) throw notFound('user');
        return {id, username: id === alice ? 'alice' : id === bob ? 'bob' : 'carol', delete_at: 0, timezone: {useAutomaticTimezone: 'false', manualTimezone: 'Europe/Berlin', automaticTimezone: ''}} as never;
    },
    getChannel: async (id) => {
        if (!channels.includes(id)) throw notFound('channel');
        const open = id === openChannel;
        return {id, name: open ? 'town-square' : 'secret', display_name: open ? 'Town Square' : 'Secret', team_id: 't'.repeat(26), type: open ? 'O' : 'P'} as never;
    },
    getChannelMember: async (channelId, userId) => {
        if (!isMember(channelId, userId)) throw notFound('member');
        return {channel_id: channelId, user_id: userId} as never;
    },
    getUsersByIds: async (ids) => Promise.all(ids.filter((id) => users.includes(id)).map((id) => fakeHost.getUser(id))),
    getChannelMembersByIds: async (channelId, ids) => ids.filter((id) => isMember(channelId, id)).map((id) => ({channel_id: channelId, user_id: id}) as never),
    getTeam: async (id) => ({id, name: 'acme'}) as never,
    getDirectChannel: async (_a, b) => ({id: `dm-${b}`}) as never,
    createPost: async (post) => post as never,
};

/** Errors the API logged (it logs every 5xx). */
export const errorsLogged: string[] = [];
const log: Log = {debug: () => undefined, info: () => undefined, warn: () => undefined, error: (message, ...kv) => errorsLogged.push([message, ...kv].map(String).join(' '))};

export interface Reply {
    status: number;
    headers: http.IncomingHttpHeaders;
    text: string;
}

export interface ApiHarness {
    kv: FakeKV;
    store: WordStore;
    settings: Settings;
    /** Raw request: the path as given (after the plugin prefix), headers and body exactly as given. */
    request(method: string, path: string, headers?: Record<string, string>, body?: string | Buffer): Promise<Reply>;
    /** A fresh KV store and settings (the server stays up). */
    reset(): void;
    close(): Promise<void>;
}

export async function startApi(): Promise<ApiHarness> {
    let kv = new FakeKV();
    let store = new WordStore(kv, {backoffMs: {base: 1, max: 2}, maxRetries: 3});
    let snooze = new Snooze(store);
    let settings: Settings = {...defaultSettings};
    const app = express().disable('x-powered-by').disable('etag');
    // Rebuilt per request so that reset() takes effect; the router itself keeps no state.
    app.use('/api/v1', (req, res, next) => alertsRouter({host: fakeHost, log, store, snooze, settings: () => settings})(req, res, next));
    app.use((_req, res) => {
        res.status(404).json({error: 'no such route'});
    });
    const server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const agent = new http.Agent({keepAlive: true, maxSockets: 4});
    const harness: ApiHarness = {
        get kv() {
            return kv;
        },
        get store() {
            return store;
        },
        get settings() {
            return settings;
        },
        request(method, path, headers = {}, body) {
            // Node sends a GET/DELETE body without framing unless told its length, which would make it
            // the start of the next request on the kept-alive connection.
            const framed = body === undefined ? headers : {...headers, 'Content-Length': String(Buffer.byteLength(body))};
            return new Promise<Reply>((resolve, reject) => {
                const req = http.request({host: '127.0.0.1', port, method, path, headers: framed, agent}, (res) => {
                    const parts: Buffer[] = [];
                    res.on('data', (c: Buffer) => parts.push(c));
                    res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString('utf8')}));
                    res.on('error', reject);
                });
                req.on('error', reject);
                req.end(body);
            });
        },
        reset() {
            kv = new FakeKV();
            store = new WordStore(kv, {backoffMs: {base: 1, max: 2}, maxRetries: 3});
            snooze = new Snooze(store);
            settings = {...defaultSettings};
        },
        async close() {
            agent.destroy();
            await new Promise<void>((r) => server.close(() => r()));
        },
    };
    return harness;
}

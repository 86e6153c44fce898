// The HTTP API (API.md) in-process: express router + zod over the real WordStore/Snooze and an in-memory
// KV, with a fake Mattermost behind AlertsHost. Every status code the API documents is exercised.
import http from 'node:http';
import type {AddressInfo} from 'node:net';

import express from 'express';
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';

import type {AlertsHost} from '../../../server/alerts/host.js';
import {alertsRouter} from '../../../server/alerts/http.js';
import {defaultSettings, type Settings} from '../../../server/alerts/settings.js';
import {Snooze} from '../../../server/alerts/snooze.js';
import {WordStore} from '../../../server/alerts/store.js';
import {AppError, type Log} from 'mattermost-plugin-node';

import {FakeKV} from './fake_kv.js';

const alice = 'a'.repeat(26);
const bob = 'b'.repeat(26);
const open = 'c'.repeat(25) + '1';
const secret = 'c'.repeat(25) + '2';
const missing = 'c'.repeat(25) + '9';

const notFound = (what: string): AppError => new AppError({id: `app.${what}.missing`, message: `${what} not found`, statusCode: 404});

/** Members: alice in both channels, bob only in the open one. */
const members = new Set([`${open}:${alice}`, `${open}:${bob}`, `${secret}:${alice}`]);

const host: AlertsHost = {
    getUser: async (id) => ({id, username: id === alice ? 'alice' : 'bob', delete_at: 0, timezone: {useAutomaticTimezone: 'false', manualTimezone: 'Europe/Berlin', automaticTimezone: ''}}) as never,
    getChannel: async (id) => {
        if (id !== open && id !== secret) {
            throw notFound('channel');
        }
        return {id, name: id === open ? 'town-square' : 'secret', display_name: id === open ? 'Town Square' : 'Secret', team_id: 't'.repeat(26), type: id === open ? 'O' : 'P'} as never;
    },
    getChannelMember: async (channelId, userId) => {
        if (!members.has(`${channelId}:${userId}`)) {
            throw notFound('member');
        }
        return {channel_id: channelId, user_id: userId} as never;
    },
    getUsersByIds: async () => {
        throw new Error('not used');
    },
    getChannelMembersByIds: async () => {
        throw new Error('not used');
    },
    getTeam: async (id) => ({id, name: 'acme'}) as never,
    getDirectChannel: async () => {
        throw new Error('not used');
    },
    createPost: async () => {
        throw new Error('not used');
    },
};

let errorsLogged: string[] = [];
const log: Log = {debug: () => undefined, info: () => undefined, warn: () => undefined, error: (message) => errorsLogged.push(message)};

let kv: FakeKV;
let settings: Settings;
let server: http.Server;
let base = '';

async function call(method: string, path: string, options: {user?: string | null; body?: unknown; raw?: string} = {}): Promise<{status: number; json: Record<string, unknown>; headers: Headers}> {
    const headers: Record<string, string> = {'Content-Type': 'application/json'};
    const user = options.user === undefined ? alice : options.user;
    if (user) {
        headers['Mattermost-User-Id'] = user;
    }
    const res = await fetch(`${base}/api/v1${path}`, {
        method,
        headers,
        body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    return {status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers};
}

beforeAll(async () => {
    const app = express();
    app.use('/api/v1', (req, res, next) => {
        const store = new WordStore(kv, {backoffMs: {base: 1, max: 2}, maxRetries: 3});
        alertsRouter({host, log, store, snooze: new Snooze(store), settings: () => settings})(req, res, next);
    });
    server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

beforeEach(() => {
    kv = new FakeKV();
    settings = {...defaultSettings};
    errorsLogged = [];
});

describe('trigger words HTTP API', () => {
    it('adds, lists, replaces and deletes words (200, 201)', async () => {
        let r = await call('POST', `/channels/${open}/words`, {body: {word: '  Deploy '}});
        expect(r.status).toBe(201);
        expect(r.json.words).toEqual(['Deploy']);
        r = await call('POST', `/channels/${open}/words`, {body: {word: 'on call'}});
        expect(r.json.words).toEqual(['Deploy', 'on call']);
        r = await call('GET', `/channels/${open}/words`);
        expect(r.status).toBe(200);
        expect(r.json).toMatchObject({channel_id: open, words: ['Deploy', 'on call'], snoozed_until: null, limits: {max_words: 25, max_length: 64}});
        r = await call('PUT', `/channels/${open}/words`, {body: {words: ['release', 'RELEASE', 'ＲＥＬＥＡＳＥ', 'CI/CD']}});
        expect(r.status).toBe(200);
        expect(r.json.words).toEqual(['release', 'CI/CD']); // duplicates after normalisation dropped, first kept
        r = await call('DELETE', `/channels/${open}/words/${encodeURIComponent('ci/cd')}`);
        expect(r.status).toBe(200);
        expect(r.json.words).toEqual(['release']);
        r = await call('GET', '/words');
        expect(r.json.channels).toEqual([expect.objectContaining({channel_id: open, team_name: 'acme', words: ['release']})]);
        // another user's words are their own
        r = await call('GET', `/channels/${open}/words`, {user: bob});
        expect(r.json.words).toEqual([]);
    });

    it('snoozes and unsnoozes', async () => {
        const r = await call('PUT', `/channels/${open}/snooze`, {body: {duration: '1h'}});
        expect(r.status).toBe(200);
        expect(r.json.snoozed_until).toBeGreaterThan(Date.now() + 59 * 60_000);
        expect((await call('PUT', `/channels/${open}/snooze`, {body: {duration: 'off'}})).json.snoozed_until).toBeNull();
    });

    it('401 without Mattermost-User-Id', async () => {
        const r = await call('GET', `/channels/${open}/words`, {user: null});
        expect(r.status).toBe(401);
        expect(r.json.error).toBeTruthy();
    });

    it('403 for a channel the caller is not a member of, and nothing is stored', async () => {
        const r = await call('POST', `/channels/${secret}/words`, {user: bob, body: {word: 'secret'}});
        expect(r.status).toBe(403);
        expect(kv.keys().filter((k) => k.includes(secret))).toEqual([]);
        expect((await call('GET', `/channels/${secret}/words`, {user: bob})).status).toBe(403);
    });

    it('400 with zod details for bad bodies and ids', async () => {
        const cases: Array<[string, string, unknown, string?]> = [
            ['POST', `/channels/${open}/words`, {word: ''}],
            ['POST', `/channels/${open}/words`, {word: 'x'.repeat(65)}],
            ['POST', `/channels/${open}/words`, {word: 'two\nlines'}],
            ['POST', `/channels/${open}/words`, {word: 42}],
            ['POST', `/channels/${open}/words`, {word: 'ok', extra: true}],
            ['PUT', `/channels/${open}/words`, {words: 'deploy'}],
            ['PUT', `/channels/${open}/snooze`, {duration: '2h'}],
        ];
        for (const [method, path, body] of cases) {
            const r = await call(method, path, {body});
            expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
            expect(r.json.error).toBeTruthy();
            expect(Array.isArray(r.json.details) && r.json.details.length > 0).toBe(true);
        }
        const malformed = await call('POST', `/channels/${open}/words`, {raw: '{"word": '});
        expect(malformed.status).toBe(400);
        const badId = await call('GET', '/channels/NOT-AN-ID/words');
        expect(badId.status).toBe(400);
        expect(kv.keys()).toEqual([]);
    });

    it('404 for unknown routes, unknown channels and unknown words', async () => {
        expect((await call('GET', '/nope')).status).toBe(404);
        expect((await call('GET', `/channels/${missing}/words`)).status).toBe(404);
        expect((await call('DELETE', `/channels/${open}/words/never-added`)).status).toBe(404);
    });

    it('409 for a word the caller already has (after normalisation)', async () => {
        await call('POST', `/channels/${open}/words`, {body: {word: 'Straße'}});
        const r = await call('POST', `/channels/${open}/words`, {body: {word: 'STRASSE'}});
        expect(r.status).toBe(409);
        expect(r.json.details).toEqual([{path: ['word'], message: expect.any(String)}]);
    });

    it('413 for a body over 16 KiB', async () => {
        const r = await call('PUT', `/channels/${open}/words`, {body: {words: Array.from({length: 400}, (_, i) => `word-${i}-${'x'.repeat(40)}`)}});
        expect(r.status).toBe(413);
        expect(kv.keys()).toEqual([]);
    });

    it('422 above the per-channel limit from the settings', async () => {
        settings = {...settings, maxWordsPerChannel: 2};
        expect((await call('PUT', `/channels/${open}/words`, {body: {words: ['a1', 'a2', 'a3']}})).status).toBe(422);
        await call('PUT', `/channels/${open}/words`, {body: {words: ['a1', 'a2']}});
        expect((await call('POST', `/channels/${open}/words`, {body: {word: 'a3'}})).status).toBe(422);
        expect((await call('GET', `/channels/${open}/words`)).json.words).toEqual(['a1', 'a2']);
    });

    it('503 with Retry-After when the KV store fails, and nothing half-written', async () => {
        await call('PUT', `/channels/${open}/words`, {body: {words: ['keep']}});
        kv.fail({op: 'compareAndSet', times: Infinity});
        const r = await call('POST', `/channels/${open}/words`, {body: {word: 'lost'}});
        expect(r.status).toBe(503);
        expect(r.headers.get('retry-after')).toBe('1');
        expect(errorsLogged).toEqual(['trigger words API failed']);
        kv.clearFaults();
        expect((await call('GET', `/channels/${open}/words`)).json.words).toEqual(['keep']);
    });
});

// Every route of the trigger-words HTTP API (server/alerts/API.md) against the ways a request can be
// unauthorised or malformed: no Mattermost-User-Id, another user's id on a private channel they are not
// in, a channel id of the wrong shape, a body over 16 KiB. Each answer has the documented status and a
// JSON error, and the KV store is exactly as before (nothing stored, nothing changed, nothing leaked).
import {afterAll, beforeAll, beforeEach, describe, expect, test} from 'vitest';

import {alice, bob, openChannel, privateChannel, startApi, type ApiHarness, type Reply} from '../fuzz/http_harness.js';

let api: ApiHarness;
beforeAll(async () => {
    api = await startApi();
});
afterAll(() => api.close());

interface Route {
    method: string;
    /** The path under /api/v1 for a channel id (routes without a channel ignore it). */
    path: (channelId: string) => string;
    /** A valid body, if the route takes one. */
    body?: unknown;
    hasChannel: boolean;
}

/** The routes table of API.md, one entry per route. */
const routes: Record<string, Route> = {
    'GET /channels/:channelId/words': {method: 'GET', path: (c) => `/channels/${c}/words`, hasChannel: true},
    'PUT /channels/:channelId/words': {method: 'PUT', path: (c) => `/channels/${c}/words`, body: {words: ['pwned']}, hasChannel: true},
    'POST /channels/:channelId/words': {method: 'POST', path: (c) => `/channels/${c}/words`, body: {word: 'pwned'}, hasChannel: true},
    'DELETE /channels/:channelId/words/:word': {method: 'DELETE', path: (c) => `/channels/${c}/words/secretword`, hasChannel: true},
    'GET /words': {method: 'GET', path: () => '/words', hasChannel: false},
    'PUT /channels/:channelId/snooze': {method: 'PUT', path: (c) => `/channels/${c}/snooze`, body: {duration: '8h'}, hasChannel: true},
};

async function call(route: Route, channelId: string, opts: {user?: string; body?: string} = {}): Promise<Reply> {
    const headers: Record<string, string> = {'Content-Type': 'application/json'};
    if (opts.user !== undefined) headers['Mattermost-User-Id'] = opts.user;
    const body = opts.body ?? (route.body === undefined ? undefined : JSON.stringify(route.body));
    return api.request(route.method, `/api/v1${route.path(channelId)}`, headers, body);
}

/** Every key and value in the KV store. */
function snapshot(): Record<string, string | null> {
    return Object.fromEntries(api.kv.keys().map((k) => [k, api.kv.peek(k)]));
}

function expectError(reply: Reply, status: number, what: string): void {
    expect(reply.status, `${what}: ${reply.text}`).toBe(status);
    expect(typeof (JSON.parse(reply.text) as {error?: unknown}).error, what).toBe('string');
}

const wrongShapes = ['C'.repeat(26), 'c'.repeat(25), 'c'.repeat(27), 'c'.repeat(25) + '-', 'c'.repeat(25) + '_', 'c'.repeat(25) + '%2F', '..', '%00', '%20' + 'c'.repeat(25), 'cccccccccccccccccccccccc%C3%A9'];

beforeEach(async () => {
    api.reset();
    // Alice has words and a snooze in both channels; the private one is hers alone (bob is not a member).
    for (const ch of [openChannel, privateChannel]) {
        expect((await api.request('PUT', `/api/v1/channels/${ch}/words`, {'Mattermost-User-Id': alice, 'Content-Type': 'application/json'}, JSON.stringify({words: ['secretword', 'deploy']}))).status).toBe(200);
        expect((await api.request('PUT', `/api/v1/channels/${ch}/snooze`, {'Mattermost-User-Id': alice, 'Content-Type': 'application/json'}, JSON.stringify({duration: '1h'}))).status).toBe(200);
    }
});

for (const [name, route] of Object.entries(routes)) {
    describe(name, () => {
        test('without Mattermost-User-Id: 401, nothing stored', async () => {
            const before = snapshot();
            expectError(await call(route, openChannel), 401, 'no header');
            // Empty or not a user id at all: the same.
            for (const user of ['', 'alice', '../' + alice, alice.toUpperCase(), `${alice},${bob}`]) {
                expectError(await call(route, openChannel, {user}), 401, `user ${JSON.stringify(user)}`);
            }
            expect(snapshot()).toEqual(before);
        });

        if (route.hasChannel) {
            test("another user's id on a private channel they are not in: 403, nothing stored or changed", async () => {
                const before = snapshot();
                expectError(await call(route, privateChannel, {user: bob}), 403, 'bob on the private channel');
                expect(snapshot()).toEqual(before);
            });

            test('a channel id of the wrong shape: 400, nothing stored', async () => {
                const before = snapshot();
                for (const id of wrongShapes) {
                    const reply = await call(route, id, {user: alice});
                    expectError(reply, 400, `channel id ${id}`);
                    expect(reply.text, id).toContain('channel');
                }
                expect(snapshot()).toEqual(before);
            });
        } else {
            test("another user's private channel is not listed", async () => {
                const reply = await call(route, privateChannel, {user: bob});
                expect(reply.status).toBe(200);
                const listed = (JSON.parse(reply.text) as {channels: Array<{channel_id: string}>}).channels.map((c) => c.channel_id);
                expect(listed).not.toContain(privateChannel);
                expect(reply.text).not.toContain('secretword'); // alice's words stay hers
            });
        }

        test('a body over 16 KiB: 413, nothing stored', async () => {
            const before = snapshot();
            const big = JSON.stringify({words: Array.from({length: 2500}, (_, i) => `word${i}`)});
            expect(big.length).toBeGreaterThan(16 * 1024);
            expectError(await call(route, openChannel, {user: alice, body: big}), 413, 'big body');
            // Just over the limit, as one huge word.
            expectError(await call(route, openChannel, {user: alice, body: JSON.stringify({word: 'x'.repeat(16 * 1024)})}), 413, 'one huge word');
            expect(snapshot()).toEqual(before);
        });
    });
}

describe('the table covers API.md', () => {
    test('every route in API.md is in the table, and nothing else', async () => {
        const {readFileSync} = await import('node:fs');
        const md = readFileSync(new URL('../../../server/alerts/API.md', import.meta.url), 'utf8');
        const documented = [...md.matchAll(/^\| `(GET|PUT|POST|DELETE|PATCH) ([^`]+)`/gm)].map((m) => `${m[1]} ${m[2]}`);
        expect(documented.sort()).toEqual(Object.keys(routes).sort());
    });
});

// The plugin's HTTP API (/plugins/trigger-alerts/api/v1, server/alerts/API.md) on a real Mattermost 9.10,
// called as clients call it: with a token, the web app's way (session cookie + CSRF), and with forged or
// missing credentials. What the plugin sees as the caller is what the server vouches for.
//
// CSRF, as the 9.10 server applies it to plugin routes (measured below): for a write (not GET) authenticated
// by the session cookie, the server wants X-CSRF-Token equal to the session's token (the MMCSRF cookie). When
// it is missing or wrong, `X-Requested-With: XMLHttpRequest` is still accepted in its place (a legacy
// fallback, logged at debug level) unless ServiceSettings.ExperimentalStrictCSRFEnforcement is true (false by
// default). With neither, the server forwards the request without Mattermost-User-Id: the plugin sees no
// user and answers 401. Token-authenticated requests (Authorization: Bearer) need no CSRF token.
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

import type {Channel} from '@mattermost/types/channels';

import {browserLogin, type BrowserSession} from './harness/browser_session.js';
import {distBundle, prepareBundle} from './harness/bundle.js';
import {queryDatabase} from './harness/postgres.js';
import {bearer, pluginRoute} from './harness/plugin_route.js';
import {putConfig} from './harness/server_config.js';
import {RealMattermost, uploadPlugin, waitPluginRunning, type RealUser} from './harness/world.js';

const ID = 'trigger-alerts';

describe('plugin HTTP API through a real server', () => {
    let world: RealMattermost;
    let alice: RealUser;
    let bob: RealUser;
    let open: Channel;
    let secret: Channel;
    let browser: BrowserSession;

    const wordsRoute = (c: Channel) => `/api/v1/channels/${c.id}/words`;
    /** The channel's words document in the plugin's KV store (the database row), '' when there is none. */
    const storedDoc = (c: Channel): string =>
        queryDatabase(world.db, `SELECT encode(pvalue, 'escape') FROM pluginkeyvaluestore WHERE pluginid = '${ID}' AND pkey = 'tw1:ch:${c.id}'`);
    const wordsOf = async (u: RealUser, c: Channel): Promise<string[]> => {
        const r = await pluginRoute(world.url, ID, 'GET', wordsRoute(c), {headers: bearer(u.token)});
        expect(r.status).toBe(200);
        return (r.body as {words: string[]}).words;
    };
    const strictCsrf = async (on: boolean): Promise<void> => {
        const config = await world.admin.client.getConfig();
        config.ServiceSettings.ExperimentalStrictCSRFEnforcement = on;
        expect((await putConfig(world.url, world.admin.token, config)).status).toBe(200);
    };

    beforeAll(async () => {
        world = await RealMattermost.start({name: 'api'});
        alice = await world.createUser('alice');
        bob = await world.createUser('bob');
        await world.addToTeam(alice, bob);
        open = await world.createChannel([alice, bob]);
        secret = await world.createChannel([bob], {private: true});
        // The fixture is 9.10, older than the manifest's min_server_version: see harness/bundle.ts.
        const bundle = prepareBundle(distBundle(), world.scratch, {minServerVersion: '9.10.0'});
        await uploadPlugin(world.admin.client, bundle.file);
        await world.admin.client.enablePlugin(ID);
        await waitPluginRunning(world.admin.client, ID, {timeoutMs: 120_000});
        browser = await browserLogin(world.url, alice.user.username, alice.password);
    });
    afterAll(async () => world?.stop());

    it('token auth (Authorization: Bearer): the caller is the token\'s user', async () => {
        const r = await pluginRoute(world.url, ID, 'POST', wordsRoute(open), {headers: bearer(alice.token), json: {word: 'deploy'}});
        expect(r.status).toBe(201);
        expect(await wordsOf(alice, open)).toEqual(['deploy']);
        expect(await wordsOf(bob, open)).toEqual([]);
    });

    it('the web app\'s way: MMAUTHTOKEN cookie, X-CSRF-Token from MMCSRF, X-Requested-With', async () => {
        const headers = {Cookie: browser.cookie, 'X-CSRF-Token': browser.csrf, 'X-Requested-With': 'XMLHttpRequest'};
        const r = await pluginRoute(world.url, ID, 'POST', wordsRoute(open), {headers, json: {word: 'on call'}});
        expect(r.status).toBe(201);
        expect((r.body as {words: string[]}).words).toEqual(['deploy', 'on call']);
        // A read needs no CSRF token: the cookie alone is the session.
        const read = await pluginRoute(world.url, ID, 'GET', wordsRoute(open), {headers: {Cookie: browser.cookie}});
        expect(read.status).toBe(200);
        expect((read.body as {words: string[]}).words).toEqual(['deploy', 'on call']);
    });

    it('a cookie-authenticated write without a valid CSRF token is refused (401), and nothing is stored', async () => {
        const before = storedDoc(open);
        expect(before).toContain('on call');
        // No CSRF header and no X-Requested-With: the server drops the session, the plugin sees nobody.
        const bare = await pluginRoute(world.url, ID, 'POST', wordsRoute(open), {headers: {Cookie: browser.cookie}, json: {word: 'forged-1'}});
        expect(bare.status).toBe(401);
        expect(bare.body).toEqual({error: 'not logged in'});
        // A wrong CSRF token, no X-Requested-With: the same.
        const wrong = await pluginRoute(world.url, ID, 'PUT', wordsRoute(open), {headers: {Cookie: browser.cookie, 'X-CSRF-Token': 'x'.repeat(26)}, json: {words: ['forged-2']}});
        expect(wrong.status).toBe(401);
        expect(storedDoc(open)).toBe(before);
        expect(await wordsOf(alice, open)).toEqual(['deploy', 'on call']);
    });

    it('9.10 still lets X-Requested-With stand in for the CSRF token, unless ExperimentalStrictCSRFEnforcement is on', async () => {
        const legacy = {Cookie: browser.cookie, 'X-Requested-With': 'XMLHttpRequest'};
        // Default (strict enforcement off): accepted, as for every route of 9.10 (the server logs a debug line).
        const accepted = await pluginRoute(world.url, ID, 'POST', wordsRoute(open), {headers: legacy, json: {word: 'legacy'}});
        expect(accepted.status).toBe(201);
        expect(await wordsOf(alice, open)).toEqual(['deploy', 'on call', 'legacy']);

        await strictCsrf(true);
        try {
            const before = storedDoc(open);
            const refused = await pluginRoute(world.url, ID, 'POST', wordsRoute(open), {headers: legacy, json: {word: 'strict'}});
            expect(refused.status).toBe(401);
            expect(storedDoc(open)).toBe(before);
            // The web app's full set of headers still works under strict enforcement.
            const full = await pluginRoute(world.url, ID, 'DELETE', `${wordsRoute(open)}/legacy`, {headers: {...legacy, 'X-CSRF-Token': browser.csrf}});
            expect(full.status).toBe(200);
            expect(await wordsOf(alice, open)).toEqual(['deploy', 'on call']);
        } finally {
            await strictCsrf(false);
        }
    });

    it('a Mattermost-User-Id header sent by a client is ignored', async () => {
        const before = storedDoc(open);
        // No session: the server removes the forged header, the plugin answers 401.
        for (const method of ['POST', 'GET'] as const) {
            const r = await pluginRoute(world.url, ID, method, wordsRoute(open), {headers: {'Mattermost-User-Id': bob.user.id}, ...(method === 'POST' ? {json: {word: 'forged'}} : {})});
            expect(r.status).toBe(401);
        }
        expect(storedDoc(open)).toBe(before);
        // Alice's session naming Bob: the plugin acts as Alice.
        const r = await pluginRoute(world.url, ID, 'POST', wordsRoute(open), {headers: {...bearer(alice.token), 'Mattermost-User-Id': bob.user.id}, json: {word: 'as alice'}});
        expect(r.status).toBe(201);
        expect(await wordsOf(alice, open)).toEqual(['deploy', 'on call', 'as alice']);
        expect(await wordsOf(bob, open)).toEqual([]);
    });

    it('a private channel the caller is not a member of: 403 for every route, and nothing is stored', async () => {
        const asAlice = {headers: bearer(alice.token)};
        expect((await pluginRoute(world.url, ID, 'GET', wordsRoute(secret), asAlice)).status).toBe(403);
        expect((await pluginRoute(world.url, ID, 'POST', wordsRoute(secret), {...asAlice, json: {word: 'secret'}})).status).toBe(403);
        expect((await pluginRoute(world.url, ID, 'PUT', wordsRoute(secret), {...asAlice, json: {words: ['secret']}})).status).toBe(403);
        expect((await pluginRoute(world.url, ID, 'DELETE', `${wordsRoute(secret)}/secret`, asAlice)).status).toBe(403);
        expect((await pluginRoute(world.url, ID, 'PUT', `/api/v1/channels/${secret.id}/snooze`, {...asAlice, json: {duration: '1h'}})).status).toBe(403);
        // Not even a document for the channel, nor the channel in Alice's index.
        expect(storedDoc(secret)).toBe('');
        const all = await pluginRoute(world.url, ID, 'GET', '/api/v1/words', asAlice);
        expect((all.body as {channels: {channel_id: string}[]}).channels.map((c) => c.channel_id)).toEqual([open.id]);
        // The control: its member can.
        expect((await pluginRoute(world.url, ID, 'POST', wordsRoute(secret), {headers: bearer(bob.token), json: {word: 'secret'}})).status).toBe(201);
        expect(storedDoc(secret)).toContain('secret');
    });
});

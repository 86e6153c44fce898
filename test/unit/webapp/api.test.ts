// @vitest-environment jsdom
import {afterEach, describe, expect, it, vi} from 'vitest';

import {ApiError, createApi} from '../../../webapp/src/api';

function respond(status: number, body: string) {
    return vi.fn(async (_url: string, _init: RequestInit) => new Response(body, {status}));
}

const options = {getOptions: (o: RequestInit) => ({...o, headers: {'X-Test': '1'}, credentials: 'include' as const})};

afterEach(() => {
    vi.unstubAllGlobals();
});

describe('createApi', () => {
    it('builds <siteURL>/plugins/<id>/api/v1/... (trailing slashes dropped), and passes Client4 options through', async () => {
        const f = respond(200, '{"channels": []}');
        const api = createApi(() => 'https://chat.example.test/sub/', options, f);
        expect(await api.getAllWords()).toEqual([]);
        expect(f).toHaveBeenCalledWith('https://chat.example.test/sub/plugins/trigger-alerts/api/v1/words', {
            method: 'GET', headers: {'X-Test': '1'}, credentials: 'include',
        });
    });

    it('falls back to the page origin when the site URL is not configured', async () => {
        const f = respond(200, '{"channel_id":"c","words":[],"snoozed_until":null,"limits":{"max_words":1,"max_length":1}}');
        await createApi(() => '', options, f).getChannelWords('c');
        expect(f.mock.calls[0]![0]).toBe(`${window.location.origin}/plugins/trigger-alerts/api/v1/channels/c/words`);
    });

    it('URL-encodes words in DELETE paths and sends JSON bodies', async () => {
        const f = respond(200, '{}');
        const api = createApi(() => 'http://x', options, f);
        await api.removeWord('c', 'a/b ?#%');
        expect(f.mock.calls[0]![0]).toBe('http://x/plugins/trigger-alerts/api/v1/channels/c/words/a%2Fb%20%3F%23%25');
        await api.snooze('c', 'tomorrow');
        expect(f.mock.calls[1]![1]).toMatchObject({method: 'PUT', body: '{"duration":"tomorrow"}'});
    });

    it('uses the real Client4.getOptions by default: CSRF header from the MMCSRF cookie on writes only', async () => {
        document.cookie = 'MMCSRF=tok123; path=/';
        const f = respond(201, '{}');
        vi.stubGlobal('fetch', f);
        const api = createApi(() => 'http://x');
        await api.addWord('c', 'w');
        await api.getChannelWords('c');
        const [post, get] = f.mock.calls.map((c) => c[1]);
        expect(post!.headers).toMatchObject({'X-CSRF-Token': 'tok123', 'X-Requested-With': 'XMLHttpRequest', 'Content-Type': 'application/json'});
        expect(post!.credentials).toBe('include');
        expect(get!.headers).not.toHaveProperty('X-CSRF-Token');
    });

    it('turns error answers into ApiError with the server message and details', async () => {
        const api = createApi(() => 'http://x', options, respond(400, JSON.stringify({error: 'invalid body', details: [{path: ['word'], message: 'too long'}, {bogus: 1}]})));
        const err = await api.addWord('c', 'w').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ApiError);
        expect(err).toMatchObject({status: 400, serverMessage: 'invalid body', details: [{path: ['word'], message: 'too long'}]});
    });

    it('copes with non-JSON error bodies and network failures', async () => {
        const html = await createApi(() => 'http://x', options, respond(502, '<html>bad gateway</html>')).getAllWords().catch((e: unknown) => e);
        expect(html).toMatchObject({status: 502, serverMessage: undefined, details: []});
        const down = await createApi(() => 'http://x', options, vi.fn(async () => {
            throw new TypeError('Failed to fetch');
        })).getAllWords().catch((e: unknown) => e);
        expect(down).toMatchObject({status: 0});
    });
});

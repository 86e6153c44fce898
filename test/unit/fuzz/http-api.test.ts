// The trigger-words HTTP API (server/alerts/http.ts, API.md) under random requests: methods, paths,
// channel ids, user headers, content types and encodings, JSON and non-JSON bodies, oversized bodies.
// Every answer is 2xx or 4xx (never 5xx, never a dropped connection), errors are JSON, and after each
// sequence the KV store is consistent: only the documented keys, channel docs that parse, version stamps
// equal to the doc versions, a user index that covers every channel where the user has words, only
// valid words, only members' words, and exactly the words the 2xx answers reported.
import http from 'node:http';

import fc from 'fast-check';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';

import {normalizeWord} from '../../../server/alerts/matcher.js';
import {maxWordLength} from '../../../server/alerts/settings.js';
import {channelDocKey, channelStampKey, userIndexKey} from '../../../server/alerts/store.js';

import {fuzzParams, fuzzTimeout} from '../../../packages/mattermost-plugin-node/test/fuzz/bounds.js';
import {alice, bob, carol, channels, isMember, missingChannel, openChannel, privateChannel, startApi, users, type ApiHarness, type Reply} from './http_harness.js';

let api: ApiHarness;
beforeAll(async () => {
    api = await startApi();
});
afterAll(() => api.close());

// ---- requests ---------------------------------------------------------------------------------------

const hostileWords = [
    '@all', '@channel', '@here', '[x](http://evil.example.com)', '<http://evil.example.com>', 'http://evil.example.com', '<script>alert(1)</script>',
    '```', '**bold**', '# heading', '> quote', 'two\nlines', 'tab\there', 'a\u202Eb', '\u0000', '\uFEFF', '👨‍👩‍👧', '__proto__', 'constructor', '%2F', '../..',
];
const goodWords = ['deploy', 'on call', 'CI/CD', 'ÉTÉ', 'Straße', '日本語', '👍', '  spaced  ', 'x'.repeat(maxWordLength), 'x'.repeat(maxWordLength + 1), ':rocket:', 'a.b', 'a/b/c'];

const word = fc.oneof(
    {weight: 4, arbitrary: fc.constantFrom(...goodWords)},
    {weight: 2, arbitrary: fc.constantFrom(...hostileWords)},
    {weight: 2, arbitrary: fc.string({maxLength: 70})},
    {weight: 1, arbitrary: fc.string({unit: 'binary', maxLength: 20})},
);

const channelSegment = fc.oneof(
    {weight: 6, arbitrary: fc.constantFrom(openChannel, privateChannel, missingChannel)},
    {
        weight: 2,
        arbitrary: fc.constantFrom(
            'C'.repeat(26), 'c'.repeat(25), 'c'.repeat(27), 'c'.repeat(25) + '!', 'c'.repeat(25) + '_', '..', '%2e%2e', '%zz', '%00',
            `${openChannel}%00`, `${openChannel}%2Fx`, encodeURIComponent(`${openChannel} `), '',
        ),
    },
    {weight: 1, arbitrary: fc.string({maxLength: 30}).map(encodeURIComponent)},
);

const wordSegment = fc.oneof(word.map(encodeURIComponent), fc.constantFrom('deploy', 'CI/CD', '%zz', '..', '%00', 'a%2Fb'));

const path = fc.oneof(
    {weight: 4, arbitrary: channelSegment.map((c) => `/api/v1/channels/${c}/words`)},
    {weight: 2, arbitrary: fc.tuple(channelSegment, wordSegment).map(([c, w]) => `/api/v1/channels/${c}/words/${w}`)},
    {weight: 2, arbitrary: channelSegment.map((c) => `/api/v1/channels/${c}/snooze`)},
    {weight: 2, arbitrary: fc.constant('/api/v1/words')},
    {
        weight: 1,
        arbitrary: fc.constantFrom('/', '/api/v1', '/api/v1/', '/api/v1/channels', '/api/v2/words', '/api/v1//words', '/api/v1/words/', '/api/v1/words?x=1&x=2', `/api/v1/channels/${openChannel}`, `/api/v1/channels/${openChannel}/words?words=a`, `/api/v1/channels/${openChannel}/WORDS`),
    },
    {weight: 1, arbitrary: fc.array(fc.string({maxLength: 10}).map(encodeURIComponent), {maxLength: 5}).map((s) => `/api/v1/${s.join('/')}`)},
);

/** Methods Node's HTTP parser knows (WebDAV's included); others are refused by it before the plugin sees them. */
const knownMethods: readonly string[] = http.METHODS;
const method = fc.oneof(
    {weight: 10, arbitrary: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE')},
    {weight: 2, arbitrary: fc.constantFrom('PATCH', 'HEAD', 'OPTIONS')},
    {weight: 1, arbitrary: fc.constantFrom('FOO', 'PROPFIND', 'TRACE')},
);

const userHeader = fc.oneof(
    {weight: 8, arbitrary: fc.constantFrom(alice, bob, carol)},
    {weight: 1, arbitrary: fc.constant(undefined)},
    {weight: 1, arbitrary: fc.constantFrom('', ' ', 'x', 'A'.repeat(26), `${alice},${bob}`, '../../etc', 'a'.repeat(200), 'tw1:ch:x', alice.toUpperCase())},
    {weight: 1, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,40}$/)},
);

const contentType = fc.oneof(
    {weight: 6, arbitrary: fc.constant('application/json')},
    {weight: 2, arbitrary: fc.constantFrom(undefined, 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/vnd.api+json', '*/*', 'application/json; boundary=x')},
);
const contentEncoding = fc.oneof({weight: 10, arbitrary: fc.constant(undefined)}, {weight: 1, arbitrary: fc.constantFrom('identity', 'gzip', 'deflate', 'br', 'compress')});

const extra = fc.option(fc.dictionary(fc.string({maxLength: 8}), fc.jsonValue({maxDepth: 1}), {maxKeys: 2}), {nil: undefined});
const body = fc.oneof(
    {weight: 2, arbitrary: fc.constant(undefined)},
    {weight: 4, arbitrary: fc.tuple(word, extra).map(([w, e]) => JSON.stringify({...e, word: w}))},
    {weight: 3, arbitrary: fc.tuple(fc.array(word, {maxLength: 30}), extra).map(([ws, e]) => JSON.stringify({...e, words: ws}))},
    {weight: 2, arbitrary: fc.tuple(fc.constantFrom<unknown>('1h', '8h', 'tomorrow', 'off', '2h', '', 1, null, ['1h']), extra).map(([d, e]) => JSON.stringify({...e, duration: d}))},
    {weight: 2, arbitrary: fc.json({maxDepth: 3})},
    {weight: 1, arbitrary: fc.string({maxLength: 50})},
    {weight: 1, arbitrary: fc.constantFrom('{"word": ', '{"word": "a"}}', '\uFEFF{"word":"bom"}', '{"__proto__": {"word": "x"}, "word": "y"}', '{"words": null}', 'null', '[]', '"deploy"', '{"word":"\\ud800"}')},
    // Over the 16 KiB limit: many words, or one huge one.
    {weight: 2, arbitrary: fc.constantFrom(JSON.stringify({words: Array.from({length: 3000}, (_, i) => `w${i}`)}), JSON.stringify({word: 'x'.repeat(20_000)}))},
);

interface Req {
    method: string;
    path: string;
    user: string | undefined;
    contentType: string | undefined;
    contentEncoding: string | undefined;
    body: string | undefined;
}

const wild: fc.Arbitrary<Req> = fc.record({method, path, user: userHeader, contentType, contentEncoding, body});

/** A request the webapp could send (with a word that may still be invalid): what changes state. */
const wellFormed: fc.Arbitrary<Req> = fc
    .tuple(
        fc.constantFrom(alice, alice, bob, carol),
        fc.oneof({weight: 4, arbitrary: fc.constantFrom(openChannel, privateChannel)}, {weight: 1, arbitrary: fc.constant(missingChannel)}),
        fc.nat(6),
        word,
        fc.array(word, {maxLength: 8}),
        fc.constantFrom('1h', '8h', 'tomorrow', 'off'),
    )
    .map(([user, ch, route, w, ws, duration]): Req => {
        const base = {user, contentType: 'application/json', contentEncoding: undefined};
        switch (route) {
            case 0:
            case 1:
                return {...base, method: 'POST', path: `/api/v1/channels/${ch}/words`, body: JSON.stringify({word: w})};
            case 2:
                return {...base, method: 'PUT', path: `/api/v1/channels/${ch}/words`, body: JSON.stringify({words: ws})};
            case 3:
                return {...base, method: 'DELETE', path: `/api/v1/channels/${ch}/words/${encodeURIComponent(w.trim())}`, body: undefined};
            case 4:
                return {...base, method: 'PUT', path: `/api/v1/channels/${ch}/snooze`, body: JSON.stringify({duration})};
            default:
                return {...base, method: 'GET', path: route === 5 ? '/api/v1/words' : `/api/v1/channels/${ch}/words`, body: undefined};
        }
    });

const request = fc.oneof({weight: 3, arbitrary: wellFormed}, {weight: 2, arbitrary: wild});

function send(r: Req): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (r.user !== undefined) headers['Mattermost-User-Id'] = r.user;
    if (r.contentType !== undefined) headers['Content-Type'] = r.contentType;
    if (r.contentEncoding !== undefined) headers['Content-Encoding'] = r.contentEncoding;
    return api.request(r.method, r.path, headers, r.body);
}

// ---- checks ----------------------------------------------------------------------------------------

const controlChars = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

interface ChannelWords {
    channel_id: string;
    words: string[];
    snoozed_until: number | null;
}

/** The caller's words per `${channel}:${user}` as the last 2xx answer reported them. */
type Model = Map<string, string[]>;

function checkReply(r: Req, reply: Reply, model: Model): void {
    const what = `${r.method} ${r.path} user=${JSON.stringify(r.user)} type=${r.contentType} enc=${r.contentEncoding} body=${r.body?.slice(0, 200)}\n-> ${reply.status} ${reply.text.slice(0, 300)}`;
    expect(reply.status, what).toBeGreaterThanOrEqual(200);
    expect(reply.status, what).toBeLessThan(500);
    if (!knownMethods.includes(r.method)) {
        expect(reply.status, what).toBe(400); // refused by Node's HTTP parser
        return;
    }
    if (r.method === 'HEAD') return;
    const json = JSON.parse(reply.text) as Record<string, unknown>;
    if (reply.status >= 400) {
        expect(typeof json.error, what).toBe('string');
        return;
    }
    if (r.method === 'OPTIONS') return;
    // A 2xx answer: the caller is a real user, and a channel answer is about a channel they are in.
    expect(users, what).toContain(r.user);
    if ('channel_id' in json) {
        const cw = json as unknown as ChannelWords;
        expect(isMember(cw.channel_id, r.user!), what).toBe(true);
        expect(Array.isArray(cw.words), what).toBe(true);
        model.set(`${cw.channel_id}:${r.user!}`, cw.words);
    } else {
        expect(Array.isArray(json.channels), what).toBe(true);
    }
}

function expectValidWord(w: {word: string; key: string}, where: string): void {
    expect(w.word, where).toBe(w.word.trim());
    expect(controlChars.test(w.word.replace(/\u200d|\ufe0f/g, '')), `${where}: control character in ${JSON.stringify(w.word)}`).toBe(false);
    expect(w.key, where).toBe(normalizeWord(w.word));
    expect(w.key.length, where).toBeGreaterThan(0);
    expect([...w.key].length, where).toBeLessThanOrEqual(maxWordLength);
}

async function checkState(model: Model): Promise<void> {
    const kv = api.kv;
    const keyShapes = [/^tw1:ch:([a-z0-9]{26})$/, /^tw1:st:([a-z0-9]{26})$/, /^tw1:u:([a-z0-9]{26})$/];
    for (const key of kv.keys()) {
        const m = keyShapes.map((re) => re.exec(key)).find((x) => x !== null);
        expect(m, `unexpected KV key ${key}`).toBeTruthy();
        for (const id of m!.slice(1)) expect([...users, ...channels], `id in ${key}`).toContain(id);
    }
    const indexOf = (u: string): string[] => {
        const raw = kv.peek(userIndexKey(u));
        if (raw === null) return [];
        const list = JSON.parse(raw) as unknown;
        expect(Array.isArray(list) && list.every((c) => typeof c === 'string'), `index of ${u}: ${raw}`).toBe(true);
        expect(new Set(list as string[]).size, `duplicate index entries: ${raw}`).toBe((list as string[]).length);
        return list as string[];
    };
    for (const ch of channels) {
        const raw = kv.peek(channelDocKey(ch));
        if (raw === null) {
            expect(kv.peek(channelStampKey(ch))).toBeNull();
            continue;
        }
        const doc = JSON.parse(raw) as {version: number; users: Record<string, Array<{word: string; key: string}>>; snoozed?: Record<string, number>};
        expect(Number.isSafeInteger(doc.version) && doc.version >= 1, raw).toBe(true);
        for (const [u, until] of Object.entries(doc.snoozed ?? {})) {
            expect(isMember(ch, u), `snooze of a non-member: ${ch}:${u}`).toBe(true);
            expect(Number.isSafeInteger(until), raw).toBe(true);
        }
        // Requests are sequential and the KV never fails here: every write finished, stamp included.
        expect(kv.peek(channelStampKey(ch)), `stamp of ${ch}`).toBe(String(doc.version));
        for (const [u, list] of Object.entries(doc.users)) {
            const where = `${ch}:${u}`;
            expect(isMember(ch, u), `words of a non-member: ${where}`).toBe(true);
            expect(list.length, where).toBeGreaterThan(0);
            expect(list.length, where).toBeLessThanOrEqual(api.settings.maxWordsPerChannel);
            for (const w of list) expectValidWord(w, where);
            expect(new Set(list.map((w) => w.key)).size, `duplicate keys in ${where}`).toBe(list.length);
            expect(indexOf(u), `index of ${u} misses ${ch}`).toContain(ch);
        }
    }
    for (const u of users) for (const ch of indexOf(u)) expect(channels).toContain(ch);
    // Exactly what the answers said, read back through the store and through the API.
    for (const [k, words] of model) {
        const [ch, u] = k.split(':') as [string, string];
        expect((await api.store.getUserWords(ch, u)).map((w) => w.word), k).toEqual(words);
    }
    for (const u of users) {
        const reply = await api.request('GET', '/api/v1/words', {'Mattermost-User-Id': u});
        expect(reply.status).toBe(200);
        const listed = (JSON.parse(reply.text) as {channels: Array<{channel_id: string; words: string[]}>}).channels;
        for (const ch of channels) {
            const words = model.get(`${ch}:${u}`) ?? [];
            expect(listed.find((c) => c.channel_id === ch)?.words ?? [], `GET /words of ${u} in ${ch}`).toEqual(words);
        }
    }
}

describe('HTTP API fuzz', () => {
    test(
        'random requests: only 2xx/4xx, JSON errors, consistent state afterwards',
        async () => {
            const statuses = new Map<number, number>();
            await fc.assert(
                fc.asyncProperty(fc.array(request, {minLength: 5, maxLength: 30, size: 'medium'}), async (reqs) => {
                    api.reset();
                    const model: Model = new Map();
                    for (const r of reqs) {
                        const reply = await send(r);
                        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
                        checkReply(r, reply, model);
                    }
                    await checkState(model);
                }),
                fuzzParams(30, {timeout: 20_000}),
            );
            // The requests must reach every kind of answer, or the generators are off.
            for (const s of [200, 201, 400, 401, 403, 404, 413]) expect(statuses.get(s), `status ${s} never seen: ${JSON.stringify([...statuses])}`).toBeGreaterThan(0);
        },
        fuzzTimeout(60_000),
    );
});

import {describe, expect, it} from 'vitest';

import {
    ConflictError,
    StoreUnavailableError,
    WordStore,
    channelDocKey,
    channelStampKey,
    userIndexKey,
    type ChannelDoc,
    type StoredWord,
    type WordStoreOptions,
} from '../../../server/alerts/store.js';
import {FakeKV, randomLatency, seededRandom} from './fake_kv.js';

const CH = 'channel1';
const CH2 = 'channel2';
const CH3 = 'channel3';
const U1 = 'user1';
const U2 = 'user2';

const w = (word: string): StoredWord => ({word, key: word.toLowerCase()});
const words = (...list: string[]): StoredWord[] => list.map(w);
const add = (word: string) => (cur: StoredWord[]): StoredWord[] =>
    cur.some((x) => x.key === word.toLowerCase()) ? cur : [...cur, w(word)];
const remove = (word: string) => (cur: StoredWord[]): StoredWord[] => cur.filter((x) => x.key !== word.toLowerCase());
const replace = (...list: string[]) => (): StoredWord[] => words(...list);

const fast: WordStoreOptions = {backoffMs: {base: 1, max: 5}};

function clock(start = Date.UTC(2025, 0, 1)) {
    const c = {t: start, now: () => c.t};
    return c;
}

function docOf(kv: FakeKV, channelId = CH): ChannelDoc | null {
    const text = kv.peek(channelDocKey(channelId));
    return text === null ? null : (JSON.parse(text) as ChannelDoc);
}

function stampOf(kv: FakeKV, channelId = CH): number | null {
    const text = kv.peek(channelStampKey(channelId));
    return text === null ? null : Number(text);
}

function indexOf(kv: FakeKV, userId: string): string[] {
    const text = kv.peek(userIndexKey(userId));
    return text === null ? [] : (JSON.parse(text) as string[]);
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Every committed doc version is the previous + 1; every committed stamp is higher than the previous and
 * never above the doc version current at that moment. */
function checkHistory(kv: FakeKV, channelId = CH): void {
    let docVersion = 0;
    let stamp = 0;
    for (const m of kv.history) {
        if (m.key === channelDocKey(channelId)) {
            expect(m.value, 'the channel doc is never deleted').not.toBeNull();
            const v = (JSON.parse(new TextDecoder().decode(m.value!)) as ChannelDoc).version;
            expect(v, 'doc versions go up one at a time').toBe(docVersion + 1);
            docVersion = v;
        } else if (m.key === channelStampKey(channelId)) {
            expect(m.value, 'the stamp is never deleted').not.toBeNull();
            const s = Number(new TextDecoder().decode(m.value!));
            expect(s, 'the stamp only goes up').toBeGreaterThan(stamp);
            expect(s, 'the stamp never runs ahead of the doc').toBeLessThanOrEqual(docVersion);
            stamp = s;
        }
    }
}

describe('FakeKV (the test double) has the plugin KV semantics', () => {
    it('compare-and-set: byte equality, null = only if absent, expired = absent', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        expect(await kv.compareAndSet('k', null, 'a')).toBe(true);
        expect(await kv.compareAndSet('k', null, 'b')).toBe(false);
        expect(await kv.compareAndSet('k', new TextEncoder().encode('A'), 'b')).toBe(false);
        expect(await kv.compareAndSet('k', new TextEncoder().encode('a'), 'b', {expireInSeconds: 10})).toBe(true);
        expect(kv.expireAt('k')).toBe(c.t + 10_000);
        c.t += 10_000;
        expect(await kv.get('k')).toBeNull();
        expect(await kv.compareAndSet('k', new TextEncoder().encode('b'), 'c')).toBe(false);
        expect(await kv.compareAndDelete('k', new TextEncoder().encode('b'))).toBe(false);
        expect(await kv.compareAndSet('k', null, 'c')).toBe(true);
        expect(kv.expireAt('k')).toBe(0); // a write without expiry never expires
        expect(await kv.compareAndSet('k', new Uint8Array(0), 'd')).toBe(false); // empty old value = null
        expect(await kv.compareAndDelete('k', new TextEncoder().encode('c'))).toBe(true);
        expect(await kv.get('k')).toBeNull();
    });

    it('an empty value deletes; keys are 1..150 characters', async () => {
        const kv = new FakeKV();
        await kv.set('k', 'v');
        await kv.set('k', '');
        expect(await kv.get('k')).toBeNull();
        await expect(kv.get('')).rejects.toThrow();
        await expect(kv.set('x'.repeat(151), 'v')).rejects.toThrow();
        await kv.set('x'.repeat(150), 'v');
    });

    it('returns copies, not its own buffers', async () => {
        const kv = new FakeKV();
        await kv.set('k', 'v');
        const got = (await kv.get('k'))!;
        got[0] = 0;
        expect(kv.peek('k')).toBe('v');
    });
});

describe('WordStore basics', () => {
    it('stores words per user and channel in the documented layout', async () => {
        const kv = new FakeKV();
        const store = new WordStore(kv, fast);
        expect(await store.updateUserWords(CH, U1, add('Foo'))).toEqual(words('Foo'));
        expect(await store.updateUserWords(CH, U1, add('Bar'))).toEqual(words('Foo', 'Bar'));
        expect(await store.updateUserWords(CH, U2, add('baz'))).toEqual(words('baz'));

        expect(await store.getUserWords(CH, U1)).toEqual(words('Foo', 'Bar'));
        expect(await store.getUserWords(CH, U2)).toEqual(words('baz'));
        expect(await store.getUserWords(CH2, U1)).toEqual([]);
        expect(docOf(kv)).toEqual({version: 3, words_version: 3, users: {[U1]: words('Foo', 'Bar'), [U2]: words('baz')}});
        expect(stampOf(kv)).toBe(3);
        expect(indexOf(kv, U1)).toEqual([CH]);
        expect(indexOf(kv, U2)).toEqual([CH]);
        expect(kv.keys()).toEqual([channelDocKey(CH), channelStampKey(CH), userIndexKey(U1), userIndexKey(U2)].sort());
        expect(kv.keys().every((k) => k.startsWith('tw1:'))).toBe(true);
        checkHistory(kv);
    });

    it('writes nothing when fn returns an equal list', async () => {
        const kv = new FakeKV();
        const store = new WordStore(kv, fast);
        await store.updateUserWords(CH, U1, add('Foo'));
        const before = kv.history.length;
        expect(await store.updateUserWords(CH, U1, add('foo'))).toEqual(words('Foo'));
        expect(await store.updateUserWords(CH, U2, remove('nothing'))).toEqual([]);
        expect(kv.history.length).toBe(before);
        expect(docOf(kv)?.version).toBe(1);
    });

    it('propagates an error thrown by fn and writes nothing', async () => {
        const kv = new FakeKV();
        const store = new WordStore(kv, fast);
        await store.updateUserWords(CH, U1, add('Foo'));
        const before = kv.history.length;
        class Duplicate extends Error {}
        await expect(store.updateUserWords(CH, U1, () => {
            throw new Duplicate('already there');
        })).rejects.toBeInstanceOf(Duplicate);
        await expect(store.updateUserWords(CH2, U1, () => {
            throw new Duplicate('nope');
        })).rejects.toBeInstanceOf(Duplicate);
        expect(kv.history.length).toBe(before);
        expect(indexOf(kv, U1)).toEqual([CH]);
    });

    it('rejects a malformed result from fn', async () => {
        const store = new WordStore(new FakeKV(), fast);
        await expect(store.updateUserWords(CH, U1, () => [{word: 'x'}] as unknown as StoredWord[])).rejects.toBeInstanceOf(TypeError);
    });

    it('does not let the caller mutate stored or cached state', async () => {
        const kv = new FakeKV();
        const store = new WordStore(kv, fast);
        const list = words('Foo');
        const result = await store.updateUserWords(CH, U1, () => list);
        list.push(w('Injected'));
        result.push(w('Injected'));
        expect(await store.getUserWords(CH, U1)).toEqual(words('Foo'));
        const {doc} = await store.channelWords(CH);
        expect(Object.isFrozen(doc) && Object.isFrozen(doc.users[U1])).toBe(true);
        let seen: StoredWord[] = [];
        await store.updateUserWords(CH, U1, (cur) => {
            seen = cur;
            cur.push(w('Mutated'));
            return cur;
        });
        expect(seen).toEqual(words('Foo', 'Mutated'));
        expect((await store.channelWords(CH)).doc.users[U1]).toEqual(words('Foo', 'Mutated'));
    });

    it('drops an emptied user from the doc, keeps the doc (versions are never reused) and cleans the index', async () => {
        const kv = new FakeKV();
        const store = new WordStore(kv, fast);
        await store.updateUserWords(CH, U1, add('Foo'));
        await store.updateUserWords(CH, U1, remove('foo'));
        expect(docOf(kv)).toEqual({version: 2, words_version: 2, users: {}});
        expect(stampOf(kv)).toBe(2);
        expect(kv.peek(userIndexKey(U1))).toBeNull();
        await store.updateUserWords(CH, U1, add('Again'));
        expect(docOf(kv)).toEqual({version: 3, words_version: 3, users: {[U1]: words('Again')}});
        checkHistory(kv);
    });

    it('keeps the channel in the index while the user still has words there', async () => {
        const kv = new FakeKV();
        const store = new WordStore(kv, fast);
        await store.updateUserWords(CH, U1, replace('a', 'b'));
        await store.updateUserWords(CH2, U1, replace('c'));
        await store.updateUserWords(CH, U1, remove('a'));
        expect(indexOf(kv, U1)).toEqual([CH, CH2]);
        await store.updateUserWords(CH, U1, remove('b'));
        expect(indexOf(kv, U1)).toEqual([CH2]);
    });

    it('lists the channels where the user has words, skipping stale index entries', async () => {
        const kv = new FakeKV();
        const store = new WordStore(kv, fast);
        await store.updateUserWords(CH2, U1, replace('two'));
        await store.updateUserWords(CH, U1, replace('one', 'uno'));
        await store.updateUserWords(CH, U2, replace('other'));
        // a leftover entry (e.g. a crash between the index add and the doc write)
        kv.poke(userIndexKey(U1), JSON.stringify([CH2, CH, CH3]));
        expect(await store.listUserChannels(U1)).toEqual([
            {channelId: CH2, words: words('two')},
            {channelId: CH, words: words('one', 'uno')},
        ]);
        expect(await store.listUserChannels(U2)).toEqual([{channelId: CH, words: words('other')}]);
        expect(await store.listUserChannels('nobody')).toEqual([]);
    });

    it('never reuses a version even if the doc disappears', async () => {
        const kv = new FakeKV();
        const store = new WordStore(kv, fast);
        await store.updateUserWords(CH, U1, add('a'));
        await store.updateUserWords(CH, U1, add('b'));
        kv.poke(channelDocKey(CH), null);
        await store.updateUserWords(CH, U1, add('c'));
        expect(docOf(kv)?.version).toBe(3);
        expect(stampOf(kv)).toBe(3);
    });

    it('finds a word stored under an older normalisation by today\'s key (curly apostrophe)', async () => {
        const kv = new FakeKV();
        const store = new WordStore(kv, fast);
        await store.updateUserWords(CH, U1, add('deploy'));
        // As an earlier version stored it: the typographic apostrophe was not folded into the key.
        const old = docOf(kv)!;
        old.users[U1] = [...old.users[U1], {word: 'don’t', key: 'don’t'}];
        kv.poke(channelDocKey(CH), JSON.stringify(old));
        const upgraded = new WordStore(kv, fast); // a new plugin process: nothing cached
        expect(await upgraded.getUserWords(CH, U1)).toEqual([{word: 'deploy', key: 'deploy'}, {word: 'don’t', key: "don't"}]);
        expect(await upgraded.updateUserWords(CH, U1, (list) => list.filter((w) => w.key !== "don't"))).toEqual(words('deploy'));
    });

    it('rejects ids that would break the key layout', async () => {
        const store = new WordStore(new FakeKV(), fast);
        await expect(store.getUserWords('a:b', U1)).rejects.toBeInstanceOf(TypeError);
        await expect(store.updateUserWords(CH, '', add('x'))).rejects.toBeInstanceOf(TypeError);
        await expect(store.channelWords('x'.repeat(65))).rejects.toBeInstanceOf(TypeError);
        await expect(store.listUserChannels('a b')).rejects.toBeInstanceOf(TypeError);
    });

    it('refuses to overwrite a corrupt doc', async () => {
        const kv = new FakeKV();
        const store = new WordStore(kv, fast);
        kv.poke(channelDocKey(CH), '{"version":"x"}');
        await expect(store.updateUserWords(CH, U1, add('a'))).rejects.toBeInstanceOf(StoreUnavailableError);
        expect(kv.peek(channelDocKey(CH))).toBe('{"version":"x"}');
    });
});

describe('WordStore hot path (channelWords)', () => {
    it('does exactly one KV read when the cache is fresh', async () => {
        const kv = new FakeKV();
        const c = clock();
        const writer = new WordStore(kv.client('s1'), {...fast, now: c.now});
        const reader = new WordStore(kv.client('s2'), {...fast, now: c.now});
        await writer.updateUserWords(CH, U1, add('Foo'));

        kv.resetCalls();
        const first = await reader.channelWords(CH);
        expect(first.version).toBe(1);
        expect(kv.count({client: 's2'})).toBe(2); // cold: stamp + doc

        for (let i = 0; i < 5; i++) {
            kv.resetCalls();
            const again = await reader.channelWords(CH);
            expect(kv.calls).toEqual([{client: 's2', op: 'get', key: channelStampKey(CH)}]);
            expect(again.doc).toBe(first.doc); // same object for the same version
        }

        await writer.updateUserWords(CH, U1, add('Bar'));
        kv.resetCalls();
        const moved = await reader.channelWords(CH);
        expect(moved.version).toBe(2);
        expect(moved.doc).not.toBe(first.doc);
        expect(kv.count({client: 's2'})).toBe(2);
        kv.resetCalls();
        await reader.channelWords(CH);
        expect(kv.count({client: 's2'})).toBe(1);
        // the writer's own cache is current after its write
        kv.resetCalls();
        expect((await writer.channelWords(CH)).version).toBe(2);
        expect(kv.count({client: 's1'})).toBe(1);
    });

    it('serves a channel nobody configured with one read too', async () => {
        const kv = new FakeKV();
        const c = clock();
        const store = new WordStore(kv, {...fast, now: c.now});
        expect(await store.channelWords(CH)).toEqual({version: 0, doc: {version: 0, users: {}}});
        kv.resetCalls();
        await store.channelWords(CH);
        expect(kv.count()).toBe(1);
    });

    it('bounds the cache (LRU)', async () => {
        const kv = new FakeKV();
        const c = clock();
        const store = new WordStore(kv, {...fast, now: c.now, cacheSize: 2});
        for (const ch of [CH, CH2, CH3]) {
            await store.updateUserWords(ch, U1, add('x'));
        }
        // CH2 and CH3 are cached; CH was evicted
        kv.resetCalls();
        await store.channelWords(CH2);
        await store.channelWords(CH3);
        expect(kv.count()).toBe(2);
        kv.resetCalls();
        await store.channelWords(CH); // evicts CH2 (least recently used)
        expect(kv.count()).toBe(2);
        kv.resetCalls();
        await store.channelWords(CH3);
        expect(kv.count()).toBe(1);
        kv.resetCalls();
        await store.channelWords(CH2);
        expect(kv.count()).toBe(2);
    });

    it('re-reads the doc after revalidateMs even when the stamp says the cache is current', async () => {
        const kv = new FakeKV();
        const c = clock();
        const store = new WordStore(kv, {...fast, now: c.now, revalidateMs: 10_000});
        await store.updateUserWords(CH, U1, add('x'));
        kv.resetCalls();
        await store.channelWords(CH);
        expect(kv.count()).toBe(1);
        c.t += 10_000;
        kv.resetCalls();
        const again = await store.channelWords(CH);
        expect(kv.count()).toBe(2);
        expect(again.version).toBe(1);
        kv.resetCalls();
        await store.channelWords(CH);
        expect(kv.count()).toBe(1);
    });
});

describe('WordStore across servers', () => {
    it('a write through server 1 is seen by server 2 (with an older cached doc) as soon as it returns', async () => {
        const kv = new FakeKV();
        const c = clock();
        const s1 = new WordStore(kv.client('s1'), {...fast, now: c.now});
        const s2 = new WordStore(kv.client('s2'), {...fast, now: c.now});
        await s1.updateUserWords(CH, U1, add('old'));
        expect((await s2.channelWords(CH)).doc.users[U1]).toEqual(words('old'));
        await s2.channelWords(CH); // cached and fresh

        await s1.updateUserWords(CH, U1, add('new'));
        const seen = await s2.channelWords(CH);
        expect(seen.version).toBe(2);
        expect(seen.doc.users[U1]).toEqual(words('old', 'new'));

        await s1.updateUserWords(CH, U1, remove('old'));
        expect((await s2.channelWords(CH)).doc.users[U1]).toEqual(words('new'));
    });

    it('does not let the stamp go backwards when stamp writes finish out of order', async () => {
        const kv = new FakeKV();
        const a = new WordStore(kv.client('A'), fast);
        const b = new WordStore(kv.client('B'), fast);
        // A's doc write (v1) lands, then its stamp write is held...
        const held = kv.hold({client: 'A', op: 'compareAndSet', key: channelStampKey(CH)});
        const writeA = a.updateUserWords(CH, U1, add('fromA'));
        await held.arrived;
        expect(docOf(kv)?.version).toBe(1);
        // ...while B writes v2 and raises the stamp to 2.
        await b.updateUserWords(CH, U2, add('fromB'));
        expect(stampOf(kv)).toBe(2);
        held.release();
        await writeA;
        expect(stampOf(kv)).toBe(2);
        expect(kv.valuesOf(channelStampKey(CH))).toEqual(['2']);
        checkHistory(kv);

        // A server that had cached v1 must not consider it current.
        const c = new WordStore(kv.client('C'), fast);
        expect((await c.channelWords(CH)).doc.users).toEqual({[U1]: words('fromA'), [U2]: words('fromB')});
    });

    it('does not let the stamp go backwards when the stamp read is also stale', async () => {
        const kv = new FakeKV();
        const a = new WordStore(kv.client('A'), fast);
        const b = new WordStore(kv.client('B'), fast);
        await a.updateUserWords(CH, U1, add('first')); // v1, stamp 1
        // A writes v2 and reads the stamp (1); its stamp CAS is held while B writes v3 and raises to 3.
        const held = kv.hold({client: 'A', op: 'compareAndSet', key: channelStampKey(CH)});
        const writeA = a.updateUserWords(CH, U1, add('second'));
        await held.arrived;
        await b.updateUserWords(CH, U2, add('third'));
        expect(stampOf(kv)).toBe(3);
        held.release();
        await writeA;
        expect(stampOf(kv)).toBe(3);
        checkHistory(kv);
    });

    for (const seed of [1, 2, 3, 4, 5]) {
        it(`200 concurrent updates from 20 users on two servers lose nothing (seed ${seed})`, async () => {
            const rnd = seededRandom(seed);
            const kv = new FakeKV({latency: randomLatency(rnd, 2)});
            const opts: WordStoreOptions = {maxRetries: 1000, backoffMs: {base: 1, max: 8}};
            const servers = [new WordStore(kv.client('s1'), opts), new WordStore(kv.client('s2'), opts)];
            const vocab = ['alpha', 'Beta', 'gamma', 'DELTA', 'epsilon', 'zeta'];
            type Op = {server: number; fn: (cur: StoredWord[]) => StoredWord[]};
            const users = Array.from({length: 20}, (_, i) => `user${i}`);
            const plans = new Map<string, Op[]>();
            for (const u of users) {
                const ops: Op[] = [];
                for (let i = 0; i < 10; i++) {
                    const word = vocab[Math.floor(rnd() * vocab.length)];
                    const r = rnd();
                    const fn = r < 0.55 ? add(word) : r < 0.9 ? remove(word) : replace(word, `${word}2`);
                    ops.push({server: Math.floor(rnd() * 2), fn});
                }
                plans.set(u, ops);
            }

            // expected: each user's own ops applied in order (users touch disjoint entries)
            const expected: ChannelDoc['users'] = {};
            let effectiveWrites = 0;
            for (const u of users) {
                let cur: StoredWord[] = [];
                for (const op of plans.get(u)!) {
                    const next = op.fn(cur);
                    if (JSON.stringify(next) !== JSON.stringify(cur)) {
                        effectiveWrites++;
                    }
                    cur = next;
                }
                if (cur.length > 0) {
                    expected[u] = cur;
                }
            }

            const lastSeen = [0, 0];
            await Promise.all(users.map(async (u) => {
                let model: StoredWord[] = [];
                for (const op of plans.get(u)!) {
                    await sleep(Math.floor(rnd() * 3));
                    const result = await servers[op.server].updateUserWords(CH, u, op.fn);
                    model = op.fn(model);
                    expect(result).toEqual(model);
                    // read-your-write on the OTHER server, right after the write returned
                    const other = 1 - op.server;
                    const seen = await servers[other].channelWords(CH);
                    expect(seen.doc.users[u] ?? []).toEqual(model);
                    expect(seen.version).toBeGreaterThanOrEqual(lastSeen[other]);
                    lastSeen[other] = seen.version;
                }
            }));

            expect(docOf(kv)).toEqual({version: effectiveWrites, words_version: effectiveWrites, users: expected});
            expect(stampOf(kv)).toBe(effectiveWrites);
            checkHistory(kv);
            for (const s of servers) {
                expect((await s.channelWords(CH)).doc).toEqual({version: effectiveWrites, words_version: effectiveWrites, users: expected});
            }
            for (const u of users) {
                const listed = await servers[0].listUserChannels(u);
                expect(listed).toEqual(expected[u] ? [{channelId: CH, words: expected[u]}] : []);
                expect(indexOf(kv, u)).toEqual(expected[u] ? [CH] : []);
            }
        });
    }

    describe('index races between a remover and an adder of the same user in the same channel', () => {
        async function setup() {
            const kv = new FakeKV();
            const r = new WordStore(kv.client('R'), fast);
            const a = new WordStore(kv.client('A'), fast);
            await r.updateUserWords(CH, U1, replace('x'));
            return {kv, r, a};
        }
        const indexWrites = (kv: FakeKV, client: string) =>
            kv.history.filter((m) => m.key === userIndexKey(U1) && m.client === client).length;

        it('the remover leaves the entry alone when words came back before it looked', async () => {
            const {kv, r, a} = await setup();
            const held = kv.hold({client: 'R', op: 'get', key: userIndexKey(U1)});
            const removing = r.updateUserWords(CH, U1, replace());
            await held.arrived; // R emptied the doc and is about to clean the index
            await a.updateUserWords(CH, U1, add('w'));
            const before = indexWrites(kv, 'R');
            held.release();
            await removing;
            expect(indexWrites(kv, 'R')).toBe(before);
            expect(indexOf(kv, U1)).toEqual([CH]);
        });

        it('the remover re-adds the entry when words came back while it was removing', async () => {
            const {kv, r, a} = await setup();
            // R read the index and the (empty) doc; its removal is held while A adds a word
            const held = kv.hold({client: 'R', op: ['compareAndSet', 'compareAndDelete'], key: userIndexKey(U1)});
            const removing = r.updateUserWords(CH, U1, replace());
            await held.arrived;
            await a.updateUserWords(CH, U1, add('w'));
            expect(indexOf(kv, U1)).toEqual([CH]);
            held.release();
            await removing;
            expect(docOf(kv)?.users[U1]).toEqual(words('w'));
            expect(indexOf(kv, U1)).toEqual([CH]);
            expect(await r.listUserChannels(U1)).toEqual([{channelId: CH, words: words('w')}]);
        });

        it('the adder re-adds the entry when it was removed between its index check and its doc write', async () => {
            const {kv, r, a} = await setup();
            const heldR = kv.hold({client: 'R', op: 'get', key: userIndexKey(U1)});
            const removing = r.updateUserWords(CH, U1, replace());
            await heldR.arrived; // R emptied the doc
            const heldA = kv.hold({client: 'A', op: 'compareAndSet', key: channelDocKey(CH)});
            const adding = a.updateUserWords(CH, U1, add('w'));
            await heldA.arrived; // A saw the entry in the index and is about to write the doc
            heldR.release();
            await removing; // R removed the entry; its re-check saw no words yet
            expect(indexOf(kv, U1)).toEqual([]);
            heldA.release();
            await adding;
            expect(docOf(kv)?.users[U1]).toEqual(words('w'));
            expect(indexOf(kv, U1)).toEqual([CH]);
        });

        it('an adder whose doc write had to retry re-checks the index before writing again', async () => {
            const {kv, r, a} = await setup();
            const heldA = kv.hold({client: 'A', op: 'compareAndSet', key: channelDocKey(CH)});
            const adding = a.updateUserWords(CH, U1, add('w'));
            await heldA.arrived; // A checked the index and is about to write the doc (from version 1)
            await r.updateUserWords(CH, U1, replace()); // R empties the doc and removes the entry
            expect(indexOf(kv, U1)).toEqual([]);
            // A's after-write check fails: only the re-check before its second doc write keeps the index right
            kv.fail({client: 'A', op: 'get', key: (k) => k === userIndexKey(U1) && (docOf(kv)?.users[U1] ?? []).length > 0});
            heldA.release();
            expect(await adding).toEqual(words('w'));
            expect(indexOf(kv, U1)).toEqual([CH]);
        });
    });

    for (const seed of [11, 12, 13]) {
        it(`the index stays a superset when one user adds and removes concurrently on two servers (seed ${seed})`, async () => {
            const rnd = seededRandom(seed);
            const kv = new FakeKV({latency: randomLatency(rnd, 2)});
            const opts: WordStoreOptions = {maxRetries: 1000, backoffMs: {base: 1, max: 4}};
            const servers = [new WordStore(kv.client('s1'), opts), new WordStore(kv.client('s2'), opts)];
            const channels = [CH, CH2];
            const ops: Array<Promise<unknown>> = [];
            for (let i = 0; i < 60; i++) {
                const ch = channels[Math.floor(rnd() * 2)];
                const s = servers[Math.floor(rnd() * 2)];
                const fn = rnd() < 0.5 ? replace('w') : replace();
                const delay = Math.floor(rnd() * 20);
                ops.push(sleep(delay).then(() => s.updateUserWords(ch, U1, fn)));
            }
            await Promise.all(ops);
            for (const ch of channels) {
                checkHistory(kv, ch);
                const has = (docOf(kv, ch)?.users[U1] ?? []).length > 0;
                if (has) {
                    expect(indexOf(kv, U1)).toContain(ch);
                }
            }
            const listed = (await servers[1].listUserChannels(U1)).map((x) => x.channelId).sort();
            expect(listed).toEqual(channels.filter((ch) => (docOf(kv, ch)?.users[U1] ?? []).length > 0).sort());
        });
    }
});

describe('WordStore snoozes (in the channel doc)', () => {
    it('a words write keeps the running snoozes and drops the ended ones', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        const store = new WordStore(kv, {...fast, now: c.now});
        await store.setSnooze(CH, U1, c.t + 1000);
        await store.setSnooze(CH, U2, c.t + 5000);
        c.t += 2000;
        await store.updateUserWords(CH, U1, add('a'));
        expect(docOf(kv)!.snoozed).toEqual({[U2]: c.t + 3000});
        expect(await store.snoozedUntil(CH, U1)).toBeNull();
        expect(await store.snoozedUntil(CH, U2)).toBe(c.t + 3000);
        checkHistory(kv);
    });

    for (const seed of [31, 32, 33]) {
        it(`snoozes and words written at once on two servers: neither loses the other (seed ${seed})`, async () => {
            const rnd = seededRandom(seed);
            const c = clock();
            const kv = new FakeKV({now: c.now, latency: randomLatency(rnd, 2)});
            const opts: WordStoreOptions = {maxRetries: 1000, backoffMs: {base: 1, max: 4}, now: c.now};
            const servers = [new WordStore(kv.client('s1'), opts), new WordStore(kv.client('s2'), opts)];
            const users = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];
            const expectWords = new Map<string, StoredWord[]>();
            const expectSnooze = new Map<string, number | null>();
            await Promise.all(users.map(async (u, i) => {
                let mine: StoredWord[] = [];
                let snoozed: number | null = null;
                for (let k = 0; k < 10; k++) {
                    const s = servers[Math.floor(rnd() * 2)]!;
                    if (rnd() < 0.5) {
                        snoozed = rnd() < 0.7 ? c.t + 1000 * (i * 100 + k + 1) : null;
                        await s.setSnooze(CH, u, snoozed);
                    } else {
                        const fn = add(`w${k}`);
                        mine = fn(mine);
                        await s.updateUserWords(CH, u, fn);
                    }
                }
                expectWords.set(u, mine);
                expectSnooze.set(u, snoozed);
            }));
            checkHistory(kv);
            expect(stampOf(kv)).toBe(docOf(kv)!.version);
            for (const u of users) {
                expect(docOf(kv)!.users[u] ?? []).toEqual(expectWords.get(u));
                for (const s of [...servers, new WordStore(kv.client('s3'), opts)]) {
                    expect(await s.snoozedUntil(CH, u)).toBe(expectSnooze.get(u));
                    // the hot path sees the same, through the stamp
                    const {doc} = await s.channelWords(CH);
                    expect(doc.snoozed?.[u] ?? null).toBe(expectSnooze.get(u));
                }
            }
        });
    }
});

describe('WordStore failures', () => {
    it('maps KV failures to StoreUnavailableError, keeping the cause', async () => {
        const kv = new FakeKV();
        const store = new WordStore(kv, fast);
        await store.updateUserWords(CH, U1, add('x'));
        const cause = new Error('connection reset');
        kv.fail({op: 'get', times: Infinity, error: cause});
        for (const p of [
            store.getUserWords(CH, U1),
            store.updateUserWords(CH, U1, add('y')),
            store.listUserChannels(U1),
            new WordStore(kv, fast).channelWords(CH),
        ]) {
            const err = await p.then(() => null, (e: unknown) => e);
            expect(err).toBeInstanceOf(StoreUnavailableError);
            expect((err as Error).cause).toBe(cause);
        }
    });

    it('stamp write fails after the doc write: the caller sees 503, readers converge', async () => {
        const kv = new FakeKV();
        const c = clock();
        const opts = {...fast, now: c.now, revalidateMs: 30_000};
        const a = new WordStore(kv.client('A'), opts);
        const b = new WordStore(kv.client('B'), opts);
        await a.updateUserWords(CH, U1, add('old'));
        expect((await b.channelWords(CH)).version).toBe(1);

        kv.fail({op: 'compareAndSet', key: channelStampKey(CH)});
        await expect(a.updateUserWords(CH, U1, add('new'))).rejects.toBeInstanceOf(StoreUnavailableError);
        expect(docOf(kv)?.version).toBe(2);
        expect(stampOf(kv)).toBe(1);

        // a server with a cold cache sees the committed doc, and repairs the stamp
        const cold = new WordStore(kv.client('C'), opts);
        expect((await cold.channelWords(CH)).doc.users[U1]).toEqual(words('old', 'new'));
        expect(stampOf(kv)).toBe(2);
        // so does the warm one, now
        expect((await b.channelWords(CH)).version).toBe(2);
        checkHistory(kv);
    });

    it('stamp left behind and nobody repairs it: warm caches converge within revalidateMs', async () => {
        const kv = new FakeKV();
        const c = clock();
        const opts = {...fast, now: c.now, revalidateMs: 30_000};
        const a = new WordStore(kv.client('A'), opts);
        const b = new WordStore(kv.client('B'), opts);
        await a.updateUserWords(CH, U1, add('old'));
        await b.channelWords(CH);
        kv.fail({op: 'compareAndSet', key: channelStampKey(CH)});
        await expect(a.updateUserWords(CH, U1, add('new'))).rejects.toBeInstanceOf(StoreUnavailableError);

        expect((await b.channelWords(CH)).version).toBe(1); // allowed: the write did not succeed
        c.t += 30_000;
        const seen = await b.channelWords(CH);
        expect(seen.version).toBe(2);
        expect(seen.doc.users[U1]).toEqual(words('old', 'new'));
        expect(stampOf(kv)).toBe(2);
    });

    it('stamp left behind: a retry of the failed request makes the write visible everywhere at once', async () => {
        for (const retry of [add('new') /* no change */, () => {
            throw new Error('409 already there');
        }]) {
            const kv = new FakeKV();
            const c = clock();
            const a = new WordStore(kv.client('A'), {...fast, now: c.now});
            const b = new WordStore(kv.client('B'), {...fast, now: c.now});
            await a.updateUserWords(CH, U1, add('old'));
            await b.channelWords(CH);
            kv.fail({op: 'compareAndSet', key: channelStampKey(CH)});
            await expect(a.updateUserWords(CH, U1, add('new'))).rejects.toBeInstanceOf(StoreUnavailableError);
            await a.updateUserWords(CH, U1, retry).catch(() => {});
            expect(stampOf(kv)).toBe(2);
            expect((await b.channelWords(CH)).doc.users[U1]).toEqual(words('old', 'new'));
        }
    });

    it('the very first write fails at the stamp: the missing stamp is repaired by a reader', async () => {
        const kv = new FakeKV();
        const c = clock();
        const a = new WordStore(kv.client('A'), {...fast, now: c.now});
        const b = new WordStore(kv.client('B'), {...fast, now: c.now});
        await b.channelWords(CH); // B caches "nothing configured"
        kv.fail({op: 'compareAndSet', key: channelStampKey(CH)});
        await expect(a.updateUserWords(CH, U1, add('x'))).rejects.toBeInstanceOf(StoreUnavailableError);
        expect(stampOf(kv)).toBeNull();
        expect(docOf(kv)?.version).toBe(1);

        const fresh = new WordStore(kv.client('C'), {...fast, now: c.now});
        expect((await fresh.channelWords(CH)).doc.users[U1]).toEqual(words('x'));
        expect(stampOf(kv)).toBe(1);
        expect((await b.channelWords(CH)).version).toBe(1);
    });

    it('doc write commits but its answer is lost: 503, and the state converges', async () => {
        const kv = new FakeKV();
        const c = clock();
        const a = new WordStore(kv.client('A'), {...fast, now: c.now});
        const b = new WordStore(kv.client('B'), {...fast, now: c.now});
        kv.fail({op: 'compareAndSet', key: channelDocKey(CH), kind: 'after'});
        await expect(a.updateUserWords(CH, U1, add('x'))).rejects.toBeInstanceOf(StoreUnavailableError);
        expect(docOf(kv)?.users[U1]).toEqual(words('x'));
        expect(await b.listUserChannels(U1)).toEqual([{channelId: CH, words: words('x')}]);
        expect((await b.channelWords(CH)).version).toBe(1);
        checkHistory(kv);
    });

    it('index write fails before the doc write: 503, nothing else written, listing consistent', async () => {
        const kv = new FakeKV();
        const store = new WordStore(kv, fast);
        await store.updateUserWords(CH, U1, add('a'));
        kv.fail({op: 'compareAndSet', key: userIndexKey(U1)});
        await expect(store.updateUserWords(CH2, U1, add('b'))).rejects.toBeInstanceOf(StoreUnavailableError);
        expect(docOf(kv, CH2)).toBeNull();
        expect(await store.listUserChannels(U1)).toEqual([{channelId: CH, words: words('a')}]);
        await store.updateUserWords(CH2, U1, add('b'));
        expect(await store.listUserChannels(U1)).toEqual([
            {channelId: CH, words: words('a')},
            {channelId: CH2, words: words('b')},
        ]);
    });

    it('index write lands but its answer is lost: the index is a superset, listing consistent', async () => {
        const kv = new FakeKV();
        const store = new WordStore(kv, fast);
        kv.fail({op: 'compareAndSet', key: userIndexKey(U1), kind: 'after'});
        await expect(store.updateUserWords(CH, U1, add('a'))).rejects.toBeInstanceOf(StoreUnavailableError);
        expect(indexOf(kv, U1)).toEqual([CH]);
        expect(docOf(kv)).toBeNull();
        expect(await store.listUserChannels(U1)).toEqual([]);
    });

    it('index removal fails after the doc write: the update succeeds, the index is a superset', async () => {
        const kv = new FakeKV();
        const background: string[] = [];
        const store = new WordStore(kv, {...fast, onBackgroundError: (_e, step) => background.push(step)});
        await store.updateUserWords(CH, U1, add('a'));
        await store.updateUserWords(CH2, U1, add('b'));
        kv.fail({op: ['compareAndSet', 'compareAndDelete'], key: userIndexKey(U1)});
        expect(await store.updateUserWords(CH, U1, remove('a'))).toEqual([]);
        expect(background).toEqual(['index remove']);
        expect(indexOf(kv, U1)).toEqual([CH, CH2]);
        expect(await store.listUserChannels(U1)).toEqual([{channelId: CH2, words: words('b')}]);
        // the next emptying write for that channel tidies up
        await store.updateUserWords(CH, U1, add('c'));
        await store.updateUserWords(CH, U1, remove('c'));
        expect(indexOf(kv, U1)).toEqual([CH2]);
    });

    it('throws ConflictError when the compare-and-set keeps losing, and writes nothing', async () => {
        const kv = new FakeKV();
        const store = new WordStore(kv, {maxRetries: 3, backoffMs: {base: 1, max: 2}});
        await store.updateUserWords(CH, U1, add('a'));
        const before = kv.peek(channelDocKey(CH));
        kv.fail({op: 'compareAndSet', key: channelDocKey(CH), kind: 'conflict', times: Infinity});
        kv.resetCalls();
        await expect(store.updateUserWords(CH, U1, add('b'))).rejects.toBeInstanceOf(ConflictError);
        expect(kv.count({op: 'compareAndSet', key: channelDocKey(CH)})).toBe(4);
        expect(kv.peek(channelDocKey(CH))).toBe(before);
        expect(await store.listUserChannels(U1)).toEqual([{channelId: CH, words: words('a')}]);
    });

    for (const seed of [21, 22, 23]) {
        it(`random KV failures on two servers keep every invariant (seed ${seed})`, async () => {
            const rnd = seededRandom(seed);
            const kv = new FakeKV({latency: randomLatency(rnd, 1)});
            const c = clock();
            const opts: WordStoreOptions = {maxRetries: 1000, backoffMs: {base: 1, max: 4}, now: c.now, revalidateMs: 60_000};
            const servers = [new WordStore(kv.client('s1'), opts), new WordStore(kv.client('s2'), opts)];
            // roughly one call in eight fails, before or after being applied
            const ops: Array<'get' | 'compareAndSet' | 'compareAndDelete'> = ['get', 'compareAndSet', 'compareAndDelete'];
            for (let i = 0; i < 60; i++) {
                kv.fail({
                    op: ops[Math.floor(rnd() * ops.length)],
                    kind: rnd() < 0.5 ? 'before' : 'after',
                    key: (k) => k.startsWith('tw1:') && rnd() < 0.35,
                });
            }
            const vocab = ['a', 'b', 'c', 'd'];
            const users = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];
            await Promise.all(users.map(async (u) => {
                for (let i = 0; i < 12; i++) {
                    const word = vocab[Math.floor(rnd() * vocab.length)];
                    const fn = rnd() < 0.6 ? add(word) : remove(word);
                    const s = servers[Math.floor(rnd() * 2)];
                    const before = docOf(kv)?.users[u] ?? [];
                    try {
                        const result = await s.updateUserWords(CH, u, fn);
                        expect(result).toEqual(fn(before));
                        expect(docOf(kv)?.users[u] ?? []).toEqual(result);
                    } catch (e) {
                        expect(e).toBeInstanceOf(StoreUnavailableError);
                        // either nothing happened or the whole update happened
                        expect([before, fn(before)]).toContainEqual(docOf(kv)?.users[u] ?? []);
                    }
                }
            }));
            kv.clearFaults();
            checkHistory(kv);
            const truth = docOf(kv) ?? {version: 0, users: {}};
            // convergence: every server (after revalidation) and a fresh one agree with the KV
            c.t += 60_000;
            for (const s of [...servers, new WordStore(kv.client('s3'), opts)]) {
                expect((await s.channelWords(CH)).doc).toEqual(truth);
            }
            expect(stampOf(kv)).toBe(truth.version || null);
            for (const u of users) {
                if (truth.users[u]) {
                    expect(indexOf(kv, u)).toContain(CH);
                }
                expect(await servers[0].listUserChannels(u)).toEqual(truth.users[u] ? [{channelId: CH, words: truth.users[u]}] : []);
            }
        });
    }
});

describe('WordStore hot path: stamp reads shared by concurrent posts', () => {
    it('shares one stamp read among the posts that arrive while another is in flight', async () => {
        const kv = new FakeKV({latency: () => 2});
        const store = new WordStore(kv, fast);
        await store.updateUserWords(CH, U1, add('a'));
        kv.resetCalls();
        const first = store.channelWords(CH);
        const rest = Array.from({length: 9}, () => store.channelWords(CH));
        const all = await Promise.all([first, ...rest]);
        expect(all.every((r) => r.version === 1)).toBe(true);
        expect(kv.count({op: 'get', key: channelStampKey(CH)})).toBe(2); // the first post's, then one for the other nine
        kv.resetCalls();
        await store.channelWords(CH);
        expect(kv.count({op: 'get'})).toBe(1); // an idle channel: one read per post, as before
    });

    it("never answers with a read that started before the call: a write answered meanwhile is seen", async () => {
        let slowStampAnswer = false;
        // The stamp is read at once but its answer takes 30 ms: a read in flight with a value already old.
        const kv = new FakeKV({latency: (call, phase) => (slowStampAnswer && phase === 'response' && call.client === 's1' && call.key === channelStampKey(CH) ? 30 : 0)});
        const s1 = new WordStore(kv.client('s1'), fast);
        const s2 = new WordStore(kv.client('s2'), fast);
        await s1.updateUserWords(CH, U1, add('a'));
        await s1.channelWords(CH);
        slowStampAnswer = true;
        const early = s1.channelWords(CH); // reads stamp 1, answers 30 ms later
        await sleep(5);
        await s2.updateUserWords(CH, U1, add('b')); // answered: every later post must see version 2
        slowStampAnswer = false;
        const late = s1.channelWords(CH);
        expect((await early).version).toBe(1);
        expect((await late).version).toBe(2);
        expect((await late).doc.users[U1]).toEqual(words('a', 'b'));
    });

    it('passes a failed read on to the posts that shared it, and the next post reads again', async () => {
        const kv = new FakeKV({latency: () => 1});
        const store = new WordStore(kv, fast);
        await store.updateUserWords(CH, U1, add('a'));
        kv.fail({op: 'get', key: channelStampKey(CH), times: 2});
        const results = await Promise.allSettled([store.channelWords(CH), store.channelWords(CH), store.channelWords(CH)]);
        expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
        expect((await store.channelWords(CH)).version).toBe(1);
    });
});

// The per-user alert ledger (recipient_ledger.ts): one compare-and-set decides an alert (delivery marker and
// flood counter together), across servers sharing the KV, with the KV calls each decision costs.
import {describe, expect, it} from 'vitest';

import {IDLE_RESET_MINUTES, MAX_MARKERS, MARKER_MINUTES, RecipientLedger, ledgerKey, type Claim} from '../../../server/alerts/recipient_ledger.js';
import {ConflictError, StoreUnavailableError} from '../../../server/alerts/store.js';
import {FakeKV, randomLatency, seededRandom} from './fake_kv.js';

const U = 'user1';
const DM = 'd'.repeat(26);
const MINUTE = 60_000;

function clock(start = Date.UTC(2025, 5, 1, 12, 0, 0)) {
    const c = {t: start, now: () => c.t};
    return c;
}

/** A direct-channel lookup that counts how often it is asked. */
function directChannel(id = DM) {
    const f = Object.assign(async () => {
        f.calls++;
        return id;
    }, {calls: 0});
    return f;
}

const stored = (kv: FakeKV, userId = U) => JSON.parse(kv.peek(ledgerKey(userId))!) as {minute: number; count: number; held: number; dm?: string; posts: Array<[string, number]>};

describe('RecipientLedger', () => {
    it('decides an alert with one compare-and-set once warm: send, then duplicate for the same post, with no KV call', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        const ledger = new RecipientLedger(kv, {now: c.now});
        const dm = directChannel();

        expect(await ledger.claim(U, 'post1', 3, dm)).toEqual({outcome: 'send', held: 0, dmChannelId: DM});
        expect(kv.calls.map((x) => x.op)).toEqual(['get', 'compareAndSet']); // cold: read once
        kv.resetCalls();
        expect(await ledger.claim(U, 'post2', 3, dm)).toEqual({outcome: 'send', held: 0, dmChannelId: DM});
        expect(kv.calls.map((x) => x.op)).toEqual(['compareAndSet']);
        kv.resetCalls();
        expect(await ledger.claim(U, 'post1', 3, dm)).toEqual({outcome: 'duplicate'});
        expect(kv.calls).toEqual([]);
        expect(dm.calls).toBe(1); // the direct channel is looked up once, ever

        expect(ledgerKey(U)).toBe(`tw1:al:${U}`);
        expect(stored(kv)).toEqual({minute: Math.floor(c.t / MINUTE), count: 2, held: 0, dm: DM, posts: [['post1', Math.floor(c.t / MINUTE)], ['post2', Math.floor(c.t / MINUTE)]]});
        expect(kv.expireAt(ledgerKey(U))).toBe(0); // never: the direct channel outlives quiet days
        expect(kv.keys()).toEqual([ledgerKey(U)]);
    });

    it('holds back over the limit, counts, and the next minute reports the count; every decision is one write', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        const ledger = new RecipientLedger(kv, {now: c.now});
        const dm = directChannel();
        const outcomes: Claim[] = [];
        for (let i = 0; i < 4; i++) {
            outcomes.push(await ledger.claim(U, `p${i}`, 2, dm));
        }
        expect(outcomes).toEqual([
            {outcome: 'send', held: 0, dmChannelId: DM}, {outcome: 'send', held: 0, dmChannelId: DM},
            {outcome: 'held', held: 1}, {outcome: 'held', held: 2},
        ]);
        expect(await ledger.claim(U, 'p3', 2, dm)).toEqual({outcome: 'duplicate'}); // a held-back alert is decided too
        c.t += MINUTE;
        expect(await ledger.claim(U, 'p4', 2, dm)).toEqual({outcome: 'send', held: 2, dmChannelId: DM});
        expect(kv.valuesOf(ledgerKey(U))).toHaveLength(5);
    });

    it('a new process (nothing remembered) reads the ledger once and takes the direct channel from it', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        await new RecipientLedger(kv, {now: c.now}).claim(U, 'p1', 10, directChannel());
        kv.resetCalls();
        const dm = directChannel('x'.repeat(26));
        expect(await new RecipientLedger(kv, {now: c.now}).claim(U, 'p2', 10, dm)).toEqual({outcome: 'send', held: 0, dmChannelId: DM});
        expect(dm.calls).toBe(0);
        expect(kv.calls.map((x) => x.op)).toEqual(['get', 'compareAndSet']);
    });

    it("after another server's write, the remembered bytes fail the compare-and-set: read again and decide on what it says", async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        const s1 = new RecipientLedger(kv.client('s1'), {now: c.now});
        const s2 = new RecipientLedger(kv.client('s2'), {now: c.now});
        await s1.claim(U, 'p1', 10, directChannel());
        await s2.claim(U, 'p2', 10, directChannel());
        kv.resetCalls();
        expect(await s1.claim(U, 'p2', 10, directChannel())).toEqual({outcome: 'duplicate'});
        expect(kv.calls.map((x) => x.op)).toEqual(['compareAndSet', 'get']);
        kv.resetCalls();
        expect(await s1.claim(U, 'p3', 10, directChannel())).toMatchObject({outcome: 'send'});
        expect(kv.calls.map((x) => x.op)).toEqual(['compareAndSet']);
        expect(stored(kv).count).toBe(3);
    });

    for (const seed of [1, 2, 3, 4]) {
        it(`two servers racing: at most N DMs a minute, one decision per post, no held-back alert lost or counted twice (seed ${seed})`, async () => {
            const c = clock();
            const rnd = seededRandom(seed);
            const kv = new FakeKV({now: c.now, latency: randomLatency(rnd, 2)});
            const servers = [new RecipientLedger(kv.client('s1'), {now: c.now}), new RecipientLedger(kv.client('s2'), {now: c.now})];
            // Every post reaches both servers (a redelivery); the two claims race.
            const burst = async (posts: string[], limit: number) => {
                const all = await Promise.all(posts.flatMap((p) => servers.map((s) => s.claim(U, p, limit, directChannel()))));
                const decided = all.filter((x) => x.outcome !== 'duplicate');
                expect(decided).toHaveLength(posts.length); // exactly one server decided each post
                return decided;
            };
            const names = (prefix: string, n: number) => Array.from({length: n}, (_, i) => `${prefix}${i}`);

            const first = await burst(names('a', 40), 10);
            const sent1 = first.filter((x) => x.outcome === 'send');
            expect(sent1).toHaveLength(10);
            const reported1 = sent1.reduce((sum, x) => sum + (x.outcome === 'send' ? x.held : 0), 0);
            expect(reported1 + stored(kv).held).toBe(30);
            // the minute's count only ever moved up by one
            const counts = kv.valuesOf(ledgerKey(U)).map((v) => (JSON.parse(v!) as {count: number}).count);
            expect(counts).toEqual([...counts].sort((a, b) => a - b));
            expect(counts.at(-1)).toBe(10);

            c.t += MINUTE;
            const pending1 = stored(kv).held;
            const second = await burst(names('b', 30), 5);
            const sent2 = second.filter((x) => x.outcome === 'send');
            expect(sent2).toHaveLength(5);
            const reported2 = sent2.reduce((sum, x) => sum + (x.outcome === 'send' ? x.held : 0), 0);
            expect(reported2 + stored(kv).held).toBe(pending1 + 25);
            expect(reported2).toBeGreaterThanOrEqual(pending1); // the count from before the minute is reported
        });
    }

    it('decides one user\'s alerts on one server one at a time: no compare-and-set lost to itself', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now, latency: randomLatency(seededRandom(9), 3)});
        const ledger = new RecipientLedger(kv, {now: c.now});
        const results = await Promise.all(Array.from({length: 20}, (_, i) => ledger.claim(U, `p${i}`, 1000, directChannel())));
        expect(results.every((r) => r.outcome === 'send')).toBe(true);
        expect(kv.count({op: 'compareAndSet'})).toBe(20);
        expect(kv.count({op: 'get'})).toBe(1);
    });

    it('remembers a post for a day and at most MAX_MARKERS posts; older redeliveries are decided again', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        const ledger = new RecipientLedger(kv, {now: c.now});
        await ledger.claim(U, 'old', 1000, directChannel());
        c.t += (MARKER_MINUTES - 1) * MINUTE;
        expect(await ledger.claim(U, 'old', 1000, directChannel())).toEqual({outcome: 'duplicate'});
        await ledger.claim(U, 'new', 1000, directChannel());
        expect(stored(kv).posts.map(([m]) => m)).toEqual(['old', 'new']);
        c.t += MINUTE;
        await ledger.claim(U, 'newer', 1000, directChannel());
        expect(stored(kv).posts.map(([m]) => m)).toEqual(['new', 'newer']);
        for (let i = 0; i < MAX_MARKERS + 5; i++) {
            c.t += MINUTE;
            await ledger.claim(U, `p${i}`, 1000, directChannel());
        }
        const posts = stored(kv).posts.map(([m]) => m);
        expect(posts).toHaveLength(MAX_MARKERS);
        expect(posts[0]).toBe('p5');
        expect(posts.at(-1)).toBe(`p${MAX_MARKERS + 4}`);
        expect(await ledger.claim(U, 'p4', 1000, directChannel())).toMatchObject({outcome: 'send'});
    });

    it('starts afresh after a day without alerts, markers and held-back count included, but keeps the direct channel', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        const s1 = new RecipientLedger(kv, {now: c.now});
        await s1.claim(U, 'p0', 5, directChannel());
        await s1.claim(U, 'p1', 0, directChannel());
        expect(stored(kv).held).toBe(1);
        c.t += (IDLE_RESET_MINUTES - 1) * MINUTE;
        expect(await new RecipientLedger(kv, {now: c.now}).claim(U, 'p1', 0, directChannel())).toEqual({outcome: 'duplicate'});
        c.t += MINUTE;
        const dm = directChannel('x'.repeat(26));
        // The server that wrote it still remembers the bytes: they are current, and read as fresh all the same.
        expect(await s1.claim(U, 'p1', 5, dm)).toEqual({outcome: 'send', held: 0, dmChannelId: DM});
        expect(dm.calls).toBe(0);
        expect(stored(kv)).toMatchObject({count: 1, held: 0, dm: DM, posts: [['p1', Math.floor(c.t / MINUTE)]]});
    });

    it('clears the expiry an older version gave the document with its next write', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        await kv.set(ledgerKey(U), JSON.stringify({minute: Math.floor(c.t / MINUTE), count: 1, held: 0, dm: DM, posts: [['p0', Math.floor(c.t / MINUTE)]]}), {expireInSeconds: 86_400});
        expect(kv.expireAt(ledgerKey(U))).toBeGreaterThan(0);
        expect(await new RecipientLedger(kv, {now: c.now}).claim(U, 'p1', 5, directChannel())).toMatchObject({outcome: 'send', dmChannelId: DM});
        expect(kv.expireAt(ledgerKey(U))).toBe(0);
    });

    it('overwrites a ledger it cannot read (counters and markers only)', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        kv.poke(ledgerKey(U), '{"minute":"x","posts":[["p1"]],"dm":"../etc"}');
        expect(await new RecipientLedger(kv, {now: c.now}).claim(U, 'p1', 5, directChannel())).toEqual({outcome: 'send', held: 0, dmChannelId: DM});
        expect(stored(kv).posts.map(([m]) => m)).toEqual(['p1']);
    });

    it('maps KV failures to StoreUnavailableError and reads again after a failed write', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        const ledger = new RecipientLedger(kv, {now: c.now});
        kv.fail({op: 'get'});
        await expect(ledger.claim(U, 'p1', 3, directChannel())).rejects.toBeInstanceOf(StoreUnavailableError);
        kv.fail({op: 'compareAndSet', kind: 'after'}); // landed, answer lost
        await expect(ledger.claim(U, 'p1', 3, directChannel())).rejects.toBeInstanceOf(StoreUnavailableError);
        kv.resetCalls();
        // The write landed: the retry of the same post reads it and sees the post decided (the alert is lost,
        // never doubled).
        expect(await ledger.claim(U, 'p1', 3, directChannel())).toEqual({outcome: 'duplicate'});
        expect(kv.calls.map((x) => x.op)).toEqual(['get']);
    });

    it('throws ConflictError when the compare-and-set keeps losing, having written nothing', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        const ledger = new RecipientLedger(kv, {now: c.now, maxRetries: 2, backoffMs: {base: 1, max: 1}});
        kv.fail({op: 'compareAndSet', kind: 'conflict', times: Infinity});
        await expect(ledger.claim(U, 'p1', 3, directChannel())).rejects.toBeInstanceOf(ConflictError);
        expect(kv.count({op: 'compareAndSet'})).toBe(3);
        expect(kv.keys()).toEqual([]);
    });

    it('uses a replaced direct channel from then on and writes it with the next alert', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        const ledger = new RecipientLedger(kv, {now: c.now});
        await ledger.claim(U, 'p1', 10, directChannel());
        const other = 'e'.repeat(26);
        ledger.replaceDirectChannel(U, other);
        expect(await ledger.claim(U, 'p2', 10, directChannel())).toEqual({outcome: 'send', held: 0, dmChannelId: other});
        expect(stored(kv).dm).toBe(other);
    });

    describe('rememberDirectChannel (when words are set)', () => {
        it('makes the channel once and writes it to the ledger; the first alert then costs one compare-and-set and no lookup', async () => {
            const c = clock();
            const kv = new FakeKV({now: c.now});
            const ledger = new RecipientLedger(kv, {now: c.now});
            const make = directChannel();
            expect(await ledger.rememberDirectChannel(U, make)).toBe(DM);
            expect(make.calls).toBe(1);
            expect(kv.calls.map((x) => x.op)).toEqual(['get', 'compareAndSet']);
            expect(stored(kv)).toEqual({minute: 0, count: 0, held: 0, dm: DM, posts: []});
            expect(kv.expireAt(ledgerKey(U))).toBe(0);
            kv.resetCalls();
            expect(await ledger.rememberDirectChannel(U, make)).toBe(DM); // known on this server: nothing asked
            expect(kv.calls).toEqual([]);
            const onAlert = directChannel('x'.repeat(26));
            expect(await ledger.claim(U, 'p1', 10, onAlert)).toEqual({outcome: 'send', held: 0, dmChannelId: DM});
            expect(onAlert.calls).toBe(0);
            expect(kv.calls.map((x) => x.op)).toEqual(['compareAndSet']);
            expect(make.calls).toBe(1);
        });

        it('another server finds it with one read; a new process alerting finds it in the ledger', async () => {
            const c = clock();
            const kv = new FakeKV({now: c.now});
            await new RecipientLedger(kv.client('s1'), {now: c.now}).rememberDirectChannel(U, directChannel());
            kv.resetCalls();
            const make = directChannel('x'.repeat(26));
            expect(await new RecipientLedger(kv.client('s2'), {now: c.now}).rememberDirectChannel(U, make)).toBe(DM);
            expect(make.calls).toBe(0);
            expect(kv.calls.map((x) => x.op)).toEqual(['get']);
            const onAlert = directChannel('x'.repeat(26));
            expect(await new RecipientLedger(kv.client('s3'), {now: c.now}).claim(U, 'p1', 10, onAlert)).toMatchObject({outcome: 'send', dmChannelId: DM});
            expect(onAlert.calls).toBe(0);
        });

        it('adds only the channel to a ledger with alerts in it: markers and counters stay', async () => {
            const c = clock();
            const kv = new FakeKV({now: c.now});
            kv.poke(ledgerKey(U), JSON.stringify({minute: Math.floor(c.t / MINUTE), count: 0, held: 2, posts: [['p0', Math.floor(c.t / MINUTE)]]}));
            const ledger = new RecipientLedger(kv, {now: c.now});
            expect(await ledger.rememberDirectChannel(U, directChannel())).toBe(DM);
            expect(stored(kv)).toEqual({minute: Math.floor(c.t / MINUTE), count: 0, held: 2, dm: DM, posts: [['p0', Math.floor(c.t / MINUTE)]]});
            expect(await ledger.claim(U, 'p0', 10, directChannel())).toEqual({outcome: 'duplicate'});
            expect(await ledger.claim(U, 'p1', 10, directChannel())).toEqual({outcome: 'send', held: 2, dmChannelId: DM});
        });

        for (const seed of [1, 2, 3]) {
            it(`racing alerts decided on another server: none undone, none decided twice, the channel kept (seed ${seed})`, async () => {
                const c = clock();
                const kv = new FakeKV({now: c.now, latency: randomLatency(seededRandom(seed), 3)});
                const s1 = new RecipientLedger(kv.client('s1'), {now: c.now});
                const s2 = new RecipientLedger(kv.client('s2'), {now: c.now});
                const posts = Array.from({length: 12}, (_, i) => `p${i}`);
                // Held back (limit 0): those decisions write markers and counts but never ask for a channel,
                // so the ledger has no channel while s1 adds it over s2's writes.
                await s2.claim(U, posts[0]!, 0, directChannel());
                const [remembered, ...claims] = await Promise.all([
                    s1.rememberDirectChannel(U, directChannel()),
                    ...posts.slice(1).map((p) => s2.claim(U, p, 0, directChannel())),
                ]);
                expect(remembered).toBe(DM);
                expect(claims.every((x) => x.outcome === 'held')).toBe(true);
                expect(stored(kv)).toMatchObject({held: 12, dm: DM});
                expect(stored(kv).posts.map(([m]) => m).sort()).toEqual([...posts].sort());
                // every post is still decided, on either server
                for (const p of posts) {
                    expect(await s1.claim(U, p, 1000, directChannel())).toEqual({outcome: 'duplicate'});
                }
            });
        }

        it('fails without writing when the KV or the channel lookup fails', async () => {
            const c = clock();
            const kv = new FakeKV({now: c.now});
            const ledger = new RecipientLedger(kv, {now: c.now});
            kv.fail({op: 'get'});
            await expect(ledger.rememberDirectChannel(U, directChannel())).rejects.toBeInstanceOf(StoreUnavailableError);
            await expect(ledger.rememberDirectChannel(U, async () => {
                throw new Error('no channel');
            })).rejects.toThrow('no channel');
            expect(kv.keys()).toEqual([]);
            // and an alert after that still gets its channel the old way
            const onAlert = directChannel();
            expect(await ledger.claim(U, 'p1', 10, onAlert)).toMatchObject({outcome: 'send', dmChannelId: DM});
            expect(onAlert.calls).toBe(1);
        });
    });
});

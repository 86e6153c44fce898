import {describe, expect, it} from 'vitest';

import {FLOOD_KEY_TTL_SECONDS, FloodControl, SUPPRESSED_TTL_SECONDS, floodKey, suppressedKey} from '../../../server/alerts/flood.js';
import {ConflictError, StoreUnavailableError} from '../../../server/alerts/store.js';
import {FakeKV, randomLatency, seededRandom} from './fake_kv.js';

const U = 'user1';
const MINUTE = 60_000;

function clock(start = Date.UTC(2025, 5, 1, 12, 0, 0)) {
    const c = {t: start, now: () => c.t};
    return c;
}

function minuteOf(t: number): number {
    return Math.floor(t / MINUTE);
}

describe('FloodControl', () => {
    it('admits N per minute, suppresses and counts the rest, reports and resets the count on the next DM', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        const flood = new FloodControl(kv, c.now);
        for (let i = 0; i < 3; i++) {
            expect(await flood.admit(U, 3)).toEqual({allowed: true, suppressed: 0});
        }
        expect(await flood.admit(U, 3)).toEqual({allowed: false, suppressed: 1});
        expect(await flood.admit(U, 3)).toEqual({allowed: false, suppressed: 2});
        c.t += 30_000; // same minute
        expect(await flood.admit(U, 3)).toEqual({allowed: false, suppressed: 3});
        expect(kv.peek(suppressedKey(U))).toBe('3');

        c.t += 30_000; // next minute
        expect(await flood.admit(U, 3)).toEqual({allowed: true, suppressed: 3});
        expect(kv.peek(suppressedKey(U))).toBeNull();
        expect(await flood.admit(U, 3)).toEqual({allowed: true, suppressed: 0});
    });

    it('counts per user', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        const flood = new FloodControl(kv, c.now);
        expect((await flood.admit('a', 1)).allowed).toBe(true);
        expect((await flood.admit('a', 1)).allowed).toBe(false);
        expect(await flood.admit('b', 1)).toEqual({allowed: true, suppressed: 0});
    });

    it('keeps its keys small and expiring', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        const flood = new FloodControl(kv, c.now);
        await flood.admit(U, 1);
        await flood.admit(U, 1);
        const fk = floodKey(U, minuteOf(c.t));
        expect(fk).toBe(`tw1:fl:${U}:${minuteOf(c.t)}`);
        expect(kv.peek(fk)).toBe('1');
        expect(kv.expireAt(fk)).toBe(c.t + FLOOD_KEY_TTL_SECONDS * 1000);
        expect(kv.expireAt(suppressedKey(U))).toBe(c.t + SUPPRESSED_TTL_SECONDS * 1000);
        c.t += FLOOD_KEY_TTL_SECONDS * 1000;
        expect(kv.peek(fk)).toBeNull();
    });

    it('forgets a suppressed count after a day without DMs', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        const flood = new FloodControl(kv, c.now);
        await flood.admit(U, 0);
        await flood.admit(U, 0);
        c.t += SUPPRESSED_TTL_SECONDS * 1000;
        expect(await flood.admit(U, 5)).toEqual({allowed: true, suppressed: 0});
    });

    it('treats a limit below 1 as "suppress all" and Infinity as "no limit"', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        const flood = new FloodControl(kv, c.now);
        expect(await flood.admit(U, 0)).toEqual({allowed: false, suppressed: 1});
        expect(await flood.admit(U, -5)).toEqual({allowed: false, suppressed: 2});
        expect(await flood.admit(U, Number.NaN)).toEqual({allowed: false, suppressed: 3});
        expect(await flood.admit(U, Infinity)).toEqual({allowed: true, suppressed: 3});
        for (let i = 0; i < 100; i++) {
            expect(await flood.admit(U, Infinity)).toEqual({allowed: true, suppressed: 0});
        }
        expect(await flood.admit(U, 2.9)).toEqual({allowed: true, suppressed: 0});
        expect(await flood.admit(U, 2.9)).toEqual({allowed: true, suppressed: 0});
        expect(await flood.admit(U, 2.9)).toEqual({allowed: false, suppressed: 1});
    });

    for (const seed of [1, 2, 3, 4]) {
        it(`two servers racing never admit more than N, and no suppressed alert is lost or counted twice (seed ${seed})`, async () => {
            const c = clock();
            const rnd = seededRandom(seed);
            const kv = new FakeKV({now: c.now, latency: randomLatency(rnd, 2)});
            const servers = [new FloodControl(kv.client('s1'), c.now), new FloodControl(kv.client('s2'), c.now)];
            const burst = (n: number, limit: number) =>
                Promise.all(Array.from({length: n}, (_, i) => servers[i % 2].admit(U, limit)));

            const first = await burst(40, 10);
            expect(first.filter((r) => r.allowed)).toHaveLength(10);
            expect(kv.peek(floodKey(U, minuteOf(c.t)))).toBe('10');
            // the counter only ever moved up by one
            expect(kv.valuesOf(floodKey(U, minuteOf(c.t)))).toEqual(Array.from({length: 10}, (_, i) => String(i + 1)));
            // DMs admitted during the burst reported (and reset) part of the count; nothing lost or doubled
            const reported1 = first.filter((r) => r.allowed).reduce((sum, r) => sum + r.suppressed, 0);
            const pending1 = Number(kv.peek(suppressedKey(U)) ?? '0');
            expect(reported1 + pending1).toBe(30);

            // same minute, the limit is used up: every alert is suppressed and gets its own count
            const more = await burst(20, 10);
            expect(more.every((r) => !r.allowed)).toBe(true);
            expect(more.map((r) => r.suppressed).sort((a, b) => a - b))
                .toEqual(Array.from({length: 20}, (_, i) => pending1 + i + 1));

            c.t += MINUTE;
            const second = await burst(30, 5);
            expect(second.filter((r) => r.allowed)).toHaveLength(5);
            const reported = second.filter((r) => r.allowed).reduce((sum, r) => sum + r.suppressed, 0);
            const pending = Number(kv.peek(suppressedKey(U)) ?? '0');
            expect(reported + pending).toBe(pending1 + 20 + 25);
            expect(reported).toBeGreaterThanOrEqual(pending1 + 20); // the count from before the minute is reported

            c.t += MINUTE;
            const third = await servers[0].admit(U, 5);
            expect(third).toEqual({allowed: true, suppressed: pending});
        });
    }

    it('maps KV failures to StoreUnavailableError before admission', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        const flood = new FloodControl(kv, c.now);
        kv.fail({op: 'get'});
        await expect(flood.admit(U, 3)).rejects.toBeInstanceOf(StoreUnavailableError);
        kv.fail({op: 'compareAndSet', key: /^tw1:fl:/});
        await expect(flood.admit(U, 3)).rejects.toBeInstanceOf(StoreUnavailableError);
        expect(await flood.admit(U, 3)).toEqual({allowed: true, suppressed: 0});
    });

    it('does not withdraw an admission when resetting the suppressed count fails; the count survives', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        const flood = new FloodControl(kv, c.now);
        await flood.admit(U, 0);
        await flood.admit(U, 0);
        kv.fail({op: 'compareAndDelete', key: suppressedKey(U)});
        expect(await flood.admit(U, 3)).toEqual({allowed: true, suppressed: 0});
        expect(await flood.admit(U, 3)).toEqual({allowed: true, suppressed: 2});
    });

    it('throws ConflictError when the compare-and-set keeps losing', async () => {
        const c = clock();
        const kv = new FakeKV({now: c.now});
        const flood = new FloodControl(kv, c.now, {maxRetries: 2, backoffMs: {base: 1, max: 1}});
        kv.fail({op: 'compareAndSet', kind: 'conflict', times: Infinity});
        await expect(flood.admit(U, 3)).rejects.toBeInstanceOf(ConflictError);
        expect(kv.count({op: 'compareAndSet'})).toBe(3);
        expect(kv.keys()).toEqual([]);
    });
});

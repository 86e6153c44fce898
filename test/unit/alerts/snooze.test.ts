import fc from 'fast-check';
import {describe, expect, it} from 'vitest';

import {Snooze, nextDayAt, type SnoozeDuration} from '../../../server/alerts/snooze.js';
import {StoreUnavailableError, WordStore, channelDocKey, channelStampKey} from '../../../server/alerts/store.js';
import {FakeKV} from './fake_kv.js';

const U = 'user1';
const CH = 'channel1';
const HOUR = 3_600_000;

function clock(iso: string) {
    const c = {t: Date.parse(iso), now: () => c.t};
    return c;
}

function snoozeOn(kv: FakeKV, now: () => number): Snooze {
    return new Snooze(new WordStore(kv, {now}), now);
}

/** The channel doc's snoozes as the KV holds them (undefined: no doc, or no snooze in it). */
function storedSnoozes(kv: FakeKV, channelId = CH): Record<string, number> | undefined {
    const raw = kv.peek(channelDocKey(channelId));
    return raw === null ? undefined : (JSON.parse(raw) as {snoozed?: Record<string, number>}).snoozed;
}

/** Wall clock in a zone, formatted independently of the code under test. */
const wallFormats = new Map<string, Intl.DateTimeFormat>();
function wall(instant: number, timeZone: string): string {
    let f = wallFormats.get(timeZone);
    if (!f) {
        f = new Intl.DateTimeFormat('en-US', {
            timeZone, year: 'numeric', month: '2-digit', day: '2-digit',
            hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
        });
        wallFormats.set(timeZone, f);
    }
    const parts = f.formatToParts(new Date(instant));
    const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

function nextCalendarDay(date: string): string {
    const [y, m, d] = date.split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

describe('Snooze.set / until', () => {
    it('1h and 8h snooze from now, kept in the channel doc under its version stamp', async () => {
        const c = clock('2025-06-01T12:00:00.250Z');
        const kv = new FakeKV({now: c.now});
        const snooze = snoozeOn(kv, c.now);
        for (const [d, ms] of [['1h', HOUR], ['8h', 8 * HOUR]] as const) {
            const until = await snooze.set(U, CH, d, 'Europe/Berlin');
            expect(until).toBe(c.t + ms);
            expect(await snooze.until(U, CH)).toBe(until);
            expect(storedSnoozes(kv)).toEqual({[U]: until});
            const doc = JSON.parse(kv.peek(channelDocKey(CH))!) as {version: number};
            // Raised like a words update, so every server's next post sees the snooze.
            expect(kv.peek(channelStampKey(CH))).toBe(String(doc.version));
        }
        expect(kv.keys()).toEqual([channelDocKey(CH), channelStampKey(CH)]);
    });

    it('is per user and channel', async () => {
        const c = clock('2025-06-01T12:00:00Z');
        const snooze = snoozeOn(new FakeKV({now: c.now}), c.now);
        await snooze.set(U, CH, '1h', '');
        expect(await snooze.until(U, 'channel2')).toBeNull();
        expect(await snooze.until('user2', CH)).toBeNull();
    });

    it("'off' clears the snooze and returns null; clearing nothing writes nothing", async () => {
        const c = clock('2025-06-01T12:00:00Z');
        const kv = new FakeKV({now: c.now});
        const snooze = snoozeOn(kv, c.now);
        expect(await snooze.set(U, CH, 'off', '')).toBeNull();
        expect(kv.keys()).toEqual([]);
        await snooze.set(U, CH, '8h', '');
        expect(await snooze.set(U, CH, 'off', '')).toBeNull();
        expect(await snooze.until(U, CH)).toBeNull();
        expect(storedSnoozes(kv)).toBeUndefined();
        const writes = kv.history.length;
        expect(await snooze.set(U, CH, 'off', '')).toBeNull(); // idempotent
        expect(kv.history.length).toBe(writes);
    });

    it('ends by itself at its time, and the next write of the doc drops it', async () => {
        const c = clock('2025-06-01T12:00:00Z');
        const kv = new FakeKV({now: c.now});
        const snooze = snoozeOn(kv, c.now);
        const until = (await snooze.set(U, CH, '1h', ''))!;
        await snooze.set('user2', CH, '8h', '');
        c.t = until - 1;
        expect(await snooze.until(U, CH)).toBe(until);
        c.t = until;
        expect(await snooze.until(U, CH)).toBeNull();
        expect(Object.keys(storedSnoozes(kv)!)).toEqual([U, 'user2']);
        await snooze.set('user3', CH, '1h', '');
        expect(Object.keys(storedSnoozes(kv)!).sort()).toEqual(['user2', 'user3']);
    });

    it('keeps the words, and the words keep the snooze', async () => {
        const c = clock('2025-06-01T12:00:00Z');
        const kv = new FakeKV({now: c.now});
        const store = new WordStore(kv, {now: c.now});
        const snooze = new Snooze(store, c.now);
        await store.updateUserWords(CH, U, () => [{word: 'Deploy', key: 'deploy'}]);
        const until = await snooze.set(U, CH, '1h', '');
        expect((await store.getUserWords(CH, U)).map((w) => w.word)).toEqual(['Deploy']);
        await store.updateUserWords(CH, U, (cur) => [...cur, {word: 'release', key: 'release'}]);
        expect(await snooze.until(U, CH)).toBe(until);
    });

    it('a snooze moves the version, not the words version (no matcher rebuild)', async () => {
        const c = clock('2025-06-01T12:00:00Z');
        const kv = new FakeKV({now: c.now});
        const store = new WordStore(kv, {now: c.now});
        await store.updateUserWords(CH, U, () => [{word: 'deploy', key: 'deploy'}]);
        const before = JSON.parse(kv.peek(channelDocKey(CH))!) as {version: number; words_version: number};
        expect(before.words_version).toBe(before.version);
        await new Snooze(store, c.now).set(U, CH, '1h', '');
        const after = JSON.parse(kv.peek(channelDocKey(CH))!) as {version: number; words_version: number};
        expect(after.version).toBe(before.version + 1);
        expect(after.words_version).toBe(before.version);
        await store.updateUserWords(CH, U, () => [{word: 'release', key: 'release'}]);
        const words = JSON.parse(kv.peek(channelDocKey(CH))!) as {version: number; words_version: number};
        expect(words.words_version).toBe(words.version);
    });

    it('refuses a doc whose snoozes are not epoch times (never repaired by overwriting)', async () => {
        const c = clock('2025-06-01T12:00:00Z');
        const kv = new FakeKV({now: c.now});
        kv.poke(channelDocKey(CH), JSON.stringify({version: 3, users: {}, snoozed: {[U]: 'tomorrow'}}));
        const snooze = snoozeOn(kv, c.now);
        await expect(snooze.until(U, CH)).rejects.toBeInstanceOf(StoreUnavailableError);
        await expect(snooze.set(U, CH, '1h', '')).rejects.toBeInstanceOf(StoreUnavailableError);
        expect(JSON.parse(kv.peek(channelDocKey(CH))!)).toEqual({version: 3, users: {}, snoozed: {[U]: 'tomorrow'}});
    });

    it('reads a doc written before snoozes moved in (no words_version, no snoozed)', async () => {
        const c = clock('2025-06-01T12:00:00Z');
        const kv = new FakeKV({now: c.now});
        kv.poke(channelDocKey(CH), JSON.stringify({version: 4, users: {[U]: [{word: 'deploy', key: 'deploy'}]}}));
        kv.poke(channelStampKey(CH), '4');
        const snooze = snoozeOn(kv, c.now);
        expect(await snooze.until(U, CH)).toBeNull();
        const until = await snooze.set(U, CH, '1h', '');
        expect(JSON.parse(kv.peek(channelDocKey(CH))!)).toEqual({version: 5, words_version: 4, users: {[U]: [{word: 'deploy', key: 'deploy'}]}, snoozed: {[U]: until}});
    });

    it('rejects an unknown duration', async () => {
        const c = clock('2025-06-01T12:00:00Z');
        const snooze = snoozeOn(new FakeKV({now: c.now}), c.now);
        await expect(snooze.set(U, CH, '2h' as SnoozeDuration, '')).rejects.toBeInstanceOf(RangeError);
    });

    it('maps KV failures to StoreUnavailableError', async () => {
        const c = clock('2025-06-01T12:00:00Z');
        const kv = new FakeKV({now: c.now});
        const snooze = snoozeOn(kv, c.now);
        kv.fail({op: 'compareAndSet'});
        await expect(snooze.set(U, CH, '1h', '')).rejects.toBeInstanceOf(StoreUnavailableError);
        await snooze.set(U, CH, '1h', '');
        kv.fail({op: 'compareAndSet'});
        await expect(snooze.set(U, CH, 'off', '')).rejects.toBeInstanceOf(StoreUnavailableError);
        kv.fail({op: 'get'});
        await expect(snooze.until(U, CH)).rejects.toBeInstanceOf(StoreUnavailableError);
    });
});

describe("'tomorrow' = 09:00 the next calendar day in the user's zone", () => {
    const cases: Array<[string, string, string, string]> = [
        // [zone, now (UTC), expected (UTC), what]
        ['UTC', '2025-06-01T12:00:00Z', '2025-06-02T09:00:00Z', 'UTC'],
        ['', '2025-06-01T12:00:00Z', '2025-06-02T09:00:00Z', "'' is UTC"],
        ['Mars/Olympus_Mons', '2025-06-01T12:00:00Z', '2025-06-02T09:00:00Z', 'an invalid zone is UTC'],
        ['not a zone', '2025-06-01T00:00:00Z', '2025-06-02T09:00:00Z', 'an invalid zone is UTC'],
        ['UTC', '2025-12-31T23:59:59Z', '2026-01-01T09:00:00Z', 'year rollover'],
        ['UTC', '2024-02-28T10:00:00Z', '2024-02-29T09:00:00Z', 'leap day'],
        // Europe/Berlin: CET (+1) -> CEST (+2) on Sun 2025-03-30 02:00; back on Sun 2025-10-26 03:00
        ['Europe/Berlin', '2025-03-29T21:00:00Z', '2025-03-30T07:00:00Z', 'Sat 22:00 CET -> Sun 09:00 CEST (spring forward)'],
        ['Europe/Berlin', '2025-03-30T00:30:00Z', '2025-03-31T07:00:00Z', 'Sun 01:30 CET, before the switch -> Mon 09:00 CEST'],
        ['Europe/Berlin', '2025-03-30T01:30:00Z', '2025-03-31T07:00:00Z', 'Sun 03:30 CEST, just after the switch'],
        ['Europe/Berlin', '2025-10-25T10:00:00Z', '2025-10-26T08:00:00Z', 'Sat 12:00 CEST -> Sun 09:00 CET (fall back)'],
        ['Europe/Berlin', '2025-10-26T00:30:00Z', '2025-10-27T08:00:00Z', 'Sun 02:30 CEST (first pass of the repeated hour)'],
        ['Europe/Berlin', '2025-10-26T01:30:00Z', '2025-10-27T08:00:00Z', 'Sun 02:30 CET (second pass)'],
        ['Europe/Berlin', '2025-06-30T22:30:00Z', '2025-07-02T07:00:00Z', 'local date is a day ahead of UTC'],
        // America/New_York: EST (-5) -> EDT (-4) on Sun 2025-03-09 02:00; back on Sun 2025-11-02 02:00
        ['America/New_York', '2025-03-09T01:00:00Z', '2025-03-09T13:00:00Z', 'Sat 20:00 EST -> Sun 09:00 EDT'],
        ['America/New_York', '2025-11-01T16:00:00Z', '2025-11-02T14:00:00Z', 'Sat 12:00 EDT -> Sun 09:00 EST'],
        ['America/New_York', '2025-06-15T02:00:00Z', '2025-06-15T13:00:00Z', 'local date is a day behind UTC'],
        ['Asia/Tokyo', '2025-06-01T20:00:00Z', '2025-06-03T00:00:00Z', 'Mon 05:00 JST -> Tue 09:00 JST'],
        ['Asia/Kathmandu', '2025-01-01T00:00:00Z', '2025-01-02T03:15:00Z', '+05:45'],
        ['America/St_Johns', '2025-01-01T12:00:00Z', '2025-01-02T12:30:00Z', '-03:30'],
        // Lord Howe: +11 -> +10:30 (a 30-minute DST change) on Sun 2025-04-06 02:00
        ['Australia/Lord_Howe', '2025-04-05T12:00:00Z', '2025-04-05T22:30:00Z', 'Sat 23:00 +11 -> Sun 09:00 +10:30'],
        ['Pacific/Kiritimati', '2025-06-01T12:00:00Z', '2025-06-02T19:00:00Z', '+14: Mon 02:00 -> Tue 09:00'],
    ];
    for (const [zone, now, expected, what] of cases) {
        it(`${zone || "''"}: ${what}`, async () => {
            const c = clock(now);
            const kv = new FakeKV({now: c.now});
            const snooze = snoozeOn(kv, c.now);
            const until = await snooze.set(U, CH, 'tomorrow', zone);
            expect(new Date(until!).toISOString()).toBe(new Date(expected).toISOString());
            expect(await snooze.until(U, CH)).toBe(until);
            expect(storedSnoozes(kv)).toEqual({[U]: until});
        });
    }

    it('holds for any instant and zone: in the future, local 09:00:00, on the next local calendar day', () => {
        const zones = [...Intl.supportedValuesOf('timeZone'), 'UTC'];
        fc.assert(
            fc.property(
                fc.integer({min: Date.UTC(2015, 0, 1), max: Date.UTC(2040, 0, 1)}),
                fc.constantFrom(...zones),
                (now, zone) => {
                    const until = nextDayAt(now, zone);
                    expect(until).toBeGreaterThan(now);
                    const [today] = wall(now, zone).split(' ');
                    expect(wall(until, zone)).toBe(`${nextCalendarDay(today)} 09:00:00`);
                    // at most: the rest of today (24h) + 9h + a DST hour falling back
                    expect(until - now).toBeLessThanOrEqual(34 * HOUR);
                },
            ),
            {numRuns: 3000},
        );
    });

    it('checks every day around the DST changes of a year, per zone', () => {
        for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Tehran']) {
            for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2026, 0, 1); t += 37 * 60_000 * 10) {
                const until = nextDayAt(t, zone);
                const [today] = wall(t, zone).split(' ');
                expect(wall(until, zone), `${zone} at ${new Date(t).toISOString()}`).toBe(`${nextCalendarDay(today)} 09:00:00`);
            }
        }
    });
});

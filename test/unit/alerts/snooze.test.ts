import fc from 'fast-check';
import {describe, expect, it} from 'vitest';

import {Snooze, nextDayAt, snoozeKey, type SnoozeDuration} from '../../../server/alerts/snooze.js';
import {StoreUnavailableError} from '../../../server/alerts/store.js';
import {FakeKV} from './fake_kv.js';

const U = 'user1';
const CH = 'channel1';
const HOUR = 3_600_000;

function clock(iso: string) {
    const c = {t: Date.parse(iso), now: () => c.t};
    return c;
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
    it('1h and 8h snooze from now, stored with a matching KV expiry', async () => {
        const c = clock('2025-06-01T12:00:00.250Z');
        const kv = new FakeKV({now: c.now});
        const snooze = new Snooze(kv, c.now);
        for (const [d, ms] of [['1h', HOUR], ['8h', 8 * HOUR]] as const) {
            const until = await snooze.set(U, CH, d, 'Europe/Berlin');
            expect(until).toBe(c.t + ms);
            expect(await snooze.until(U, CH)).toBe(until);
            expect(kv.peek(snoozeKey(U, CH))).toBe(String(until));
            expect(kv.expireAt(snoozeKey(U, CH))).toBe(c.t + ms);
        }
        expect(snoozeKey(U, CH)).toBe(`tw1:sn:${U}:${CH}`);
    });

    it('is per user and channel', async () => {
        const c = clock('2025-06-01T12:00:00Z');
        const snooze = new Snooze(new FakeKV({now: c.now}), c.now);
        await snooze.set(U, CH, '1h', '');
        expect(await snooze.until(U, 'channel2')).toBeNull();
        expect(await snooze.until('user2', CH)).toBeNull();
    });

    it("'off' clears the snooze and returns null", async () => {
        const c = clock('2025-06-01T12:00:00Z');
        const kv = new FakeKV({now: c.now});
        const snooze = new Snooze(kv, c.now);
        await snooze.set(U, CH, '8h', '');
        expect(await snooze.set(U, CH, 'off', '')).toBeNull();
        expect(await snooze.until(U, CH)).toBeNull();
        expect(kv.keys()).toEqual([]);
        expect(await snooze.set(U, CH, 'off', '')).toBeNull(); // idempotent
    });

    it('ends by itself: the KV expires the key', async () => {
        const c = clock('2025-06-01T12:00:00Z');
        const kv = new FakeKV({now: c.now});
        const snooze = new Snooze(kv, c.now);
        const until = (await snooze.set(U, CH, '1h', ''))!;
        c.t = until - 1;
        expect(await snooze.until(U, CH)).toBe(until);
        c.t = until;
        expect(await snooze.until(U, CH)).toBeNull();
        expect(kv.keys()).toEqual([]);
    });

    it('a past value counts as not snoozed even if the KV has not purged it', async () => {
        const c = clock('2025-06-01T12:00:00Z');
        const kv = new FakeKV({now: c.now});
        const snooze = new Snooze(kv, c.now);
        kv.poke(snoozeKey(U, CH), String(c.t + 1000)); // no expiry: as if the purge lagged
        expect(await snooze.until(U, CH)).toBe(c.t + 1000);
        c.t += 1000;
        expect(await snooze.until(U, CH)).toBeNull();
        kv.poke(snoozeKey(U, CH), 'garbage');
        expect(await snooze.until(U, CH)).toBeNull();
    });

    it('rounds the expiry up to whole seconds, never below the snooze end', async () => {
        const c = clock('2025-06-01T12:00:00.700Z');
        const kv = new FakeKV({now: c.now});
        const snooze = new Snooze(kv, c.now);
        const until = (await snooze.set(U, CH, 'tomorrow', 'UTC'))!;
        expect(until).toBe(Date.parse('2025-06-02T09:00:00Z'));
        const expireAt = kv.expireAt(snoozeKey(U, CH))!;
        expect(expireAt).toBeGreaterThanOrEqual(until);
        expect(expireAt - until).toBeLessThan(1000);
        expect((expireAt - c.t) % 1000).toBe(0);
    });

    it('rejects an unknown duration', async () => {
        const c = clock('2025-06-01T12:00:00Z');
        const snooze = new Snooze(new FakeKV({now: c.now}), c.now);
        await expect(snooze.set(U, CH, '2h' as SnoozeDuration, '')).rejects.toBeInstanceOf(RangeError);
    });

    it('maps KV failures to StoreUnavailableError', async () => {
        const c = clock('2025-06-01T12:00:00Z');
        const kv = new FakeKV({now: c.now});
        const snooze = new Snooze(kv, c.now);
        kv.fail({op: 'set'});
        await expect(snooze.set(U, CH, '1h', '')).rejects.toBeInstanceOf(StoreUnavailableError);
        kv.fail({op: 'delete'});
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
            const snooze = new Snooze(kv, c.now);
            const until = await snooze.set(U, CH, 'tomorrow', zone);
            expect(new Date(until!).toISOString()).toBe(new Date(expected).toISOString());
            expect(await snooze.until(U, CH)).toBe(until);
            expect(kv.expireAt(snoozeKey(U, CH))).toBe(c.t + Math.ceil((until! - c.t) / 1000) * 1000);
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

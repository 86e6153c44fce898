// Per-channel snooze, kept in the KV with an expiry so nothing needs cleaning up.
//
// KV layout:
//   tw1:sn:<userId>:<channelId>  decimal epoch ms the snooze ends, expiring (KV expiry) at that moment,
//                                rounded up to the second. A value whose time has passed counts as "not
//                                snoozed" even if the KV has not purged it yet.
//
// Writes are plain sets / deletes: a snooze is one user's own setting, and the last request wins.
import type {KVStore} from './kv.js';
import {KEY_PREFIX, assertId, decodeText, kvCall} from './store.js';

export type SnoozeDuration = '1h' | '8h' | 'tomorrow' | 'off';

export const SNOOZE_DURATIONS: readonly SnoozeDuration[] = ['1h', '8h', 'tomorrow', 'off'];

/** Local hour "tomorrow" ends at. */
export const TOMORROW_HOUR = 9;

export const snoozeKey = (userId: string, channelId: string): string => `${KEY_PREFIX}sn:${userId}:${channelId}`;

const HOUR_MS = 60 * 60 * 1000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A formatter for wall-clock fields in `timeZone`; an empty or unknown zone gives UTC. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
    let f = formatters.get(timeZone);
    if (!f) {
        const options: Intl.DateTimeFormatOptions = {
            year: 'numeric', month: 'numeric', day: 'numeric',
            hour: 'numeric', minute: 'numeric', second: 'numeric',
            hourCycle: 'h23',
        };
        try {
            f = new Intl.DateTimeFormat('en-US', {...options, timeZone: timeZone === '' ? 'UTC' : timeZone});
        } catch {
            f = new Intl.DateTimeFormat('en-US', {...options, timeZone: 'UTC'});
        }
        if (formatters.size >= 500) {
            formatters.clear(); // bounded: zone names come from user settings
        }
        formatters.set(timeZone, f);
    }
    return f;
}

interface WallClock {
    year: number;
    month: number; // 1..12
    day: number;
    hour: number;
    minute: number;
    second: number;
}

function wallClock(instant: number, timeZone: string): WallClock {
    const out: Record<string, number> = {};
    for (const p of formatterFor(timeZone).formatToParts(new Date(instant))) {
        if (p.type !== 'literal') {
            out[p.type] = Number(p.value);
        }
    }
    return {
        year: out.year, month: out.month, day: out.day,
        hour: out.hour === 24 ? 0 : out.hour, minute: out.minute, second: out.second,
    };
}

/** (local wall clock read as UTC) - instant, in ms, at `instant`. */
function offsetAt(instant: number, timeZone: string): number {
    const w = wallClock(instant, timeZone);
    const asUTC = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
    return asUTC - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant of local `hour`:00 on the calendar day after the day `now` falls on, in `timeZone`
 * (IANA name; '' or an unknown name = UTC). DST-safe: the offset is taken at the target time, not now.
 */
export function nextDayAt(now: number, timeZone: string, hour = TOMORROW_HOUR): number {
    const today = wallClock(now, timeZone);
    // Date.UTC normalises day overflow (e.g. 31 -> 1st of the next month).
    const target = Date.UTC(today.year, today.month - 1, today.day + 1, hour, 0, 0);
    // Solve instant + offset(instant) = target. Two rounds settle any single offset change between now
    // and the target; if the target wall time does not exist (a DST gap at that hour), this lands on the
    // equivalent instant just after the gap.
    let instant = target - offsetAt(target, timeZone);
    const second = target - offsetAt(instant, timeZone);
    if (second !== instant) {
        instant = second;
    }
    return instant;
}

export class Snooze {
    private readonly kv: KVStore;
    private readonly now: () => number;

    constructor(kv: KVStore, now: () => number = Date.now) {
        this.kv = kv;
        this.now = now;
    }

    /** Returns the snoozed-until epoch ms, null for 'off'. Throws StoreUnavailableError when the KV fails. */
    async set(userId: string, channelId: string, duration: SnoozeDuration, timeZone: string): Promise<number | null> {
        assertId('user', userId);
        assertId('channel', channelId);
        const key = snoozeKey(userId, channelId);
        const now = this.now();
        let until: number;
        switch (duration) {
            case 'off':
                await kvCall('clear snooze', () => this.kv.delete(key));
                return null;
            case '1h':
                until = now + HOUR_MS;
                break;
            case '8h':
                until = now + 8 * HOUR_MS;
                break;
            case 'tomorrow':
                until = nextDayAt(now, timeZone);
                break;
            default:
                throw new RangeError(`unknown snooze duration ${JSON.stringify(duration as unknown)}`);
        }
        const expireInSeconds = Math.max(1, Math.ceil((until - now) / 1000));
        await kvCall('write snooze', () => this.kv.set(key, String(until), {expireInSeconds}));
        return until;
    }

    /** The snoozed-until epoch ms, or null when not snoozed. */
    async until(userId: string, channelId: string): Promise<number | null> {
        assertId('user', userId);
        assertId('channel', channelId);
        const raw = await kvCall('read snooze', () => this.kv.get(snoozeKey(userId, channelId)));
        if (raw === null) {
            return null;
        }
        const text = decodeText(raw);
        if (!/^\d{1,15}$/.test(text)) {
            return null;
        }
        const until = Number(text);
        return until > this.now() ? until : null;
    }
}

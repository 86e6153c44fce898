// Per-channel snooze: when a user's alerts for a channel resume. Kept in the channel's words document
// (store.ts: `snoozed`), under the channel's version stamp, because the post hook reads that document anyway:
// checking a recipient's snooze costs no KV call, and a snooze set on one server holds on every server from
// the next post on. A snooze whose time has passed counts as "not snoozed"; the next write of the document
// drops it. A snooze is one user's own setting: the last request wins.
import type {WordStore} from './store.js';

export type SnoozeDuration = '1h' | '8h' | 'tomorrow' | 'off';

export const SNOOZE_DURATIONS: readonly SnoozeDuration[] = ['1h', '8h', 'tomorrow', 'off'];

/** Local hour "tomorrow" ends at. */
export const TOMORROW_HOUR = 9;

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
    private readonly store: WordStore;
    private readonly now: () => number;

    constructor(store: WordStore, now: () => number = Date.now) {
        this.store = store;
        this.now = now;
    }

    /** Returns the snoozed-until epoch ms, null for 'off'. Throws StoreUnavailableError when the KV fails. */
    async set(userId: string, channelId: string, duration: SnoozeDuration, timeZone: string): Promise<number | null> {
        const now = this.now();
        let until: number | null;
        switch (duration) {
            case 'off':
                until = null;
                break;
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
        await this.store.setSnooze(channelId, userId, until);
        return until;
    }

    /** The snoozed-until epoch ms, or null when not snoozed (read from the KV, not a cache). */
    until(userId: string, channelId: string): Promise<number | null> {
        return this.store.snoozedUntil(channelId, userId);
    }
}

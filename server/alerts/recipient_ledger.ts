// Each user's alert ledger: one KV document per user that holds both what "one DM per post per user" needs
// (the posts the user was already alerted about) and what flood control needs (flood.ts), so that deciding
// one alert is ONE compare-and-set: the delivery marker and the flood counter are written together or not at
// all. It also remembers the user's direct channel with the bot (it never changes), so a DM needs no
// GetDirectChannel call; the channel is made and remembered when the user sets words
// (rememberDirectChannel), so that making it (a channel and two memberships on the server) is never part of
// an alert's delay.
//
// KV layout:
//   tw1:al:<userId>  {"minute":m,"count":n,"held":h,"dm":"<channel id>","posts":[["<marker>",minute],...]}
//                    minute/count: DMs admitted in that minute; held: alerts held back since the last DM;
//                    dm: the bot's direct channel with the user; posts: the alerts decided (sent or held
//                    back) in the last 24 hours, at most MAX_MARKERS, oldest first; a marker is the post id,
//                    ":<edit time>" added for an edit. Written only by compare-and-set against the bytes last
//                    seen. It does not expire (the direct channel must outlive quiet days); instead a ledger
//                    whose last decision is a day old is read as a fresh one that keeps only `dm`, which is
//                    what an expiry did for markers and counters. Documents written by older versions carry a
//                    24-hour expiry until their next write.
//
// The compare-and-set needs the current bytes: this server remembers what it last read or wrote per user and
// tries that first, so a warm alert costs one KV call; when another server wrote in between, the attempt
// fails, the document is read again and the decision retaken on what it says. Alerts of one user on this
// server are decided one at a time, so they never make each other retry.
import type {KVStore} from './kv.js';
import {floodStep, minuteOf, type FloodWindow} from './flood.js';
import {ConflictError, KEY_PREFIX, assertId, backoffDelay, decodeText, encodeJSON, kvCall, sleep} from './store.js';

export const ledgerKey = (userId: string): string => `${KEY_PREFIX}al:${userId}`;

/** A user nobody alerted for a day starts afresh, held-back count included (only the direct channel stays). */
export const IDLE_RESET_MINUTES = 24 * 60;
/** How long a post is remembered as decided for a user: longer than any redelivery of the same post. */
export const MARKER_MINUTES = 24 * 60;
/** Markers kept at most (the newest): bounds the document for users alerted all day long. */
export const MAX_MARKERS = 100;

export interface LedgerRecord extends FloodWindow {
    dm?: string;
    posts: Array<[marker: string, minute: number]>;
}

export type Claim =
    /** This alert was already decided (another delivery of the same post, on this or another server). */
    | {outcome: 'duplicate'}
    /** Held back by flood control; `held` alerts are now waiting to be reported. */
    | {outcome: 'held'; held: number}
    /** Send it, to `dmChannelId`, reporting `held` alerts held back since the last DM. */
    | {outcome: 'send'; held: number; dmChannelId: string};

export interface RecipientLedgerOptions {
    now?: () => number;
    /** Compare-and-set retries after a conflict before ConflictError (default 20). */
    maxRetries?: number;
    /** Backoff between conflicting attempts, as for WordStore (default 2 / 100 ms). */
    backoffMs?: {base: number; max: number};
    /** Users whose last-seen document this server keeps (LRU, default 5000). */
    cacheSize?: number;
}

interface Seen {
    raw: Uint8Array | null;
    record: LedgerRecord;
}

const EMPTY: LedgerRecord = Object.freeze({minute: 0, count: 0, held: 0, posts: []}) as unknown as LedgerRecord;
const ID = /^[a-z0-9]{26}$/;
const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * The record in `raw`. A document this code cannot read is treated as empty and overwritten by the next
 * alert: it holds counters and markers only, so the worst outcome is one duplicate DM or a reset count.
 */
export function parseLedger(raw: Uint8Array | null): LedgerRecord {
    if (raw === null) {
        return EMPTY;
    }
    let v: unknown;
    try {
        v = JSON.parse(decodeText(raw));
    } catch {
        return EMPTY;
    }
    if (typeof v !== 'object' || v === null) {
        return EMPTY;
    }
    const o = v as Record<string, unknown>;
    const posts = Array.isArray(o.posts)
        ? o.posts.filter((p): p is [string, number] => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && count(p[1]))
        : [];
    return {
        minute: count(o.minute) ? o.minute : 0,
        count: count(o.count) ? o.count : 0,
        held: count(o.held) ? o.held : 0,
        ...(typeof o.dm === 'string' && ID.test(o.dm) ? {dm: o.dm} : {}),
        posts,
    };
}

/**
 * The record as an alert at `minute` sees it: a ledger whose last decision is IDLE_RESET_MINUTES old counts
 * as fresh but for its direct channel (what the document's expiry did before it kept the channel).
 */
export function liveRecord(record: LedgerRecord, minute: number): LedgerRecord {
    if (minute - record.minute < IDLE_RESET_MINUTES) {
        return record;
    }
    return record.dm !== undefined ? {...EMPTY, dm: record.dm} : EMPTY;
}

/** The markers a write keeps: the last day's, the newest MAX_MARKERS - 1 of them, then `marker`. */
function withMarker(posts: LedgerRecord['posts'], marker: string, minute: number): LedgerRecord['posts'] {
    const kept = posts.filter(([, m]) => minute - m < MARKER_MINUTES);
    return [...kept.slice(Math.max(0, kept.length - (MAX_MARKERS - 1))), [marker, minute]];
}

export class RecipientLedger {
    private readonly kv: KVStore;
    private readonly now: () => number;
    private readonly maxRetries: number;
    private readonly backoff: {base: number; max: number};
    private readonly cacheSize: number;
    /** userId → the document as this server last read or wrote it (Map order: LRU, oldest first). */
    private readonly seen = new Map<string, Seen>();
    /** userId → the decision in progress for that user on this server. */
    private readonly queues = new Map<string, Promise<unknown>>();
    /** userId → a direct channel found to replace the remembered one (see replaceDirectChannel). */
    private readonly dmReplacements = new Map<string, string>();

    constructor(kv: KVStore, options: RecipientLedgerOptions = {}) {
        this.kv = kv;
        this.now = options.now ?? Date.now;
        this.maxRetries = Math.max(0, Math.floor(options.maxRetries ?? 20));
        this.backoff = options.backoffMs ?? {base: 2, max: 100};
        this.cacheSize = Math.max(1, Math.floor(options.cacheSize ?? 5000));
    }

    /**
     * Decides one alert for `userId` about `marker`: duplicate, held back, or send. Marker and counters are
     * written in one compare-and-set; `directChannel` is asked (once per user, ever) only for an alert to
     * send when the ledger knows no direct channel yet. Throws StoreUnavailableError when the KV fails (the
     * outcome is then unknown: a write that landed counts the alert, which is then not sent), ConflictError
     * when other servers keep writing first.
     */
    claim(userId: string, marker: string, limitPerMinute: number, directChannel: () => Promise<string>): Promise<Claim> {
        assertId('user', userId);
        return this.serialised(userId, () => this.decide(userId, marker, limitPerMinute, directChannel));
    }

    /**
     * CreatePost refused the direct channel the ledger remembered and `dmChannelId` is the right one: it is
     * used from now on and written with the user's next alert.
     */
    replaceDirectChannel(userId: string, dmChannelId: string): void {
        this.dmReplacements.set(userId, dmChannelId);
    }

    /**
     * Makes sure the ledger knows the user's direct channel with the bot, asking `directChannel` (which makes
     * the channel if need be) only when it does not: called when the user sets words, so that their first
     * alert neither makes a channel nor waits for one. Costs nothing when this server already saw the channel
     * in the ledger, one KV read when another server wrote it. Resolves the channel id, or undefined when
     * another process's write raced this one too often (the alert path then asks as before); throws
     * StoreUnavailableError when the KV fails and whatever `directChannel` throws.
     */
    rememberDirectChannel(userId: string, directChannel: () => Promise<string>): Promise<string | undefined> {
        assertId('user', userId);
        return this.serialised(userId, () => this.ensureDm(userId, directChannel));
    }

    /** Runs `task` after every earlier decision about `userId` on this server (never two at once). */
    private serialised<T>(userId: string, task: () => Promise<T>): Promise<T> {
        const previous = this.queues.get(userId) ?? Promise.resolve();
        const run = previous.then(task, task);
        const settled = run.then(() => undefined, () => undefined);
        this.queues.set(userId, settled);
        void settled.then(() => {
            if (this.queues.get(userId) === settled) {
                this.queues.delete(userId);
            }
        });
        return run;
    }

    private async ensureDm(userId: string, directChannel: () => Promise<string>): Promise<string | undefined> {
        const key = ledgerKey(userId);
        const known = this.seen.get(userId)?.record.dm;
        if (known !== undefined) {
            return known;
        }
        let current = await this.read(userId, key);
        if (current.record.dm !== undefined) {
            return current.record.dm;
        }
        const dm = await directChannel();
        for (let conflicts = 0; ; ) {
            // Only `dm` is added: markers and counters stay as they are, so an alert decided in between is
            // neither undone nor counted twice.
            const next: LedgerRecord = {...current.record, dm};
            const bytes = encodeJSON(next);
            let ok: boolean;
            try {
                ok = await kvCall('write alert ledger', () => this.kv.compareAndSet(key, current.raw, bytes));
            } catch (err) {
                this.seen.delete(userId);
                throw err;
            }
            if (ok) {
                this.remember(userId, {raw: bytes, record: next});
                return dm;
            }
            this.seen.delete(userId);
            if (conflicts >= this.maxRetries) {
                return undefined;
            }
            await sleep(backoffDelay(conflicts++, this.backoff.base, this.backoff.max));
            current = await this.read(userId, key);
            if (current.record.dm !== undefined) {
                return current.record.dm; // another server remembered it first
            }
        }
    }

    private async decide(userId: string, marker: string, limitPerMinute: number, directChannel: () => Promise<string>): Promise<Claim> {
        const key = ledgerKey(userId);
        let useSeen = true;
        for (let conflicts = 0; ; ) {
            const remembered = useSeen ? this.seen.get(userId) : undefined;
            const current = remembered ?? (await this.read(userId, key));
            const now = this.now();
            const record = liveRecord(current.record, minuteOf(now));
            if (record.posts.some(([m]) => m === marker)) {
                return {outcome: 'duplicate'};
            }
            const decision = floodStep(record, now, limitPerMinute);
            let dm = this.dmReplacements.get(userId) ?? record.dm;
            if (decision.allowed && dm === undefined) {
                dm = await directChannel();
            }
            const next: LedgerRecord = {...decision.next, ...(dm !== undefined ? {dm} : {}), posts: withMarker(record.posts, marker, minuteOf(now))};
            const bytes = encodeJSON(next);
            let ok: boolean;
            try {
                // No expiry (see the layout above); written over a document of an older version, this also
                // clears the expiry that version set.
                ok = await kvCall('write alert ledger', () => this.kv.compareAndSet(key, current.raw, bytes));
            } catch (err) {
                this.seen.delete(userId); // the write may or may not have landed
                throw err;
            }
            if (ok) {
                this.remember(userId, {raw: bytes, record: next});
                if (dm === this.dmReplacements.get(userId)) {
                    this.dmReplacements.delete(userId);
                }
                return decision.allowed ? {outcome: 'send', held: decision.held, dmChannelId: dm!} : {outcome: 'held', held: decision.held};
            }
            this.seen.delete(userId);
            if (remembered) {
                // Another server wrote since this one last looked: not contention, just read again.
                useSeen = false;
                continue;
            }
            if (conflicts >= this.maxRetries) {
                throw new ConflictError(`alert ledger ${userId}: still conflicting after ${conflicts + 1} attempts`);
            }
            await sleep(backoffDelay(conflicts++, this.backoff.base, this.backoff.max));
        }
    }

    private async read(userId: string, key: string): Promise<Seen> {
        const raw = await kvCall('read alert ledger', () => this.kv.get(key));
        const seen = {raw, record: parseLedger(raw)};
        this.remember(userId, seen);
        return seen;
    }

    private remember(userId: string, seen: Seen): void {
        this.seen.delete(userId);
        this.seen.set(userId, seen);
        while (this.seen.size > this.cacheSize) {
            this.seen.delete(this.seen.keys().next().value as string);
        }
    }
}

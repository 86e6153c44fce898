// Trigger words in the plugin KV store, safe for a High Availability cluster.
//
// Every server runs its own copy of the plugin; the KV store is the only shared state. Nothing here relies
// on in-process state for correctness: the per-process cache is only ever used after the shared version
// stamp has confirmed it is current.
//
// KV layout (prefix `tw1:`; bump it for an incompatible format):
//
//   tw1:ch:<channelId>  ChannelDoc as JSON: {"version":n,"words_version":w,"users":{"<userId>":[{"word":"Foo",
//                       "key":"foo"}]},"snoozed":{"<userId>":<epoch ms the snooze ends>}}. Written only by
//                       compare-and-set against the exact bytes read; every write (words or snooze) raises
//                       `version` by one; `words_version` is the version of the last write that changed words
//                       (absent in docs written before snoozes moved in: then it is `version`), so a snooze
//                       does not make every server rebuild the channel's matcher. `snoozed` (absent when
//                       empty) keeps each snooze with the words the post hook reads anyway, under the same
//                       stamp; entries whose time has passed count as not snoozed and are dropped by the next
//                       write. Never deleted: a channel whose last word was removed keeps
//                       {"version":n,"users":{}}, so a version number is never reused.
//   tw1:st:<channelId>  The version stamp: the decimal text of the highest doc version whose write has
//                       completed. Only ever raised, by compare-and-set; stamp <= doc version at all times.
//   tw1:u:<userId>      The user's index: JSON array of channel ids where the user may have words. A
//                       superset of the truth (see below); written by compare-and-set.
//
// A write (updateUserWords) goes: [index add] -> doc CAS -> stamp raise -> [index check / index remove]; a
// snooze (setSnooze) is doc CAS -> stamp raise (no index: the index is about words).
// Intermediate states a crash or a KV failure can leave behind, and why they are harmless:
//
//   1. Index lists a channel, doc has no words for the user (crash after the index add, before or instead
//      of the doc write; or after an emptying doc write, before the index remove). listUserChannels reads
//      the doc and skips the channel; the next emptying write for that channel removes the entry.
//   2. Doc at version v, stamp < v or missing (crash / failure between the doc write and the stamp raise).
//      The write did not report success, so no promise was broken. Servers with a cold cache read the doc
//      and see v. Servers with a cached doc keep it for at most `revalidateMs` (then they re-read the doc
//      and repair the stamp). Any later updateUserWords or setSnooze call on the channel - including a retry
//      of the failed request, even one that changes nothing or whose fn throws - raises the stamp, after which
//      every server sees v immediately.
//   3. Doc write committed but its answer lost (the KV call rejected): as 2; the caller got
//      StoreUnavailableError (HTTP 503) and may retry; the retry sees the committed state.
//   4. Stamp raised, index not yet checked/cleaned: the words are visible everywhere; the index is still
//      a superset because the add happened before the doc write.
//
// Index removal races with a concurrent add by the same user in the same channel on another server. Both
// sides compensate: the remover re-reads the doc after removing the entry and re-adds it if words
// appeared; the adder checks the index before every doc write attempt and again after its doc write, and
// re-adds a missing entry. So, without a crash, the index is a superset once both writes have returned.
// (Only a crash in exactly that race can drop an entry; the next write adding words for that user in that
// channel restores it.)
//
// Every compare-and-set writes bytes different from the ones it compares against (versions and counters
// only go up), which sidesteps the MySQL quirk where a CAS with old == new reports success.
import {FreshReads} from './fresh_reads.js';
import type {KVStore} from './kv.js';
import {normalizeWord} from './normalize.js';

export interface StoredWord {
    /** as typed, trimmed */
    word: string;
    /** normalized */
    key: string;
}

export interface ChannelDoc {
    version: number;
    /** The version of the last write that changed words; absent in older docs, where it is `version`. */
    words_version?: number;
    users: Record<string /* userId */, StoredWord[]>;
    /** userId → epoch ms the user's snooze of this channel ends (past entries: not snoozed). */
    snoozed?: Record<string /* userId */, number>;
}

/** The version at which the doc's words were last written: equal words_version, equal words. */
export function wordsVersionOf(doc: ChannelDoc): number {
    return doc.words_version ?? doc.version;
}

/** When the user's snooze of the channel ends, or null when it is not snoozed at `now`. */
export function snoozedUntilIn(doc: ChannelDoc, userId: string, now: number): number | null {
    const until = doc.snoozed !== undefined && Object.hasOwn(doc.snoozed, userId) ? doc.snoozed[userId] : undefined;
    return until !== undefined && until > now ? until : null;
}

/** A compare-and-set loop lost to concurrent writers more than `maxRetries` times; nothing was written. */
export class ConflictError extends Error {
    constructor(message: string, options?: {cause?: unknown}) {
        super(message, options);
        this.name = 'ConflictError';
    }
}

/** The KV store failed (the HTTP layer maps it to 503). */
export class StoreUnavailableError extends Error {
    constructor(message: string, options?: {cause?: unknown}) {
        super(message, options);
        this.name = 'StoreUnavailableError';
    }
}

export interface WordStoreOptions {
    /** Compare-and-set retries after the first attempt before ConflictError (default 10). */
    maxRetries?: number;
    /** Backoff between retries: a random delay in [0, min(max, base * 2^attempt)] ms (default 5 / 200). */
    backoffMs?: {base: number; max: number};
    /** Channels kept in the in-process cache (LRU, default 1000). */
    cacheSize?: number;
    /**
     * A cached doc is re-read from the KV at least this often (ms, default 30 000) even when the stamp says
     * it is current. Only matters after a failure left the stamp behind the doc (see state 2 above).
     */
    revalidateMs?: number;
    /** Clock for revalidation (epoch ms; default Date.now). */
    now?: () => number;
    /**
     * Called when a best-effort step after a successful write fails (index maintenance, stamp repair from
     * a reader). The operation itself still succeeds; the state left is one of the harmless ones above.
     */
    onBackgroundError?: (error: unknown, step: string) => void;
}

export const KEY_PREFIX = 'tw1:';
export const channelDocKey = (channelId: string): string => `${KEY_PREFIX}ch:${channelId}`;
export const channelStampKey = (channelId: string): string => `${KEY_PREFIX}st:${channelId}`;
export const userIndexKey = (userId: string): string => `${KEY_PREFIX}u:${userId}`;

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Ids become part of KV keys; keep them from colliding with the layout (and within the key length limit). */
export function assertId(kind: string, id: string): void {
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
        throw new TypeError(`invalid ${kind} id ${JSON.stringify(id)}`);
    }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJSON(value: unknown): Uint8Array {
    return encoder.encode(JSON.stringify(value));
}

export function decodeText(raw: Uint8Array): string {
    return decoder.decode(raw);
}

/** Run one KV call; a rejection becomes StoreUnavailableError. */
export async function kvCall<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
        return await call();
    } catch (err) {
        throw new StoreUnavailableError(`KV store failed (${what})`, {cause: err});
    }
}

export function backoffDelay(attempt: number, base: number, max: number): number {
    return Math.random() * Math.min(max, base * 2 ** Math.min(attempt, 30));
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

const EMPTY_DOC: ChannelDoc = Object.freeze({version: 0, users: Object.freeze({})}) as ChannelDoc;

function isStoredWord(w: unknown): w is StoredWord {
    return typeof w === 'object' && w !== null && typeof (w as StoredWord).word === 'string' && typeof (w as StoredWord).key === 'string';
}

function isSnoozeMap(v: unknown): v is Record<string, number> {
    return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((t) => Number.isSafeInteger(t) && (t as number) >= 0);
}

function parseDoc(raw: Uint8Array, channelId: string): ChannelDoc {
    let v: unknown;
    try {
        v = JSON.parse(decodeText(raw));
    } catch (err) {
        throw new StoreUnavailableError(`corrupt channel doc for ${channelId}`, {cause: err});
    }
    const doc = v as ChannelDoc;
    if (
        typeof v !== 'object' || v === null ||
        !Number.isSafeInteger(doc.version) || doc.version < 1 ||
        typeof doc.users !== 'object' || doc.users === null || Array.isArray(doc.users) ||
        !Object.values(doc.users).every((list) => Array.isArray(list) && list.every(isStoredWord)) ||
        (doc.words_version !== undefined && !(Number.isSafeInteger(doc.words_version) && doc.words_version >= 0 && doc.words_version <= doc.version)) ||
        (doc.snoozed !== undefined && !isSnoozeMap(doc.snoozed))
    ) {
        // Never "repair" by overwriting: that could destroy words. Refuse loudly instead.
        throw new StoreUnavailableError(`corrupt channel doc for ${channelId}`);
    }
    rekeyNonAscii(doc);
    return doc;
}

/**
 * Keys are derived data, and normalisation has changed between versions for non-ASCII text only (quote
 * look-alikes now fold to ' and "): a word stored as `don’t` under the old key must still be found by
 * remove and by the duplicate check, which look it up by today's key. ASCII words keep their stored key
 * (their normalisation has not changed), so a large document does not pay for this on every read.
 */
function rekeyNonAscii(doc: ChannelDoc): void {
    for (const list of Object.values(doc.users)) {
        for (const w of list) {
            if (!isAscii(w.word)) {
                w.key = normalizeWord(w.word);
            }
        }
    }
}

function isAscii(text: string): boolean {
    for (let i = 0; i < text.length; i++) {
        if (text.charCodeAt(i) > 0x7f) {
            return false;
        }
    }
    return true;
}

/** null: missing or unreadable (an unreadable stamp is replaced by the next raise). */
function parseStamp(raw: Uint8Array | null): number | null {
    if (raw === null) {
        return null;
    }
    const text = decodeText(raw);
    if (!/^\d{1,15}$/.test(text)) {
        return null;
    }
    return Number(text);
}

function parseIndex(raw: Uint8Array | null): string[] {
    if (raw === null) {
        return [];
    }
    try {
        const v: unknown = JSON.parse(decodeText(raw));
        if (Array.isArray(v) && v.every((c) => typeof c === 'string')) {
            return v as string[];
        }
    } catch {
        // fall through
    }
    throw new StoreUnavailableError('corrupt user index');
}

function deepFreeze(doc: ChannelDoc): ChannelDoc {
    for (const list of Object.values(doc.users)) {
        for (const w of list) {
            Object.freeze(w);
        }
        Object.freeze(list);
    }
    Object.freeze(doc.users);
    if (doc.snoozed) {
        Object.freeze(doc.snoozed);
    }
    return Object.freeze(doc);
}

/** The snoozes still running at `now` (the ones a write keeps). */
function liveSnoozes(doc: ChannelDoc, now: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [u, until] of Object.entries(doc.snoozed ?? {})) {
        if (until > now) {
            out[u] = until;
        }
    }
    return out;
}

function sameSnoozes(a: Record<string, number>, b: Record<string, number>): boolean {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/** What a write puts in the doc besides the versions. */
interface DocContent {
    users: Record<string, StoredWord[]>;
    snoozed: Record<string, number>;
    wordsChanged: boolean;
}

function copyWords(list: readonly StoredWord[]): StoredWord[] {
    return list.map((w) => ({word: w.word, key: w.key}));
}

function sameWords(a: readonly StoredWord[], b: readonly StoredWord[]): boolean {
    return a.length === b.length && a.every((w, i) => w.word === b[i].word && w.key === b[i].key);
}

function wordsOf(doc: ChannelDoc, userId: string): readonly StoredWord[] {
    return Object.hasOwn(doc.users, userId) ? doc.users[userId] : [];
}

interface CacheEntry {
    version: number;
    doc: ChannelDoc;
    /** when the doc was last read from (or written to) the KV */
    checkedAt: number;
}

export class WordStore {
    private readonly kv: KVStore;
    private readonly maxRetries: number;
    private readonly backoff: {base: number; max: number};
    private readonly cacheSize: number;
    private readonly revalidateMs: number;
    private readonly now: () => number;
    private readonly onBackgroundError: (error: unknown, step: string) => void;
    /** channelId -> newest doc seen; Map order is the LRU order (oldest first). */
    private readonly cache = new Map<string, CacheEntry>();
    /** The hot path's stamp reads: shared by concurrent posts, never older than the post (fresh_reads.ts). */
    private readonly stampReads = new FreshReads<number | null>();

    constructor(kv: KVStore, options: WordStoreOptions = {}) {
        this.kv = kv;
        this.maxRetries = Math.max(0, Math.floor(options.maxRetries ?? 10));
        this.backoff = options.backoffMs ?? {base: 5, max: 200};
        this.cacheSize = Math.max(1, Math.floor(options.cacheSize ?? 1000));
        this.revalidateMs = options.revalidateMs ?? 30_000;
        this.now = options.now ?? Date.now;
        this.onBackgroundError = options.onBackgroundError ?? (() => {});
    }

    /** The user's words in the channel, read from the KV (not the cache). */
    async getUserWords(channelId: string, userId: string): Promise<StoredWord[]> {
        assertId('channel', channelId);
        assertId('user', userId);
        const {doc} = await this.readDoc(channelId);
        return copyWords(wordsOf(doc, userId));
    }

    /**
     * Apply fn to the user's list in this channel with a compare-and-set retry loop and return the new list.
     * fn may run several times (once per attempt), so it must be a pure function of its argument; it may
     * throw to abort (its error propagates, nothing is written). When fn returns an equal list nothing is
     * written. Throws StoreUnavailableError when the KV fails, ConflictError when retries are exhausted.
     */
    async updateUserWords(channelId: string, userId: string, fn: (current: StoredWord[]) => StoredWord[]): Promise<StoredWord[]> {
        assertId('channel', channelId);
        assertId('user', userId);
        for (let attempt = 0; ; attempt++) {
            const {raw, doc} = await this.readDoc(channelId);
            const current = wordsOf(doc, userId);
            let next: StoredWord[];
            try {
                const result = fn(copyWords(current));
                if (!Array.isArray(result) || !result.every(isStoredWord)) {
                    throw new TypeError('updateUserWords: fn must return StoredWord[]');
                }
                next = copyWords(result);
            } catch (err) {
                // Typical after a failed request is retried (e.g. 409 "already there"): make sure the earlier
                // attempt's doc write, if it landed, becomes visible everywhere.
                await this.raiseStamp(channelId, doc.version).catch((e: unknown) => this.onBackgroundError(e, 'stamp repair'));
                throw err;
            }
            if (sameWords(current, next)) {
                await this.raiseStamp(channelId, doc.version);
                return copyWords(current);
            }
            if (next.length > 0) {
                // Before the doc write (on every attempt: a concurrent remover may have dropped the entry
                // since the last one), so the index stays a superset whatever happens next.
                await this.indexAdd(userId, channelId);
            }
            const users: Record<string, StoredWord[]> = {};
            for (const [u, list] of Object.entries(doc.users)) {
                if (u !== userId) {
                    users[u] = copyWords(list);
                }
            }
            if (next.length > 0) {
                users[userId] = next;
            }
            if (await this.commitDoc(channelId, raw, doc, {users, snoozed: liveSnoozes(doc, this.now()), wordsChanged: true})) {
                if (next.length > 0) {
                    await this.indexAdd(userId, channelId).catch((e: unknown) => this.onBackgroundError(e, 'index check'));
                } else {
                    await this.indexRemove(userId, channelId).catch((e: unknown) => this.onBackgroundError(e, 'index remove'));
                }
                return copyWords(next);
            }
            await this.retryPause(attempt, `channel doc ${channelId}`);
        }
    }

    /**
     * Snoozes the user's alerts in the channel until `until` (epoch ms), or ends the snooze (null), with the
     * same compare-and-set loop and stamp as a words update: once it has returned, a post on any server sees
     * it. Writes nothing when the snooze is already so. Throws StoreUnavailableError / ConflictError.
     */
    async setSnooze(channelId: string, userId: string, until: number | null): Promise<void> {
        assertId('channel', channelId);
        assertId('user', userId);
        for (let attempt = 0; ; attempt++) {
            const {raw, doc} = await this.readDoc(channelId);
            const before = liveSnoozes(doc, this.now());
            const snoozed = {...before};
            if (until === null) {
                delete snoozed[userId];
            } else {
                snoozed[userId] = until;
            }
            if (sameSnoozes(before, snoozed)) {
                await this.raiseStamp(channelId, doc.version);
                return;
            }
            const users: Record<string, StoredWord[]> = {};
            for (const [u, list] of Object.entries(doc.users)) {
                users[u] = copyWords(list);
            }
            if (await this.commitDoc(channelId, raw, doc, {users, snoozed, wordsChanged: false})) {
                return;
            }
            await this.retryPause(attempt, `channel doc ${channelId}`);
        }
    }

    /** When the user's snooze of the channel ends (epoch ms), null when not snoozed; read from the KV. */
    async snoozedUntil(channelId: string, userId: string): Promise<number | null> {
        assertId('channel', channelId);
        assertId('user', userId);
        const {doc} = await this.readDoc(channelId);
        return snoozedUntilIn(doc, userId, this.now());
    }

    /** Every channel where the user has words, in the order the channels were first used. */
    async listUserChannels(userId: string): Promise<Array<{channelId: string; words: StoredWord[]}>> {
        assertId('user', userId);
        const raw = await kvCall('read user index', () => this.kv.get(userIndexKey(userId)));
        const channels = parseIndex(raw);
        const docs = await Promise.all(channels.map(async (channelId) => ({channelId, doc: (await this.readDoc(channelId)).doc})));
        const out: Array<{channelId: string; words: StoredWord[]}> = [];
        for (const {channelId, doc} of docs) {
            const words = wordsOf(doc, userId);
            if (words.length > 0) {
                out.push({channelId, words: copyWords(words)});
            }
        }
        return out;
    }

    /**
     * The hot path, called for every post: one small KV read (the stamp; concurrent posts share reads, see
     * fresh_reads.ts) when the cached doc is current, plus the doc read when the stamp moved (or on a cold
     * cache / revalidation).
     *
     * Guarantee: once an updateUserWords call has returned, any later channelWords call, on any WordStore
     * sharing the KV, returns a doc with at least that write's version.
     *
     * The returned doc is frozen and, for a given version, the same object on every call of this instance:
     * callers can cache derived data (the matcher) by version, or in a WeakMap keyed by the doc.
     */
    async channelWords(channelId: string): Promise<{version: number; doc: ChannelDoc}> {
        assertId('channel', channelId);
        // A missing stamp counts as 0: the channel was never written (the common case, kept to one read),
        // or the first write failed between doc and stamp, which revalidation catches up with.
        const stamp = (await this.stampReads.get(channelId, () => this.readStamp(channelId))) ?? 0;
        const now = this.now();
        const cached = this.cache.get(channelId);
        if (cached) {
            this.cache.delete(channelId);
            this.cache.set(channelId, cached); // LRU touch
            if (cached.version >= stamp && now - cached.checkedAt < this.revalidateMs) {
                return {version: cached.version, doc: cached.doc};
            }
        }
        const {doc} = await this.readDoc(channelId);
        if (doc.version > stamp) {
            // A writer failed between its doc write and its stamp raise: finish its job.
            await this.raiseStamp(channelId, doc.version).catch((e: unknown) => this.onBackgroundError(e, 'stamp repair'));
        }
        const entry = this.remember(channelId, doc, now);
        return {version: entry.version, doc: entry.doc};
    }

    /**
     * The doc this server last saw for the channel, without asking the KV (undefined when none): possibly
     * stale, so only for work that channelWords then confirms (the same object means the same version).
     */
    cachedChannelWords(channelId: string): ChannelDoc | undefined {
        return this.cache.get(channelId)?.doc;
    }

    // ---- internals ----

    /**
     * Writes the next version of the doc read as `raw` / `doc` by compare-and-set, then raises the stamp and
     * caches it. False when another writer changed the doc first (nothing written).
     */
    private async commitDoc(channelId: string, raw: Uint8Array | null, doc: ChannelDoc, content: DocContent): Promise<boolean> {
        // A missing doc starts above the stamp, so a version is never reused even if the doc was deleted
        // behind our back.
        const base = raw === null ? Math.max(doc.version, (await this.readStamp(channelId)) ?? 0) : doc.version;
        const version = base + 1;
        const newDoc: ChannelDoc = {
            version,
            // A new doc counts as new words too: whatever a server cached for a doc deleted behind our back goes.
            words_version: content.wordsChanged || raw === null ? version : wordsVersionOf(doc),
            users: content.users,
        };
        if (Object.keys(content.snoozed).length > 0) {
            newDoc.snoozed = content.snoozed;
        }
        const ok = await kvCall('write channel doc', () => this.kv.compareAndSet(channelDocKey(channelId), raw, encodeJSON(newDoc)));
        if (ok) {
            await this.raiseStamp(channelId, version);
            this.remember(channelId, deepFreeze(newDoc), this.now());
        }
        return ok;
    }

    private async readDoc(channelId: string): Promise<{raw: Uint8Array | null; doc: ChannelDoc}> {
        const raw = await kvCall('read channel doc', () => this.kv.get(channelDocKey(channelId)));
        if (raw === null) {
            return {raw, doc: EMPTY_DOC};
        }
        const cached = this.cache.get(channelId);
        const doc = parseDoc(raw, channelId);
        // Keep object identity for an unchanged version (callers key derived data by it).
        if (cached && cached.version === doc.version) {
            return {raw, doc: cached.doc};
        }
        return {raw, doc: deepFreeze(doc)};
    }

    private async readStamp(channelId: string): Promise<number | null> {
        return parseStamp(await kvCall('read version stamp', () => this.kv.get(channelStampKey(channelId))));
    }

    /** Keep the newest doc seen; never replace a cached doc with an older one (concurrent readers). */
    private remember(channelId: string, doc: ChannelDoc, checkedAt: number): CacheEntry {
        const cached = this.cache.get(channelId);
        let entry: CacheEntry;
        if (cached && cached.version > doc.version) {
            entry = cached;
        } else if (cached && cached.version === doc.version) {
            entry = {version: cached.version, doc: cached.doc, checkedAt: Math.max(cached.checkedAt, checkedAt)};
        } else {
            entry = {version: doc.version, doc, checkedAt};
        }
        this.cache.delete(channelId);
        this.cache.set(channelId, entry);
        while (this.cache.size > this.cacheSize) {
            const oldest = this.cache.keys().next().value as string;
            this.cache.delete(oldest);
        }
        return entry;
    }

    /** Raise the stamp to at least v. Never lowers it: two writers may get here out of order. */
    private async raiseStamp(channelId: string, v: number): Promise<void> {
        if (v <= 0) {
            return;
        }
        const key = channelStampKey(channelId);
        for (let attempt = 0; ; attempt++) {
            const raw = await kvCall('read version stamp', () => this.kv.get(key));
            const cur = parseStamp(raw);
            if (cur !== null && cur >= v) {
                return;
            }
            if (await kvCall('write version stamp', () => this.kv.compareAndSet(key, raw, String(v)))) {
                return;
            }
            await this.retryPause(attempt, `version stamp ${channelId}`);
        }
    }

    private async indexAdd(userId: string, channelId: string): Promise<void> {
        const key = userIndexKey(userId);
        for (let attempt = 0; ; attempt++) {
            const raw = await kvCall('read user index', () => this.kv.get(key));
            const list = parseIndex(raw);
            if (list.includes(channelId)) {
                return;
            }
            if (await kvCall('write user index', () => this.kv.compareAndSet(key, raw, encodeJSON([...list, channelId])))) {
                return;
            }
            await this.retryPause(attempt, `user index ${userId}`);
        }
    }

    /** Remove the channel from the index if (and only if) the user has no words there. */
    private async indexRemove(userId: string, channelId: string): Promise<void> {
        const key = userIndexKey(userId);
        for (let attempt = 0; ; attempt++) {
            const raw = await kvCall('read user index', () => this.kv.get(key));
            const list = parseIndex(raw);
            if (raw === null || !list.includes(channelId)) {
                return;
            }
            if (wordsOf((await this.readDoc(channelId)).doc, userId).length > 0) {
                return; // words came back (a concurrent add): the entry stays
            }
            const rest = list.filter((c) => c !== channelId);
            const ok = rest.length === 0
                ? await kvCall('delete user index', () => this.kv.compareAndDelete(key, raw))
                : await kvCall('write user index', () => this.kv.compareAndSet(key, raw, encodeJSON(rest)));
            if (ok) {
                // Compensate for an add that wrote its words between our doc read and our removal.
                if (wordsOf((await this.readDoc(channelId)).doc, userId).length > 0) {
                    await this.indexAdd(userId, channelId);
                }
                return;
            }
            await this.retryPause(attempt, `user index ${userId}`);
        }
    }

    private async retryPause(attempt: number, what: string): Promise<void> {
        if (attempt >= this.maxRetries) {
            throw new ConflictError(`${what}: still conflicting after ${attempt + 1} attempts`);
        }
        await sleep(backoffDelay(attempt, this.backoff.base, this.backoff.max));
    }
}

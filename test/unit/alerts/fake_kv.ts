// An in-memory KVStore with the semantics of Mattermost's plugin KV store (the SQL plugin store behind
// KVGet / KVSetWithOptions / KVCompareAndDelete), for tests of code that runs on several servers at once:
//
// - values are bytes; strings are stored as UTF-8. Writing an empty value deletes the key (the RPC layer
//   sends an empty byte slice as nil, and the server treats a nil value as "delete").
// - compareAndSet compares bytes exactly. oldValue null (or empty, which arrives as nil) means "only if the
//   key is absent"; an expired entry counts as absent. A compareAndSet without expireInSeconds stores a
//   value that never expires (the server sets ExpireAt from the options of every write).
// - compareAndDelete only matches a live (not expired) entry; a null/empty oldValue never matches.
// - expiry uses an injectable clock; an expired entry is invisible to every operation even before it is
//   purged. Keys must be 1..150 characters (model.KeyValueKeyMaxRunes).
//
// For concurrency tests: every server gets its own client view (`kv.client('s1')`) over the one shared
// map, so calls can be attributed, counted, delayed, held and failed per server. Each operation is
// applied atomically at one instant between an optional request delay and an optional response delay,
// which is what lets two servers' read-modify-write cycles interleave.
import type {KVStore} from '../../../server/alerts/kv.js';

export type KVOp = 'get' | 'set' | 'compareAndSet' | 'compareAndDelete' | 'delete';

export const KEY_MAX_RUNES = 150;

export interface KVCall {
    client: string;
    op: KVOp;
    key: string;
}

/** A committed change, in commit order. value null: the key was deleted. */
export interface KVMutation {
    client: string;
    op: KVOp;
    key: string;
    value: Uint8Array | null;
    expireAt: number;
    at: number;
}

export interface OpMatch {
    client?: string;
    op?: KVOp | KVOp[];
    key?: string | RegExp | ((key: string) => boolean);
}

export interface FaultRule extends OpMatch {
    /**
     * 'before': the call rejects and nothing is applied. 'after': the operation is applied, then the call
     * rejects (the write landed but the answer was lost). 'conflict': a compareAndSet/compareAndDelete
     * resolves false without being applied, as if another server had changed the value first.
     */
    kind?: 'before' | 'after' | 'conflict';
    /** How many matching calls fail (default 1; Infinity for all). */
    times?: number;
    error?: Error;
}

export interface FakeKVOptions {
    /** Epoch ms; defaults to Date.now. */
    now?: () => number;
    /** Milliseconds to wait before an operation is applied ('request') and before its answer arrives ('response'). */
    latency?: (call: KVCall, phase: 'request' | 'response') => number;
}

interface Entry {
    value: Uint8Array;
    expireAt: number; // 0: never
}

interface Hold {
    match: OpMatch;
    remaining: number;
    waiting: Array<() => void>;
    released: boolean;
    arrivedResolve: () => void;
}

export interface HoldHandle {
    /** Resolves once a matching call is being held. */
    arrived: Promise<void>;
    /** Lets the held calls (and any later matching ones) proceed. */
    release(): void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function toBytes(value: Uint8Array | string): Uint8Array {
    return typeof value === 'string' ? encoder.encode(value) : new Uint8Array(value);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
    if (a.length !== b.length) {
        return false;
    }
    for (let i = 0; i < a.length; i++) {
        if (a[i] !== b[i]) {
            return false;
        }
    }
    return true;
}

function matches(m: OpMatch, call: KVCall): boolean {
    if (m.client !== undefined && m.client !== call.client) {
        return false;
    }
    if (m.op !== undefined && !(Array.isArray(m.op) ? m.op.includes(call.op) : m.op === call.op)) {
        return false;
    }
    if (m.key !== undefined) {
        if (typeof m.key === 'string') {
            return m.key === call.key;
        }
        if (m.key instanceof RegExp) {
            return m.key.test(call.key);
        }
        return m.key(call.key);
    }
    return true;
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

export class FakeKVError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'FakeKVError';
    }
}

/** mulberry32: a small seeded PRNG so that random interleavings can be replayed from their seed. */
export function seededRandom(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** A latency function drawing 0..maxMs whole milliseconds from `random` for every phase of every call. */
export function randomLatency(random: () => number, maxMs: number): NonNullable<FakeKVOptions['latency']> {
    return () => Math.floor(random() * (maxMs + 1));
}

export class FakeKV implements KVStore {
    readonly calls: KVCall[] = [];
    readonly history: KVMutation[] = [];
    now: () => number;
    latency: FakeKVOptions['latency'];

    private readonly entries = new Map<string, Entry>();
    private readonly faults: Array<FaultRule & {remaining: number}> = [];
    private readonly holds: Hold[] = [];
    private readonly clients = new Map<string, KVStore>();

    constructor(options: FakeKVOptions = {}) {
        this.now = options.now ?? Date.now;
        this.latency = options.latency;
    }

    // ---- KVStore (as the anonymous client 'default') ----

    get(key: string): Promise<Uint8Array | null> {
        return this.client('default').get(key);
    }

    set(key: string, value: Uint8Array | string, options?: {expireInSeconds?: number}): Promise<void> {
        return this.client('default').set(key, value, options);
    }

    compareAndSet(key: string, oldValue: Uint8Array | null, value: Uint8Array | string, options?: {expireInSeconds?: number}): Promise<boolean> {
        return this.client('default').compareAndSet(key, oldValue, value, options);
    }

    compareAndDelete(key: string, oldValue: Uint8Array): Promise<boolean> {
        return this.client('default').compareAndDelete(key, oldValue);
    }

    delete(key: string): Promise<void> {
        return this.client('default').delete(key);
    }

    /** The KVStore as seen by one server; calls through it are recorded under `name`. */
    client(name: string): KVStore {
        let c = this.clients.get(name);
        if (!c) {
            c = {
                get: (key) => this.run({client: name, op: 'get', key}, () => {
                    const e = this.live(key);
                    return e ? new Uint8Array(e.value) : null;
                }),
                set: (key, value, options) => this.run({client: name, op: 'set', key}, () => {
                    this.write(name, 'set', key, toBytes(value), options?.expireInSeconds);
                }),
                compareAndSet: (key, oldValue, value, options) => this.run({client: name, op: 'compareAndSet', key}, () => {
                    const old = oldValue === null || oldValue.length === 0 ? null : oldValue;
                    const cur = this.live(key);
                    if (old === null ? cur !== undefined : cur === undefined || !bytesEqual(cur.value, old)) {
                        return false;
                    }
                    const bytes = toBytes(value);
                    if (bytes.length === 0 && old === null) {
                        return false; // "delete if absent": the server answers false
                    }
                    this.write(name, 'compareAndSet', key, bytes, options?.expireInSeconds);
                    return true;
                }, true),
                compareAndDelete: (key, oldValue) => this.run({client: name, op: 'compareAndDelete', key}, () => {
                    const cur = this.live(key);
                    if (oldValue.length === 0 || cur === undefined || !bytesEqual(cur.value, oldValue)) {
                        return false;
                    }
                    this.write(name, 'compareAndDelete', key, null, undefined);
                    return true;
                }, true),
                delete: (key) => this.run({client: name, op: 'delete', key}, () => {
                    this.write(name, 'delete', key, null, undefined);
                }),
            };
            this.clients.set(name, c);
        }
        return c;
    }

    // ---- test controls ----

    /** Make matching calls fail (see FaultRule). Rules are consulted in the order they were added. */
    fail(rule: FaultRule): void {
        this.faults.push({...rule, remaining: rule.times ?? 1});
    }

    clearFaults(): void {
        this.faults.length = 0;
    }

    /** Hold the next `times` (default 1) matching calls before they are applied, until release(). */
    hold(match: OpMatch, times = 1): HoldHandle {
        let arrivedResolve!: () => void;
        const arrived = new Promise<void>((resolve) => {
            arrivedResolve = resolve;
        });
        const h: Hold = {match, remaining: times, waiting: [], released: false, arrivedResolve};
        this.holds.push(h);
        return {
            arrived,
            release: () => {
                h.released = true;
                for (const w of h.waiting.splice(0)) {
                    w();
                }
            },
        };
    }

    /** Calls recorded so far that match (all when no filter). */
    count(match: OpMatch = {}): number {
        return this.calls.filter((c) => matches(match, c)).length;
    }

    resetCalls(): void {
        this.calls.length = 0;
    }

    /** The live value of a key as text, bypassing latency, faults and recording. */
    peek(key: string): string | null {
        const e = this.live(key);
        return e ? decoder.decode(e.value) : null;
    }

    /** The stored entry's expiry (epoch ms, 0 = never), or null when the key is not live. */
    expireAt(key: string): number | null {
        return this.live(key)?.expireAt ?? null;
    }

    /** Write a value directly (setup), bypassing latency, faults and recording. */
    poke(key: string, value: string | null, expireInSeconds?: number): void {
        if (value === null) {
            this.entries.delete(key);
        } else {
            this.entries.set(key, {value: toBytes(value), expireAt: expireInSeconds ? this.now() + expireInSeconds * 1000 : 0});
        }
    }

    /** Live keys, sorted. */
    keys(): string[] {
        return [...this.entries.keys()].filter((k) => this.live(k) !== undefined).sort();
    }

    /** Committed values of one key in commit order, as text (null for deletions). */
    valuesOf(key: string): Array<string | null> {
        return this.history.filter((m) => m.key === key).map((m) => (m.value === null ? null : decoder.decode(m.value)));
    }

    // ---- internals ----

    private live(key: string): Entry | undefined {
        const e = this.entries.get(key);
        if (e && e.expireAt !== 0 && this.now() >= e.expireAt) {
            this.entries.delete(key);
            return undefined;
        }
        return e;
    }

    private write(client: string, op: KVOp, key: string, value: Uint8Array | null, expireInSeconds: number | undefined): void {
        const expireAt = expireInSeconds && expireInSeconds > 0 ? this.now() + expireInSeconds * 1000 : 0;
        if (value === null || value.length === 0) {
            this.entries.delete(key);
            this.history.push({client, op, key, value: null, expireAt: 0, at: this.now()});
        } else {
            this.entries.set(key, {value: new Uint8Array(value), expireAt});
            this.history.push({client, op, key, value: new Uint8Array(value), expireAt, at: this.now()});
        }
    }

    private async run<T>(call: KVCall, apply: () => T, conditional = false): Promise<T> {
        this.calls.push(call);
        if (call.key === '' || [...call.key].length > KEY_MAX_RUNES) {
            throw new FakeKVError(`invalid key ${JSON.stringify(call.key)}`);
        }
        const before = this.latency?.(call, 'request') ?? 0;
        if (before > 0) {
            await sleep(before);
        }
        for (const h of this.holds) {
            if (h.remaining > 0 && matches(h.match, call)) {
                h.remaining--;
                if (!h.released) {
                    await new Promise<void>((resolve) => {
                        h.waiting.push(resolve);
                        h.arrivedResolve();
                    });
                }
                break;
            }
        }
        const fault = this.faults.find((f) => f.remaining > 0 && matches(f, call) && (f.kind !== 'conflict' || conditional));
        if (fault) {
            fault.remaining--;
        }
        if (fault?.kind === 'conflict') {
            return false as T;
        }
        if (fault && fault.kind !== 'after') {
            throw fault.error ?? new FakeKVError(`injected failure: ${call.op} ${call.key}`);
        }
        const result = apply();
        if (fault) {
            throw fault.error ?? new FakeKVError(`injected failure after commit: ${call.op} ${call.key}`);
        }
        const after = this.latency?.(call, 'response') ?? 0;
        if (after > 0) {
            await sleep(after);
        }
        return result;
    }
}

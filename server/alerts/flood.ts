// At most N alert DMs per user per minute, across every server of the cluster.
//
// KV layout:
//   tw1:fl:<userId>:<minute>  decimal count of DMs admitted in that minute (minute = floor(epoch ms / 60 000)),
//                             expires after 120 s. A fixed window: up to 2N DMs can fall within 60 s that
//                             straddle a minute boundary; that is the accepted trade-off for one small key.
//   tw1:sup:<userId>          decimal count of alerts held back since the last DM, expires 1 day after the
//                             last increment (a user who got nothing for a day does not care about the count).
//
// Both counters change only by compare-and-set against the bytes read, so two servers can never both see
// "N-1" and both send the Nth+1 DM, and no suppressed alert is counted twice or lost. The suppressed
// counter is read and reset in one step with compareAndDelete when a DM is admitted.
import type {KVStore} from './kv.js';
import {
    ConflictError,
    KEY_PREFIX,
    assertId,
    backoffDelay,
    decodeText,
    kvCall,
    sleep,
} from './store.js';

export const FLOOD_WINDOW_MS = 60_000;
export const FLOOD_KEY_TTL_SECONDS = 120;
export const SUPPRESSED_TTL_SECONDS = 24 * 60 * 60;

export const floodKey = (userId: string, minute: number): string => `${KEY_PREFIX}fl:${userId}:${minute}`;
export const suppressedKey = (userId: string): string => `${KEY_PREFIX}sup:${userId}`;

export interface FloodControlOptions {
    /** Compare-and-set retries after the first attempt before ConflictError (default 20). */
    maxRetries?: number;
    /** Backoff between retries, as for WordStore (default 2 / 100 ms). */
    backoffMs?: {base: number; max: number};
}

function parseCount(raw: Uint8Array | null): number {
    if (raw === null) {
        return 0;
    }
    const text = decodeText(raw);
    return /^\d{1,15}$/.test(text) ? Number(text) : 0;
}

export class FloodControl {
    private readonly kv: KVStore;
    private readonly now: () => number;
    private readonly maxRetries: number;
    private readonly backoff: {base: number; max: number};

    constructor(kv: KVStore, now: () => number = Date.now, options: FloodControlOptions = {}) {
        this.kv = kv;
        this.now = now;
        this.maxRetries = Math.max(0, Math.floor(options.maxRetries ?? 20));
        this.backoff = options.backoffMs ?? {base: 2, max: 100};
    }

    /**
     * Call before sending an alert DM.
     * allowed=false: don't send; the suppressed counter was incremented (`suppressed` is its new value).
     * allowed=true: send, and include `suppressed` (alerts held back since the last DM, now reset to 0).
     *
     * A limit below 1 suppresses every alert; Infinity admits every alert (and still reports and resets the
     * suppressed count). Throws StoreUnavailableError when the KV fails before admission, ConflictError when
     * the compare-and-set loop keeps losing. Once admitted, a failure reading/resetting the suppressed
     * counter does not withdraw the admission: the DM reports 0 and the count is reported by a later DM.
     */
    async admit(userId: string, limitPerMinute: number): Promise<{allowed: boolean; suppressed: number}> {
        assertId('user', userId);
        const limit = Number.isNaN(limitPerMinute) ? 0 : Math.floor(limitPerMinute);
        if (limit < 1 || !(await this.take(userId, limit))) {
            return {allowed: false, suppressed: await this.incrementSuppressed(userId)};
        }
        let suppressed = 0;
        try {
            suppressed = await this.takeSuppressed(userId);
        } catch {
            // admitted anyway (see above)
        }
        return {allowed: true, suppressed};
    }

    /** Count one DM in the current minute if that keeps the count within the limit. */
    private async take(userId: string, limit: number): Promise<boolean> {
        if (limit === Infinity) {
            return true;
        }
        const key = floodKey(userId, Math.floor(this.now() / FLOOD_WINDOW_MS));
        for (let attempt = 0; ; attempt++) {
            const raw = await kvCall('read flood counter', () => this.kv.get(key));
            const count = parseCount(raw);
            if (count >= limit) {
                return false;
            }
            const ok = await kvCall('write flood counter', () =>
                this.kv.compareAndSet(key, raw, String(count + 1), {expireInSeconds: FLOOD_KEY_TTL_SECONDS}));
            if (ok) {
                return true;
            }
            await this.retryPause(attempt, 'flood counter');
        }
    }

    private async incrementSuppressed(userId: string): Promise<number> {
        const key = suppressedKey(userId);
        for (let attempt = 0; ; attempt++) {
            const raw = await kvCall('read suppressed counter', () => this.kv.get(key));
            const next = parseCount(raw) + 1;
            const ok = await kvCall('write suppressed counter', () =>
                this.kv.compareAndSet(key, raw, String(next), {expireInSeconds: SUPPRESSED_TTL_SECONDS}));
            if (ok) {
                return next;
            }
            await this.retryPause(attempt, 'suppressed counter');
        }
    }

    /** Read and reset the suppressed counter atomically. */
    private async takeSuppressed(userId: string): Promise<number> {
        const key = suppressedKey(userId);
        for (let attempt = 0; ; attempt++) {
            const raw = await kvCall('read suppressed counter', () => this.kv.get(key));
            if (raw === null) {
                return 0;
            }
            if (await kvCall('reset suppressed counter', () => this.kv.compareAndDelete(key, raw))) {
                return parseCount(raw);
            }
            await this.retryPause(attempt, 'suppressed counter');
        }
    }

    private async retryPause(attempt: number, what: string): Promise<void> {
        if (attempt >= this.maxRetries) {
            throw new ConflictError(`${what}: still conflicting after ${attempt + 1} attempts`);
        }
        await sleep(backoffDelay(attempt, this.backoff.base, this.backoff.max));
    }
}

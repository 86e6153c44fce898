// A counter in the plugin's KV store that every server of a cluster shares. Each server runs its own plugin
// process, so "read, add one, write" would lose a count whenever two servers greet at once; compare-and-set
// writes only if nobody wrote in between, and otherwise we read again and retry.
import type {PluginAPI} from 'mattermost-plugin-node';

export type CounterStore = Pick<PluginAPI, 'kvGet' | 'kvCompareAndSet'>;

const MAX_ATTEMPTS = 100;

export class CounterContentionError extends Error {
    override readonly name = 'CounterContentionError';
}

/** The counter's value (0 before the first increment). */
export async function readCounter(kv: CounterStore, key: string): Promise<number> {
    return valueOf(await kv.kvGet(key));
}

/** Adds one and returns the new value, which no other increment on any server returns. */
export async function incrementCounter(kv: CounterStore, key: string): Promise<number> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const current = await kv.kvGet(key);
        const next = valueOf(current) + 1;
        // A null old value means "only if the key does not exist yet".
        if (await kv.kvCompareAndSet(key, current, String(next))) {
            return next;
        }
    }
    throw new CounterContentionError(`counter ${key}: still contended after ${MAX_ATTEMPTS} attempts`);
}

function valueOf(stored: Uint8Array | null): number {
    const n = stored ? Number(Buffer.from(stored).toString('utf8')) : 0;
    return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

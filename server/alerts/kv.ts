// The slice of the plugin KV store the alerts app needs. Every server of a cluster sees the same store;
// compareAndSet is the only way two servers agree on an update without losing one.
import type {PluginAPI} from 'mattermost-plugin-node';

export interface KVStore {
    get(key: string): Promise<Uint8Array | null>;
    set(key: string, value: Uint8Array | string, options?: {expireInSeconds?: number}): Promise<void>;
    /**
     * Writes `value` only if the stored value is byte-equal to `oldValue` (null: only if the key is absent).
     * Resolves false when someone else changed it first.
     */
    compareAndSet(key: string, oldValue: Uint8Array | null, value: Uint8Array | string, options?: {expireInSeconds?: number}): Promise<boolean>;
    compareAndDelete(key: string, oldValue: Uint8Array): Promise<boolean>;
    delete(key: string): Promise<void>;
}

/** The KV store of the Mattermost plugin API. */
export function pluginKV(api: PluginAPI): KVStore {
    return {
        get: (key) => api.kvGet(key),
        set: async (key, value, options) => {
            if (options?.expireInSeconds) {
                await api.kvSetWithExpiry(key, value, options.expireInSeconds);
            } else {
                await api.kvSet(key, value);
            }
        },
        compareAndSet: (key, oldValue, value, options) =>
            api.kvSetWithOptions(key, value, {atomic: true, oldValue, expireInSeconds: options?.expireInSeconds ?? 0}),
        compareAndDelete: (key, oldValue) => api.kvCompareAndDelete(key, oldValue),
        delete: (key) => api.kvDelete(key),
    };
}

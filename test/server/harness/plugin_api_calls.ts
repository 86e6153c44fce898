// The plugin's own count of its API calls on one server (GET /plugins/trigger-alerts/debug/api-calls, system
// admins only; server/alerts/api_calls_route.ts): read it before and after some posts to know what they cost
// in round trips to the server. Each server of a cluster runs its own plugin process with its own figures.

const PLUGIN_ID = 'trigger-alerts';

export interface PluginApiCalls {
    pid: number;
    total: number;
    byMethod: Record<string, number>;
}

export class PluginApiCallsError extends Error {
    override name = 'PluginApiCallsError';
}

/** The figures of the plugin process of the server at `serverUrl`, read with an admin's session token. */
export async function readPluginApiCalls(serverUrl: string, adminToken: string): Promise<PluginApiCalls> {
    const res = await fetch(`${serverUrl}/plugins/${PLUGIN_ID}/debug/api-calls`, {
        headers: {Authorization: `Bearer ${adminToken}`, 'X-Requested-With': 'XMLHttpRequest'},
        signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (res.status !== 200) {
        throw new PluginApiCallsError(`GET debug/api-calls answered ${res.status}: ${text}`);
    }
    const body = JSON.parse(text) as {pid: number; total: number; by_method: Record<string, number>};
    return {pid: body.pid, total: body.total, byMethod: body.by_method};
}

/** What happened between two readings of the same process, by method (methods not called left out). */
export function callsBetween(before: PluginApiCalls, after: PluginApiCalls): Record<string, number> {
    if (before.pid !== after.pid) {
        throw new PluginApiCallsError(`the plugin process changed between the readings (${before.pid} -> ${after.pid})`);
    }
    const out: Record<string, number> = {};
    for (const [method, n] of Object.entries(after.byMethod)) {
        const d = n - (before.byMethod[method] ?? 0);
        if (d !== 0) {
            out[method] = d;
        }
    }
    return out;
}

export function sumOf(calls: Record<string, number>): number {
    return Object.values(calls).reduce((a, b) => a + b, 0);
}

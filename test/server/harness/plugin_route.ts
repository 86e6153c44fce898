// Requests to a plugin's HTTP routes (<site>/plugins/<id>/...) with exactly the headers a test gives: a
// bearer token, a browser's cookies and CSRF header, none, or forged ones. Raw fetch, so that every status
// and header choice is the test's own (Client4 adds its own headers and retries nothing, but hides bodies).
export interface RouteAnswer {
    status: number;
    /** The parsed JSON body, or the text when it is not JSON. */
    body: unknown;
}

export async function pluginRoute(
    serverUrl: string,
    pluginId: string,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    route: string,
    o: {headers?: Record<string, string>; json?: unknown} = {},
): Promise<RouteAnswer> {
    const res = await fetch(`${serverUrl}/plugins/${pluginId}${route}`, {
        method,
        headers: {...(o.json === undefined ? {} : {'Content-Type': 'application/json'}), ...o.headers},
        body: o.json === undefined ? undefined : JSON.stringify(o.json),
        signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    try {
        return {status: res.status, body: JSON.parse(text) as unknown};
    } catch {
        return {status: res.status, body: text};
    }
}

export const bearer = (token: string): Record<string, string> => ({Authorization: `Bearer ${token}`});

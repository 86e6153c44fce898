// A user's browser session: what the web app holds after signing in (the MMAUTHTOKEN session cookie, the
// MMUSERID cookie and the MMCSRF cookie whose value the web app sends back as X-CSRF-Token), obtained by the
// same login request the web app makes.
export class BrowserSessionError extends Error {
    override name = 'BrowserSessionError';
}

export interface BrowserSession {
    /** The Cookie header a browser sends to the server. */
    cookie: string;
    /** The MMCSRF cookie's value: the web app's X-CSRF-Token. */
    csrf: string;
    /** The session token inside MMAUTHTOKEN. */
    token: string;
}

export async function browserLogin(serverUrl: string, loginId: string, password: string): Promise<BrowserSession> {
    const res = await fetch(`${serverUrl}/api/v4/users/login`, {
        method: 'POST',
        headers: {'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest'},
        body: JSON.stringify({login_id: loginId, password}),
        signal: AbortSignal.timeout(30_000),
    });
    if (!res.ok) {
        throw new BrowserSessionError(`login of ${loginId}: ${res.status} ${await res.text()}`);
    }
    const jar = new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
        const pair = line.split(';')[0] ?? '';
        const eq = pair.indexOf('=');
        if (eq > 0) {
            jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
        }
    }
    const token = jar.get('MMAUTHTOKEN');
    const csrf = jar.get('MMCSRF');
    if (!token || !csrf) {
        throw new BrowserSessionError(`login of ${loginId} set no MMAUTHTOKEN/MMCSRF cookies (got ${[...jar.keys()].join(', ') || 'none'})`);
    }
    return {cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), csrf, token};
}

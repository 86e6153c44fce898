// `fetch` at the boundary: plays the Mattermost server (session checks, /plugins/<id> routing, the
// Mattermost-User-Id header) in front of the in-memory API.md fake, and records every request.
import {vi} from 'vitest';

import {checkSession, createFakeBackend, DEMO_CHANNELS, DEMO_USER, type FakeBackend} from '../../e2e/fake-backend.mjs';

/** A site URL with a subpath, as Mattermost allows. */
export const SITE_URL = 'http://chat.example.test/mm';
export const PLUGIN_PREFIX = '/mm/plugins/trigger-alerts';
export const CSRF_TOKEN = 'csrf-from-cookie-42';
export const USER = DEMO_USER;
export const TOWN = DEMO_CHANNELS[0]!.id;
export const INCIDENTS = DEMO_CHANNELS[1]!.id;
export const SECRET = DEMO_CHANNELS[2]!.id;

export interface RecordedRequest {
    method: string;
    url: string;
    headers: Record<string, string>;
    credentials: RequestCredentials | undefined;
    body: unknown;
    status?: number;
    response?: unknown;
}

export interface FakeApi {
    backend: FakeBackend;
    requests: RecordedRequest[];
    /** requests other than GETs */
    writes(): RecordedRequest[];
    /** Holds every answer until the returned function is called. */
    hold(): () => void;
}

function lowerHeaders(h: HeadersInit | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    new Headers(h).forEach((value, key) => {
        out[key.toLowerCase()] = value;
    });
    return out;
}

export function installFakeApi(options: {maxWords?: number; maxLength?: number} = {}): FakeApi {
    const backend = createFakeBackend({channels: DEMO_CHANNELS, maxWords: options.maxWords ?? 5, maxLength: options.maxLength ?? 64});
    const requests: RecordedRequest[] = [];
    let gate: Promise<void> | null = null;

    document.cookie = `MMCSRF=${CSRF_TOKEN}; path=/`;

    const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
        const url = new URL(String(input));
        const method = (init.method ?? 'GET').toUpperCase();
        const headers = lowerHeaders(init.headers);
        const bodyText = typeof init.body === 'string' ? init.body : undefined;
        const rec: RecordedRequest = {
            method,
            url: String(input),
            headers,
            credentials: init.credentials,
            body: bodyText === undefined ? undefined : JSON.parse(bodyText),
        };
        requests.push(rec);
        if (gate) {
            await gate;
        }
        let status: number;
        let body: unknown;
        if (url.origin + '/mm' !== SITE_URL || !url.pathname.startsWith(PLUGIN_PREFIX + '/')) {
            status = 404;
            body = {error: 'no such route on this site'};
        } else if (init.credentials !== 'include') {
            status = 401;
            body = {error: 'no session cookie sent'};
        } else {
            const denied = checkSession({method, headers, csrfToken: CSRF_TOKEN});
            const res = denied ?? backend.handle({
                method,
                path: url.pathname.slice(PLUGIN_PREFIX.length),
                headers: {...headers, 'mattermost-user-id': USER},
                body: bodyText,
            });
            status = res.status;
            body = res.body;
        }
        rec.status = status;
        rec.response = body;
        return new Response(JSON.stringify(body), {status, headers: {'Content-Type': 'application/json'}});
    });
    vi.stubGlobal('fetch', fetchMock);

    return {
        backend,
        requests,
        writes: () => requests.filter((r) => r.method !== 'GET'),
        hold() {
            let release!: () => void;
            gate = new Promise<void>((resolve) => {
                release = resolve;
            });
            return () => {
                gate = null;
                release();
            };
        },
    };
}

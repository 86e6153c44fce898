// The plugin's HTTP API (server/alerts/API.md), called the way Mattermost's own webapp calls its server:
// fetch options (session cookie, X-Requested-With, CSRF header on writes) come from Client4.getOptions.
// lib/client4 rather than the package index, which would add the websocket client to the bundle.
import * as client4Module from '@mattermost/client/lib/client4';

import {PLUGIN_ID} from './plugin_id';

export type Word = string;

export interface ChannelWords {
    channel_id: string;
    words: Word[];
    snoozed_until: number | null;
    limits: {max_words: number; max_length: number};
}

export interface ChannelWordsSummary {
    channel_id: string;
    channel_name: string;
    display_name: string;
    team_id: string;
    team_name: string;
    words: Word[];
}

export type SnoozeDuration = '1h' | '8h' | 'tomorrow' | 'off';

export interface ErrorDetail {
    path: Array<string | number>;
    message: string;
}

/** A failed call: `status` 0 means the request never got an HTTP answer. */
export class ApiError extends Error {
    readonly status: number;
    readonly serverMessage: string | undefined;
    readonly details: ErrorDetail[];

    constructor(status: number, serverMessage?: string, details: ErrorDetail[] = []) {
        super(serverMessage ?? `HTTP ${status}`);
        this.name = 'ApiError';
        this.status = status;
        this.serverMessage = serverMessage;
        this.details = details;
    }
}

export interface TriggerWordsApi {
    getChannelWords(channelId: string): Promise<ChannelWords>;
    addWord(channelId: string, word: Word): Promise<ChannelWords>;
    removeWord(channelId: string, word: Word): Promise<ChannelWords>;
    snooze(channelId: string, duration: SnoozeDuration): Promise<ChannelWords>;
    getAllWords(): Promise<ChannelWordsSummary[]>;
}

type Client4 = InstanceType<typeof client4Module.default>;

/**
 * Client4 is a CommonJS `exports.default`. Bundled from this package (which is "type": "module"), esbuild
 * follows Node's rule and hands over `module.exports` as the default; under Vitest the default is the class.
 * Take whichever is the constructor.
 */
function newClient4(): Client4 {
    const d = (client4Module as {default: unknown}).default;
    const Ctor = (typeof d === 'function' ? d : (d as {default: unknown}).default) as new () => Client4;
    return new Ctor();
}

type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

interface GetOptions {
    getOptions(options: RequestInit): RequestInit;
}

function parseError(status: number, body: unknown): ApiError {
    if (body && typeof body === 'object') {
        const b = body as {error?: unknown; details?: unknown};
        const message = typeof b.error === 'string' ? b.error : undefined;
        const details = Array.isArray(b.details) ? b.details.filter((d): d is ErrorDetail =>
            Boolean(d) && typeof (d as ErrorDetail).message === 'string') : [];
        return new ApiError(status, message, details);
    }
    return new ApiError(status);
}

/**
 * @param getSiteURL the host's configured site URL, read on every call (it is in the Redux store)
 * @param client anything with Client4's getOptions; a fresh Client4 reads the CSRF token from the MMCSRF cookie
 * @param fetchFn injectable for tests; defaults to the global fetch at call time
 */
export function createApi(
    getSiteURL: () => string,
    client: GetOptions = newClient4(),
    fetchFn: FetchFn = (input, init) => fetch(input, init),
): TriggerWordsApi {
    const base = () => {
        let site = getSiteURL();
        if (!site && typeof window !== 'undefined') {
            site = window.location.origin;
        }
        return `${site.replace(/\/+$/, '')}/plugins/${encodeURIComponent(PLUGIN_ID)}/api/v1`;
    };

    async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
        const init: RequestInit = {method};
        if (body !== undefined) {
            init.body = JSON.stringify(body);
        }
        let response: Response;
        try {
            response = await fetchFn(base() + path, client.getOptions(init));
        } catch {
            throw new ApiError(0);
        }
        let parsed: unknown;
        const text = await response.text().catch(() => '');
        if (text) {
            try {
                parsed = JSON.parse(text);
            } catch {
                parsed = undefined;
            }
        }
        if (!response.ok) {
            throw parseError(response.status, parsed);
        }
        return parsed as T;
    }

    const channel = (id: string) => `/channels/${encodeURIComponent(id)}`;

    return {
        getChannelWords: (channelId) => request('GET', `${channel(channelId)}/words`),
        addWord: (channelId, word) => request('POST', `${channel(channelId)}/words`, {word}),
        removeWord: (channelId, word) => request('DELETE', `${channel(channelId)}/words/${encodeURIComponent(word)}`),
        snooze: (channelId, duration) => request('PUT', `${channel(channelId)}/snooze`, {duration}),
        getAllWords: async () => (await request<{channels: ChannelWordsSummary[]}>('GET', '/words')).channels,
    };
}

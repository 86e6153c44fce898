// The plugin's trigger words HTTP API (server/alerts/API.md) as one user sees it through one server of the
// cluster. Raw fetch rather than Client4: fault tests need every status, including the server's own 500
// when the plugin process is gone, and must never retry behind the test's back.
export interface ChannelWords {
    channel_id: string;
    words: string[];
    snoozed_until: number | null;
    limits: {max_words: number; max_length: number};
}

export interface ApiAnswer {
    status: number;
    /** The parsed JSON body, or the text when it is not JSON (the server answers plain text for a dead plugin). */
    body: unknown;
}

export class TriggerWordsApiError extends Error {
    override name = 'TriggerWordsApiError';
}

const PLUGIN_ID = 'trigger-alerts';

export class TriggerWordsApi {
    /** `serverUrl`: one server of the cluster; `token`: the user's session (sessions live in the shared database). */
    constructor(readonly serverUrl: string, private readonly token: string, private readonly timeoutMs = 30_000) {}

    async request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', route: string, body?: unknown): Promise<ApiAnswer> {
        const res = await fetch(`${this.serverUrl}/plugins/${PLUGIN_ID}/api/v1${route}`, {
            method,
            headers: {
                Authorization: `Bearer ${this.token}`,
                'X-Requested-With': 'XMLHttpRequest',
                ...(body === undefined ? {} : {'Content-Type': 'application/json'}),
            },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(this.timeoutMs),
        });
        const text = await res.text();
        let parsed: unknown = text;
        try {
            parsed = JSON.parse(text);
        } catch {
            // keep the text
        }
        return {status: res.status, body: parsed};
    }

    /** POST one word; the raw answer (the caller decides what a non-2xx means). */
    add(channelId: string, word: string): Promise<ApiAnswer> {
        return this.request('POST', `/channels/${channelId}/words`, {word});
    }

    /** PUT (replace) the caller's words; throws unless 200. */
    async replace(channelId: string, words: string[]): Promise<ChannelWords> {
        return expectOk(await this.request('PUT', `/channels/${channelId}/words`, {words}), `PUT words in ${channelId}`);
    }

    /** The caller's words in the channel; throws unless 200. */
    async words(channelId: string): Promise<string[]> {
        return expectOk(await this.request('GET', `/channels/${channelId}/words`), `GET words of ${channelId}`).words;
    }
}

function expectOk(a: ApiAnswer, what: string): ChannelWords {
    if (a.status !== 200) {
        throw new TriggerWordsApiError(`${what}: ${a.status} ${JSON.stringify(a.body)}`);
    }
    return a.body as ChannelWords;
}

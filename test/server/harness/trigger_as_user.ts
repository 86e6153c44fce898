// One user's side of the plugin: its HTTP API (server/alerts/API.md) with that user's token, and the
// /trigger command. Both go through the real server, which authenticates the token and hands the plugin
// the caller as Mattermost-User-Id.
import type {Client4} from '@mattermost/client';
import type {CommandResponse} from '@mattermost/types/integrations';

/** ChannelWords as API.md documents it (written out here so a change of the contract fails these tests). */
export interface ChannelWords {
    channel_id: string;
    words: string[];
    snoozed_until: number | null;
    limits: {max_words: number; max_length: number};
}

export interface ApiAnswer {
    status: number;
    /** Parsed JSON, or the text when the answer is not JSON. */
    body: unknown;
}

export class TriggerAsUserError extends Error {
    override name = 'TriggerAsUserError';
}

export class TriggerAsUser {
    constructor(private readonly serverUrl: string, private readonly token: string, private readonly pluginId = 'trigger-alerts') {}

    async request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<ApiAnswer> {
        const res = await fetch(`${this.serverUrl}/plugins/${this.pluginId}/api/v1${path}`, {
            method,
            headers: {Authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : {'Content-Type': 'application/json'})},
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(20_000),
        });
        const text = await res.text();
        let parsed: unknown = text;
        try {
            parsed = JSON.parse(text);
        } catch {
            // not JSON: a test asserting on the body sees the text
        }
        return {status: res.status, body: parsed};
    }

    /** The answer of a call that must succeed; anything else throws with the plugin's error text. */
    private async ok(expected: number, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<ChannelWords> {
        const a = await this.request(method, path, body);
        if (a.status !== expected) {
            throw new TriggerAsUserError(`${method} ${path}: ${a.status} ${JSON.stringify(a.body)} (expected ${expected})`);
        }
        return a.body as ChannelWords;
    }

    getWords(channelId: string): Promise<ChannelWords> {
        return this.ok(200, 'GET', `/channels/${channelId}/words`);
    }

    setWords(channelId: string, words: string[]): Promise<ChannelWords> {
        return this.ok(200, 'PUT', `/channels/${channelId}/words`, {words});
    }

    addWord(channelId: string, word: string): Promise<ChannelWords> {
        return this.ok(201, 'POST', `/channels/${channelId}/words`, {word});
    }

    snooze(channelId: string, duration: '1h' | '8h' | 'tomorrow' | 'off'): Promise<ChannelWords> {
        return this.ok(200, 'PUT', `/channels/${channelId}/snooze`, {duration});
    }
}

/** Runs `/trigger <args>` in a channel as a client would (POST /api/v4/commands/execute). */
export function runTrigger(client: Client4, channelId: string, teamId: string, args: string): Promise<CommandResponse> {
    return client.executeCommand(`/trigger ${args}`, {channel_id: channelId, team_id: teamId});
}

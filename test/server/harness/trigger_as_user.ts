// One user's side of the plugin: its HTTP API (server/alerts/API.md) with that user's token, as calls that
// must succeed, and the /trigger command. Both go through the real server, which authenticates the token and
// hands the plugin the caller as Mattermost-User-Id.
import type {Client4} from '@mattermost/client';
import type {CommandResponse} from '@mattermost/types/integrations';

import {TriggerWordsApi, TriggerWordsApiError, type ChannelWords} from './trigger_words_api.js';

export type {ApiAnswer, ChannelWords} from './trigger_words_api.js';

export class TriggerAsUser extends TriggerWordsApi {
    constructor(serverUrl: string, token: string) {
        super(serverUrl, token, 20_000);
    }

    /** The answer of a call that must succeed; anything else throws with the plugin's error text. */
    private async ok(expected: number, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<ChannelWords> {
        const a = await this.request(method, path, body);
        if (a.status !== expected) {
            throw new TriggerWordsApiError(`${method} ${path}: ${a.status} ${JSON.stringify(a.body)} (expected ${expected})`);
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

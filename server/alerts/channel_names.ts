// What an alert says about where a post was: the channel's names and type and its team's name. They change
// only when someone renames the channel or team, so each server keeps them for a minute instead of asking
// the server twice for every post that alerts; a rename shows in alerts within that minute. (Who may read
// the channel is never taken from here: membership is checked for every post.)
import type {AlertsHost} from './host.js';

export interface ChannelNames {
    name: string;
    display_name: string;
    type: string;
    /** undefined: no team (DMs, group messages) or the team could not be read (the permalink still works). */
    teamName: string | undefined;
}

interface Entry {
    at: number;
    value: Promise<ChannelNames>;
}

export interface ChannelNamesOptions {
    /** How long a channel's names are used before being read again (default 60 s). */
    ttlMs?: number;
    /** Channels kept (LRU, default 1000). */
    size?: number;
    now?: () => number;
}

export class ChannelNamesCache {
    private readonly ttlMs: number;
    private readonly size: number;
    private readonly now: () => number;
    private readonly entries = new Map<string, Entry>();

    constructor(
        private readonly host: AlertsHost,
        options: ChannelNamesOptions = {},
    ) {
        this.ttlMs = options.ttlMs ?? 60_000;
        this.size = Math.max(1, options.size ?? 1000);
        this.now = options.now ?? Date.now;
    }

    /** The channel's names; throws what GetChannel throws (a post in a channel the server cannot find). */
    get(channelId: string): Promise<ChannelNames> {
        const now = this.now();
        const cached = this.entries.get(channelId);
        if (cached && now - cached.at < this.ttlMs) {
            return cached.value;
        }
        // Concurrent posts in one channel share one lookup; a lookup that failed, even in part, is not kept.
        const loaded = this.load(channelId);
        const value = loaded.then((l) => l.names);
        const entry = {at: now, value};
        this.entries.delete(channelId);
        this.entries.set(channelId, entry);
        while (this.entries.size > this.size) {
            this.entries.delete(this.entries.keys().next().value as string);
        }
        const forget = (): void => {
            if (this.entries.get(channelId) === entry) {
                this.entries.delete(channelId);
            }
        };
        loaded.then((l) => l.complete || forget(), forget);
        return value;
    }

    private async load(channelId: string): Promise<{names: ChannelNames; complete: boolean}> {
        const channel = await this.host.getChannel(channelId);
        let teamName: string | undefined;
        let complete = true;
        if (channel.team_id) {
            teamName = await this.host.getTeam(channel.team_id).then((t) => t.name, () => {
                complete = false;
                return undefined;
            });
        }
        return {names: {name: channel.name, display_name: channel.display_name, type: channel.type, teamName}, complete};
    }
}

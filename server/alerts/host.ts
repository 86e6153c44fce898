// What the alerts app asks of Mattermost: the plugin API methods it uses, as an interface so the app can
// be tested against a fake and knows nothing of the RPC underneath. alertsHost(PluginAPI) implements it.
import type {Channel, ChannelMembership} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';
import type {Team} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';

import {AppError} from 'mattermost-plugin-node';

export interface AlertsHost {
    getUser(userId: string): Promise<UserProfile>;
    /** The known users among `userIds`, in any order: one round trip for all the recipients of a post. */
    getUsersByIds(userIds: string[]): Promise<UserProfile[]>;
    getChannel(channelId: string): Promise<Channel>;
    getChannelMember(channelId: string, userId: string): Promise<ChannelMembership>;
    /** The memberships of those of `userIds` who are members now, in any order. */
    getChannelMembersByIds(channelId: string, userIds: string[]): Promise<ChannelMembership[]>;
    getTeam(teamId: string): Promise<Team>;
    getDirectChannel(userId1: string, userId2: string): Promise<Channel>;
    createPost(post: Partial<Post>): Promise<Post>;
}

/** A host whose model results may be null: the plugin API types a nil Go pointer that way. */
export type NullableHost = {
    [K in keyof AlertsHost]: AlertsHost[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<R | null> : never;
};

/**
 * The plugin API as the app's host. The server answers these methods with a model or an error, never
 * neither; if it ever did, the call fails here rather than deep in the app.
 */
export function alertsHost(api: NullableHost): AlertsHost {
    const need = <T>(method: string, value: T | null): T => {
        if (value === null) {
            throw new Error(`${method} returned no model and no error`);
        }
        return value;
    };
    return {
        getUser: async (userId) => need('GetUser', await api.getUser(userId)),
        getUsersByIds: async (userIds) => (await api.getUsersByIds(userIds)) ?? [],
        getChannel: async (channelId) => need('GetChannel', await api.getChannel(channelId)),
        getChannelMember: async (channelId, userId) => need('GetChannelMember', await api.getChannelMember(channelId, userId)),
        getChannelMembersByIds: async (channelId, userIds) => (await api.getChannelMembersByIds(channelId, userIds)) ?? [],
        getTeam: async (teamId) => need('GetTeam', await api.getTeam(teamId)),
        getDirectChannel: async (userId1, userId2) => need('GetDirectChannel', await api.getDirectChannel(userId1, userId2)),
        createPost: async (post) => need('CreatePost', await api.createPost(post)),
    };
}

export function isNotFound(err: unknown): boolean {
    return err instanceof AppError && err.statusCode === 404;
}

/** Whether the user can read the channel right now (a 404 from the server means "not a member"). */
export async function isChannelMember(host: AlertsHost, channelId: string, userId: string): Promise<boolean> {
    try {
        await host.getChannelMember(channelId, userId);
        return true;
    } catch (err) {
        if (isNotFound(err)) {
            return false;
        }
        throw err;
    }
}

/** The timezone a user sees, as Mattermost stores it ('' when unset). */
export function userTimeZone(user: UserProfile): string {
    const tz = user.timezone;
    if (!tz) {
        return '';
    }
    return String(tz.useAutomaticTimezone) === 'true' ? tz.automaticTimezone : tz.manualTimezone;
}

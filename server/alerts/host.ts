// What the alerts app asks of Mattermost: the plugin API methods it uses, as an interface so the app can
// be tested against a fake and knows nothing of the RPC underneath. PluginAPI satisfies it as is.
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

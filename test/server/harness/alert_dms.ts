// A user's direct messages from the plugin's bot, read over the REST API the way a client would: the direct
// channel between the two (found by its name, so reading never creates it and never races the bot creating
// it) and its posts. Every post the bot writes there is an alert naming the post it is about
// (props.trigger_alert.post_id).
import {setTimeout as sleep} from 'node:timers/promises';

import type {Client4} from '@mattermost/client';
import type {Channel} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';

import {eventually} from './world.js';

/** Mattermost names a direct channel after its two user ids, sorted, joined by "__". */
export function directChannelName(userId1: string, userId2: string): string {
    return [userId1, userId2].sort().join('__');
}

function statusOf(err: unknown): number | undefined {
    const status = (err as {status_code?: unknown} | null)?.status_code;
    return typeof status === 'number' ? status : undefined;
}

/**
 * Retries a read that answers 403 while the bot is still creating the direct channel (its first read can
 * be refused for a few milliseconds, as the fixture's README says); any other error is thrown at once.
 */
async function readingNewChannel<T>(read: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
        try {
            return await read();
        } catch (err) {
            if (statusOf(err) !== 403 || attempt >= 20) {
                throw err;
            }
            await sleep(100);
        }
    }
}

/**
 * Every post of the direct channel between `userId` and `botId`, oldest first; [] when that channel does
 * not exist (the bot never wrote). `reader` is the user, or a system admin for a user who cannot log in.
 * A direct channel has no team, but the lookup by name needs one the reader belongs to: the server also
 * finds team-less channels under any team.
 */
export async function directMessages(reader: Client4, teamId: string, userId: string, botId: string): Promise<Post[]> {
    let channel: Channel;
    try {
        channel = await readingNewChannel(() => reader.getChannelByName(teamId, directChannelName(userId, botId)));
    } catch (err) {
        if (statusOf(err) === 404) {
            return [];
        }
        throw err;
    }
    const list = await readingNewChannel(() => reader.getPosts(channel.id, 0, 200));
    return list.order.map((id) => list.posts[id]!).sort((a, b) => a.create_at - b.create_at);
}

/** Waits until there are at least `count` DMs and returns all of them (the caller asserts the exact number). */
export async function waitForDirectMessages(
    reader: Client4, teamId: string, userId: string, botId: string, count: number, timeoutMs = 30_000,
): Promise<Post[]> {
    return eventually(async () => {
        const posts = await directMessages(reader, teamId, userId, botId);
        return posts.length >= count ? posts : undefined;
    }, `${count} direct message(s) from the bot to ${userId}`, timeoutMs);
}

export interface AlertDm {
    /** The DM post's id. */
    id: string;
    /** The post the alert is about. */
    postId: string;
    words: string[];
    message: string;
}

/** The alert a post of the bot's carries; the bot writes nothing else, so a post without one is an error. */
function alertIn(dm: Post): AlertDm {
    const props = (dm.props as {trigger_alert?: {post_id?: unknown; words?: unknown}} | undefined)?.trigger_alert;
    if (!props || typeof props.post_id !== 'string' || !Array.isArray(props.words)) {
        throw new Error(`a post of the bot's that is not an alert: ${JSON.stringify(dm)}`);
    }
    return {id: dm.id, postId: props.post_id, words: props.words.map(String), message: dm.message};
}

/** Every alert the bot has sent `userId`, oldest first (posts of anyone else in that channel left out). */
export async function alertDms(reader: Client4, teamId: string, userId: string, botId: string): Promise<AlertDm[]> {
    return (await directMessages(reader, teamId, userId, botId)).filter((p) => p.user_id === botId).map(alertIn);
}

/** The alerts about one post. */
export async function alertsAbout(reader: Client4, teamId: string, userId: string, botId: string, postId: string): Promise<AlertDm[]> {
    return (await alertDms(reader, teamId, userId, botId)).filter((a) => a.postId === postId);
}

/** Waits for the first alert about `postId` (the bot sends it from the hook, after the post was answered). */
export async function waitForAlert(
    reader: Client4, teamId: string, userId: string, botId: string, postId: string, timeoutMs = 30_000,
): Promise<AlertDm> {
    return eventually(async () => (await alertsAbout(reader, teamId, userId, botId, postId))[0], `an alert about post ${postId}`, timeoutMs);
}

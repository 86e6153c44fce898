// The alert DMs a user has received from the plugin's bot, read the way the user's client reads them (REST,
// the user's own session). Each alert carries props.trigger_alert.post_id, which names the post it is about.
import type {Client4} from '@mattermost/client';

import {eventually} from './world.js';

export interface AlertDm {
    /** The DM post's id. */
    id: string;
    /** The post the alert is about. */
    postId: string;
    words: string[];
    message: string;
}

interface TriggerAlertProps {
    post_id?: unknown;
    words?: unknown;
}

/** Every alert the bot has sent `client`'s user (none when their DM channel with the bot does not exist yet). */
export async function alertDms(client: Client4, teamId: string, botId: string): Promise<AlertDm[]> {
    const channels = await client.getMyChannels(teamId);
    const dm = channels.find((c) => c.type === 'D' && c.name.split('__').includes(botId));
    if (!dm) {
        return [];
    }
    const list = await client.getPosts(dm.id, 0, 200);
    const out: AlertDm[] = [];
    for (const id of list.order) {
        const p = list.posts[id];
        const props = (p.props as {trigger_alert?: TriggerAlertProps} | undefined)?.trigger_alert;
        if (p.user_id !== botId || !props || typeof props.post_id !== 'string') {
            continue;
        }
        out.push({id: p.id, postId: props.post_id, words: Array.isArray(props.words) ? props.words.map(String) : [], message: p.message});
    }
    return out;
}

/** The alerts about one post. */
export async function alertsAbout(client: Client4, teamId: string, botId: string, postId: string): Promise<AlertDm[]> {
    return (await alertDms(client, teamId, botId)).filter((a) => a.postId === postId);
}

/**
 * Waits for the first alert about `postId` (the bot sends it from the hook, after the post was answered).
 * A DM channel the bot is creating at that moment can answer 403 once; eventually() reads again.
 */
export async function waitForAlert(client: Client4, teamId: string, botId: string, postId: string, timeoutMs = 30_000): Promise<AlertDm> {
    return eventually(async () => (await alertsAbout(client, teamId, botId, postId))[0], `an alert about post ${postId}`, timeoutMs);
}

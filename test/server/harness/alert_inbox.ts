// Which posts a user has been alerted about: the posts of their direct channel with the plugin's bot, each
// naming the post it is about (props.trigger_alert.post_id). The user opens that channel themselves
// (creating it is idempotent), so reading never races the bot creating it.
import type {Client4} from '@mattermost/client';

export async function alertedPostIds(user: Client4, userId: string, botId: string): Promise<string[]> {
    const channel = await user.createDirectChannel([userId, botId]);
    const list = await user.getPosts(channel.id, 0, 200);
    return list.order
        .map((id) => list.posts[id]!)
        .filter((p) => p.user_id === botId)
        .sort((a, b) => a.create_at - b.create_at)
        .map((p) => (p.props?.trigger_alert as {post_id?: string} | undefined)?.post_id ?? '');
}

// One phase of posting: a fixed list of messages through REST (POST /api/v4/posts) by a few posters at
// once, each taking the next message when its previous post has been answered, as busy people would.
import {performance} from 'node:perf_hooks';

import type {Client4} from '@mattermost/client';

export interface SentPost {
    /** Index in the phase's message list. */
    index: number;
    id: string;
    /** The server's timestamp of the post (ms since the epoch). */
    createAt: number;
    /** Time from sending the POST to its answer. */
    latencyMs: number;
}

export interface PhaseOutcome {
    posts: SentPost[];
    /** From the first POST sent to the last answer. */
    wallMs: number;
}

export class PostingAborted extends Error {
    override name = 'PostingAborted';
}

/** Posts every message of `messages` to `channelId`, `posters.length` at a time; stops early when `aborted()` says so. */
export async function postAll(posters: Client4[], channelId: string, messages: readonly string[], aborted: () => boolean): Promise<PhaseOutcome> {
    const posts: SentPost[] = [];
    let next = 0;
    const start = performance.now();
    const worker = async (client: Client4) => {
        while (next < messages.length) {
            if (aborted()) {
                throw new PostingAborted('posting stopped');
            }
            const index = next++;
            const t0 = performance.now();
            const post = await client.createPost({channel_id: channelId, message: messages[index]});
            posts.push({index, id: post.id, createAt: post.create_at, latencyMs: performance.now() - t0});
        }
    };
    await Promise.all(posters.map(worker));
    return {posts: posts.sort((a, b) => a.index - b.index), wallMs: performance.now() - start};
}

// The example workspace `npm start` makes on an empty database: a team, channels, an admin and three
// people, trigger words for one of them and a post that sent her an alert. Every step finds what an
// earlier run made instead of making it twice; words and the example post are made only together with
// the user they belong to, so what a person changed later is left as it is.
import type {Client4} from '@mattermost/client';
import type {Channel} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';
import type {Team} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';

import {clientFor, eventually} from '../../test/server/harness/world.js';

export interface SeedUser {
    username: string;
    password: string;
    role: string;
}

export const seedAdmin: SeedUser = {username: 'sysadmin', password: 'Sysadmin-1234', role: 'system admin'};
export const seedUsers: SeedUser[] = [
    {username: 'alice', password: 'Alice-1234', role: 'has trigger words in ~deployments'},
    {username: 'bob', password: 'Bob-1234', role: 'posted the example'},
    {username: 'carol', password: 'Carol-1234', role: 'member of the private ~leads'},
];
export const seedTeam = {name: 'acme', display_name: 'Acme'};
export const seedChannels = [
    {name: 'deployments', display_name: 'Deployments', type: 'O' as const, members: ['alice', 'bob', 'carol']},
    {name: 'leads', display_name: 'Leads', type: 'P' as const, members: ['alice', 'carol']},
];
export const seedWords = {user: 'alice', channel: 'deployments', words: ['deploy', 'rollback', 'on call']};
export const seedPost = {user: 'bob', channel: 'deployments', message: 'Starting the deploy of 2.4.1 to production now; I will say so here if we need a rollback.'};
export const BOT_USERNAME = 'trigger-alerts';

export class SeedError extends Error {
    override name = 'SeedError';
}

function statusOf(e: unknown): number | undefined {
    return typeof e === 'object' && e !== null && 'status_code' in e ? Number((e as {status_code: unknown}).status_code) : undefined;
}

async function findOr<T>(find: () => Promise<T>, make: () => Promise<T>): Promise<{value: T; made: boolean}> {
    try {
        return {value: await find(), made: false};
    } catch (e) {
        if (statusOf(e) !== 404) {
            throw e;
        }
        return {value: await make(), made: true};
    }
}

export interface SeedResult {
    admin: Client4;
    team: Team;
    channels: Map<string, Channel>;
    /** What this run made (empty on a later run that found everything). */
    made: string[];
    /** Set when this run posted the example: the alert DM it produced. */
    exampleAlert?: Post;
}

/**
 * Signs in as the seeded admin, making it first on an empty database (the first user is system admin).
 * `made` says whether this call made it.
 */
export async function signInAdmin(url: string): Promise<{client: Client4; made: boolean}> {
    const client = clientFor(url);
    try {
        await client.login(seedAdmin.username, seedAdmin.password);
        return {client, made: false};
    } catch (e) {
        if (statusOf(e) !== 401) {
            throw e;
        }
    }
    const user = await client.createUser({username: seedAdmin.username, email: `${seedAdmin.username}@example.com`, password: seedAdmin.password} as UserProfile, '', '')
        .catch((e: unknown) => {
            throw new SeedError(`cannot sign in as ${seedAdmin.username} nor create it (${String(e)}): the database has other data; \`npm start -- --fresh\` starts over`);
        });
    if (!user.roles.includes('system_admin')) {
        throw new SeedError(`the database already had users, so ${seedAdmin.username} is not a system admin: \`npm start -- --fresh\` starts over`);
    }
    await client.login(seedAdmin.username, seedAdmin.password);
    return {client, made: true};
}

/** The plugin's HTTP API as `user` (the server passes the caller on as Mattermost-User-Id). */
async function putWords(url: string, token: string, channelId: string, words: string[]): Promise<void> {
    const res = await fetch(`${url}/plugins/trigger-alerts/api/v1/channels/${channelId}/words`, {
        method: 'PUT',
        headers: {'Authorization': `Bearer ${token}`, 'Content-Type': 'application/json'},
        body: JSON.stringify({words}),
    });
    if (!res.ok) {
        throw new SeedError(`setting ${seedWords.user}'s trigger words answered ${res.status}: ${await res.text()}`);
    }
}

/** Seeds the workspace on the server at `url`; the plugin must be running (its API sets the words). */
export async function seed(url: string, admin: Client4): Promise<SeedResult> {
    const made: string[] = [];
    const team = await findOr(() => admin.getTeamByName(seedTeam.name), () => admin.createTeam({...seedTeam, type: 'O'} as Team));
    if (team.made) {
        made.push(`team ${seedTeam.name}`);
    }
    const users = new Map<string, {user: UserProfile; made: boolean}>();
    for (const u of seedUsers) {
        const r = await findOr(
            () => admin.getUserByUsername(u.username),
            () => admin.createUser({username: u.username, email: `${u.username}@example.com`, password: u.password} as UserProfile, '', ''),
        );
        if (r.made) {
            made.push(`user ${u.username}`);
            await admin.addToTeam(team.value.id, r.value.id);
        }
        users.set(u.username, {user: r.value, made: r.made});
    }
    const channels = new Map<string, Channel>();
    for (const c of seedChannels) {
        const r = await findOr(
            () => admin.getChannelByName(team.value.id, c.name),
            () => admin.createChannel({team_id: team.value.id, name: c.name, display_name: c.display_name, type: c.type} as Channel),
        );
        if (r.made) {
            made.push(`channel ${c.name}`);
            for (const m of c.members) {
                await admin.addToChannel(users.get(m)!.user.id, r.value.id);
            }
        }
        channels.set(c.name, r.value);
    }
    const result: SeedResult = {admin, team: team.value, channels, made};
    if (users.get(seedWords.user)!.made) {
        const alice = clientFor(url);
        await alice.login(seedWords.user, seedUsers.find((u) => u.username === seedWords.user)!.password);
        const channel = channels.get(seedWords.channel)!;
        await putWords(url, alice.getToken(), channel.id, seedWords.words);
        made.push(`${seedWords.user}'s trigger words`);
        const bob = clientFor(url);
        await bob.login(seedPost.user, seedUsers.find((u) => u.username === seedPost.user)!.password);
        const post = await bob.createPost({channel_id: channels.get(seedPost.channel)!.id, message: seedPost.message});
        made.push(`${seedPost.user}'s example post`);
        result.exampleAlert = await waitingAlert(alice, post.id);
    }
    return result;
}

/**
 * The seeded user's words in the seeded channel as the plugin has them now (what survived a restart), or
 * undefined when that cannot be read (a person changed her password, left the channel ...).
 */
export async function wordsOfSeededUser(url: string, channels: Map<string, Channel>): Promise<string[] | undefined> {
    try {
        const user = clientFor(url);
        await user.login(seedWords.user, seedUsers.find((u) => u.username === seedWords.user)!.password);
        const res = await fetch(`${url}/plugins/trigger-alerts/api/v1/channels/${channels.get(seedWords.channel)!.id}/words`, {
            headers: {Authorization: `Bearer ${user.getToken()}`},
        });
        return res.ok ? ((await res.json()) as {words: string[]}).words : undefined;
    } catch {
        return undefined;
    }
}

/** The alert DM about `postId` in the signed-in user's direct channel with the plugin's bot. */
export async function waitingAlert(user: Client4, postId: string, timeoutMs = 30_000): Promise<Post> {
    const me = await user.getMe();
    const bot = await user.getUserByUsername(BOT_USERNAME);
    return eventually(async () => {
        // The bot creates the direct channel with its first alert; reading it that moment may answer 403.
        const dm = await user.createDirectChannel([me.id, bot.id]);
        const list = await user.getPosts(dm.id, 0, 60);
        return Object.values(list.posts).find((p) => p.user_id === bot.id && p.message.includes(postId));
    }, `the alert DM about post ${postId}`, timeoutMs);
}

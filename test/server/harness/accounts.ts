// Accounts a test needs besides people: bot accounts that post with their own token, and deactivation,
// both through the REST API as an admin would do them.
import type {Client4} from '@mattermost/client';
import type {Bot} from '@mattermost/types/bots';

import {clientFor} from './world.js';

export interface BotAccount {
    bot: Bot;
    token: string;
    /** Client4 authenticated with the bot's access token. */
    client: Client4;
}

/** A bot account (POST /api/v4/bots) with an access token, in `teamId` and each of `channelIds`. */
export async function createBotAccount(admin: Client4, serverUrl: string, username: string, teamId: string, channelIds: string[]): Promise<BotAccount> {
    const bot = await admin.createBot({username, display_name: username});
    const {token} = await admin.createUserAccessToken(bot.user_id, 'real-server test');
    if (!token) {
        throw new Error(`no access token for bot ${username}: the server answers it only on creation`);
    }
    await admin.addToTeam(teamId, bot.user_id);
    for (const channelId of channelIds) {
        await admin.addToChannel(bot.user_id, channelId);
    }
    return {bot, token, client: clientFor(serverUrl, token)};
}

/** Deactivates a user the way the System Console does (DELETE /api/v4/users/{id}; memberships stay). */
export async function deactivateUser(serverUrl: string, adminToken: string, userId: string): Promise<void> {
    const res = await fetch(`${serverUrl}/api/v4/users/${userId}`, {
        method: 'DELETE',
        headers: {Authorization: `Bearer ${adminToken}`},
        signal: AbortSignal.timeout(20_000),
    });
    if (!res.ok) {
        throw new Error(`DELETE /api/v4/users/${userId}: ${res.status} ${await res.text()}`);
    }
}

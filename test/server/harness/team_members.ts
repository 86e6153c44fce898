// Users who take part in a test: each created, logged in and added to the world's team, so that a channel of
// the team can hold them.
import type {RealMattermost, RealUser} from './world.js';

/** One user per prefix, in the order given, each a member of the world's team. */
export async function createTeamMembers<const P extends readonly string[]>(world: RealMattermost, ...prefixes: P): Promise<{[K in keyof P]: RealUser}> {
    const users: RealUser[] = [];
    for (const prefix of prefixes) {
        users.push(await world.createUser(prefix));
    }
    await world.addToTeam(...users);
    // The mapped tuple type only restates "one user per prefix", which the loop above guarantees.
    return users as {[K in keyof P]: RealUser};
}

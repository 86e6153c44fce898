// A real Mattermost for a test file: a fresh database, one or two servers from the fixture on one database
// and one file store (the cluster stand-in the fixture's README describes), an admin, and helpers to make
// users, channels and posts over the REST API as people would. stop() leaves nothing running.
import {mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';

import {Client4} from '@mattermost/client';
import type {Channel} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';
import type {Team} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';

import {createDatabase, ensurePostgres, type Database} from './postgres.js';
import {unpackFixture} from './fixture.js';
import {MattermostServer} from './server.js';

export interface RealUser {
    user: UserProfile;
    password: string;
    token: string;
    /** Client4 logged in as this user, talking to server 0. */
    client: Client4;
}

export function clientFor(url: string, token?: string): Client4 {
    const c = new Client4();
    c.setUrl(url);
    if (token) {
        c.setToken(token);
    }
    return c;
}

export interface WorldOptions {
    /** How many servers to start now (more with addServer()). */
    servers?: number;
    /** More MM_* settings for every server. */
    env?: Record<string, string>;
    name?: string;
}

export class RealMattermost {
    readonly servers: MattermostServer[] = [];
    admin!: RealUser;
    team!: Team;
    private seq = 0;
    private postgres?: {stop(): void};

    private constructor(readonly db: Database, readonly scratch: string, readonly fileStore: string, private readonly env: Record<string, string>) {}

    static async start(o: WorldOptions = {}): Promise<RealMattermost> {
        const pg = ensurePostgres();
        const db = createDatabase();
        const scratch = mkdtempSync(path.join(os.tmpdir(), `mm-${o.name ?? 'test'}-`));
        const fileStore = path.join(scratch, 'files');
        mkdirSync(fileStore);
        const world = new RealMattermost(db, scratch, fileStore, o.env ?? {});
        world.postgres = pg.startedHere ? pg : undefined;
        try {
            for (let i = 0; i < (o.servers ?? 1); i++) {
                await world.addServer();
            }
            world.admin = await world.createUser('admin');
            world.team = await world.admin.client.createTeam({name: `team${world.db.name.slice(-8)}`, display_name: 'Test Team', type: 'O'} as Team);
        } catch (e) {
            await world.stop();
            throw e;
        }
        return world;
    }

    get url(): string {
        return this.servers[0].url;
    }

    /** Starts one more server on the same database and file store. */
    async addServer(env: Record<string, string> = {}): Promise<MattermostServer> {
        const i = this.servers.length;
        const server = await MattermostServer.create({
            home: unpackFixture(this.scratch),
            dsn: this.db.dsn,
            fileStore: this.fileStore,
            scratch: this.scratch,
            name: `server${i}`,
            env: {...this.env, ...env},
        });
        this.servers.push(server);
        await server.start();
        return server;
    }

    /** A new user (the very first one becomes system admin), logged in. */
    async createUser(prefix = 'user', extra: Partial<UserProfile> = {}): Promise<RealUser> {
        const n = ++this.seq;
        const username = `${prefix}${n}`.toLowerCase();
        const password = `Pw-${username}-1234!`;
        const anon = clientFor(this.url);
        const creator = this.admin?.client ?? anon;
        const user = await creator.createUser({username, email: `${username}@example.com`, password, locale: 'en', ...extra} as UserProfile, '', '');
        return this.login(user, password);
    }

    async login(user: UserProfile, password: string, serverIndex = 0): Promise<RealUser> {
        const client = clientFor(this.servers[serverIndex].url);
        await client.login(user.username, password);
        return {user, password, token: client.getToken(), client};
    }

    /** The same user's session against another server of the cluster (sessions live in the shared database). */
    on(u: RealUser, serverIndex: number): Client4 {
        return clientFor(this.servers[serverIndex].url, u.token);
    }

    async addToTeam(...users: RealUser[]): Promise<void> {
        for (const u of users) {
            await this.admin.client.addToTeam(this.team.id, u.user.id);
        }
    }

    async createChannel(members: RealUser[], o: {private?: boolean; name?: string; displayName?: string} = {}): Promise<Channel> {
        const n = ++this.seq;
        const channel = await this.admin.client.createChannel({
            team_id: this.team.id,
            name: o.name ?? `chan-${n}-${this.db.name.slice(-6)}`,
            display_name: o.displayName ?? o.name ?? `Channel ${n}`,
            type: o.private ? 'P' : 'O',
        } as Channel);
        for (const u of members) {
            await this.admin.client.addToChannel(u.user.id, channel.id);
        }
        return channel;
    }

    async post(as: RealUser | Client4, channelId: string, message: string, extra: Partial<Post> = {}): Promise<Post> {
        const client = as instanceof Client4 ? as : as.client;
        return client.createPost({channel_id: channelId, message, ...extra} as Post);
    }

    async stop(): Promise<void> {
        for (const s of this.servers) {
            await s.stop();
        }
        try {
            this.db.drop();
        } finally {
            this.postgres?.stop();
            if (process.env.MM_TEST_KEEP) {
                console.log(`kept ${this.scratch} (MM_TEST_KEEP)`);
            } else {
                rmSync(this.scratch, {recursive: true, force: true});
            }
        }
    }
}

export class PluginStartError extends Error {
    override name = 'PluginStartError';
}

/** Uploads a bundle the System Console's way (POST /api/v4/plugins, multipart `plugin`, force). */
export async function uploadPlugin(admin: Client4, file: string): Promise<string> {
    const data = new File([readFileSync(file)], path.basename(file), {type: 'application/gzip'});
    const manifest = await admin.uploadPlugin(data, true);
    return manifest.id;
}

/** Waits until every server reports the plugin running (state 2); throws with the server's error text. */
export async function waitPluginRunning(admin: Client4, id: string, o: {servers?: number; timeoutMs?: number} = {}): Promise<void> {
    const deadline = Date.now() + (o.timeoutMs ?? 60_000);
    let last = '';
    while (Date.now() < deadline) {
        const statuses = (await admin.getPluginStatuses()).filter((s) => s.plugin_id === id);
        const running = statuses.filter((s) => s.state === 2);
        if (running.length >= (o.servers ?? 1) && running.length === statuses.length) {
            return;
        }
        const failed = statuses.find((s) => s.state === 3 || s.state === 4);
        last = JSON.stringify(statuses);
        if (failed && 'error' in failed && failed.error) {
            throw new PluginStartError(`plugin ${id} failed to start: ${String(failed.error)}`);
        }
        await sleep(250);
    }
    throw new PluginStartError(`plugin ${id} not running after ${o.timeoutMs ?? 60_000} ms: ${last}`);
}

/** Polls `check` until it returns a value other than undefined. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
        try {
            const v = await check();
            if (v !== undefined) {
                return v;
            }
        } catch (e) {
            lastError = e;
        }
        await sleep(100);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

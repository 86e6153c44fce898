// The package's generated plugin API on a real Mattermost 9.10 server, through a test plugin that lets a
// system admin call any method over HTTP (test/server/apiplugin). The fixture is older than every line of
// the host-code matrix, so (a) every method server/public v0.1.10 (the 10.5 line) lacks cannot exist
// here and must reject with NotSupportedError, generically for the whole table; and (b) a representative
// set of methods does real work, each result checked through the REST API rather than through the plugin.
import {randomBytes} from 'node:crypto';

import type {Bot} from '@mattermost/types/bots';
import type {Channel, ChannelMembership} from '@mattermost/types/channels';
import type {FileInfo} from '@mattermost/types/files';
import type {Post} from '@mattermost/types/posts';
import type {PreferenceType} from '@mattermost/types/preferences';
import type {TeamMembership} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';
import {apiMethods} from 'mattermost-plugin-node';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

import {
    apiGoOf,
    apiInterfaceMethods,
    buildApiPlugin,
    bytesArg,
    callApi,
    installApiPlugin,
    zeroArgs,
    type CallAnswer,
} from './harness/api_surface.js';
import {RealMattermost, type RealUser} from './harness/world.js';

/** The newest release line the fixture is older than: whatever its plugin.API lacks, 9.10 lacks too. */
const OLDEST_LINE = 'v0.1.10';

describe('the generated plugin API on a real Mattermost 9.10', () => {
    let world: RealMattermost;
    let alice: RealUser;
    let bob: RealUser;
    let bundle: string;

    const call = async (goMethod: string, ...args: unknown[]): Promise<CallAnswer> => callApi(world.url, world.admin.token, goMethod, args);
    /** The call's result; a failed call fails the test with the plugin's error. */
    const ok = async <T>(goMethod: string, ...args: unknown[]): Promise<T> => {
        const a = await call(goMethod, ...args);
        if (a.status !== 200 || a.error) {
            throw new Error(`${goMethod} failed: ${a.status} ${JSON.stringify(a.error ?? a.message)}`);
        }
        return a.result as T;
    };
    const rest = async <T>(route: string, token = world.admin.token): Promise<T> => {
        const res = await fetch(`${world.url}/api/v4${route}`, {headers: {Authorization: `Bearer ${token}`}, signal: AbortSignal.timeout(30_000)});
        if (!res.ok) {
            throw new Error(`GET ${route}: ${res.status} ${await res.text()}`);
        }
        return (await res.json()) as T;
    };

    beforeAll(async () => {
        bundle = buildApiPlugin();
        world = await RealMattermost.start({name: 'apisurface'});
        alice = await world.createUser('alice');
        bob = await world.createUser('bob');
        await world.addToTeam(alice, bob);
        await installApiPlugin(world, bundle);
    }, 300_000);

    afterAll(async () => world?.stop());

    it('answers only system admins', async () => {
        expect((await callApi(world.url, alice.token, 'GetServerVersion', [])).status).toBe(403);
        expect((await callApi(world.url, undefined, 'GetServerVersion', [])).status).toBe(401);
        const a = await call('GetServerVersion');
        expect(a.status).toBe(200);
        expect(a.result).toMatch(/^9\.10\./);
    });

    it(`rejects every method that server/public ${OLDEST_LINE} lacks with NotSupportedError`, async () => {
        const old = apiInterfaceMethods(apiGoOf(OLDEST_LINE));
        // The parse found the interface: methods every server has are in it.
        expect(old.has('KVGet') && old.has('CreatePost') && old.has('GetServerVersion')).toBe(true);
        const missing = apiMethods.filter((r) => !old.has(r.go));
        expect(missing.length).toBeGreaterThan(0);
        const seen: {method: string; class?: string; errorMethod?: string; serverVersion?: string; status: number}[] = [];
        for (const row of missing) {
            const a = await call(row.go, ...zeroArgs(row));
            seen.push({method: row.go, class: a.error?.class, errorMethod: a.error?.method, serverVersion: a.error?.serverVersion?.slice(0, 5), status: a.status});
        }
        console.log(`NotSupportedError on Mattermost 9.10: ${missing.length} methods of ${apiMethods.length} (all that ${OLDEST_LINE} lacks)`);
        expect(seen).toEqual(missing.map((r) => ({method: r.go, class: 'NotSupportedError', errorMethod: r.go, serverVersion: '9.10.', status: 200})));
        // The plugin process survived all of them.
        expect((await call('GetServerVersion')).result).toMatch(/^9\.10\./);
    }, 120_000);

    it('finds the team and creates a channel the REST API sees, and adds a member to it', async () => {
        const team = await ok<{id: string}>('GetTeamByName', world.team.name);
        expect(team.id).toBe(world.team.id);
        const name = `surface-${randomBytes(3).toString('hex')}`;
        const created = await ok<Channel>('CreateChannel', {team_id: world.team.id, name, display_name: 'Surface', type: 'O', creator_id: world.admin.user.id});
        expect(created.id).toMatch(/^[a-z0-9]{26}$/);
        const seen = await rest<Channel>(`/channels/${created.id}`);
        expect(seen).toMatchObject({name, display_name: 'Surface', type: 'O', team_id: world.team.id});

        const member = await ok<ChannelMembership>('AddChannelMember', created.id, alice.user.id);
        expect(member).toMatchObject({channel_id: created.id, user_id: alice.user.id});
        expect(await rest<ChannelMembership>(`/channels/${created.id}/members/${alice.user.id}`)).toMatchObject({channel_id: created.id, user_id: alice.user.id});

        const listed = await ok<Channel[]>('GetPublicChannelsForTeam', world.team.id, 0, 200);
        expect(listed.map((c) => c.id)).toContain(created.id);
        const found = await ok<Channel[]>('SearchChannels', world.team.id, name);
        expect(found.map((c) => c.id)).toEqual([created.id]);
    });

    it('creates a post with props, reads it back and edits it, as REST sees', async () => {
        const channel = await world.createChannel([alice]);
        const post = await ok<Post>('CreatePost', {channel_id: channel.id, user_id: alice.user.id, message: 'from the plugin', props: {surface: 'yes', n: 3, nested: {a: [1, 2]}}});
        const seen = await rest<Post>(`/posts/${post.id}`, alice.token);
        expect(seen).toMatchObject({user_id: alice.user.id, channel_id: channel.id, message: 'from the plugin'});
        expect(seen.props).toMatchObject({surface: 'yes', n: 3, nested: {a: [1, 2]}});
        expect(await ok<Post>('GetPost', post.id)).toMatchObject({id: post.id, message: 'from the plugin', props: {surface: 'yes', n: 3}});

        const edited = await ok<Post>('UpdatePost', {...post, message: 'edited by the plugin'});
        expect(edited.edit_at).toBeGreaterThan(0);
        const after = await rest<Post>(`/posts/${post.id}`, alice.token);
        expect(after.message).toBe('edited by the plugin');
        expect(after.edit_at).toBe(edited.edit_at);
    });

    it('pages through a channel\'s members like REST lists them', async () => {
        const channel = await world.createChannel([alice, bob]);
        const pages: string[][] = [];
        for (let page = 0; page < 4; page++) {
            pages.push((await ok<UserProfile[]>('GetUsersInChannel', channel.id, 'username', page, 1)).map((u) => u.id));
        }
        // One user per page, then an empty page: paging works, not just "everything at once".
        expect(pages.map((p) => p.length)).toEqual([1, 1, 1, 0]);
        const restIds = (await rest<UserProfile[]>(`/users?in_channel=${channel.id}&per_page=200`)).map((u) => u.id).sort();
        expect(pages.flat().sort()).toEqual(restIds);
        expect(restIds).toEqual([world.admin.user.id, alice.user.id, bob.user.id].sort());
    });

    it('stores KV values atomically', async () => {
        const key = `k-${randomBytes(4).toString('hex')}`;
        const first = Buffer.from('first value');
        // Atomic without an old value: only if the key is absent.
        expect(await ok<boolean>('KVSetWithOptions', key, bytesArg(first), {Atomic: true})).toBe(true);
        expect(await ok<boolean>('KVSetWithOptions', key, bytesArg('not stored'), {Atomic: true})).toBe(false);
        expect(await ok<unknown>('KVGet', key)).toEqual(bytesArg(first));
        // Compare-and-set: a wrong old value is refused, the right one swaps.
        expect(await ok<boolean>('KVSetWithOptions', key, bytesArg('x'), {Atomic: true, OldValue: Buffer.from('wrong').toString('base64')})).toBe(false);
        expect(await ok<boolean>('KVSetWithOptions', key, bytesArg('second'), {Atomic: true, OldValue: first.toString('base64')})).toBe(true);
        expect(await ok<unknown>('KVGet', key)).toEqual(bytesArg('second'));
        expect(await ok<unknown>('KVGet', `${key}-absent`)).toBeNull();
    });

    it('updates preferences that the user then reads through REST', async () => {
        const pref = {user_id: alice.user.id, category: 'display_settings', name: 'use_military_time', value: 'true'};
        await ok('UpdatePreferencesForUser', alice.user.id, [pref]);
        expect(await rest<PreferenceType[]>('/users/me/preferences', alice.token)).toContainEqual(expect.objectContaining(pref));
        expect(await ok<PreferenceType[]>('GetPreferencesForUser', alice.user.id)).toContainEqual(expect.objectContaining(pref));
    });

    it('creates and patches a bot', async () => {
        const username = `surfacebot${randomBytes(3).toString('hex')}`;
        const bot = await ok<Bot>('CreateBot', {username, display_name: 'Surface Bot', description: 'made by the plugin'});
        expect(bot.user_id).toMatch(/^[a-z0-9]{26}$/);
        expect(await rest<Bot>(`/bots/${bot.user_id}`)).toMatchObject({username, display_name: 'Surface Bot', description: 'made by the plugin'});
        const patched = await ok<Bot>('PatchBot', bot.user_id, {display_name: 'Renamed Bot'});
        expect(patched.display_name).toBe('Renamed Bot');
        expect(await rest<Bot>(`/bots/${bot.user_id}`)).toMatchObject({username, display_name: 'Renamed Bot', description: 'made by the plugin'});
    });

    it('sets a user status that REST reports', async () => {
        expect(await ok<{status: string}>('UpdateUserStatus', bob.user.id, 'dnd')).toMatchObject({user_id: bob.user.id, status: 'dnd'});
        expect(await rest<{status: string}>(`/users/${bob.user.id}/status`)).toMatchObject({status: 'dnd'});
        expect(await ok<{status: string}>('GetUserStatus', bob.user.id)).toMatchObject({status: 'dnd'});
        await ok('UpdateUserStatus', bob.user.id, 'away');
        expect(await rest<{status: string}>(`/users/${bob.user.id}/status`)).toMatchObject({status: 'away'});
    });

    it('lists the team members REST lists', async () => {
        const members = await ok<TeamMembership[]>('GetTeamMembers', world.team.id, 0, 100);
        const restMembers = await rest<TeamMembership[]>(`/teams/${world.team.id}/members?per_page=100`);
        expect(members.map((m) => m.user_id).sort()).toEqual(restMembers.map((m) => m.user_id).sort());
        expect(members.map((m) => m.user_id)).toContain(alice.user.id);
    });

    it('reads a file uploaded through REST: its info and its bytes', async () => {
        const channel = await world.createChannel([alice]);
        const content = randomBytes(3000);
        const form = new FormData();
        form.append('files', new Blob([content]), 'surface.bin');
        form.append('channel_id', channel.id);
        const res = await fetch(`${world.url}/api/v4/files`, {method: 'POST', headers: {Authorization: `Bearer ${alice.token}`}, body: form, signal: AbortSignal.timeout(30_000)});
        expect(res.status).toBe(201);
        const uploaded = ((await res.json()) as {file_infos: FileInfo[]}).file_infos[0];
        const info = await ok<FileInfo>('GetFileInfo', uploaded.id);
        // Go's FileInfo.CreatorId is "user_id" in JSON, as REST answers it.
        expect(uploaded.user_id).toBe(alice.user.id);
        expect(info).toMatchObject({id: uploaded.id, name: 'surface.bin', size: 3000, user_id: alice.user.id, extension: 'bin'});
        expect(await ok<unknown>('GetFile', uploaded.id)).toEqual(bytesArg(content));
    });

    it('turns real failures into typed errors: AppError 404, and a Go error', async () => {
        const a = await call('GetUser', 'x'.repeat(26));
        expect(a.error).toMatchObject({class: 'AppError', statusCode: 404, id: 'app.user.missing_account.const', message: 'Unable to find the user.'});
        expect(await ok<UserProfile>('GetUser', alice.user.id)).toMatchObject({id: alice.user.id, username: alice.user.username, email: alice.user.email});
        // RegisterCommand returns a plain Go error (not an AppError) for a command without a trigger.
        const g = await call('RegisterCommand', {trigger: ''});
        expect(g.error).toEqual({class: 'PluginApiError', message: 'invalid command'});
    });
});

// The generated API against Mattermost's own Go types: what we encode decodes into plugin.Z_<Method>Args
// as intended, and what Go encodes as plugin.Z_<Method>Returns comes out as the typed result or error.
import {beforeAll, describe, expect, it} from 'vitest';

import {PluginAPI} from '../../src/mattermost/api.js';
import {resultFromGo} from '../../src/mattermost/api/wire_values.js';
import {AppError, PluginApiError} from '../../src/mattermost/errors.js';
import {GobDecoder} from '../../src/transport/gob/index.js';

import {buildWirePeer, goDecodeArgs, goEncodeReturns, RecordingRpc} from './wirepeer.js';

beforeAll(() => buildWirePeer());

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

describe('args: what Go decodes from our calls', () => {
    it('each kind of parameter reaches Go as the Go value', async () => {
        const rpc = new RecordingRpc();
        const api = new PluginAPI(rpc.asClient());
        await api.kvSetWithOptions('k', 'v', {atomic: true, oldValue: 'o', expireInSeconds: 5});
        await api.kvSetWithOptions('k2', null, {Atomic: true});
        await api.kvList(2, 50);
        await api.createPost({channel_id: 'c1', message: 'hello', props: {n: 1, nested: {x: 'y'}, list: ['a', true]}, file_ids: ['f1']});
        await api.getUsersByIds(['a', 'b']);
        await api.publishWebSocketEvent('ev', {n: 1, s: 'x'}, {user_id: 'u', omit_users: {x: true}});
        await api.hasPermissionToChannel('u', 'c', 'read_channel');
        await api.savePluginConfig({a: 1, b: [true, 'x']});
        await api.publishPluginClusterEvent({id: 'e', data: new Uint8Array([1, 2, 3])});
        await api.updateChannelMemberRoles('c', 'u', 'channel_user channel_admin');
        await api.getPostsSince('c', 1_700_000_000_123);
        const got = goDecodeArgs(rpc.sent) as Array<Record<string, unknown>>;

        expect(rpc.sent.map((s) => s.method)).toEqual([
            'KVSetWithOptions',
            'KVSetWithOptions',
            'KVList',
            'CreatePost',
            'GetUsersByIds',
            'PublishWebSocketEvent',
            'HasPermissionToChannel',
            'SavePluginConfig',
            'PublishPluginClusterEvent',
            'UpdateChannelMemberRoles',
            'GetPostsSince',
        ]);
        expect(got[0]).toEqual({A: 'k', B: b64('v'), C: {Atomic: true, OldValue: b64('o'), ExpireInSeconds: 5}});
        // a null value is Go's nil []byte (KVSetWithOptions deletes)
        expect(got[1]).toEqual({A: 'k2', B: null, C: {Atomic: true, OldValue: null, ExpireInSeconds: 0}});
        expect(got[2]).toEqual({A: 2, B: 50});
        const post = (got[3]!.A ?? {}) as Record<string, unknown>;
        expect(post).toMatchObject({channel_id: 'c1', message: 'hello', props: {n: 1, nested: {x: 'y'}, list: ['a', true]}, file_ids: ['f1']});
        expect(got[4]).toEqual({A: ['a', 'b']});
        expect(got[5]!.A).toBe('ev');
        expect(got[5]!.B).toEqual({n: 1, s: 'x'});
        expect(got[5]!.C).toMatchObject({user_id: 'u', omit_users: {x: true}});
        expect(got[6]!.C).toMatchObject({id: 'read_channel'});
        expect(got[7]).toEqual({A: {a: 1, b: [true, 'x']}});
        expect(got[8]).toEqual({A: {Id: 'e', Data: 'AQID'}, B: {SendType: 'reliable', TargetId: ''}});
        expect(got[9]).toEqual({A: 'c', B: 'u', C: 'channel_user channel_admin'});
        expect(got[10]).toEqual({A: 'c', B: 1_700_000_000_123});
    });

    it('the hand-written wire shapes decode into their Go structs', async () => {
        const rpc = new RecordingRpc();
        const api = new PluginAPI(rpc.asClient());
        await api.pluginHTTP({method: 'POST', url: '/other.plugin/api/x?y=1', headers: {'Content-Type': 'application/json', 'X-Two': ['a', 'b']}, body: '{"a":1}'});
        await api.logAuditRecWithLevel({event_name: 'wordAdded', status: 'success', meta: {n: 1}}, {id: 7, name: 'audit-api'});
        await api.loadPluginConfiguration();
        await api.logInfo('hello', 'user', 'u1', 'count', 3, 'obj', {a: 1});
        const got = goDecodeArgs(rpc.sent) as Array<Record<string, unknown>>;

        expect(rpc.sent.map((s) => s.method)).toEqual(['PluginHTTP', 'LogAuditRecWithLevel', 'LoadPluginConfiguration', 'LogInfo']);
        const request = got[0]!.Request as Record<string, unknown>;
        expect(request).toMatchObject({Method: 'POST', Header: {'Content-Type': ['application/json'], 'X-Two': ['a', 'b']}, RequestURI: '/other.plugin/api/x?y=1'});
        // *url.URL crossed through its MarshalBinary: Go parsed it back
        expect(request.URL).toMatchObject({Path: '/other.plugin/api/x', RawQuery: 'y=1'});
        expect(got[0]!.RequestBody).toBe(b64('{"a":1}'));
        expect(got[1]!.A).toMatchObject({event_name: 'wordAdded', status: 'success', meta: {n: 1}});
        expect(got[1]!.B).toMatchObject({id: 7, name: 'audit-api'});
        expect(got[2]).toEqual({});
        // the Go glue sends every key/value as a string
        expect(got[3]).toEqual({A: 'hello', B: ['user', 'u1', 'count', '3', 'obj', '{"a":1}']});
    });
});

describe('time.Time and embedded structs', () => {
    it('time.Time goes to Go from its RFC 3339 text, in UTC, at an offset, and zero', async () => {
        const rpc = new RecordingRpc();
        const api = new PluginAPI(rpc.asClient());
        await api.updateUserCustomStatus('u1', {emoji: 'calendar', expires_at: '2026-02-08T09:12:07.000224Z'});
        await api.updateUserCustomStatus('u1', {expires_at: '1999-12-31T23:59:59-05:30'});
        await api.updateUserCustomStatus('u1', {expires_at: '0001-01-01T00:00:00Z'});
        await api.updateUserCustomStatus('u1', {expires_at: new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 678)) as unknown as string});
        const got = goDecodeArgs(rpc.sent) as Array<{B: {emoji: string; expires_at: string}}>;
        expect(got[0]!.B).toMatchObject({emoji: 'calendar', expires_at: '2026-02-08T09:12:07.000224Z'});
        expect(got[1]!.B.expires_at).toBe('1999-12-31T23:59:59-05:30');
        expect(got[2]!.B.expires_at).toBe('0001-01-01T00:00:00Z');
        expect(got[3]!.B.expires_at).toBe('2030-01-02T03:04:05.678Z');
    });

    it('time.Time from Go reads as Go’s JSON writes it', () => {
        const go = goEncodeReturns(['UpdateUserCustomStatus.args', 'UpdateUserCustomStatus.argsOffset', 'UpdateUserCustomStatus.argsZero']);
        const status = (name: string): Record<string, unknown> => {
            const dec = new GobDecoder();
            dec.push(go[name]!);
            const args = dec.next()!.value as {B: unknown};
            return resultFromGo({ptr: {struct: 'CustomStatus'}}, args.B) as Record<string, unknown>;
        };
        expect(status('UpdateUserCustomStatus.args')).toEqual({emoji: 'calendar', text: 'away', duration: 'date_and_time', expires_at: '2026-02-08T09:12:07.000224Z'});
        expect(status('UpdateUserCustomStatus.argsOffset').expires_at).toBe('1999-12-31T23:59:59-05:30');
        expect(status('UpdateUserCustomStatus.argsZero').expires_at).toBe('0001-01-01T00:00:00Z');
    });

    it('an embedded *struct is flattened both ways (PostSearchResults embeds *PostList)', async () => {
        const go = goEncodeReturns(['SearchPostsInTeamForUser.results']);
        const api = new PluginAPI(new RecordingRpc().reply(go['SearchPostsInTeamForUser.results']!).asClient());
        const results = await api.searchPostsInTeamForUser('t', 'u', {terms: 'found'});
        expect(results).toMatchObject({order: ['p1'], posts: {p1: {id: 'p1', message: 'found'}}, has_next: true, matches: {p1: ['found']}});
        expect(results).not.toHaveProperty('PostList');
    });
});

describe('results: what our calls return for what Go sends', () => {
    const cases = [
        'KVGet.value',
        'KVGet.appError',
        'KVGet.nil',
        'GetUsersByIds.users',
        'EnsureBotUser.error',
        'EnsureBotUser.appErrorAsError',
        'GetPost.nil',
        'GetPost.post',
        'GetPluginConfig.map',
        'GetEmojiImage.tuple',
        'HasPermissionToChannel.true',
        'HasPermissionToChannel.false',
        'KVList.empty',
        'GetConfig.config',
        'GetTeamMembersForUser.members',
        'PluginHTTP.response',
        'LoadPluginConfiguration.json',
    ] as const;
    let go: Record<string, Uint8Array>;
    beforeAll(() => {
        go = goEncodeReturns(cases);
    });
    const apiReplying = (name: (typeof cases)[number]): PluginAPI => new PluginAPI(new RecordingRpc().reply(go[name]!).asClient());

    it('values: bytes, models, maps, bools, empty slices, nil pointers, tuples', async () => {
        expect(Buffer.from((await apiReplying('KVGet.value').kvGet('k'))!).toString()).toBe('hello');
        expect(await apiReplying('KVGet.nil').kvGet('k')).toBeNull();
        const users = await apiReplying('GetUsersByIds.users').getUsersByIds(['u1', 'u2']);
        expect(users).toHaveLength(2);
        expect(users[0]).toMatchObject({id: 'u1', username: 'alice', locale: 'de', props: {k: 'v'}, timezone: {manualTimezone: 'Europe/Berlin'}});
        expect(users[1]).toMatchObject({id: 'u2', username: 'bob', is_bot: true});
        expect(await apiReplying('GetPost.nil').getPost('p')).toBeNull();
        const post = await apiReplying('GetPost.post').getPost('p1');
        expect(post).toMatchObject({id: 'p1', message: 'hi', file_ids: ['f1'], is_following: true, props: {n: 1.5, nested: {x: 'y'}, list: ['a', 2]}});
        expect(await apiReplying('GetPluginConfig.map').getPluginConfig()).toEqual({word: 'x', max: 25, on: true});
        const [image, format] = await apiReplying('GetEmojiImage.tuple').getEmojiImage('e');
        expect([...image!]).toEqual([0x89, 0x50, 0x4e, 0x47]);
        expect(format).toBe('png');
        expect(await apiReplying('HasPermissionToChannel.true').hasPermissionToChannel('u', 'c', 'read_channel')).toBe(true);
        expect(await apiReplying('HasPermissionToChannel.false').hasPermissionToChannel('u', 'c', 'read_channel')).toBe(false);
        expect(await apiReplying('KVList.empty').kvList(0, 10)).toEqual([]);
        const config = await apiReplying('GetConfig.config').getConfig();
        expect(config?.ServiceSettings.SiteURL).toBe('http://127.0.0.1:8065');
        const members = await apiReplying('GetTeamMembersForUser.members').getTeamMembersForUser('u1', 0, 10);
        expect(members).toEqual([expect.objectContaining({team_id: 't1', user_id: 'u1', roles: 'team_user', scheme_user: true})]);
    });

    it('a *model.AppError result is thrown as AppError, a Go error as PluginApiError (or AppError when it is one)', async () => {
        const notFound = await apiReplying('KVGet.appError')
            .kvGet('k')
            .catch((e: unknown) => e);
        expect(notFound).toBeInstanceOf(AppError);
        expect(notFound).toMatchObject({id: 'app.kv.get', statusCode: 404, where: 'KVGet', detailedError: 'gone'});
        const failed = await apiReplying('EnsureBotUser.error')
            .ensureBotUser({username: 'bot'})
            .catch((e: unknown) => e);
        expect(failed).toBeInstanceOf(PluginApiError);
        expect(failed).toMatchObject({message: 'bot creation failed', code: 3});
        const conflict = await apiReplying('EnsureBotUser.appErrorAsError')
            .ensureBotUser({username: 'bot'})
            .catch((e: unknown) => e);
        expect(conflict).toBeInstanceOf(AppError);
        expect(conflict).toMatchObject({id: 'app.bot.exists', statusCode: 409});
    });

    it('hand-written replies: PluginHTTP response, LoadPluginConfiguration JSON', async () => {
        const res = await apiReplying('PluginHTTP.response').pluginHTTP({url: '/x/y'});
        expect(res).toMatchObject({statusCode: 201, status: '201 Created', headers: {'Content-Type': ['application/json'], 'X-Two': ['a', 'b']}});
        expect(Buffer.from(res!.body).toString()).toBe('{"ok":true}');
        expect(await apiReplying('LoadPluginConfiguration.json').loadPluginConfiguration()).toEqual({BotName: 'Trigger', MaxWords: 25});
    });
});

describe('the call counter', () => {
    it('counts every call by its Go name, generated and hand-written alike', async () => {
        const api = new PluginAPI(new RecordingRpc().asClient());
        await api.kvGet('a');
        await api.kvGet('b');
        await api.kvSet('a', 'x');
        await api.logWarn('w');
        await api.loadPluginConfiguration();
        await api.getTeamsUnreadForUser('u');
        expect(api.calls.snapshot()).toEqual({
            total: 6,
            byMethod: {GetTeamsUnreadForUser: 1, KVGet: 2, KVSet: 1, LoadPluginConfiguration: 1, LogWarn: 1},
        });
    });
});

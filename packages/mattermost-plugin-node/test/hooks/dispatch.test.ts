// The hooks server against hand-written Go wire shapes (Z_<Hook>Args / Z_<Hook>Returns as
// client_rpc_generated.go and client_rpc.go declare them), independent of the generated table the
// dispatcher is driven by: a hook whose arguments or results the table mapped to the wrong field, type
// or JSON name fails here.
import {afterEach, describe, expect, it} from 'vitest';

import {hookRows, hookHandlers, implementedHooks} from '../../src/mattermost/hooks.js';
import {AppError} from '../../src/mattermost/errors.js';
import {GoInterface, t} from '../../src/transport/gob/index.js';
import type {MuxBroker} from '../../src/transport/muxbroker.js';
import {RpcServerError} from '../../src/transport/netrpc.js';

import {startHooks, type HooksUnderTest} from './harness.js';

const ctxType = t.struct('Context', [
    ['SessionId', t.string],
    ['ConnectionId', t.string],
    ['RequestId', t.string],
    ['IPAddress', t.string],
    ['AcceptLanguage', t.string],
    ['UserAgent', t.string],
]);
const userType = t.struct('User', [
    ['Id', t.string],
    ['Username', t.string],
    ['Email', t.string],
    ['Locale', t.string],
    ['NotifyProps', t.map(t.string, t.string)],
    ['LastLogin', t.int],
]);
const postType = t.struct('Post', [
    ['Id', t.string],
    ['ChannelId', t.string],
    ['Message', t.string],
    ['EditAt', t.int],
    ['FileIds', t.slice(t.string)],
]);
const channelType = t.struct('Channel', [
    ['Id', t.string],
    ['DisplayName', t.string],
    ['Type', t.string],
]);
const ctx = {SessionId: 's1', RequestId: 'r1', IPAddress: '127.0.0.1', AcceptLanguage: 'de', UserAgent: 'ua ✓'};
const wantCtx = {...ctx, ConnectionId: ''};
const goUser = {Id: 'u1', Username: 'alice', Email: 'a@example.com', Locale: 'fr', NotifyProps: {email: 'true'}, LastLogin: 1700000000000};

const args = (...fields: [string, ReturnType<typeof t.ptr>][]) => t.struct('Z_Args', fields);

let running: HooksUnderTest | undefined;
function start(plugin: object, hostStreams?: Parameters<typeof startHooks>[1]): HooksUnderTest {
    running = startHooks(plugin, hostStreams);
    return running;
}
afterEach(() => {
    running?.close();
    running = undefined;
});

describe('generated-wire hooks, served from the table', () => {
    it('passes the context and a model in their JSON shapes (no results)', async () => {
        const calls: unknown[][] = [];
        const h = start({userHasBeenCreated: (...a: unknown[]) => void calls.push(a)});
        const reply = await h.client.call('Plugin.UserHasBeenCreated', args(['A', t.ptr(ctxType)], ['B', t.ptr(userType)]), {A: ctx, B: goUser});
        expect(reply).toEqual({});
        expect(calls).toHaveLength(1);
        const [c, user] = calls[0]!;
        expect(c).toEqual(wantCtx);
        expect(user).toMatchObject({id: 'u1', username: 'alice', email: 'a@example.com', locale: 'fr', notify_props: {email: 'true'}, last_login: 1700000000000});
    });

    it('returns a single string result in A, and nothing for undefined', async () => {
        let answer: string | undefined = 'not you';
        const h = start({userWillLogIn: (_c: unknown, user: {username: string}) => (answer ? `${answer}, ${user.username}` : undefined)});
        const type = args(['A', t.ptr(ctxType)], ['B', t.ptr(userType)]);
        await expect(h.client.call('Plugin.UserWillLogIn', type, {A: ctx, B: goUser})).resolves.toEqual({A: 'not you, alice'});
        answer = undefined;
        await expect(h.client.call('Plugin.UserWillLogIn', type, {A: ctx, B: goUser})).resolves.toEqual({});
    });

    it('takes int64 arguments and answers (int64, error): a value in A, a thrown error in B', async () => {
        const seen: unknown[] = [];
        let fail: Error | undefined;
        const h = start({
            runDataRetention: (now: number, batch: number) => {
                seen.push(now, batch);
                if (fail) {
                    throw fail;
                }
                return 42;
            },
        });
        const type = args(['A', t.int], ['B', t.int]);
        await expect(h.client.call('Plugin.RunDataRetention', type, {A: 1700000000123, B: 500})).resolves.toEqual({A: 42});
        expect(seen).toEqual([1700000000123, 500]);

        fail = new Error('retention broke');
        const plain = (await h.client.call('Plugin.RunDataRetention', type, {A: 1, B: 2})) as {A?: number; B?: GoInterface};
        expect(plain.A).toBeUndefined();
        expect(plain.B).toBeInstanceOf(GoInterface);
        expect(plain.B?.name).toBe('*plugin.ErrorString');
        expect(plain.B?.value).toEqual({Err: 'retention broke'});

        fail = new AppError({id: 'x.y', message: 'nope', statusCode: 409});
        const app = (await h.client.call('Plugin.RunDataRetention', type, {A: 1, B: 2})) as {B?: GoInterface};
        expect(app.B?.name).toBe('*model.AppError');
        expect(app.B?.value).toMatchObject({Id: 'x.y', Message: 'nope', StatusCode: 409});
    });

    it('gives absent (zero) string arguments as "" and answers bool results', async () => {
        const seen: unknown[] = [];
        const h = start({
            onWebSocketConnect: (conn: unknown, user: unknown) => void seen.push(conn, user),
            onSharedChannelsPing: () => true,
        });
        await h.client.call('Plugin.OnWebSocketConnect', args(['A', t.string], ['B', t.string]), {A: '', B: 'u1'});
        expect(seen).toEqual(['', 'u1']);
        const rc = t.struct('RemoteCluster', [['RemoteId', t.string], ['Name', t.string]]);
        await expect(h.client.call('Plugin.OnSharedChannelsPing', args(['A', t.ptr(rc)]), {A: {RemoteId: 'r', Name: 'n'}})).resolves.toEqual({A: true});
    });

    it('answers a (value, reason) hook from the tuple: a replacement in A, a rejection in B', async () => {
        const received: unknown[] = [];
        let answer: unknown;
        const h = start({
            channelWillBeUpdated: (_c: unknown, next: unknown, prev: unknown) => {
                received.push(next, prev);
                return answer;
            },
        });
        const type = args(['A', t.ptr(ctxType)], ['B', t.ptr(channelType)], ['C', t.ptr(channelType)]);
        const call = () =>
            h.client.call('Plugin.ChannelWillBeUpdated', type, {A: ctx, B: {Id: 'c1', DisplayName: 'New', Type: 'P'}, C: {Id: 'c1', DisplayName: 'Old', Type: 'O'}});

        answer = [{id: 'c1', display_name: 'Renamed', type: 'P'}, undefined];
        await expect(call()).resolves.toEqual({A: expect.objectContaining({Id: 'c1', DisplayName: 'Renamed', Type: 'P'})});
        expect(received[0]).toMatchObject({id: 'c1', display_name: 'New', type: 'P'});
        expect(received[1]).toMatchObject({id: 'c1', display_name: 'Old', type: 'O'});

        answer = [undefined, 'no renames'];
        await expect(call()).resolves.toEqual({B: 'no renames'});
        answer = undefined;
        await expect(call()).resolves.toEqual({});
    });

    it('gives a struct passed by value as its zero struct when gob left it off the wire', async () => {
        const seen: unknown[] = [];
        const h = start({onInstall: (_c: unknown, ev: unknown) => void seen.push(ev)});
        const ev = t.struct('OnInstallEvent', [['UserId', t.string]]);
        await expect(h.client.call('Plugin.OnInstall', args(['A', t.ptr(ctxType)], ['B', ev]), {A: ctx, B: {}})).resolves.toEqual({});
        expect(seen).toEqual([{UserId: ''}]);
    });

    it('turns any error thrown by ExecuteCommand into the *model.AppError result', async () => {
        const h = start({
            executeCommand: () => {
                throw new Error('db down');
            },
        });
        const cmd = t.struct('CommandArgs', [['Command', t.string]]);
        const reply = (await h.client.call('Plugin.ExecuteCommand', args(['A', t.ptr(ctxType)], ['B', t.ptr(cmd)]), {A: ctx, B: {Command: '/x'}})) as Record<string, unknown>;
        expect(reply.A).toBeUndefined();
        expect(reply.B).toMatchObject({Message: 'db down', StatusCode: 500, Where: 'ExecuteCommand'});
    });

    it('answers a throwing hook without an error result as a failed call, logs it, and keeps serving', async () => {
        const h = start({
            messageHasBeenDeleted: () => {
                throw new Error('boom');
            },
            onSendDailyTelemetry: () => undefined,
        });
        await expect(h.client.call('Plugin.MessageHasBeenDeleted', args(['A', t.ptr(ctxType)], ['B', t.ptr(postType)]), {A: ctx, B: {Id: 'p'}})).rejects.toThrow(
            new RpcServerError('boom'),
        );
        expect(h.logs.some((l) => l.level === 'error' && l.message.includes('MessageHasBeenDeleted') && l.kv.includes('boom'))).toBe(true);
        await expect(h.client.call('Plugin.OnSendDailyTelemetry', t.struct('Z', []), {})).resolves.toEqual({});
    });

    it('answers async hooks once they settle, takes any thenable, and calls hooks on the plugin object', async () => {
        class Plugin {
            readonly prefix = 'hi';
            failNext = false;
            async userWillLogIn(_c: unknown, user: {username: string}): Promise<string> {
                await new Promise((resolve) => setTimeout(resolve, 5));
                if (this.failNext) {
                    throw new AppError({id: 'login.refused', message: 'not today', statusCode: 403});
                }
                return `${this.prefix}, ${user.username}`;
            }
            // A promise of another library: only `then`.
            onSharedChannelsPing(): PromiseLike<boolean> {
                return {then: (ok?: ((v: boolean) => unknown) | null) => Promise.resolve(ok?.(true))} as PromiseLike<boolean>;
            }
            async messageHasBeenDeleted(): Promise<void> {
                throw new Error('async boom');
            }
        }
        const plugin = new Plugin();
        const h = start(plugin);
        const type = args(['A', t.ptr(ctxType)], ['B', t.ptr(userType)]);
        await expect(h.client.call('Plugin.UserWillLogIn', type, {A: ctx, B: goUser})).resolves.toEqual({A: 'hi, alice'});
        plugin.failNext = true;
        // UserWillLogIn has no error result: the rejection fails the call.
        await expect(h.client.call('Plugin.UserWillLogIn', type, {A: ctx, B: goUser})).rejects.toThrow(new RpcServerError('not today'));
        const rc = t.struct('RemoteCluster', [['RemoteId', t.string]]);
        await expect(h.client.call('Plugin.OnSharedChannelsPing', args(['A', t.ptr(rc)]), {A: {RemoteId: 'r'}})).resolves.toEqual({A: true});
        await expect(h.client.call('Plugin.MessageHasBeenDeleted', args(['A', t.ptr(ctxType)], ['B', t.ptr(postType)]), {A: ctx, B: {Id: 'p'}})).rejects.toThrow(
            new RpcServerError('async boom'),
        );
    });

    it('hands an async hook\'s reply over in the microtask that sees the method settle, not one later', async () => {
        let settle: (user: string) => void = () => undefined;
        const pending = new Promise<string>((resolve) => {
            settle = resolve;
        });
        const plugin = {userWillLogIn: () => pending, setAPI: () => undefined};
        const handler = hookHandlers({plugin, broker: {} as MuxBroker, log: () => undefined}).get('UserWillLogIn')!;
        const order: string[] = [];
        const reply = handler({A: ctx, B: goUser});
        expect(typeof (reply as PromiseLike<unknown>).then).toBe('function');
        void (reply as PromiseLike<{value: unknown}>).then((r) => order.push(`reply ${JSON.stringify(r.value)}`));
        settle('no');
        await pending; // resumes in the microtask after the one that sees `pending` settle
        order.push('next microtask');
        expect(order).toEqual(['reply {"A":"no"}', 'next microtask']);
    });

    it('answers an unknown method with net/rpc\'s own error', async () => {
        const h = start({});
        await expect(h.client.call('Plugin.NoSuchHook', t.struct('Z', []), {})).rejects.toThrow(new RpcServerError("rpc: can't find method Plugin.NoSuchHook"));
    });
});

describe('manual-wire hooks', () => {
    it('MessagesWillBeConsumed(+WithContext): the posts in, replacements out, nil for "none"', async () => {
        let answer: unknown;
        const seen: unknown[][] = [];
        const h = start({
            messagesWillBeConsumed: (posts: unknown) => (seen.push([posts]), answer),
            messagesWillBeConsumedWithContext: (c: unknown, posts: unknown) => (seen.push([c, posts]), answer),
        });
        const posts = [
            {Id: 'p1', Message: 'one'},
            {Id: 'p2', Message: 'two', FileIds: ['f']},
        ];
        answer = [{id: 'p2', message: 'TWO'}];
        await expect(h.client.call('Plugin.MessagesWillBeConsumed', args(['A', t.slice(t.ptr(postType))]), {A: posts})).resolves.toEqual({
            A: [expect.objectContaining({Id: 'p2', Message: 'TWO'})],
        });
        expect(seen[0]![0]).toMatchObject([{id: 'p1', message: 'one'}, {id: 'p2', message: 'two', file_ids: ['f']}]);

        answer = undefined;
        await expect(
            h.client.call('Plugin.MessagesWillBeConsumedWithContext', args(['A', t.ptr(ctxType)], ['B', t.slice(t.ptr(postType))]), {A: ctx, B: posts}),
        ).resolves.toEqual({});
        expect(seen[1]![0]).toEqual(wantCtx);
        expect(seen[1]![1]).toHaveLength(2);
    });

    it('MessageWillBeUpdated: "as is" sends the new post back (the host starts from nil), or a change, or a rejection', async () => {
        let answer: unknown;
        const seen: unknown[] = [];
        const h = start({messageWillBeUpdated: (_c: unknown, next: unknown, prev: unknown) => (seen.push(next, prev), answer)});
        const type = args(['A', t.ptr(ctxType)], ['B', t.ptr(postType)], ['C', t.ptr(postType)]);
        const call = () => h.client.call('Plugin.MessageWillBeUpdated', type, {A: ctx, B: {Id: 'p', Message: 'new', EditAt: 5}, C: {Id: 'p', Message: 'old'}});

        answer = undefined;
        await expect(call()).resolves.toEqual({A: {Id: 'p', Message: 'new', EditAt: 5}});
        expect(seen).toMatchObject([{id: 'p', message: 'new', edit_at: 5}, {id: 'p', message: 'old', edit_at: 0}]);

        answer = {post: {id: 'p', message: 'censored'}};
        await expect(call()).resolves.toEqual({A: expect.objectContaining({Id: 'p', Message: 'censored'})});
        answer = {rejectReason: 'frozen'};
        await expect(call()).resolves.toEqual({B: 'frozen'});
        answer = [undefined, 'frozen too'];
        await expect(call()).resolves.toEqual({B: 'frozen too'});
    });

    it('MessageWillBePosted: nothing back for "as is" (the host keeps its post)', async () => {
        let answer: unknown;
        const h = start({messageWillBePosted: () => answer});
        const type = args(['A', t.ptr(ctxType)], ['B', t.ptr(postType)]);
        const call = () => h.client.call('Plugin.MessageWillBePosted', type, {A: ctx, B: {Id: 'p', Message: 'hi'}});
        answer = undefined;
        await expect(call()).resolves.toEqual({});
        answer = {post: {id: 'p', message: 'HI'}};
        await expect(call()).resolves.toEqual({A: expect.objectContaining({Message: 'HI'})});
        answer = {rejectReason: 'spam'};
        await expect(call()).resolves.toEqual({B: 'spam'});
    });

    it('ChannelMemberWillBeAdded and TeamMemberWillBeAdded take {member} or a tuple', async () => {
        const member = t.struct('ChannelMember', [['ChannelId', t.string], ['UserId', t.string], ['Roles', t.string]]);
        const teamMember = t.struct('TeamMember', [['TeamId', t.string], ['UserId', t.string], ['Roles', t.string]]);
        const seen: unknown[] = [];
        const h = start({
            channelMemberWillBeAdded: (_c: unknown, m: {roles: string}) => (seen.push(m), {member: {...m, roles: `${m.roles} channel_admin`}}),
            teamMemberWillBeAdded: (_c: unknown, m: {user_id: string}) => (seen.push(m), [undefined, `no ${m.user_id}`]),
        });
        await expect(
            h.client.call('Plugin.ChannelMemberWillBeAdded', args(['A', t.ptr(ctxType)], ['B', t.ptr(member)]), {A: ctx, B: {ChannelId: 'c', UserId: 'u', Roles: 'channel_user'}}),
        ).resolves.toEqual({A: expect.objectContaining({ChannelId: 'c', UserId: 'u', Roles: 'channel_user channel_admin'})});
        await expect(
            h.client.call('Plugin.TeamMemberWillBeAdded', args(['A', t.ptr(ctxType)], ['B', t.ptr(teamMember)]), {A: ctx, B: {TeamId: 't', UserId: 'u2', Roles: 'team_user'}}),
        ).resolves.toEqual({B: 'no u2'});
        expect(seen).toMatchObject([
            {channel_id: 'c', user_id: 'u', roles: 'channel_user'},
            {team_id: 't', user_id: 'u2', roles: 'team_user'},
        ]);
    });
});

describe('Implemented and coverage', () => {
    it('lists exactly the hooks the plugin object has a method for', () => {
        class P {
            serveMetrics(): void {}
            messageWillBeUpdated(): void {}
            notAHook(): void {}
        }
        const p = Object.assign(new P(), {onInstall: () => undefined, userHasBeenCreated: 'not a function'});
        expect(implementedHooks(p).sort()).toEqual(['MessageWillBeUpdated', 'OnInstall', 'ServeMetrics']);
    });

    it('answers Implemented over RPC with that list', async () => {
        const h = start({onActivate: () => undefined, fileWillBeUploaded: () => undefined});
        await expect(h.client.call('Plugin.Implemented', t.struct('', []), {})).resolves.toEqual(['OnActivate', 'FileWillBeUploaded']);
    });

    it('serves every hook of plugin.Hooks (51), and a plugin with a method per table row implements them all', () => {
        expect(hookRows).toHaveLength(51);
        const all = Object.fromEntries(hookRows.map((row) => [row.ts, () => undefined]));
        expect(implementedHooks(all)).toHaveLength(51);
        const handlers = hookHandlers({plugin: Object.assign(all, {setAPI: () => undefined}), broker: {} as MuxBroker, log: () => undefined});
        expect(hookRows.filter((row) => !handlers.has(row.go)).map((row) => row.go)).toEqual([]);
    });
});

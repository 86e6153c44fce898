// The typed client for the host's plugin API (service "Plugin" on the stream whose broker id OnActivate
// gives us). Arguments and returns are the generated Z_<Method>Args/Returns structs: fields A, B, C...
import type {Bot} from '@mattermost/types/bots';
import type {Channel, ChannelMembership} from '@mattermost/types/channels';
import type {Command} from '@mattermost/types/integrations';
import type {Post} from '@mattermost/types/posts';
import type {Team} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';

import {GoInterface, t, type GoType} from '../transport/gob/index.js';
import type {RpcClient} from '../transport/netrpc.js';

import {ApiCallCounter} from './api_calls.js';
import {appErrorFromGo, errorFromGo} from './errors.js';
import type {ModelName} from './generated/models.js';
import {modelFromGo, modelToGo, modelType, unwrapInterface} from './models.js';

export type Bytes = Uint8Array | string;

export interface KVSetOptions {
    /** Store only if the current value equals `oldValue` (null/undefined: only if the key is absent). */
    atomic?: boolean;
    oldValue?: Bytes | null;
    /** 0 or undefined: never expires. */
    expireInSeconds?: number;
}

export interface ClusterEvent {
    id: string;
    data: Uint8Array;
}

export interface ClusterSendOptions {
    sendType?: 'reliable' | 'best_effort';
    /** Empty: every other node. */
    targetId?: string;
}

export interface WebSocketBroadcast {
    user_id?: string;
    channel_id?: string;
    team_id?: string;
    connection_id?: string;
    omit_users?: Record<string, boolean>;
    omit_connection_id?: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

type Args = Record<string, unknown>;
type Returns = Record<string, unknown>;

const arg = {
    string: t.string,
    bytes: t.bytes,
    bool: t.bool,
    int: t.int,
    iface: t.interface,
    model: (name: ModelName): GoType => t.ptr(modelType(name)),
    value: (name: ModelName): GoType => modelType(name),
    strings: t.slice(t.string),
    stringMap: t.map(t.string, t.interface),
    anyList: t.slice(t.interface),
};

/** Per-method args struct types, built once. */
const argTypes = new Map<string, GoType>();

function argsType(method: string, fields: ReadonlyArray<readonly [string, GoType]>): GoType {
    let type = argTypes.get(method);
    if (!type) {
        type = t.struct(`Z_${method}Args`, fields.map(([n, ty]) => [n, ty] as [string, GoType]));
        argTypes.set(method, type);
    }
    return type;
}

function bytesOf(v: Bytes | null | undefined): Uint8Array | undefined {
    if (v === null || v === undefined) {
        return undefined;
    }
    return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

function returnsOf(body: unknown): Returns {
    return typeof body === 'object' && body !== null ? (body as Returns) : {};
}

/** A slice from a reply (gob leaves a nil or empty slice out). */
function listOf(v: unknown): unknown[] {
    return Array.isArray(v) ? v : [];
}

/** Throws the `*model.AppError` in field `field` of a reply, if present. */
function throwAppError(r: Returns, field: string): void {
    const e = r[field];
    if (e !== undefined && e !== null) {
        throw appErrorFromGo(e);
    }
}

function throwError(r: Returns, field: string): void {
    const e = errorFromGo(r[field]);
    if (e) {
        throw e;
    }
}

export class PluginAPI {
    /** Every call this client makes, by method (see api_calls.ts). */
    readonly calls = new ApiCallCounter();

    constructor(private readonly rpc: RpcClient) {}

    private async call(method: string, fields: ReadonlyArray<readonly [string, GoType]>, values: Args): Promise<Returns> {
        this.calls.count(method);
        return returnsOf(await this.rpc.call(`Plugin.${method}`, argsType(method, fields), values));
    }

    // ---- KV store ----

    async kvGet(key: string): Promise<Uint8Array | null> {
        const r = await this.call('KVGet', [['A', arg.string]], {A: key});
        throwAppError(r, 'B');
        return (r.A as Uint8Array | undefined) ?? null;
    }

    async kvSet(key: string, value: Bytes): Promise<void> {
        const r = await this.call('KVSet', [['A', arg.string], ['B', arg.bytes]], {A: key, B: bytesOf(value)});
        throwAppError(r, 'A');
    }

    async kvSetWithOptions(key: string, value: Bytes | null, options: KVSetOptions): Promise<boolean> {
        const r = await this.call('KVSetWithOptions', [['A', arg.string], ['B', arg.bytes], ['C', arg.value('PluginKVSetOptions')]], {
            A: key,
            B: bytesOf(value),
            C: {
                Atomic: options.atomic ?? false,
                OldValue: bytesOf(options.oldValue),
                ExpireInSeconds: options.expireInSeconds ?? 0,
            },
        });
        throwAppError(r, 'B');
        return r.A === true;
    }

    async kvCompareAndSet(key: string, oldValue: Bytes | null, newValue: Bytes): Promise<boolean> {
        const r = await this.call('KVCompareAndSet', [['A', arg.string], ['B', arg.bytes], ['C', arg.bytes]], {
            A: key,
            B: bytesOf(oldValue),
            C: bytesOf(newValue),
        });
        throwAppError(r, 'B');
        return r.A === true;
    }

    async kvCompareAndDelete(key: string, oldValue: Bytes): Promise<boolean> {
        const r = await this.call('KVCompareAndDelete', [['A', arg.string], ['B', arg.bytes]], {A: key, B: bytesOf(oldValue)});
        throwAppError(r, 'B');
        return r.A === true;
    }

    async kvSetWithExpiry(key: string, value: Bytes, expireInSeconds: number): Promise<void> {
        const r = await this.call('KVSetWithExpiry', [['A', arg.string], ['B', arg.bytes], ['C', arg.int]], {
            A: key,
            B: bytesOf(value),
            C: expireInSeconds,
        });
        throwAppError(r, 'A');
    }

    async kvDelete(key: string): Promise<void> {
        const r = await this.call('KVDelete', [['A', arg.string]], {A: key});
        throwAppError(r, 'A');
    }

    async kvList(page: number, perPage: number): Promise<string[]> {
        const r = await this.call('KVList', [['A', arg.int], ['B', arg.int]], {A: page, B: perPage});
        throwAppError(r, 'B');
        return (r.A as string[] | undefined) ?? [];
    }

    // ---- users, channels, teams ----

    async getUser(userId: string): Promise<UserProfile> {
        return this.getModel('GetUser', 'User', [userId]);
    }

    async getUserByUsername(username: string): Promise<UserProfile> {
        return this.getModel('GetUserByUsername', 'User', [username]);
    }

    /** The users of `userIds` the server knows, in no particular order (unknown ids are left out; server 9.8+). */
    async getUsersByIds(userIds: string[]): Promise<UserProfile[]> {
        const r = await this.call('GetUsersByIds', [['A', arg.strings]], {A: userIds});
        throwAppError(r, 'B');
        return listOf(r.A).map((u) => modelFromGo<UserProfile>('User', u));
    }

    async getChannel(channelId: string): Promise<Channel> {
        return this.getModel('GetChannel', 'Channel', [channelId]);
    }

    async getChannelMember(channelId: string, userId: string): Promise<ChannelMembership> {
        return this.getModel('GetChannelMember', 'ChannelMember', [channelId, userId]);
    }

    /** The memberships of those of `userIds` who are members of the channel (the others are left out). */
    async getChannelMembersByIds(channelId: string, userIds: string[]): Promise<ChannelMembership[]> {
        const r = await this.call('GetChannelMembersByIds', [['A', arg.string], ['B', arg.strings]], {A: channelId, B: userIds});
        throwAppError(r, 'B');
        return listOf(r.A).map((m) => modelFromGo<ChannelMembership>('ChannelMember', m));
    }

    async getDirectChannel(userId1: string, userId2: string): Promise<Channel> {
        return this.getModel('GetDirectChannel', 'Channel', [userId1, userId2]);
    }

    async getTeam(teamId: string): Promise<Team> {
        return this.getModel('GetTeam', 'Team', [teamId]);
    }

    async hasPermissionToChannel(userId: string, channelId: string, permissionId: string): Promise<boolean> {
        const r = await this.call('HasPermissionToChannel', [['A', arg.string], ['B', arg.string], ['C', arg.model('Permission')]], {
            A: userId,
            B: channelId,
            C: {Id: permissionId},
        });
        return r.A === true;
    }

    /** Methods of the form (string...) → (*model.X, *model.AppError). */
    private async getModel<T>(method: string, model: ModelName, ids: string[]): Promise<T> {
        const names = ['A', 'B', 'C'];
        const fields = ids.map((_, i) => [names[i] ?? 'A', arg.string] as const);
        const values: Args = {};
        ids.forEach((id, i) => {
            values[names[i] ?? 'A'] = id;
        });
        const r = await this.call(method, fields, values);
        throwAppError(r, 'B');
        return modelFromGo<T>(model, r.A);
    }

    // ---- posts ----

    async createPost(post: Partial<Post>): Promise<Post> {
        const r = await this.call('CreatePost', [['A', arg.model('Post')]], {A: modelToGo('Post', post)});
        throwAppError(r, 'B');
        return modelFromGo<Post>('Post', r.A);
    }

    async getPost(postId: string): Promise<Post> {
        return this.getModel('GetPost', 'Post', [postId]);
    }

    async sendEphemeralPost(userId: string, post: Partial<Post>): Promise<Post> {
        const r = await this.call('SendEphemeralPost', [['A', arg.string], ['B', arg.model('Post')]], {
            A: userId,
            B: modelToGo('Post', post),
        });
        return modelFromGo<Post>('Post', r.A);
    }

    // ---- bots, commands ----

    /** Creates the bot, or updates and returns the one this plugin made before (server 7.1+). */
    async ensureBotUser(bot: Partial<Bot>): Promise<string> {
        const r = await this.call('EnsureBotUser', [['A', arg.model('Bot')]], {A: modelToGo('Bot', bot)});
        throwError(r, 'B');
        return (r.A as string | undefined) ?? '';
    }

    /** Sets a user's (e.g. the bot's) profile picture from PNG or JPEG bytes. */
    async setProfileImage(userId: string, image: Uint8Array): Promise<void> {
        const r = await this.call('SetProfileImage', [['A', arg.string], ['B', arg.bytes]], {A: userId, B: image});
        throwAppError(r, 'A');
    }

    /** Where the server unpacked this plugin's bundle (plugin.json, assets/). */
    async getBundlePath(): Promise<string> {
        const r = await this.call('GetBundlePath', [], {});
        throwError(r, 'B');
        return (r.A as string | undefined) ?? '';
    }

    async registerCommand(command: Partial<Command>): Promise<void> {
        const r = await this.call('RegisterCommand', [['A', arg.model('Command')]], {A: modelToGo('Command', command)});
        throwError(r, 'A');
    }

    async unregisterCommand(teamId: string, trigger: string): Promise<void> {
        const r = await this.call('UnregisterCommand', [['A', arg.string], ['B', arg.string]], {A: teamId, B: trigger});
        throwError(r, 'A');
    }

    // ---- configuration ----

    /** The server configuration, sanitized by the server, in its JSON shape (Go field names). */
    async getConfig(): Promise<Record<string, unknown>> {
        const r = await this.call('GetConfig', [], {});
        return modelFromGo<Record<string, unknown> | undefined>('Config', r.A) ?? {};
    }

    async getPluginConfig(): Promise<Record<string, unknown>> {
        const r = await this.call('GetPluginConfig', [], {});
        return (unwrapInterface(r.A) as Record<string, unknown> | undefined) ?? {};
    }

    /** This plugin's settings (System Console), parsed from the JSON the server sends. */
    async loadPluginConfiguration<T = Record<string, unknown>>(): Promise<T> {
        const r = await this.call('LoadPluginConfiguration', [], {});
        const raw = r.A as Uint8Array | undefined;
        if (!raw || raw.length === 0) {
            return {} as T;
        }
        const parsed: unknown = JSON.parse(Buffer.from(raw).toString('utf8'));
        return (parsed ?? {}) as T;
    }

    async getServerVersion(): Promise<string> {
        const r = await this.call('GetServerVersion', [], {});
        return (r.A as string | undefined) ?? '';
    }

    // ---- cluster and websocket ----

    async publishPluginClusterEvent(event: ClusterEvent, options: ClusterSendOptions = {}): Promise<void> {
        const r = await this.call(
            'PublishPluginClusterEvent',
            [['A', arg.value('PluginClusterEvent')], ['B', arg.value('PluginClusterEventSendOptions')]],
            {
                A: {Id: event.id, Data: event.data},
                B: {SendType: options.sendType ?? 'reliable', TargetId: options.targetId ?? ''},
            },
        );
        throwError(r, 'A');
    }

    /** Sends `custom_<pluginid>_<event>` to the clients the broadcast selects. */
    async publishWebSocketEvent(event: string, payload: Record<string, unknown>, broadcast: WebSocketBroadcast): Promise<void> {
        await this.call('PublishWebSocketEvent', [['A', arg.string], ['B', arg.stringMap], ['C', arg.model('WebsocketBroadcast')]], {
            A: event,
            B: payload,
            C: modelToGo('WebsocketBroadcast', broadcast),
        });
    }

    // ---- logging: lands in the server log, tagged with the plugin id, at the server's log level ----

    async log(level: LogLevel, message: string, ...keyValuePairs: unknown[]): Promise<void> {
        const method = {debug: 'LogDebug', info: 'LogInfo', warn: 'LogWarn', error: 'LogError'}[level];
        // The Go glue stringifies every key/value before sending; we do the same so any value is accepted.
        const pairs = keyValuePairs.map((v) => new GoInterface('string', logString(v), t.string));
        await this.call(method, [['A', arg.string], ['B', arg.anyList]], {A: message, B: pairs});
    }

    logDebug(message: string, ...kv: unknown[]): Promise<void> {
        return this.log('debug', message, ...kv);
    }

    logInfo(message: string, ...kv: unknown[]): Promise<void> {
        return this.log('info', message, ...kv);
    }

    logWarn(message: string, ...kv: unknown[]): Promise<void> {
        return this.log('warn', message, ...kv);
    }

    logError(message: string, ...kv: unknown[]): Promise<void> {
        return this.log('error', message, ...kv);
    }
}

/** A log key or value as the server's log shows it (the API's log methods take strings). */
export function logString(v: unknown): string {
    if (typeof v === 'string') {
        return v;
    }
    if (v instanceof Error) {
        return v.message;
    }
    if (typeof v === 'object' && v !== null) {
        try {
            return JSON.stringify(v);
        } catch {
            return String(v);
        }
    }
    return String(v);
}

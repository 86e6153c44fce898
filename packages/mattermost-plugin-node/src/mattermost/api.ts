// The typed client for the host's plugin API (service "Plugin" on the stream whose broker id OnActivate
// gives us). Every method whose RPC glue Mattermost generates comes from generated/api.ts; this class adds
// the ones Mattermost hand-writes (client_rpc.go), each in its own wire shape, and a few overloads that keep
// the shorter forms plugins already use (UTF-8 strings as bytes, camelCase KV options).
import type {PluginManifest} from '@mattermost/types/plugins';
import type {FileInfo} from '@mattermost/types/files';

import {GoInterface, t, type GoType} from '../transport/gob/index.js';
import type {MuxBroker} from '../transport/muxbroker.js';
import {RpcServerError, type RpcClient} from '../transport/netrpc.js';

import {apiRow, resultsOf} from './api/client_base.js';
import {pluginHTTPArgsType, pluginHTTPResponseOf, requestSubsetOf, type PluginHTTPRequest, type PluginHTTPResponse} from './api/plugin_http.js';
import {serveReader} from './api/reader_stream.js';
import {argsOf, argToGo, fieldName} from './api/wire_values.js';
import {PluginApiError} from './errors.js';
import {GeneratedPluginAPI} from './generated/api.js';
import type {AuditRecord, LogrLevel, Permission, PluginClusterEvent, PluginClusterEventSendOptions, PluginKVSetOptions, UploadSession} from './generated/types.js';
import {goTypeOf} from './models.js';

export type {PluginHTTPRequest, PluginHTTPResponse} from './api/plugin_http.js';

/** Bytes, or text sent as UTF-8. */
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

const logMethods = {debug: 'LogDebug', info: 'LogInfo', warn: 'LogWarn', error: 'LogError'} as const;

const logArgs = t.struct('Z_LogArgs', [
    ['A', t.string],
    ['B', t.slice(t.interface)],
]);
const loadConfigArgs = t.struct('Z_LoadPluginConfigurationArgsArgs', []);

function bytesOf(v: Bytes | null | undefined): Uint8Array | null {
    if (v === null || v === undefined) {
        return null;
    }
    return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

function isCamelKVOptions(o: KVSetOptions | Partial<PluginKVSetOptions>): o is KVSetOptions {
    return 'atomic' in o || 'oldValue' in o || 'expireInSeconds' in o;
}

function isCamelClusterEvent(e: ClusterEvent | Partial<PluginClusterEvent>): e is ClusterEvent {
    return 'id' in e || 'data' in e;
}

function isCamelSendOptions(o: ClusterSendOptions | Partial<PluginClusterEventSendOptions>): o is ClusterSendOptions {
    return 'sendType' in o || 'targetId' in o;
}

/** Args struct types of the hand-written methods whose shape is not the generated one, built once. */
const manualTypes = new Map<string, GoType>();

function manualArgs(name: string, fields: () => ReadonlyArray<readonly [string, GoType]>): GoType {
    let type = manualTypes.get(name);
    if (!type) {
        type = t.struct(name, fields().map(([n, ty]) => [n, ty] as [string, GoType]));
        manualTypes.set(name, type);
    }
    return type;
}

export class PluginAPI extends GeneratedPluginAPI {
    /** `broker` carries the data of InstallPlugin, UploadData and ReceiveSharedChannelAttachmentSyncMsg. */
    constructor(
        rpc: RpcClient,
        private readonly broker?: MuxBroker,
    ) {
        super(rpc);
    }

    // ---- overloads: text as UTF-8 bytes, camelCase options ----

    override kvSet(key: string, value: Bytes | null): Promise<void> {
        return super.kvSet(key, bytesOf(value));
    }

    override kvSetWithExpiry(key: string, value: Bytes | null, expireInSeconds: number): Promise<void> {
        return super.kvSetWithExpiry(key, bytesOf(value), expireInSeconds);
    }

    override kvCompareAndSet(key: string, oldValue: Bytes | null, newValue: Bytes | null): Promise<boolean> {
        return super.kvCompareAndSet(key, bytesOf(oldValue), bytesOf(newValue));
    }

    override kvCompareAndDelete(key: string, oldValue: Bytes | null): Promise<boolean> {
        return super.kvCompareAndDelete(key, bytesOf(oldValue));
    }

    /** `options` in camelCase ({atomic, oldValue, expireInSeconds}) or as model.PluginKVSetOptions. */
    override kvSetWithOptions(key: string, value: Bytes | null, options: KVSetOptions | Partial<PluginKVSetOptions>): Promise<boolean> {
        // OldValue as raw bytes: a Uint8Array in a model field is sent as is (a string there is read as base64)
        const goOptions = isCamelKVOptions(options)
            ? ({Atomic: options.atomic ?? false, ExpireInSeconds: options.expireInSeconds ?? 0, ...oldValueOf(options.oldValue)} as Partial<PluginKVSetOptions>)
            : options;
        return super.kvSetWithOptions(key, bytesOf(value), goOptions);
    }

    /** `permission` as its id ('read_channel') or a model.Permission. */
    override hasPermissionToChannel(userId: string, channelId: string, permission: string | Partial<Permission> | null): Promise<boolean> {
        return super.hasPermissionToChannel(userId, channelId, typeof permission === 'string' ? {id: permission} : permission);
    }

    override hasPermissionToTeam(userId: string, teamId: string, permission: string | Partial<Permission> | null): Promise<boolean> {
        return super.hasPermissionToTeam(userId, teamId, typeof permission === 'string' ? {id: permission} : permission);
    }

    override hasPermissionTo(userId: string, permission: string | Partial<Permission> | null): Promise<boolean> {
        return super.hasPermissionTo(userId, typeof permission === 'string' ? {id: permission} : permission);
    }

    /** The event as {id, data} or a model.PluginClusterEvent; reliable delivery to every other node by default. */
    override publishPluginClusterEvent(
        event: ClusterEvent | Partial<PluginClusterEvent>,
        options: ClusterSendOptions | Partial<PluginClusterEventSendOptions> = {},
    ): Promise<void> {
        // Data goes as raw bytes: a Uint8Array model field is passed through as is
        const ev: Partial<PluginClusterEvent> | {Id: string; Data: Uint8Array} = isCamelClusterEvent(event) ? {Id: event.id, Data: event.data} : event;
        const opts = isCamelSendOptions(options)
            ? {SendType: options.sendType ?? 'reliable', TargetId: options.targetId ?? ''}
            : {SendType: 'reliable', ...options};
        return super.publishPluginClusterEvent(ev as Partial<PluginClusterEvent>, opts);
    }

    // ---- hand-written wire: LoadPluginConfiguration ----

    /**
     * This plugin's settings (System Console), parsed from the JSON the server sends. When the server fails
     * to produce them this throws a PluginApiError with the server's message, where Go's glue only logs it
     * and leaves a Go plugin's destination as it was: settings silently left at nothing are worse.
     */
    async loadPluginConfiguration<T = Record<string, unknown>>(): Promise<T> {
        // The hand-written glue has no error result: the server's error is the net/rpc reply's own.
        const r = await this.callRaw('LoadPluginConfiguration', loadConfigArgs, {}).catch((err: unknown) => {
            throw err instanceof RpcServerError ? new PluginApiError(err.message) : err;
        });
        const raw = r.A as Uint8Array | undefined;
        if (!raw || raw.length === 0) {
            return {} as T;
        }
        const parsed: unknown = JSON.parse(Buffer.from(raw).toString('utf8'));
        return (parsed ?? {}) as T;
    }

    // ---- logging: lands in the server log, tagged with the plugin id, at the server's log level ----

    async log(level: LogLevel, message: string, ...keyValuePairs: unknown[]): Promise<void> {
        // The Go glue stringifies every key/value before sending; we do the same so any value is accepted.
        const pairs = keyValuePairs.map((v) => new GoInterface('string', logString(v), t.string));
        await this.callRaw(logMethods[level], logArgs, {A: message, B: pairs});
    }

    logDebug(message: string, ...keyValuePairs: unknown[]): Promise<void> {
        return this.log('debug', message, ...keyValuePairs);
    }

    logInfo(message: string, ...keyValuePairs: unknown[]): Promise<void> {
        return this.log('info', message, ...keyValuePairs);
    }

    logWarn(message: string, ...keyValuePairs: unknown[]): Promise<void> {
        return this.log('warn', message, ...keyValuePairs);
    }

    logError(message: string, ...keyValuePairs: unknown[]): Promise<void> {
        return this.log('error', message, ...keyValuePairs);
    }

    /** Writes an audit record to the server's audit log (server 7.x+). */
    async logAuditRec(rec: Partial<AuditRecord>): Promise<void> {
        const row = apiRow('LogAuditRec');
        await this.callRaw('LogAuditRec', manualArgs('Z_LogAuditRecArgs', () => [['A', goTypeOf(row.params[0]!.type)]]), argsOf(row, [rec]));
    }

    /** Writes an audit record at a given audit level (mlog.Level: {id, name, stacktrace}). */
    async logAuditRecWithLevel(rec: Partial<AuditRecord>, level: Partial<LogrLevel>): Promise<void> {
        const row = apiRow('LogAuditRecWithLevel');
        const type = manualArgs('Z_LogAuditRecWithLevelArgs', () => row.params.map((p, i) => [fieldName(i), goTypeOf(p.type)] as const));
        await this.callRaw('LogAuditRecWithLevel', type, argsOf(row, [rec, level]));
    }

    // ---- hand-written wire: data through a mux-broker stream the server reads from ----

    /** Installs a plugin bundle (a .tar.gz); `replace` overwrites an installed one. */
    async installPlugin(file: Uint8Array, replace: boolean): Promise<PluginManifest | null> {
        const row = apiRow('InstallPlugin');
        const type = manualArgs('Z_InstallPluginArgs', () => [
            ['PluginStreamID', t.uint],
            ['B', t.bool],
        ]);
        return (await this.withReader(file, (id) => this.callRaw('InstallPlugin', type, {PluginStreamID: id, B: replace}).then((r) => resultsOf(row, r)))) as PluginManifest | null;
    }

    /** Appends `data` to an upload session (CreateUploadSession); the file once the upload is complete. */
    async uploadData(us: Partial<UploadSession> | null, data: Uint8Array): Promise<FileInfo | null> {
        const row = apiRow('UploadData');
        const type = manualArgs('Z_UploadDataArgs', () => [
            ['A', goTypeOf(row.params[0]!.type)],
            ['PluginStreamID', t.uint],
        ]);
        const session = argToGo(row.params[0]!.type, us);
        return (await this.withReader(data, (id) => this.callRaw('UploadData', type, {A: session, PluginStreamID: id}).then((r) => resultsOf(row, r)))) as FileInfo | null;
    }

    /** Hands the server an attachment received from a shared-channel remote (server 10.x+). */
    async receiveSharedChannelAttachmentSyncMsg(remoteID: string, channelID: string, fi: Partial<FileInfo> | null, data: Uint8Array): Promise<FileInfo | null> {
        const row = apiRow('ReceiveSharedChannelAttachmentSyncMsg');
        const type = manualArgs('Z_ReceiveSharedChannelAttachmentSyncMsgArgs', () => [
            ['A', t.string],
            ['B', t.string],
            ['C', goTypeOf(row.params[2]!.type)],
            ['DataStreamID', t.uint],
        ]);
        const values = {A: remoteID, B: channelID, C: argToGo(row.params[2]!.type, fi)};
        return (await this.withReader(data, (id) =>
            this.callRaw('ReceiveSharedChannelAttachmentSyncMsg', type, {...values, DataStreamID: id}).then((r) => resultsOf(row, r)),
        )) as FileInfo | null;
    }

    // ---- hand-written wire: PluginHTTP ----

    /**
     * An HTTP request to another plugin's ServeHTTP (`url` starting /<plugin id>/...) or, with a path under
     * /api/v4, to the server's REST API as the plugin. Buffered: both bodies cross in one message.
     */
    async pluginHTTP(request: PluginHTTPRequest): Promise<PluginHTTPResponse | null> {
        const body = request.body === undefined ? undefined : bytesOf(request.body);
        const r = await this.callRaw('PluginHTTP', pluginHTTPArgsType, {Request: requestSubsetOf(request), RequestBody: body ?? undefined});
        return pluginHTTPResponseOf(r);
    }

    /** Offers `data` on a fresh broker id while `call` (given the id) runs; the server dials and reads it. */
    private async withReader<T>(data: Uint8Array, call: (id: number) => Promise<T>): Promise<T> {
        const broker = this.broker;
        if (!broker) {
            throw new Error('this PluginAPI was made without the mux broker, which methods taking an io.Reader need');
        }
        const id = broker.nextId();
        // Not awaited: the server reads while it handles the call, and the call's reply says how that went.
        void broker.accept(id).then(
            (stream) => serveReader(stream, data),
            () => undefined,
        );
        return call(id);
    }
}

function oldValueOf(v: Bytes | null | undefined): {OldValue?: Uint8Array} {
    const b = bytesOf(v);
    return b ? {OldValue: b} : {};
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

// The hooks side of the binding: service "Plugin" on the stream the host dials after Dispense("hooks").
// Each Go hook name maps to an optional method of the plugin object; `Implemented` lists exactly those.
import type {Post} from '@mattermost/types/posts';

import {t, type GoType} from '../transport/gob/index.js';
import type {MuxBroker} from '../transport/muxbroker.js';
import {RpcClient, RpcServer, type RpcMethod, type RpcReply} from '../transport/netrpc.js';
import type {Stream} from '../transport/yamux/index.js';

import {PluginAPI} from './api.js';
import {appErrorToGo, AppError, errorToGo} from './errors.js';
import {serveHTTP, serveHTTPReply, type ServeHTTPArgs} from './http_bridge.js';
import {modelFromGo, modelToGo, modelType} from './models.js';
import type {CommandArgs, CommandResponse, MattermostPlugin, PluginContext, PluginHooks, ServerConfig} from './plugin.js';

type Args = Record<string, unknown>;

const errorReturns = t.struct('Z_ErrorReturns', [['A', t.interface]]);
const noReturns = t.struct('Z_NoReturns', []);
const willBePostedReturns = t.struct('Z_MessageWillBePostedReturns', [
    ['A', t.ptr(modelType('Post'))],
    ['B', t.string],
]);
// A nil config (A) tells the server to save the configuration it passed in; B is the refusal.
const configurationWillBeSavedReturns = t.struct('Z_ConfigurationWillBeSavedReturns', [
    ['A', t.ptr(modelType('Config'))],
    ['B', t.interface],
]);
const executeCommandReturns = t.struct('Z_ExecuteCommandReturns', [
    ['A', t.ptr(modelType('CommandResponse'))],
    ['B', t.ptr(modelType('AppError'))],
]);

/** Go hook name → the plugin method that implements it. */
export const hookMethods = {
    OnActivate: 'onActivate',
    OnDeactivate: 'onDeactivate',
    OnConfigurationChange: 'onConfigurationChange',
    ConfigurationWillBeSaved: 'configurationWillBeSaved',
    MessageHasBeenPosted: 'messageHasBeenPosted',
    MessageHasBeenUpdated: 'messageHasBeenUpdated',
    MessageWillBePosted: 'messageWillBePosted',
    ExecuteCommand: 'executeCommand',
    OnPluginClusterEvent: 'onPluginClusterEvent',
    ServeHTTP: 'serveHTTP',
} as const satisfies Record<string, keyof PluginHooks>;

export function implementedHooks(plugin: PluginHooks): string[] {
    return Object.entries(hookMethods)
        .filter(([, method]) => typeof plugin[method] === 'function')
        .map(([goName]) => goName);
}

function argsOf(body: unknown): Args {
    return typeof body === 'object' && body !== null ? (body as Args) : {};
}

function contextOf(v: unknown): PluginContext {
    const c = argsOf(v);
    const s = (k: string): string => (typeof c[k] === 'string' ? (c[k] as string) : '');
    return {
        SessionId: s('SessionId'),
        RequestId: s('RequestId'),
        IPAddress: s('IPAddress'),
        AcceptLanguage: s('AcceptLanguage'),
        UserAgent: s('UserAgent'),
        ConnectionId: s('ConnectionId'),
    };
}

const reply = (type: GoType, value: unknown): RpcReply => ({type, value});

export type HookLogger = (level: 'debug' | 'info' | 'warn' | 'error', message: string, ...kv: unknown[]) => void;

/** Serves the hooks of one plugin object on the dispensed stream. */
export function serveHooks(plugin: MattermostPlugin & PluginHooks, stream: Stream, broker: MuxBroker, log: HookLogger): void {
    const implemented = implementedHooks(plugin);

    // A hook that throws becomes an error reply (and a log line), never a crash.
    const guard = async (hook: string, fn: () => unknown): Promise<unknown> => {
        try {
            return await fn();
        } catch (err) {
            log('error', `hook ${hook} failed`, 'error', err instanceof Error ? err.message : String(err));
            throw err;
        }
    };

    const methods: Record<string, RpcMethod> = {
        Implemented: () => reply(t.slice(t.string), implemented),

        // Always called, implemented or not: it carries the API connection.
        OnActivate: async (body) => {
            const a = argsOf(body);
            const api = broker.dial(Number(a.APIMuxId ?? 0));
            plugin.setAPI(new PluginAPI(new RpcClient(api.stream, {expectPrefix: api.ack})));
            if (a.DriverMuxId) {
                // We have no use for the database driver, but dialling it spares the host a 5 s accept timeout.
                const driver = broker.dial(Number(a.DriverMuxId));
                driver.stream.resume();
                driver.stream.on('error', () => undefined);
            }
            // The Go glue loads configuration before OnActivate, and only logs a failure.
            if (plugin.onConfigurationChange) {
                try {
                    await plugin.onConfigurationChange();
                } catch (err) {
                    log('error', 'OnConfigurationChange failed during activation', 'error', String(err));
                }
            }
            try {
                await plugin.onActivate?.();
            } catch (err) {
                return reply(errorReturns, {A: errorToGo(err)});
            }
            return reply(errorReturns, {});
        },

        OnDeactivate: async () => errorResult(() => plugin.onDeactivate?.()),
        OnConfigurationChange: async () => errorResult(() => plugin.onConfigurationChange?.()),

        ConfigurationWillBeSaved: async (body) => {
            const a = argsOf(body);
            try {
                const result = await plugin.configurationWillBeSaved?.(modelFromGo<ServerConfig | undefined>('Config', a.A) ?? {});
                // Only a replacement goes back: the config passed in, round-tripped through our (possibly older
                // or newer) model, would lose the fields that model lacks when the server saved it.
                return reply(configurationWillBeSavedReturns, {A: result?.config ? modelToGo('Config', result.config) : undefined});
            } catch (err) {
                // Refusing the save is this hook's job, so it is not logged as a failure here: the server
                // answers the admin with the error (an AppError as is, any other as a 400 with its text as detail).
                return reply(configurationWillBeSavedReturns, {B: errorToGo(err)});
            }
        },

        MessageHasBeenPosted: async (body) => {
            const a = argsOf(body);
            await guard('MessageHasBeenPosted', () => plugin.messageHasBeenPosted?.(contextOf(a.A), modelFromGo<Post>('Post', a.B)));
            return reply(noReturns, {});
        },

        MessageHasBeenUpdated: async (body) => {
            const a = argsOf(body);
            await guard('MessageHasBeenUpdated', () =>
                plugin.messageHasBeenUpdated?.(contextOf(a.A), modelFromGo<Post>('Post', a.B), modelFromGo<Post>('Post', a.C)),
            );
            return reply(noReturns, {});
        },

        MessageWillBePosted: async (body) => {
            const a = argsOf(body);
            const result = (await guard('MessageWillBePosted', () =>
                plugin.messageWillBePosted?.(contextOf(a.A), modelFromGo<Post>('Post', a.B)),
            )) as {post?: Post; rejectReason?: string} | undefined;
            if (result?.rejectReason) {
                return reply(willBePostedReturns, {B: result.rejectReason});
            }
            // The host decodes our reply over the original post: fields we leave out stay as they were.
            return reply(willBePostedReturns, {A: result?.post ? modelToGo('Post', result.post) : undefined});
        },

        ExecuteCommand: async (body) => {
            const a = argsOf(body);
            const args = modelFromGo<CommandArgs>('CommandArgs', a.B);
            try {
                const response = await plugin.executeCommand?.(contextOf(a.A), args);
                return reply(executeCommandReturns, {A: response ? modelToGo('CommandResponse', response as CommandResponse) : undefined});
            } catch (err) {
                const appErr =
                    err instanceof AppError
                        ? err
                        : new AppError({
                              id: 'plugin.execute_command.app_error',
                              message: err instanceof Error ? err.message : String(err),
                              statusCode: 500,
                              where: 'ExecuteCommand',
                          });
                log('warn', 'ExecuteCommand failed', 'error', appErr.message);
                return reply(executeCommandReturns, {B: appErrorToGo(appErr)});
            }
        },

        OnPluginClusterEvent: async (body) => {
            const a = argsOf(body);
            const ev = argsOf(a.B);
            await guard('OnPluginClusterEvent', () =>
                plugin.onPluginClusterEvent?.(contextOf(a.A), {
                    id: typeof ev.Id === 'string' ? ev.Id : '',
                    data: ev.Data instanceof Uint8Array ? ev.Data : new Uint8Array(0),
                }),
            );
            return reply(noReturns, {});
        },

        ServeHTTP: async (body) => {
            const a = argsOf(body) as ServeHTTPArgs & {Context?: unknown};
            const c = contextOf(a.Context);
            await serveHTTP(broker, a, (req, res) => {
                if (!plugin.serveHTTP) {
                    res.statusCode = 404;
                    res.end('404 page not found\n');
                    return undefined;
                }
                return plugin.serveHTTP(c, req, res);
            });
            return serveHTTPReply;
        },
    };

    new RpcServer(
        stream,
        (serviceMethod) => {
            if (!serviceMethod.startsWith('Plugin.')) {
                return undefined;
            }
            return methods[serviceMethod.slice('Plugin.'.length)];
        },
        {onMethodError: (m, err) => log('error', `RPC ${m} failed`, 'error', err instanceof Error ? err.message : String(err))},
    );

    async function errorResult(fn: () => unknown): Promise<RpcReply> {
        try {
            await fn();
            return reply(errorReturns, {});
        } catch (err) {
            return reply(errorReturns, {A: errorToGo(err)});
        }
    }
}


// The hooks served by hand: those whose wire client_rpc.go writes by hand (streams through the mux broker,
// replies the host decodes over its own value), and those the package gives a friendlier signature than
// the generated one.
import {t, type GoType} from '../../transport/gob/index.js';
import {RpcClient, type RpcReply} from '../../transport/netrpc.js';
import {PluginAPI} from '../api.js';
import {appErrorToGo, errorToGo} from '../errors.js';
import type {ServeHTTPArgs} from '../http_bridge.js';
import {modelFromGo, modelToGo, modelType} from '../models.js';

import {fileWillBeUploaded} from './file_upload.js';
import {argsOf, hookFunction, toAppError} from './generic.js';
import {callLogged, contextOf, type ManualHook} from './manual_common.js';
import {willBeHook} from './will_be.js';

export type {ManualContext} from './manual_common.js';

const reply = (type: GoType, value: unknown): RpcReply => ({type, value});
const errorReturns = t.struct('Z_ErrorReturns', [['A', t.interface]]);
const noReturns = t.struct('Z_NoReturns', []);

// Always called, implemented or not: it carries the API connection.
const onActivate: ManualHook = ({plugin, broker, log}) => async (body) => {
    const a = argsOf(body);
    const api = broker.dial(Number(a.APIMuxId ?? 0));
    plugin.setAPI(new PluginAPI(new RpcClient(api.stream, {expectPrefix: api.ack}), broker));
    if (a.DriverMuxId) {
        // We have no use for the database driver, but dialling it spares the host a 5 s accept timeout.
        const driver = broker.dial(Number(a.DriverMuxId));
        driver.stream.resume();
        driver.stream.on('error', () => undefined);
    }
    // The Go glue loads configuration before OnActivate, and only logs a failure.
    const onConfigurationChange = hookFunction(plugin, 'onConfigurationChange');
    if (onConfigurationChange) {
        try {
            await onConfigurationChange();
        } catch (err) {
            log('error', 'OnConfigurationChange failed during activation', 'error', String(err));
        }
    }
    try {
        await hookFunction(plugin, 'onActivate')?.();
    } catch (err) {
        return reply(errorReturns, {A: errorToGo(err)});
    }
    return reply(errorReturns, {});
};

/** ServeHTTP and ServeMetrics: the same Z_ shape, the request replayed to a Node (req, res) handler. */
function httpHook(ts: 'serveHTTP' | 'serveMetrics'): ManualHook {
    return ({plugin, broker}) =>
        async (body) => {
            const a = argsOf(body) as ServeHTTPArgs & {Context?: unknown};
            const c = contextOf(a.Context);
            // loaded with the first request: a plugin without HTTP hooks never loads node:http
            const {serveHTTP, serveHTTPReply} = await import('../http_bridge.js');
            await serveHTTP(broker, a, (req, res) => {
                const fn = hookFunction(plugin, ts);
                if (!fn) {
                    res.statusCode = 404;
                    res.end('404 page not found\n');
                    return undefined;
                }
                return fn(c, req, res);
            });
            return serveHTTPReply;
        };
}

const configurationWillBeSavedReturns = t.struct('Z_ConfigurationWillBeSavedReturns', [
    ['A', t.ptr(modelType('Config'))],
    ['B', t.interface],
]);

const configurationWillBeSaved: ManualHook = ({plugin}) => async (body) => {
    const a = argsOf(body);
    const fn = hookFunction(plugin, 'configurationWillBeSaved');
    try {
        const result = (await fn?.(modelFromGo<Record<string, unknown> | undefined>('Config', a.A) ?? {})) as {config?: unknown} | undefined;
        // Only a replacement goes back: the config passed in, round-tripped through our (possibly older
        // or newer) model, would lose the fields that model lacks when the server saved it.
        return reply(configurationWillBeSavedReturns, {A: result?.config ? modelToGo('Config', result.config) : undefined});
    } catch (err) {
        // Refusing the save is this hook's job, so it is not logged as a failure here: the server
        // answers the admin with the error (an AppError as is, any other as a 400 with its text as detail).
        return reply(configurationWillBeSavedReturns, {B: errorToGo(err)});
    }
};

const executeCommandReturns = t.struct('Z_ExecuteCommandReturns', [
    ['A', t.ptr(modelType('CommandResponse'))],
    ['B', t.ptr(modelType('AppError'))],
]);

const executeCommand: ManualHook = ({plugin, log}) => async (body) => {
    const a = argsOf(body);
    const args = modelFromGo<unknown>('CommandArgs', a.B);
    try {
        const response = await hookFunction(plugin, 'executeCommand')?.(contextOf(a.A), args);
        return reply(executeCommandReturns, {A: response ? modelToGo('CommandResponse', response) : undefined});
    } catch (err) {
        const appErr = toAppError('ExecuteCommand', err);
        log('warn', 'ExecuteCommand failed', 'error', appErr.message);
        return reply(executeCommandReturns, {B: appErrorToGo(appErr)});
    }
};

// Friendlier than the table's: the event data as bytes rather than Go's JSON of []byte (base64).
const onPluginClusterEvent: ManualHook = (ctx) => async (body) => {
    const a = argsOf(body);
    const ev = argsOf(a.B);
    await callLogged(ctx, 'OnPluginClusterEvent', 'onPluginClusterEvent', [
        contextOf(a.A),
        {id: typeof ev.Id === 'string' ? ev.Id : '', data: ev.Data instanceof Uint8Array ? ev.Data : new Uint8Array(0)},
    ]);
    return reply(noReturns, {});
};

/** The hooks served by hand, by Go name. */
export const manualHooks: Readonly<Record<string, ManualHook>> = {
    OnActivate: onActivate,
    ServeHTTP: httpHook('serveHTTP'),
    ServeMetrics: httpHook('serveMetrics'),
    ConfigurationWillBeSaved: configurationWillBeSaved,
    ExecuteCommand: executeCommand,
    OnPluginClusterEvent: onPluginClusterEvent,
    FileWillBeUploaded: fileWillBeUploaded,
    MessageWillBePosted: willBeHook({go: 'MessageWillBePosted', ts: 'messageWillBePosted', key: 'post', model: 'Post', args: ['Post'], echo: false}),
    MessageWillBeUpdated: willBeHook({go: 'MessageWillBeUpdated', ts: 'messageWillBeUpdated', key: 'post', model: 'Post', args: ['Post', 'Post'], echo: true}),
    ChannelMemberWillBeAdded: willBeHook({
        go: 'ChannelMemberWillBeAdded',
        ts: 'channelMemberWillBeAdded',
        key: 'member',
        model: 'ChannelMember',
        args: ['ChannelMember'],
        echo: false,
    }),
    TeamMemberWillBeAdded: willBeHook({
        go: 'TeamMemberWillBeAdded',
        ts: 'teamMemberWillBeAdded',
        key: 'member',
        model: 'TeamMember',
        args: ['TeamMember'],
        echo: false,
    }),
};

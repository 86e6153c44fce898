export {MattermostPlugin} from './plugin.js';
export type {
    CommandArgs,
    CommandResponse,
    ConfigurationWillBeSavedResult,
    FileWillBeUploadedResult,
    MaybePromise,
    MemberWillBeAddedResult,
    MessageWillBePostedResult,
    MessageWillBeUpdatedResult,
    PluginClusterEvent,
    PluginContext,
    PluginHooks,
    ServerConfig,
    WillBeResult,
} from './plugin.js';
export type {GeneratedPluginHooks} from './generated/hooks.js';
export {hookRows, implementedHooks, type HookRow} from './hooks.js';
export {PluginAPI} from './api.js';
export type {Bytes, ClusterEvent, ClusterSendOptions, KVSetOptions, LogLevel, WebSocketBroadcast} from './api.js';
export {AppError, PluginApiError} from './errors.js';
export {runPlugin} from './runtime.js';

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
export type {PluginHTTPRequest, PluginHTTPResponse} from './api.js';
export {GeneratedPluginAPI} from './generated/api.js';
export {apiMethods} from './generated/api_table.js';
export {hookMethods} from './generated/hooks_table.js';
/** Every Go model the API and hooks carry: its fields' Go and JSON names and wire types (what the package converts by). */
export {models as modelTable} from './generated/models.js';
export type {FieldRow, MethodRow, ModelTable, ParamRow, ResultRow, TypeExpr} from './model_table.js';
/** The JSON shapes of the models @mattermost/types has no type for (generated from the Go model package). */
export type * as Models from './generated/types.js';
export {AppError, NotSupportedError, PluginApiError} from './errors.js';
export {runPlugin} from './runtime.js';

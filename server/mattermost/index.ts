export {MattermostPlugin} from './plugin.js';
export type {CommandArgs, CommandResponse, MessageWillBePostedResult, PluginClusterEvent, PluginContext, PluginHooks} from './plugin.js';
export {PluginAPI} from './api.js';
export type {Bytes, ClusterEvent, ClusterSendOptions, KVSetOptions, LogLevel, WebSocketBroadcast} from './api.js';
export {AppError, PluginApiError} from './errors.js';
export {runPlugin} from './runtime.js';

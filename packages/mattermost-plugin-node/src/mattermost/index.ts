export {MattermostPlugin} from './plugin.js';
export type {CommandArgs, CommandResponse, ConfigurationWillBeSavedResult, MessageWillBePostedResult, PluginClusterEvent, PluginContext, PluginHooks, ServerConfig} from './plugin.js';
export {PluginAPI} from './api.js';
export type {Bytes, ClusterEvent, ClusterSendOptions, KVSetOptions, LogLevel, WebSocketBroadcast} from './api.js';
export {AppError, PluginApiError} from './errors.js';
export {runPlugin} from './runtime.js';

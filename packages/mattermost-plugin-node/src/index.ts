// The author API of mattermost-plugin-node: extend MattermostPlugin, define the hooks you need, call
// runPlugin. The transport underneath is exported separately as 'mattermost-plugin-node/transport'.
export * from './mattermost/index.js';
export {pluginLogger, stderrLog, Logger, type Log, type LogLevels} from './mattermost/logger.js';
export type {ApiCallCounts} from './mattermost/api_calls.js';
export {ApiCallCounter} from './mattermost/api_calls.js';
export type {RequestHandler} from './mattermost/http_bridge.js';

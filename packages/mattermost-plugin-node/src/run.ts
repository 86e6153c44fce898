// 'mattermost-plugin-node/run': what a plugin's entry point imports. Only the transport loads with it, so
// the handshake line goes out before the Mattermost binding and the plugin's own code load (runtime.ts).
// Import everything else from the package root, in the plugin's code, which the entry point loads lazily.
export {mattermostHandshake, runPlugin, type PluginSource} from './mattermost/runtime.js';

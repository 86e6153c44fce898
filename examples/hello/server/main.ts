// The executable's entry point. The server waits at most 3 s for the handshake line, which runPlugin prints
// before the Mattermost binding and the plugin's code load: 'mattermost-plugin-node/run' brings only the
// transport, so keep this file to these lines and import the rest (the package root too) lazily.
import {runPlugin} from 'mattermost-plugin-node/run';

runPlugin(async () => new (await import('./plugin.js')).HelloPlugin());

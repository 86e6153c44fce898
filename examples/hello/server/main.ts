// The executable's entry point. The server waits at most 3 s for the handshake line, which runPlugin prints
// before it loads the plugin's code: keep this file to these lines and import the rest lazily.
import {runPlugin} from 'mattermost-plugin-node';

runPlugin(async () => new (await import('./plugin.js')).HelloPlugin());

// The executable's entry point: the handshake first, the binding and the plugin loaded lazily after it.
import {runPlugin} from 'mattermost-plugin-node/run';

runPlugin(async () => new (await import('./plugin.js')).ApiSurfacePlugin());

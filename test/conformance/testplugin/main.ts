// Entry point of the conformance test plugin: like the product, only the transport loads before the
// handshake line; the binding and the plugin's code load after it.
import {runPlugin} from 'mattermost-plugin-node/run';

runPlugin(async () => {
    const {ConformancePlugin} = await import('./plugin.js');
    return new ConformancePlugin();
});

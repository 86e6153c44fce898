// Entry point of the conformance test plugin: like the product, its code loads after the handshake.
import {runPlugin} from 'mattermost-plugin-node';

runPlugin(async () => {
    const {ConformancePlugin} = await import('./plugin.js');
    return new ConformancePlugin();
});

// Entry point of the conformance test plugin: like the product, its code loads after the handshake.
import {runPlugin} from '../../../server/mattermost/runtime.js';

runPlugin(async () => {
    const {ConformancePlugin} = await import('./plugin.js');
    return new ConformancePlugin();
});

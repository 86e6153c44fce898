// Entry point of the round-trip plugin: like the product, its code loads after the handshake.
import {runPlugin} from 'mattermost-plugin-node';

runPlugin(async () => {
    const {createRoundTripPlugin} = await import('./plugin.js');
    return createRoundTripPlugin();
});

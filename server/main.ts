// Entry point. Only the transport loads before the handshake line is printed ('mattermost-plugin-node/run');
// the Mattermost binding and the plugin's code (express, the alerts app) load after it, so the server's
// 3-second start timeout never depends on how big the app is. Keep this file to these lines.
import {runPlugin} from 'mattermost-plugin-node/run';

runPlugin(async () => {
    const {TriggerAlertsPlugin} = await import('./plugin.js');
    return new TriggerAlertsPlugin();
});

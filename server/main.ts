// Entry point. The plugin's code (express, the alerts app) loads after the handshake line is printed,
// so the server's 3-second start timeout never depends on how big the app is.
import {runPlugin} from 'mattermost-plugin-node';

runPlugin(async () => {
    const {TriggerAlertsPlugin} = await import('./plugin.js');
    return new TriggerAlertsPlugin();
});

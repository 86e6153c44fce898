// Installs the plugin (by default dist/'s standalone bundle) on a world's server 0 the System Console's way and
// waits until it runs; returns what tests need to recognise the plugin's work (its id and its bot).
import {distBundle, prepareBundle} from './bundle.js';
import {clientFor, uploadPlugin, waitPluginRunning, type RealMattermost} from './world.js';

export interface InstalledPlugin {
    id: string;
    botId: string;
}

export interface InstallOptions {
    /** The bundle file to install; by default dist/'s standalone bundle prepared for the fixture. */
    bundle?: string;
    /** How long the plugin may take to run once enabled. */
    timeoutMs?: number;
}

export async function installTriggerAlerts(world: RealMattermost, o: InstallOptions = {}): Promise<InstalledPlugin> {
    // The fixture is 9.10, older than the manifest's min_server_version: see bundle.ts.
    const bundle = o.bundle ?? prepareBundle(distBundle(), world.scratch, {minServerVersion: '9.10.0'}).file;
    const id = await uploadPlugin(world.admin.client, bundle);
    await world.admin.client.enablePlugin(id);
    await waitPluginRunning(world.admin.client, id, {timeoutMs: o.timeoutMs ?? 120_000});
    const bot = await world.admin.client.getUserByUsername('trigger-alerts');
    return {id, botId: bot.id};
}

/** Waits until server `index` itself reports the plugin running (statuses are per server without a cluster). */
export async function waitRunningOn(world: RealMattermost, index: number, id: string, timeoutMs = 120_000): Promise<void> {
    await waitPluginRunning(clientFor(world.servers[index].url, world.admin.token), id, {timeoutMs});
}

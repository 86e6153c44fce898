// The server configuration through the REST API as the System Console saves it (GET, change, PUT the whole
// of it), keeping the server's answer when it refuses the save: the tests check what an admin is told.
import type {Client4} from '@mattermost/client';
import type {AdminConfig} from '@mattermost/types/config';

export interface ConfigSaveAnswer {
    status: number;
    /** The saved configuration (2xx) or the server's AppError JSON ({id, message, detailed_error, ...}). */
    body: Record<string, unknown>;
}

/** PUT /api/v4/config with `config`, answering whatever the server answers. */
export async function putConfig(serverUrl: string, adminToken: string, config: AdminConfig): Promise<ConfigSaveAnswer> {
    const res = await fetch(`${serverUrl}/api/v4/config`, {
        method: 'PUT',
        headers: {Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest'},
        body: JSON.stringify(config),
        signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    let body: Record<string, unknown>;
    try {
        body = JSON.parse(text) as Record<string, unknown>;
    } catch {
        body = {text};
    }
    return {status: res.status, body};
}

/** PluginSettings.Plugins[pluginId] as the server stores it (keys lower-cased by the System Console). */
export async function storedPluginSettings(admin: Client4, pluginId: string): Promise<Record<string, unknown>> {
    const config = await admin.getConfig();
    const plugins = (config.PluginSettings.Plugins ?? {}) as Record<string, Record<string, unknown>>;
    return plugins[pluginId] ?? {};
}

/** Saves the configuration with `change` applied to this plugin's settings (keys lower-cased), as the System Console does. */
export async function savePluginSettings(serverUrl: string, admin: Client4, adminToken: string, pluginId: string, change: Record<string, unknown>): Promise<ConfigSaveAnswer> {
    const config = await admin.getConfig();
    const plugins = (config.PluginSettings.Plugins ?? {}) as Record<string, Record<string, unknown>>;
    const lowered = Object.fromEntries(Object.entries(change).map(([k, v]) => [k.toLowerCase(), v]));
    plugins[pluginId] = {...(plugins[pluginId] ?? {}), ...lowered};
    config.PluginSettings.Plugins = plugins;
    return putConfig(serverUrl, adminToken, config);
}

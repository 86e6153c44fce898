// A plugin's System Console settings, changed the way the System Console saves them: the whole configuration
// read, the plugin's entry of PluginSettings.Plugins changed, written back with PUT /api/v4/config.
import type {Client4} from '@mattermost/client';

export type PluginSettingValue = string | number | boolean;

/**
 * Merges `settings` into PluginSettings.Plugins[pluginId]. Keys are stored lower-cased, as the System
 * Console stores them, so a later change of the same setting replaces it instead of sitting beside it.
 * The server then calls the plugin's OnConfigurationChange; the caller waits for its effect.
 */
export async function setPluginSettings(admin: Client4, pluginId: string, settings: Record<string, PluginSettingValue>): Promise<void> {
    const config = await admin.getConfig();
    const plugins = (config.PluginSettings.Plugins ?? {}) as Record<string, Record<string, unknown>>;
    const lowered = Object.fromEntries(Object.entries(settings).map(([k, v]) => [k.toLowerCase(), v]));
    plugins[pluginId] = {...(plugins[pluginId] ?? {}), ...lowered};
    config.PluginSettings.Plugins = plugins;
    await admin.updateConfig(config);
}

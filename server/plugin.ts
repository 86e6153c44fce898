// Wires the alerts app into the plugin runtime: the only file that knows both.
import type {IncomingMessage, ServerResponse} from 'node:http';

import type {Post} from '@mattermost/types/posts';

import manifest from '../plugin.json';

import {AlertsApp} from './alerts/app.js';
import {parseSettings, pluginSettingsIn, SettingsError} from './alerts/settings.js';
import {AppError, MattermostPlugin, pluginLogger, type CommandArgs, type CommandResponse, type PluginContext, type ServerConfig} from 'mattermost-plugin-node';

export class TriggerAlertsPlugin extends MattermostPlugin {
    private app: AlertsApp | undefined;

    private get alerts(): AlertsApp {
        this.app ??= new AlertsApp(this.api, pluginLogger(this.api));
        return this.app;
    }

    override async onConfigurationChange(): Promise<void> {
        await this.alerts.configure();
    }

    /**
     * Refuses a System Console save with invalid settings, so the admin sees why and the stored settings stay
     * valid. onConfigurationChange still checks them: a config file edited by hand is never passed here.
     */
    override async configurationWillBeSaved(newConfig: ServerConfig): Promise<void> {
        const settings = pluginSettingsIn(newConfig, manifest.id);
        try {
            parseSettings(settings);
        } catch (err) {
            if (!(err instanceof SettingsError)) {
                throw err;
            }
            // Settings that were stored invalid before (by hand, or before this check existed) must not block
            // the admin's unrelated saves elsewhere in the System Console; onConfigurationChange reports them.
            if (sameSettings(settings, await this.api.getPluginConfig())) {
                return;
            }
            throw new AppError({
                id: 'plugin.trigger_alerts.invalid_settings',
                message: err.message,
                statusCode: 400,
                where: 'ConfigurationWillBeSaved',
                // The id is not in the server's translations: without this the admin would see the bare id.
                skipTranslation: true,
            });
        }
    }

    override async onActivate(): Promise<void> {
        await this.alerts.activate();
    }

    override async messageHasBeenPosted(_c: PluginContext, post: Post): Promise<void> {
        await this.alerts.onPosted(post);
    }

    override async messageHasBeenUpdated(_c: PluginContext, newPost: Post, oldPost: Post): Promise<void> {
        await this.alerts.onUpdated(newPost, oldPost);
    }

    override executeCommand(_c: PluginContext, args: CommandArgs): Promise<CommandResponse> {
        return this.alerts.command(args);
    }

    override serveHTTP(_c: PluginContext, req: IncomingMessage, res: ServerResponse): void {
        this.alerts.http(req, res);
    }
}

/** The same settings, whatever the case of their keys (the server lower-cases them on some paths). */
function sameSettings(a: unknown, b: unknown): boolean {
    const canonical = (v: unknown): string => {
        const o = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
        return JSON.stringify(Object.entries(o).map(([k, x]) => [k.toLowerCase(), x] as const).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
    };
    return canonical(a) === canonical(b);
}

// Wires the alerts app into the plugin runtime: the only file that knows both.
import type {IncomingMessage, ServerResponse} from 'node:http';

import type {Post} from '@mattermost/types/posts';

import {AlertsApp} from './alerts/app.js';
import {MattermostPlugin, type CommandArgs, type CommandResponse, type PluginContext} from './mattermost/index.js';
import {pluginLogger} from './mattermost/logger.js';

export class TriggerAlertsPlugin extends MattermostPlugin {
    private app: AlertsApp | undefined;

    private get alerts(): AlertsApp {
        this.app ??= new AlertsApp(this.api, pluginLogger(this.api));
        return this.app;
    }

    override async onConfigurationChange(): Promise<void> {
        await this.alerts.configure();
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

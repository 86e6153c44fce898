// Wires the product into the plugin runtime: the only file that knows both.
import express from 'express';

import {MattermostPlugin, runPlugin, type PluginContext} from './mattermost/index.js';
import type {IncomingMessage, ServerResponse} from 'node:http';

class TriggerAlertsPlugin extends MattermostPlugin {
    private readonly app = express().disable('x-powered-by');

    constructor() {
        super();
        this.app.get('/api/v1/health', (_req, res) => {
            res.json({status: 'ok'});
        });
    }

    override async onActivate(): Promise<void> {
        await this.api.logInfo('trigger-alerts activated', 'server_version', await this.api.getServerVersion());
    }

    override serveHTTP(_c: PluginContext, req: IncomingMessage, res: ServerResponse): void {
        this.app(req, res);
    }
}

runPlugin(new TriggerAlertsPlugin());

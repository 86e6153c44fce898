// The alerts app assembled on top of the plugin API: settings, bot, store, notifier, HTTP and command.
// Nothing here outlives an event except through the KV store, so any server of a cluster can take
// any request or post.
import {readFile} from 'node:fs/promises';
import path from 'node:path';

import type {Post} from '@mattermost/types/posts';
import express from 'express';

import type {CommandArgs, CommandResponse, Log, PluginAPI} from 'mattermost-plugin-node';

import {AlertTimings} from './alert_timings.js';
import {alertTimingsRoute, apiCallsRoute, DebugGate} from './api_calls_route.js';
import {commandDefinition, executeTrigger} from './command.js';
import {alertsHost, type AlertsHost} from './host.js';
import {alertsRouter} from './http.js';
import {pluginKV} from './kv.js';
import {Notifier} from './notifier.js';
import {RecipientLedger} from './recipient_ledger.js';
import {defaultSettings, parseSettings, type Settings} from './settings.js';
import {Snooze} from './snooze.js';
import {WordStore} from './store.js';

export const botUsername = 'trigger-alerts';

export class AlertsApp {
    private settings: Settings = defaultSettings;
    private botUserId = '';
    private siteURL = '';
    readonly store: WordStore;
    readonly notifier: Notifier;
    readonly http: express.Express;
    private readonly snooze: Snooze;
    private readonly ledger: RecipientLedger;
    private readonly timings = new AlertTimings();
    private readonly host: AlertsHost;

    constructor(
        private readonly api: PluginAPI,
        private readonly log: Log,
    ) {
        this.host = alertsHost(api);
        const kv = pluginKV(api);
        this.store = new WordStore(kv);
        this.snooze = new Snooze(this.store);
        const settings = (): Settings => this.settings;
        // One ledger for alerts and for the direct channels made when words are set: the same remembered
        // documents, and one user's writes on this server one at a time.
        this.ledger = new RecipientLedger(kv);
        this.notifier = new Notifier({
            host: this.host,
            log,
            store: this.store,
            ledger: this.ledger,
            settings,
            botUserId: () => this.botUserId,
            siteURL: () => this.siteURL,
            timings: this.timings,
        });
        this.http = express().disable('x-powered-by').disable('etag');
        this.http.use('/api/v1', alertsRouter({host: this.host, log, store: this.store, snooze: this.snooze, settings, wordsSet: this.wordsSet}));
        const gate = new DebugGate(this.host);
        this.http.get('/debug/api-calls', apiCallsRoute(gate, () => api.calls.snapshot()));
        this.http.get('/debug/alert-timings', alertTimingsRoute(gate, () => this.timings.report()));
        this.http.use((_req, res) => {
            res.status(404).json({error: 'no such route'});
        });
    }

    /** Validates and applies the System Console settings; invalid ones keep the previous settings. */
    async configure(): Promise<void> {
        const raw = await this.api.loadPluginConfiguration();
        this.settings = parseSettings(raw);
        const config = await this.api.getConfig();
        const service = (config?.ServiceSettings ?? {}) as {SiteURL?: string | null};
        this.siteURL = service.SiteURL ?? '';
        this.log.debug('settings applied', ...Object.entries(this.settings).flat());
        if (this.botUserId) {
            await this.ensureBot();
        }
    }

    async activate(): Promise<void> {
        await this.ensureBot();
        await this.api.registerCommand(commandDefinition);
        if (!this.siteURL) {
            this.log.warn('Site URL is not set in the System Console: alert permalinks will be relative');
        }
    }

    private async ensureBot(): Promise<void> {
        const id = await this.api.ensureBotUser({
            username: botUsername,
            display_name: this.settings.botDisplayName,
            description: 'Sends you a direct message when someone posts one of your trigger words.',
        });
        if (id !== this.botUserId) {
            this.botUserId = id;
            await this.setBotIcon().catch((err: unknown) => this.log.warn('could not set the bot icon', 'error', String(err)));
        }
    }

    private async setBotIcon(): Promise<void> {
        const bundle = await this.api.getBundlePath();
        const icon = await readFile(path.join(bundle, 'assets', 'bot-icon.png'));
        await this.api.setProfileImage(this.botUserId, icon);
    }

    /**
     * The user now has words: their direct channel with the bot is made (if need be) and remembered in their
     * alert ledger in the background, so that no alert waits for a channel to be made (on the server that is
     * a channel and two memberships). A failure costs nothing but that: the first alert then asks itself.
     */
    private readonly wordsSet = (userId: string): void => {
        const botUserId = this.botUserId;
        if (!botUserId) {
            return;
        }
        this.ledger
            .rememberDirectChannel(userId, async () => (await this.host.getDirectChannel(botUserId, userId)).id)
            .catch((err: unknown) => this.log.warn('direct channel not made ahead of alerts', 'user_id', userId, 'error', String(err)));
    };

    onPosted(post: Post): Promise<number> {
        return this.notifier.onPosted(post);
    }

    onUpdated(newPost: Post, oldPost: Post): Promise<number> {
        return this.notifier.onUpdated(newPost, oldPost);
    }

    command(args: CommandArgs): Promise<CommandResponse> {
        return executeTrigger({host: this.host, store: this.store, snooze: this.snooze, settings: () => this.settings, wordsSet: this.wordsSet}, args);
    }
}

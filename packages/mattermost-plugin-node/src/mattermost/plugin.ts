// The plugin author API: extend `MattermostPlugin`, define the hooks you need, call `runPlugin`.
import type {Post} from '@mattermost/types/posts';

import type {PluginAPI} from './api.js';
import type {RequestHandler} from './http_bridge.js';

/** plugin.Context: who/what triggered a hook. */
export interface PluginContext {
    SessionId: string;
    RequestId: string;
    IPAddress: string;
    AcceptLanguage: string;
    UserAgent: string;
    ConnectionId?: string;
}

/** model.CommandArgs in its JSON shape. */
export interface CommandArgs {
    user_id: string;
    channel_id: string;
    team_id: string;
    root_id: string;
    parent_id: string;
    trigger_id: string;
    command: string;
}

/** model.CommandResponse in its JSON shape. */
export interface CommandResponse {
    response_type?: 'ephemeral' | 'in_channel';
    text?: string;
    username?: string;
    channel_id?: string;
    icon_url?: string;
    type?: string;
    props?: Record<string, unknown>;
    goto_location?: string;
    trigger_id?: string;
    skip_slack_parsing?: boolean;
    attachments?: unknown[];
    extra_responses?: CommandResponse[];
}

export interface PluginClusterEvent {
    id: string;
    data: Uint8Array;
}

/** model.Config in its JSON shape (Go field names: the Go struct has no JSON tags), as GetConfig returns it. */
export type ServerConfig = Record<string, unknown>;

/**
 * What ConfigurationWillBeSaved may answer: nothing (save the configuration as the admin sent it) or a
 * replacement to save instead. To refuse the save, throw: an `AppError` reaches the admin as is (its
 * `statusCode`, and its `message` if `skipTranslation` is set), any other error as the server's generic
 * 400 "plugin hook error" with the message only in the detail.
 */
export type ConfigurationWillBeSavedResult = {config: ServerConfig} | undefined | void;

/** What MessageWillBePosted may answer: nothing (allow as is), a changed post, or a rejection. */
export type MessageWillBePostedResult = {post?: Post; rejectReason?: string} | undefined | void;

type MaybePromise<T> = T | Promise<T>;

/**
 * Hooks are optional methods; the runtime tells the server exactly which ones exist (Implemented), so the
 * server never calls one you did not define. Every hook may be async. A hook that throws is logged and
 * answered as an error; it never brings the process down.
 */
export interface PluginHooks {
    onActivate?(): MaybePromise<void>;
    onDeactivate?(): MaybePromise<void>;
    onConfigurationChange?(): MaybePromise<void>;
    /** Before the server saves a new configuration (System Console, PUT /api/v4/config, mmctl). Server 8.0+. */
    configurationWillBeSaved?(newConfig: ServerConfig): MaybePromise<ConfigurationWillBeSavedResult>;
    messageHasBeenPosted?(c: PluginContext, post: Post): MaybePromise<void>;
    messageHasBeenUpdated?(c: PluginContext, newPost: Post, oldPost: Post): MaybePromise<void>;
    messageWillBePosted?(c: PluginContext, post: Post): MaybePromise<MessageWillBePostedResult>;
    executeCommand?(c: PluginContext, args: CommandArgs): MaybePromise<CommandResponse>;
    onPluginClusterEvent?(c: PluginContext, event: PluginClusterEvent): MaybePromise<void>;
    /** Requests to /plugins/<id>/...; an express app fits here as is. */
    serveHTTP?(c: PluginContext, ...handlerArgs: Parameters<RequestHandler>): unknown;
}

// Declaration merging gives subclasses the hook signatures to be checked against, while every hook stays optional.
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface MattermostPlugin extends PluginHooks {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class MattermostPlugin {
    private apiClient: PluginAPI | undefined;

    /** The server's plugin API. Usable from onConfigurationChange/onActivate on. */
    get api(): PluginAPI {
        if (!this.apiClient) {
            throw new Error('the plugin API is available once the plugin is activated');
        }
        return this.apiClient;
    }

    /** @internal called by the runtime when the host hands over the API connection. */
    setAPI(api: PluginAPI): void {
        this.apiClient = api;
    }
}

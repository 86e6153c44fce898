// The plugin author API: extend `MattermostPlugin`, define the hooks you need (any of plugin.Hooks), call
// `runPlugin`.
import type {Readable, Writable} from 'node:stream';

import type {ChannelMembership} from '@mattermost/types/channels';
import type {FileInfo} from '@mattermost/types/files';
import type {Post} from '@mattermost/types/posts';
import type {TeamMembership} from '@mattermost/types/teams';

import type {PluginAPI} from './api.js';
import type {GeneratedPluginHooks, GeneratedTableHooks, MaybePromise} from './generated/hooks.js';
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

/**
 * What a "will be" hook may answer: nothing (allow as is), a changed value under its key, or a rejection.
 * The generated hooks' tuple `[changed, rejectReason]` is taken too.
 */
export type WillBeResult<K extends string, T> =
    | ({[P in K]?: T} & {rejectReason?: string})
    | [T | undefined, string | undefined]
    | undefined
    | void;

/** What MessageWillBePosted may answer: nothing (allow as is), a changed post, or a rejection. */
export type MessageWillBePostedResult = WillBeResult<'post', Post>;

/** What MessageWillBeUpdated may answer: nothing (the edit as the user made it), a changed post, or a rejection. */
export type MessageWillBeUpdatedResult = WillBeResult<'post', Post>;

/** What FileWillBeUploaded may answer: nothing (upload as is), changed file info, or a rejection. */
export type FileWillBeUploadedResult = WillBeResult<'fileInfo', Partial<FileInfo>>;

/** What ChannelMemberWillBeAdded and TeamMemberWillBeAdded may answer. */
export type MemberWillBeAddedResult<T> = WillBeResult<'member', Partial<T>>;

export type {MaybePromise};

/** The hooks whose signature here is friendlier than the one generated from Go's. */
interface FriendlyHooks {
    /** Before the server saves a new configuration (System Console, PUT /api/v4/config, mmctl). Server 8.0+. */
    configurationWillBeSaved?(newConfig: ServerConfig): MaybePromise<ConfigurationWillBeSavedResult>;
    messageHasBeenPosted?(c: PluginContext, post: Post): MaybePromise<void>;
    messageHasBeenUpdated?(c: PluginContext, newPost: Post, oldPost: Post): MaybePromise<void>;
    /** Before a post is saved. Answer `{post}` to change it, `{rejectReason}` to refuse it. */
    messageWillBePosted?(c: PluginContext, post: Post): MaybePromise<MessageWillBePostedResult>;
    /** Before an edit is saved. Answer `{post}` to change the new post, `{rejectReason}` to refuse the edit. */
    messageWillBeUpdated?(c: PluginContext, newPost: Post, oldPost: Post): MaybePromise<MessageWillBeUpdatedResult>;
    /** A thrown error reaches the user as an AppError (status 500 unless it is one). */
    executeCommand?(c: PluginContext, args: CommandArgs): MaybePromise<CommandResponse>;
    onPluginClusterEvent?(c: PluginContext, event: PluginClusterEvent): MaybePromise<void>;
    /** Requests to /plugins/<id>/...; an express app fits here as is. */
    serveHTTP?(c: PluginContext, ...handlerArgs: Parameters<RequestHandler>): unknown;
    /** Requests to the server's metrics listener at /plugins/<id>/metrics...; same handler shape as serveHTTP. */
    serveMetrics?(c: PluginContext, ...handlerArgs: Parameters<RequestHandler>): unknown;
    /**
     * Before an uploaded file is stored. `file` streams its content; whatever is written to `output`
     * before the returned promise settles replaces it (nothing written: the file stays as uploaded).
     */
    fileWillBeUploaded?(c: PluginContext, info: FileInfo, file: Readable, output: Writable): MaybePromise<FileWillBeUploadedResult>;
    /** Before a user is added to a channel. Answer `{member}` to change the membership, `{rejectReason}` to refuse it. */
    channelMemberWillBeAdded?(c: PluginContext, member: ChannelMembership): MaybePromise<MemberWillBeAddedResult<ChannelMembership>>;
    /** Before a user is added to a team. Answer `{member}` to change the membership, `{rejectReason}` to refuse it. */
    teamMemberWillBeAdded?(c: PluginContext, member: TeamMembership): MaybePromise<MemberWillBeAddedResult<TeamMembership>>;
}

/**
 * Every hook of Mattermost's plugin.Hooks, as optional methods; the runtime tells the server exactly which
 * ones exist (Implemented), so the server never calls one you did not define. Every hook may be async.
 * Where Go returns an error, throw it (an `AppError` travels as one). A hook without an error result that
 * throws is logged and answered as a failed call, which the server treats as the hook's zero answer; it
 * never brings the process down. Hooks absent from an older server are simply never called.
 */
export interface PluginHooks extends GeneratedTableHooks, FriendlyHooks {}

/** Fails to compile when the generated interface gains a hook that PluginHooks lacks. */
type AssertNever<T extends never> = T;
export type MissingHooks = AssertNever<Exclude<keyof GeneratedPluginHooks, keyof PluginHooks | 'implemented'>>;
/** Fails to compile when a hook is both generated into GeneratedTableHooks and typed by hand here (apigen's friendlierHooks). */
export type TypedTwice = AssertNever<keyof GeneratedTableHooks & keyof FriendlyHooks>;

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

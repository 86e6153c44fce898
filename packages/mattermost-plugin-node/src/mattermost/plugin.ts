// The plugin author API: extend `MattermostPlugin`, define the hooks you need (any of plugin.Hooks), call
// `runPlugin`.
import type {Readable, Writable} from 'node:stream';

import type {ChannelMembership} from '@mattermost/types/channels';
import type {FileInfo} from '@mattermost/types/files';
import type {Post} from '@mattermost/types/posts';
import type {TeamMembership} from '@mattermost/types/teams';

import type {PluginAPI} from './api.js';
import type {GeneratedPluginHooks, MaybePromise} from './generated/hooks.js';
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
export interface PluginHooks extends TableHooks, FriendlyHooks {}

type G = Required<GeneratedPluginHooks>;
type HookArgs<K extends keyof G> = Parameters<G[K]>;
type HookReturn<K extends keyof G> = ReturnType<G[K]>;

/**
 * The other hooks, typed as generated from Go's signatures. Listed as methods because a mapped type
 * (Omit) would make them properties, which subclasses could not define as methods.
 */
interface TableHooks {
    /** OnActivate is invoked when the plugin is activated. {@link GeneratedPluginHooks.onActivate} */
    onActivate?(...args: HookArgs<'onActivate'>): HookReturn<'onActivate'>;
    /** OnDeactivate is invoked when the plugin is deactivated. {@link GeneratedPluginHooks.onDeactivate} */
    onDeactivate?(...args: HookArgs<'onDeactivate'>): HookReturn<'onDeactivate'>;
    /** OnConfigurationChange is invoked when configuration changes may have been made. {@link GeneratedPluginHooks.onConfigurationChange} */
    onConfigurationChange?(...args: HookArgs<'onConfigurationChange'>): HookReturn<'onConfigurationChange'>;
    /** UserHasBeenCreated is invoked after a user was created. {@link GeneratedPluginHooks.userHasBeenCreated} */
    userHasBeenCreated?(...args: HookArgs<'userHasBeenCreated'>): HookReturn<'userHasBeenCreated'>;
    /** UserWillLogIn before the login of the user is returned. {@link GeneratedPluginHooks.userWillLogIn} */
    userWillLogIn?(...args: HookArgs<'userWillLogIn'>): HookReturn<'userWillLogIn'>;
    /** UserHasLoggedIn is invoked after a user has logged in. {@link GeneratedPluginHooks.userHasLoggedIn} */
    userHasLoggedIn?(...args: HookArgs<'userHasLoggedIn'>): HookReturn<'userHasLoggedIn'>;
    /** MessagesWillBeConsumed is invoked when a message is requested by a client before it is returned to the client {@link GeneratedPluginHooks.messagesWillBeConsumed} */
    messagesWillBeConsumed?(...args: HookArgs<'messagesWillBeConsumed'>): HookReturn<'messagesWillBeConsumed'>;
    /** MessagesWillBeConsumedWithContext is invoked when messages are requested by a client, before they are returned to the client. {@link GeneratedPluginHooks.messagesWillBeConsumedWithContext} */
    messagesWillBeConsumedWithContext?(...args: HookArgs<'messagesWillBeConsumedWithContext'>): HookReturn<'messagesWillBeConsumedWithContext'>;
    /** MessageHasBeenDeleted is invoked after the message has been deleted from the database. {@link GeneratedPluginHooks.messageHasBeenDeleted} */
    messageHasBeenDeleted?(...args: HookArgs<'messageHasBeenDeleted'>): HookReturn<'messageHasBeenDeleted'>;
    /** ChannelHasBeenCreated is invoked after the channel has been committed to the database. {@link GeneratedPluginHooks.channelHasBeenCreated} */
    channelHasBeenCreated?(...args: HookArgs<'channelHasBeenCreated'>): HookReturn<'channelHasBeenCreated'>;
    /** ChannelWillBeArchived is invoked before a channel is archived, allowing plugins to reject the archive operation. {@link GeneratedPluginHooks.channelWillBeArchived} */
    channelWillBeArchived?(...args: HookArgs<'channelWillBeArchived'>): HookReturn<'channelWillBeArchived'>;
    /** UserHasJoinedChannel is invoked after the membership has been committed to the database. {@link GeneratedPluginHooks.userHasJoinedChannel} */
    userHasJoinedChannel?(...args: HookArgs<'userHasJoinedChannel'>): HookReturn<'userHasJoinedChannel'>;
    /** UserHasLeftChannel is invoked after the membership has been removed from the database. {@link GeneratedPluginHooks.userHasLeftChannel} */
    userHasLeftChannel?(...args: HookArgs<'userHasLeftChannel'>): HookReturn<'userHasLeftChannel'>;
    /** UserHasJoinedTeam is invoked after the membership has been committed to the database. {@link GeneratedPluginHooks.userHasJoinedTeam} */
    userHasJoinedTeam?(...args: HookArgs<'userHasJoinedTeam'>): HookReturn<'userHasJoinedTeam'>;
    /** UserHasLeftTeam is invoked after the membership has been removed from the database. {@link GeneratedPluginHooks.userHasLeftTeam} */
    userHasLeftTeam?(...args: HookArgs<'userHasLeftTeam'>): HookReturn<'userHasLeftTeam'>;
    /** FileWillBeDownloaded is invoked when a file is requested for download, but before it is sent to the client. {@link GeneratedPluginHooks.fileWillBeDownloaded} */
    fileWillBeDownloaded?(...args: HookArgs<'fileWillBeDownloaded'>): HookReturn<'fileWillBeDownloaded'>;
    /** ReactionHasBeenAdded is invoked after the reaction has been committed to the database. {@link GeneratedPluginHooks.reactionHasBeenAdded} */
    reactionHasBeenAdded?(...args: HookArgs<'reactionHasBeenAdded'>): HookReturn<'reactionHasBeenAdded'>;
    /** ReactionHasBeenRemoved is invoked after the removal of the reaction has been committed to the database. {@link GeneratedPluginHooks.reactionHasBeenRemoved} */
    reactionHasBeenRemoved?(...args: HookArgs<'reactionHasBeenRemoved'>): HookReturn<'reactionHasBeenRemoved'>;
    /** OnWebSocketConnect is invoked when a new websocket connection is opened. {@link GeneratedPluginHooks.onWebSocketConnect} */
    onWebSocketConnect?(...args: HookArgs<'onWebSocketConnect'>): HookReturn<'onWebSocketConnect'>;
    /** OnWebSocketDisconnect is invoked when a websocket connection is closed. {@link GeneratedPluginHooks.onWebSocketDisconnect} */
    onWebSocketDisconnect?(...args: HookArgs<'onWebSocketDisconnect'>): HookReturn<'onWebSocketDisconnect'>;
    /** WebSocketMessageHasBeenPosted is invoked when a websocket message is received. {@link GeneratedPluginHooks.webSocketMessageHasBeenPosted} */
    webSocketMessageHasBeenPosted?(...args: HookArgs<'webSocketMessageHasBeenPosted'>): HookReturn<'webSocketMessageHasBeenPosted'>;
    /** RunDataRetention is invoked during a DataRetentionJob. {@link GeneratedPluginHooks.runDataRetention} */
    runDataRetention?(...args: HookArgs<'runDataRetention'>): HookReturn<'runDataRetention'>;
    /** OnInstall is invoked after the installation of a plugin as part of the onboarding. {@link GeneratedPluginHooks.onInstall} */
    onInstall?(...args: HookArgs<'onInstall'>): HookReturn<'onInstall'>;
    /** OnSendDailyTelemetry is invoked when the server send the daily telemetry data. {@link GeneratedPluginHooks.onSendDailyTelemetry} */
    onSendDailyTelemetry?(...args: HookArgs<'onSendDailyTelemetry'>): HookReturn<'onSendDailyTelemetry'>;
    /** OnCloudLimitsUpdated is invoked product limits change, for example when plan tiers change {@link GeneratedPluginHooks.onCloudLimitsUpdated} */
    onCloudLimitsUpdated?(...args: HookArgs<'onCloudLimitsUpdated'>): HookReturn<'onCloudLimitsUpdated'>;
    /** EmailNotificationWillBeSent is invoked before an email notification is sent to a user. {@link GeneratedPluginHooks.emailNotificationWillBeSent} */
    emailNotificationWillBeSent?(...args: HookArgs<'emailNotificationWillBeSent'>): HookReturn<'emailNotificationWillBeSent'>;
    /** NotificationWillBePushed is invoked before a push notification is sent to the push notification server. {@link GeneratedPluginHooks.notificationWillBePushed} */
    notificationWillBePushed?(...args: HookArgs<'notificationWillBePushed'>): HookReturn<'notificationWillBePushed'>;
    /** UserHasBeenDeactivated is invoked when a user is deactivated. {@link GeneratedPluginHooks.userHasBeenDeactivated} */
    userHasBeenDeactivated?(...args: HookArgs<'userHasBeenDeactivated'>): HookReturn<'userHasBeenDeactivated'>;
    /** OnSharedChannelsSyncMsg is invoked for plugins that wish to receive synchronization messages from the Shared Channels service for which they have been invited via InviteRemote. {@link GeneratedPluginHooks.onSharedChannelsSyncMsg} */
    onSharedChannelsSyncMsg?(...args: HookArgs<'onSharedChannelsSyncMsg'>): HookReturn<'onSharedChannelsSyncMsg'>;
    /** OnSharedChannelsPing is invoked for plugins to indicate the health of the plugin and the connection to the upstream service (e.g. {@link GeneratedPluginHooks.onSharedChannelsPing} */
    onSharedChannelsPing?(...args: HookArgs<'onSharedChannelsPing'>): HookReturn<'onSharedChannelsPing'>;
    /** PreferencesHaveChanged is invoked after one or more of a user's preferences have changed. {@link GeneratedPluginHooks.preferencesHaveChanged} */
    preferencesHaveChanged?(...args: HookArgs<'preferencesHaveChanged'>): HookReturn<'preferencesHaveChanged'>;
    /** OnSharedChannelsAttachmentSyncMsg is invoked for plugins that wish to receive synchronization messages from the Shared Channels service for which they have been invited via InviteRemote. {@link GeneratedPluginHooks.onSharedChannelsAttachmentSyncMsg} */
    onSharedChannelsAttachmentSyncMsg?(...args: HookArgs<'onSharedChannelsAttachmentSyncMsg'>): HookReturn<'onSharedChannelsAttachmentSyncMsg'>;
    /** OnSharedChannelsProfileImageSyncMsg is invoked for plugins that wish to receive synchronization messages from the Shared Channels service for which they have been invited via InviteRemote. {@link GeneratedPluginHooks.onSharedChannelsProfileImageSyncMsg} */
    onSharedChannelsProfileImageSyncMsg?(...args: HookArgs<'onSharedChannelsProfileImageSyncMsg'>): HookReturn<'onSharedChannelsProfileImageSyncMsg'>;
    /** GenerateSupportData is invoked when a Support Packet gets generated. {@link GeneratedPluginHooks.generateSupportData} */
    generateSupportData?(...args: HookArgs<'generateSupportData'>): HookReturn<'generateSupportData'>;
    /** OnSAMLLogin is invoked after a successful SAML login. {@link GeneratedPluginHooks.onSAMLLogin} */
    onSAMLLogin?(...args: HookArgs<'onSAMLLogin'>): HookReturn<'onSAMLLogin'>;
    /** ChannelWillBeUpdated is invoked before a channel update is committed, allowing plugins to modify the channel or reject the update. {@link GeneratedPluginHooks.channelWillBeUpdated} */
    channelWillBeUpdated?(...args: HookArgs<'channelWillBeUpdated'>): HookReturn<'channelWillBeUpdated'>;
    /** ChannelWillBeRestored is invoked before an archived channel is un-archived. {@link GeneratedPluginHooks.channelWillBeRestored} */
    channelWillBeRestored?(...args: HookArgs<'channelWillBeRestored'>): HookReturn<'channelWillBeRestored'>;
    /** ScheduledPostWillBeCreated is invoked before a scheduled post is committed. {@link GeneratedPluginHooks.scheduledPostWillBeCreated} */
    scheduledPostWillBeCreated?(...args: HookArgs<'scheduledPostWillBeCreated'>): HookReturn<'scheduledPostWillBeCreated'>;
    /** DraftWillBeUpserted is invoked before a draft is committed. {@link GeneratedPluginHooks.draftWillBeUpserted} */
    draftWillBeUpserted?(...args: HookArgs<'draftWillBeUpserted'>): HookReturn<'draftWillBeUpserted'>;
}

/** Fails to compile when the generated interface gains a hook that PluginHooks lacks. */
type AssertNever<T extends never> = T;
export type MissingHooks = AssertNever<Exclude<keyof GeneratedPluginHooks, keyof PluginHooks | 'implemented'>>;

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

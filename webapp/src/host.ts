// What the plugin uses of the Mattermost webapp: the registry subset it calls and the Redux state it reads.
// The selectors read the store directly (typed by @mattermost/types) instead of pulling mattermost-redux's
// selector library into the bundle for three property reads.
import type {ReactNode, ComponentType} from 'react';
import type {Channel, ChannelMembership} from '@mattermost/types/channels';
import type {GlobalState} from '@mattermost/types/store';
import type {UserProfile} from '@mattermost/types/users';

type Entities = GlobalState['entities'];

/** The part of the host's Redux state the plugin reads. */
export interface HostState {
    entities: {
        channels: Pick<Entities['channels'], 'currentChannelId'> & {
            channels: Record<string, Pick<Channel, 'id' | 'display_name' | 'name'> | undefined>;
        };
        general: {config: Pick<Entities['general']['config'], 'SiteURL'> & Partial<Pick<Entities['general']['config'], 'DefaultClientLocale'>>};
        // Optional: before login, and in stand-ins for the web app, there is no user.
        users?: {
            currentUserId: string;
            profiles?: Record<string, Pick<UserProfile, 'locale'> | undefined>;
        };
    };
}

export interface HostStore {
    getState(): HostState;
    /** Redux's: the web app's store always has it; optional so that a stand-in without it still works. */
    subscribe?(listener: () => void): () => void;
}

/**
 * The registry methods used, called with positional arguments: the form every web app takes. Since the
 * registry moved into the monorepo (all of 9.10 to 12.x) each method is wrapped in reArg, which takes either
 * the positional arguments or one object with the same names; web apps before that take only positional.
 */
export interface PluginRegistry {
    registerRootComponent(component: ComponentType): string;
    registerChannelHeaderButtonAction(
        icon: ReactNode,
        action: (channel: Channel, member?: ChannelMembership) => void,
        dropdownText: ReactNode,
        tooltipText: ReactNode,
    ): string;
    registerChannelHeaderMenuAction(text: ReactNode, action: (channelId: string) => void): string;
    /**
     * The plugin's strings for a locale, asked for whenever the web app loads a locale (at start and when the
     * user switches language) and merged into the table its react-intl reads. In every web app the plugin
     * supports (since 5.x); optional so that a stand-in without it still works, in English.
     */
    registerTranslations?(getTranslationsForLocale: (locale: string) => Record<string, string>): void;
    /** Removes what a register* call returned the id of (every web app has it; optional for stand-ins). */
    unregisterComponent?(componentId: string): void;
    /**
     * An entry in the App Bar, the column at the right edge of the web app (7.0 on; 9.0 on always shown, and
     * channel header buttons are moved into it). iconUrl is shown as an <img>; the action gets the current
     * channel and membership. Later parameters (supportedProductIds, rhsComponent, rhsTitle) are not used:
     * omitted, supportedProductIds means Channels only. Absent from web apps without an App Bar.
     */
    registerAppBarComponent?(
        iconUrl: string,
        action: (channel: Channel, member?: ChannelMembership) => void,
        tooltipText: ReactNode,
    ): unknown;
}

export function selectCurrentChannelId(state: HostState): string {
    return state.entities.channels.currentChannelId;
}

export function selectSiteURL(state: HostState): string {
    return state.entities.general.config.SiteURL ?? '';
}

/**
 * The locale the web app shows itself in, as its own getCurrentLocale has it: the user's language setting,
 * else the server's default client locale, else English.
 */
export function selectLocale(state: HostState): string {
    const users = state.entities.users;
    const locale = users ? users.profiles?.[users.currentUserId]?.locale : undefined;
    return locale || state.entities.general.config.DefaultClientLocale || 'en';
}

export function selectChannelDisplayName(state: HostState, channelId: string): string {
    const channel = state.entities.channels.channels[channelId];
    return channel?.display_name || channel?.name || '';
}

declare global {
    interface Window {
        registerPlugin(id: string, plugin: {initialize(registry: PluginRegistry, store: HostStore): void; uninitialize?(): void}): void;
    }
}

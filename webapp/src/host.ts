// What the plugin uses of the Mattermost webapp: the registry subset it calls and the Redux state it reads.
// The selectors read the store directly (typed by @mattermost/types) instead of pulling mattermost-redux's
// selector library into the bundle for three property reads.
import type {ReactNode, ComponentType} from 'react';
import type {Channel, ChannelMembership} from '@mattermost/types/channels';
import type {GlobalState} from '@mattermost/types/store';

type Entities = GlobalState['entities'];

/** The part of the host's Redux state the plugin reads. */
export interface HostState {
    entities: {
        channels: Pick<Entities['channels'], 'currentChannelId'> & {
            channels: Record<string, Pick<Channel, 'id' | 'display_name' | 'name'> | undefined>;
        };
        general: {config: Pick<Entities['general']['config'], 'SiteURL'>};
    };
}

export interface HostStore {
    getState(): HostState;
}

/** The registry methods used, with the positional signatures the webapp has accepted since plugins began. */
export interface PluginRegistry {
    registerRootComponent(component: ComponentType): string;
    registerChannelHeaderButtonAction(
        icon: ReactNode,
        action: (channel: Channel, member?: ChannelMembership) => void,
        dropdownText: ReactNode,
        tooltipText: ReactNode,
    ): string;
    registerChannelHeaderMenuAction(text: ReactNode, action: (channelId: string) => void): string;
}

export function selectCurrentChannelId(state: HostState): string {
    return state.entities.channels.currentChannelId;
}

export function selectSiteURL(state: HostState): string {
    return state.entities.general.config.SiteURL ?? '';
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

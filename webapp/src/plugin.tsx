// The webapp plugin: a channel header button and a channel header menu item open the trigger words panel
// for the channel being viewed; the panel itself is a root component.
import {createApi, type TriggerWordsApi} from './api';
import {PanelRoot} from './components/root';
import {TriggerWordsIcon} from './components/icon';
import {selectChannelDisplayName, selectCurrentChannelId, selectSiteURL, type HostStore, type PluginRegistry} from './host';
import {t} from './i18n';
import {createPanelStore, type PanelStore} from './panel_store';

/** The channel id from an action's first argument: a channel (header button) or a channel id (header menu). */
export function channelIdFromActionArg(arg: unknown): string | undefined {
    if (typeof arg === 'string' && arg) {
        return arg;
    }
    if (arg && typeof arg === 'object' && typeof (arg as {id?: unknown}).id === 'string' && (arg as {id: string}).id) {
        return (arg as {id: string}).id;
    }
    return undefined;
}

export class TriggerWordsPlugin {
    readonly panel: PanelStore = createPanelStore();
    private readonly makeApi: (store: HostStore) => TriggerWordsApi;

    constructor(makeApi: (store: HostStore) => TriggerWordsApi = (store) => createApi(() => selectSiteURL(store.getState()))) {
        this.makeApi = makeApi;
    }

    initialize(registry: PluginRegistry, store: HostStore): void {
        const panel = this.panel;
        const api = this.makeApi(store);
        const open = (arg?: unknown) => {
            const state = store.getState();
            const channelId = channelIdFromActionArg(arg) ?? selectCurrentChannelId(state);
            if (channelId) {
                panel.open(channelId, selectChannelDisplayName(state, channelId));
            }
        };

        function Root() {
            return <PanelRoot store={panel} api={api}/>;
        }

        registry.registerRootComponent(Root);
        registry.registerChannelHeaderButtonAction(<TriggerWordsIcon/>, open, t('header.dropdown'), t('header.tooltip'));
        registry.registerChannelHeaderMenuAction(t('header.menu'), open);
    }

    uninitialize(): void {
        this.panel.close();
    }
}

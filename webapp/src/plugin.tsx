// The webapp plugin: an App Bar entry (or, on web apps without an App Bar, a channel header button) and a
// channel header menu item open the trigger words panel for the channel being viewed; the panel itself is a
// root component.
import {createApi, type TriggerWordsApi} from './api';
import {labelAppBarEntry} from './app_bar_label';
import {APP_BAR_ICON_URL} from './components/app_bar_icon';
import {TriggerWordsIcon} from './components/icon';
import {PanelRoot} from './components/root';
import {selectChannelDisplayName, selectCurrentChannelId, selectLocale, selectSiteURL, type HostStore, type PluginRegistry} from './host';
import {currentLocale, setLocaleSource, t, translationsForLocale, useLocale, type MessageKey} from './i18n';
import {createPanelStore, type PanelStore} from './panel_store';
import {PLUGIN_ID} from './plugin_id';

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

/**
 * A string handed to the registry once, as an element rather than text, so that it follows a language
 * switch instead of staying in the language the plugin started in. Only where the web app renders it as
 * content (the App Bar tooltip): where it makes an aria-label of it, an element reads "[object Object]".
 */
export function Translated({id}: {id: MessageKey}) {
    useLocale();
    return <>{t(id)}</>;
}

export class TriggerWordsPlugin {
    readonly panel: PanelStore = createPanelStore();
    private readonly makeApi: (store: HostStore) => TriggerWordsApi;
    private stopLabelling: (() => void) | undefined;
    private stopMenuUpdates: (() => void) | undefined;

    constructor(makeApi: (store: HostStore) => TriggerWordsApi = (store) => createApi(() => selectSiteURL(store.getState()))) {
        this.makeApi = makeApi;
    }

    initialize(registry: PluginRegistry, store: HostStore): void {
        const panel = this.panel;
        const api = this.makeApi(store);
        setLocaleSource({
            get: () => selectLocale(store.getState()),
            subscribe: (onChange) => store.subscribe?.(onChange) ?? (() => undefined),
        });
        registry.registerTranslations?.(translationsForLocale);
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
        if (typeof registry.registerAppBarComponent === 'function') {
            // Not a channel header button as well: where there is an App Bar, the web app moves header buttons
            // into it, and the entry would be there twice.
            registry.registerAppBarComponent(APP_BAR_ICON_URL, open, <Translated id='header.tooltip'/>);
            this.stopLabelling = labelAppBarEntry(document, PLUGIN_ID, () => t('header.tooltip'));
        } else {
            // Web apps without an App Bar (before 7.0) may use these as plain text (a title, an aria-label):
            // strings, in the language the plugin started in.
            registry.registerChannelHeaderButtonAction(<TriggerWordsIcon/>, open, t('header.dropdown'), t('header.tooltip'));
        }
        // The channel menu item's text is also its aria-label (9.10 on), so it must be a string: registered
        // again in the new language when the user switches, the old one removed.
        const menu = {locale: currentLocale(), id: registry.registerChannelHeaderMenuAction(t('header.menu'), open)};
        const unregister = registry.unregisterComponent?.bind(registry);
        if (unregister && store.subscribe) {
            this.stopMenuUpdates = store.subscribe(() => {
                const locale = currentLocale();
                if (locale === menu.locale) {
                    return;
                }
                // Both calls dispatch to the store, which calls this listener again at once: the locale is
                // noted first, so that call finds nothing to do.
                menu.locale = locale;
                unregister(menu.id);
                menu.id = registry.registerChannelHeaderMenuAction(t('header.menu'), open);
            });
        }
    }

    uninitialize(): void {
        this.stopMenuUpdates?.();
        this.stopMenuUpdates = undefined;
        setLocaleSource(null);
        this.stopLabelling?.();
        this.stopLabelling = undefined;
        this.panel.close();
    }
}

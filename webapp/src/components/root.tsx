// Registered as a root component: renders the panel while the panel store says it is open.
import type {TriggerWordsApi} from '../api';
import {useLocale} from '../i18n';
import {usePanelState, type PanelStore} from '../panel_store';

import {TriggerWordsPanel} from './panel';

interface Props {
    store: PanelStore;
    api: TriggerWordsApi;
}

export function PanelRoot({store, api}: Props) {
    const state = usePanelState(store);
    // The panel's strings come from t() at render time; a language switch re-renders them in place.
    useLocale();
    if (!state.open) {
        return null;
    }
    return (
        <TriggerWordsPanel
            key={state.channelId}
            api={api}
            channelId={state.channelId}
            channelName={state.channelName}
            onClose={store.close}
        />
    );
}

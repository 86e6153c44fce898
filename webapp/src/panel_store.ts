// Whether the panel is open, and for which channel. A tiny external store: the state is private to this
// plugin's one root component, so it does not need a reducer in the host's Redux store (nor the host's
// react-redux context), and components can be tested without a Redux store.
import {useEffect, useState} from 'react';

export type PanelState =
    | {open: false}
    | {open: true; channelId: string; channelName: string};

export interface PanelStore {
    getState(): PanelState;
    subscribe(listener: () => void): () => void;
    open(channelId: string, channelName: string): void;
    close(): void;
}

export function createPanelStore(): PanelStore {
    let state: PanelState = {open: false};
    const listeners = new Set<() => void>();
    const set = (next: PanelState) => {
        state = next;
        listeners.forEach((l) => l());
    };
    return {
        getState: () => state,
        subscribe(listener) {
            listeners.add(listener);
            return () => listeners.delete(listener);
        },
        open: (channelId, channelName) => set({open: true, channelId, channelName}),
        close: () => set({open: false}),
    };
}

/**
 * The store's state, re-rendering on every change. Not useSyncExternalStore: the host's React may be 17
 * (Mattermost 9.x, 10.x), which has no such hook. Tearing, the problem that hook solves, needs concurrent
 * rendering of several readers; this store has one reader.
 */
export function usePanelState(store: PanelStore): PanelState {
    const [state, setState] = useState(store.getState);
    useEffect(() => {
        // A change between the first render and this subscription would otherwise be missed.
        setState(store.getState());
        return store.subscribe(() => setState(store.getState()));
    }, [store]);
    return state;
}

// Element ids for aria-labelledby and friends, unique on the page and stable for a component's lifetime.
// Not React's useId: the host's React may be 17 (Mattermost 9.x, 10.x), which has none. The plugin never
// renders on a server, which is the one thing useId does that a counter cannot (match server and client ids).
import {useState} from 'react';

let last = 0;

/** A fresh `tw-<n>` per mounted component, the same on every render of it. */
export function useUniqueId(): string {
    const [id] = useState(() => `tw-${++last}`);
    return id;
}

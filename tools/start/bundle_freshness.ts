// Whether dist/'s linux-amd64 bundle still matches the sources: it is stale when any file the build reads
// is newer than it. `npm start` rebuilds then, so that what a person runs is what they just edited.
import {existsSync, readdirSync, statSync} from 'node:fs';
import path from 'node:path';

/** What `npm run dist` reads, relative to the repository root (generated output excluded). */
const INPUTS = ['server', 'webapp/src', 'assets', 'plugin.json', 'package-lock.json', 'packages/mattermost-plugin-node/src', 'packages/mattermost-plugin-node/tools'];
const SKIP = new Set(['dist', 'node_modules']);

function newest(file: string, best: {file: string; mtimeMs: number}): {file: string; mtimeMs: number} {
    const s = statSync(file);
    if (s.isDirectory()) {
        for (const entry of readdirSync(file)) {
            if (!SKIP.has(entry)) {
                best = newest(path.join(file, entry), best);
            }
        }
        return best;
    }
    return s.mtimeMs > best.mtimeMs ? {file, mtimeMs: s.mtimeMs} : best;
}

export type Freshness = {state: 'missing'} | {state: 'stale'; newer: string} | {state: 'fresh'};

/** `bundle` against the sources under `root`. */
export function bundleFreshness(root: string, bundle: string | undefined): Freshness {
    if (!bundle || !existsSync(bundle)) {
        return {state: 'missing'};
    }
    const built = statSync(bundle).mtimeMs;
    let best = {file: '', mtimeMs: 0};
    for (const input of INPUTS) {
        const p = path.join(root, input);
        if (existsSync(p)) {
            best = newest(p, best);
        }
    }
    return best.mtimeMs > built ? {state: 'stale', newer: path.relative(root, best.file)} : {state: 'fresh'};
}

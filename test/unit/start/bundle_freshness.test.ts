// npm start rebuilds dist/'s bundle when a file the build reads is newer (tools/start/bundle_freshness.ts):
// the product's sources, and mattermost-plugin-node's runtime and its build tools (packages/.../tools).
import {mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {afterEach, beforeEach, describe, expect, it} from 'vitest';

import {bundleFreshness} from '../../../tools/start/bundle_freshness.js';

let root: string;
const built = new Date('2030-01-01T12:00:00Z');
const older = new Date('2030-01-01T11:00:00Z');
const newer = new Date('2030-01-01T13:00:00Z');

function file(rel: string, when: Date): string {
    const p = path.join(root, rel);
    mkdirSync(path.dirname(p), {recursive: true});
    writeFileSync(p, '');
    utimesSync(p, when, when);
    return p;
}

const inputs = ['server/main.ts', 'webapp/src/index.tsx', 'plugin.json', 'package-lock.json',
    'packages/mattermost-plugin-node/src/run.ts', 'packages/mattermost-plugin-node/tools/build.mjs',
    'packages/mattermost-plugin-node/tools/dist.mjs', 'packages/mattermost-plugin-node/tools/webapp.mjs'];

beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'bundle-freshness-'));
    for (const rel of inputs) {
        file(rel, older);
    }
});

afterEach(() => {
    rmSync(root, {recursive: true, force: true});
});

describe('bundleFreshness', () => {
    it('is missing without a bundle', () => {
        expect(bundleFreshness(root, undefined)).toEqual({state: 'missing'});
        expect(bundleFreshness(root, path.join(root, 'dist/none.tar.gz'))).toEqual({state: 'missing'});
    });

    it('is fresh when every input is older than the bundle, whatever the build wrote since', () => {
        const bundle = file('dist/p-linux-amd64.tar.gz', built);
        file('server/dist/plugin.cjs', newer);
        file('packages/mattermost-plugin-node/dist/index.js', newer);
        file('webapp/src/node_modules/x/index.js', newer);
        expect(bundleFreshness(root, bundle)).toEqual({state: 'fresh'});
    });

    it.each(inputs)('is stale when %s changed after the build', (rel) => {
        const bundle = file('dist/p-linux-amd64.tar.gz', built);
        file(rel, newer);
        expect(bundleFreshness(root, bundle)).toEqual({state: 'stale', newer: rel});
    });
});

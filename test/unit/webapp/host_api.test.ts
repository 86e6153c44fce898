// The build's guard on the host's React: the plugin may import from react, react-dom and react-dom/client only
// what React 17.0.2, 18 and 19 all have (HOST_API in mattermost-plugin-node's tools/webapp.mjs), and anything
// else fails the build.
// The runtime side, the bundle actually running on each of them, is host_react.test.ts.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

import {afterAll, beforeAll, describe, expect, it} from 'vitest';

import {buildWebapp, HOST_API} from '../../../packages/mattermost-plugin-node/tools/webapp.mjs';
import {HOST_REACTS, hostReactScript} from '../../e2e/host-react.mjs';

let dir: string;

beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'webapp-host-api-'));
});

afterAll(() => {
    rmSync(dir, {recursive: true, force: true});
});

/** Builds a one-file plugin; resolves to null when it builds, else to the build's error message. */
async function buildError(source: string): Promise<string | null> {
    const entry = path.join(dir, `entry-${Math.random().toString(36).slice(2)}.ts`);
    writeFileSync(entry, source);
    try {
        await buildWebapp({entry, outfile: path.join(dir, 'out.js'), quiet: true});
        return null;
    } catch (e) {
        return e instanceof Error ? e.message : String(e);
    }
}

describe('HOST_API', () => {
    it.each(HOST_REACTS)('is all there in React $major (Mattermost $mattermost), as that line puts it on window', async (host) => {
        const context = vm.createContext({});
        vm.runInContext('window = globalThis;', context);
        vm.runInContext(await hostReactScript(host.major), context);
        const globals = context as {React: Record<string, unknown>; ReactDOM: Record<string, unknown>};
        expect(String(globals.React.version).split('.')[0]).toBe(String(host.major));
        for (const name of HOST_API.react) {
            expect(globals.React[name], `React ${host.major} has ${name}`).toBeDefined();
        }
        for (const name of [...HOST_API['react-dom'], ...HOST_API['react-dom/client']]) {
            expect(globals.ReactDOM[name], `ReactDOM ${host.major} has ${name}`).toBeDefined();
        }
    });

    it('leaves out what React 17 lacks and what React 19 dropped', () => {
        for (const name of ['useSyncExternalStore', 'useId', 'useInsertionEffect', 'useTransition', 'useDeferredValue',
            'startTransition', 'use', 'useOptimistic', 'useActionState', 'createFactory']) {
            expect(HOST_API.react).not.toContain(name);
        }
        for (const name of ['createRoot', 'hydrateRoot', 'render', 'hydrate', 'findDOMNode', 'unmountComponentAtNode']) {
            expect([...HOST_API['react-dom'], ...HOST_API['react-dom/client']]).not.toContain(name);
        }
    });
});

describe('the webapp build', () => {
    it('builds the plugin, which keeps to HOST_API', async () => {
        const entry = path.resolve(__dirname, '../../../webapp/src/index.tsx');
        const result = await buildWebapp({entry, outfile: path.join(dir, 'main.js'), quiet: true});
        expect(result.bytes).toBeGreaterThan(10_000);
    });

    it.each([
        ["import {useSyncExternalStore} from 'react'; console.log(useSyncExternalStore);", 'useSyncExternalStore from react'],
        ["import {useId} from 'react'; console.log(useId);", 'useId from react'],
        ["import {useInsertionEffect, useTransition} from 'react'; console.log(useInsertionEffect, useTransition);", 'useInsertionEffect from react'],
        ["import {useDeferredValue} from 'react'; console.log(useDeferredValue);", 'useDeferredValue from react'],
        ["import {startTransition} from 'react'; console.log(startTransition);", 'startTransition from react'],
        ["import * as React from 'react'; console.log(React.useId());", 'useId from react'],
        ["import {createRoot} from 'react-dom/client'; console.log(createRoot);", 'createRoot from react-dom/client'],
        ["import {render} from 'react-dom'; console.log(render);", 'render from react-dom'],
    ])('fails on %s, naming the import and the host lines', async (source, named) => {
        const message = await buildError(source);
        expect(message).toContain(named);
        expect(message).toContain('entry-');
        expect(message).toContain('React 17.0.2');
    });

    it('fails on a default import of React, which it could not check', async () => {
        expect(await buildError("import React from 'react'; console.log(React.useId());")).toMatch(/import named APIs from react/);
    });

    it('accepts what all host lines have', async () => {
        expect(await buildError("import {useState, useEffect, memo} from 'react'; import {createPortal} from 'react-dom'; console.log(useState, useEffect, memo, createPortal);")).toBeNull();
    });
});

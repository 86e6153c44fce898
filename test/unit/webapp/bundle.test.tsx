// @vitest-environment jsdom
// The built bundle, run the way the Mattermost webapp runs it: React 18 and friends on window, registerPlugin
// on window, a registry, then a click on the App Bar entry. (host_react.test.ts runs it on React 17 and 19 too.)
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {act, screen, waitFor} from '@testing-library/react';
import React, {type ComponentType} from 'react';
import ReactDOM from 'react-dom';
import {createRoot, type Root} from 'react-dom/client';
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest';

import {CSRF_TOKEN, installFakeApi, SITE_URL, TOWN, USER} from './fake_fetch';

const repo = path.resolve(__dirname, '../../..');
let dir: string;
let code: string;
let buildOutput: string;

beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'webapp-bundle-'));
    const outfile = path.join(dir, 'main.js');
    buildOutput = execFileSync(process.execPath, ['scripts/build-webapp.mjs', `--outfile=${outfile}`], {cwd: repo, encoding: 'utf8'});
    code = readFileSync(outfile, 'utf8');
}, 60_000);

afterAll(() => {
    rmSync(dir, {recursive: true, force: true});
    vi.unstubAllGlobals();
});

describe('webapp bundle', () => {
    it('prints its size and is a minified IIFE that takes React from the page, not from itself', () => {
        expect(buildOutput).toMatch(/main\.js: \d+ bytes \(\d+ gzipped\)/);
        expect(code).toMatch(/^("use strict";)?\(\(\)=>\{/);
        expect(code.trimEnd().endsWith('})();')).toBe(true);
        expect(code.split('\n').length).toBeLessThan(200); // minified
        expect(code).toContain('window.React');
        expect(code).not.toContain('__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED');
        expect(code).not.toContain('react.production');
        expect(code.length).toBeLessThan(150_000);
    });

    it('fails to start with a clear message when the page has no window.React', () => {
        const w = window as unknown as Record<string, unknown>;
        delete w.React;
        w.registerPlugin = () => {};
        expect(() => new Function(code)()).toThrow(/window\.React is missing/);
    });

    it('registers with the host and opens a working panel on React 18 from window', async () => {
        expect(React.version.startsWith('18.')).toBe(true);
        const fake = installFakeApi();
        fake.backend.seed(USER, TOWN, ['deploy']);
        const w = window as unknown as Record<string, unknown>;
        w.React = React;
        w.ReactDOM = ReactDOM;
        let root: ComponentType | undefined;
        let appBarAction: ((channel: {id: string}) => void) | undefined;
        let id = '';
        w.registerPlugin = (pluginId: string, plugin: {initialize(registry: unknown, store: unknown): void}) => {
            id = pluginId;
            plugin.initialize({
                registerRootComponent: (c: ComponentType) => {
                    root = c;
                },
                registerAppBarComponent: (_iconUrl: string, action: (channel: {id: string}) => void) => {
                    appBarAction = action;
                },
                registerChannelHeaderMenuAction: () => {},
            }, {
                getState: () => ({
                    entities: {
                        channels: {currentChannelId: TOWN, channels: {[TOWN]: {id: TOWN, name: 'town-square', display_name: 'Town Square'}}},
                        general: {config: {SiteURL: SITE_URL}},
                    },
                }),
            });
        };
        const consoleError = vi.spyOn(console, 'error');
        new Function(code)();
        expect(id).toBe('trigger-alerts');
        expect(root).toBeDefined();

        const container = document.createElement('div');
        document.body.appendChild(container);
        let r: Root;
        const Registered = root!;
        act(() => {
            r = createRoot(container);
            r.render(React.createElement(Registered));
        });
        act(() => appBarAction!({id: TOWN}));
        const dialog = await screen.findByRole('dialog');
        expect(dialog.textContent).toContain('in Town Square');
        await waitFor(() => expect(screen.getByText('deploy')).toBeTruthy());

        const input = screen.getByRole('textbox', {name: 'Add a word or phrase'}) as HTMLInputElement;
        await act(async () => {
            input.focus();
        });
        // a real add through the bundled Client4: the CSRF header comes from the cookie
        const {default: userEvent} = await import('@testing-library/user-event');
        await userEvent.setup().type(input, 'release{Enter}');
        await waitFor(() => expect(fake.backend.words(USER, TOWN)).toEqual(['deploy', 'release']));
        expect(fake.writes()[0]!.headers['x-csrf-token']).toBe(CSRF_TOKEN);
        act(() => r.unmount());
        // React's development build checks the elements the JSX shim makes (keys of static and dynamic children)
        expect(consoleError.mock.calls.map((c) => String(c[0]))).toEqual([]);
        consoleError.mockRestore();
    });
});

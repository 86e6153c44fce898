// @vitest-environment jsdom
// The built bundle on every React a Mattermost web app hands to plugins: 17.0.2 (9.x, 10.x), 18 (11.x) and
// 19 (12.x), each as the window globals that line sets (development builds, so React's own checks run).
// The bundle must take everything from those globals and use only what all three have: on 17, a React 18
// hook such as useSyncExternalStore or useId is "not a function" and the panel never opens.
//
// Nothing here imports react: this file's React is whichever host line the test put on window.
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {screen, waitFor, within} from '@testing-library/dom';
import userEvent from '@testing-library/user-event';
import {afterAll, afterEach, beforeAll, describe, expect, it, vi, type MockInstance} from 'vitest';

import {HOST_REACTS} from '../../e2e/host-react.mjs';

import {INCIDENTS, installFakeApi, SITE_URL, TOWN, USER} from './fake_fetch';

interface HostReact {
    version: string;
    createElement(type: unknown, props?: Record<string, unknown> | null): unknown;
}

interface HostRoot {
    render(element: unknown): void;
    unmount(): void;
}

interface HostReactDOM {
    createRoot?(container: Element): HostRoot;
    render?(element: unknown, container: Element): void;
    unmountComponentAtNode?(container: Element): boolean;
}

type Action = (...args: unknown[]) => void;

/** What the plugin registered, read the way Mattermost's registry reads it: positional or one object. */
interface Registered {
    root?: unknown;
    appBar?: {iconUrl: unknown; action: Action; tooltipText: unknown; args: unknown[]};
    headerButton?: {action: Action};
    menu?: {text: unknown; action: Action};
}

const HOST_GLOBALS = ['React', 'ReactDOM', 'ReactJSXRuntime', 'ReactJSXDevRuntime', 'registerPlugin'] as const;
const w = window as unknown as Record<string, unknown>;

const repo = path.resolve(__dirname, '../../..');
let dir: string;
let bundle: string;
const hostScripts = new Map<number, string>();

// esbuild cannot run inside jsdom's environment (its TextEncoder is not Node's), so the builds are child processes.
beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'webapp-hosts-'));
    const outfile = path.join(dir, 'main.js');
    execFileSync(process.execPath, ['scripts/build-webapp.mjs', `--outfile=${outfile}`], {cwd: repo, encoding: 'utf8'});
    bundle = readFileSync(outfile, 'utf8');
    for (const {major} of HOST_REACTS) {
        const file = path.join(dir, `react-${major}.js`);
        execFileSync(process.execPath, ['test/e2e/host-react.mjs', String(major), '--dev', `--outfile=${file}`], {cwd: repo});
        hostScripts.set(major, readFileSync(file, 'utf8'));
    }
}, 120_000);

afterAll(() => {
    rmSync(dir, {recursive: true, force: true});
});

let consoleError: MockInstance;
let consoleWarn: MockInstance;
let unmount: (() => void) | undefined;

afterEach(() => {
    unmount?.();
    unmount = undefined;
    document.body.innerHTML = '';
    for (const name of HOST_GLOBALS) {
        delete w[name];
    }
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
});

interface JsxRuntime {
    jsx(...args: unknown[]): unknown;
    jsxs(...args: unknown[]): unknown;
}

interface Loaded {
    react: HostReact;
    reactDom: HostReactDOM;
    reg: Registered;
    /** calls the bundle made to window.ReactJSXRuntime and to window.React.createElement */
    jsxCalls(): {runtime: number; createElement: number};
}

/** Sets the host line's globals, loads the plugin bundle like the web app does, and returns what it registered. */
function loadOnHost(major: number, jsxRuntime: boolean): Loaded {
    for (const name of HOST_GLOBALS) {
        delete w[name];
    }
    new Function(hostScripts.get(major)!)();
    const react = w.React as HostReact;
    const reactDom = w.ReactDOM as HostReactDOM;
    expect(react.version.split('.')[0]).toBe(String(major));
    let runtimeCalls = 0;
    const hostRuntime = w.ReactJSXRuntime as JsxRuntime | undefined;
    if (!jsxRuntime) {
        delete w.ReactJSXRuntime;
        delete w.ReactJSXDevRuntime;
    } else if (hostRuntime) {
        w.ReactJSXRuntime = {
            ...hostRuntime,
            jsx: (...a: unknown[]) => (runtimeCalls++, hostRuntime.jsx(...a)),
            jsxs: (...a: unknown[]) => (runtimeCalls++, hostRuntime.jsxs(...a)),
        };
    }
    const createElement = vi.spyOn(react, 'createElement');

    const reg: Registered = {};
    const named = (keys: string[], args: unknown[]): Record<string, unknown> => {
        const one = args[0];
        if (args.length === 1 && one && typeof one === 'object' && Object.getPrototypeOf(one) === Object.prototype &&
            Object.keys(one).every((k) => keys.includes(k))) {
            return one as Record<string, unknown>;
        }
        return Object.fromEntries(keys.map((k, i) => [k, args[i]]));
    };
    const registry = {
        registerRootComponent: (...args: unknown[]) => {
            reg.root = named(['component'], args).component;
            return 'root';
        },
        registerAppBarComponent: (...args: unknown[]) => {
            const a = named(['iconUrl', 'action', 'tooltipText', 'supportedProductIds', 'rhsComponent', 'rhsTitle'], args);
            reg.appBar = {iconUrl: a.iconUrl, action: a.action as Action, tooltipText: a.tooltipText, args};
            return 'app-bar';
        },
        registerChannelHeaderButtonAction: (...args: unknown[]) => {
            reg.headerButton = {action: named(['icon', 'action', 'dropdownText', 'tooltipText'], args).action as Action};
            return 'header-button';
        },
        registerChannelHeaderMenuAction: (...args: unknown[]) => {
            const a = named(['text', 'action', 'shouldRender'], args);
            reg.menu = {text: a.text, action: a.action as Action};
            return 'menu';
        },
    };
    const state = {
        entities: {
            channels: {
                currentChannelId: TOWN,
                channels: {
                    [TOWN]: {id: TOWN, name: 'town-square', display_name: 'Town Square'},
                    [INCIDENTS]: {id: INCIDENTS, name: 'incidents', display_name: 'Incidents'},
                },
            },
            general: {config: {SiteURL: SITE_URL}},
        },
    };
    w.registerPlugin = (_id: string, plugin: {initialize(r: unknown, s: unknown): void}) => plugin.initialize(registry, {getState: () => state});

    consoleError = vi.spyOn(console, 'error');
    consoleWarn = vi.spyOn(console, 'warn');
    new Function(bundle)();
    return {react, reactDom, reg, jsxCalls: () => ({runtime: runtimeCalls, createElement: createElement.mock.calls.length})};
}

/** Mounts the registered root component the way that line's web app mounts its tree. */
function mountRoot(react: HostReact, reactDom: HostReactDOM, component: unknown) {
    const container = document.createElement('div');
    document.body.appendChild(container);
    const element = react.createElement(component);
    if (reactDom.createRoot) {
        const root = reactDom.createRoot(container);
        root.render(element);
        unmount = () => root.unmount();
    } else {
        reactDom.render!(element, container);
        unmount = () => reactDom.unmountComponentAtNode!(container);
    }
}

const chips = (dialog: HTMLElement) => Array.from(dialog.querySelectorAll('.tw-chip-text')).map((c) => c.textContent);

// Each line as Mattermost ships it, and 19 once more without window.ReactJSXRuntime, so that the bundle's own
// JSX fallback is proven on the newest React too.
const cases = [
    ...HOST_REACTS.map((h) => ({major: h.major, jsxRuntime: h.jsxRuntime, what: `Mattermost ${h.mattermost}`})),
    {major: 19, jsxRuntime: false, what: 'without window.ReactJSXRuntime'},
];

describe.each(cases)('the built bundle on React $major from window ($what)', (host) => {
    it('renders its root, opens from the channel menu and the App Bar, adds, lists and removes words; React logs nothing', async () => {
        const fake = installFakeApi();
        fake.backend.seed(USER, INCIDENTS, ['sev1']);
        const {react, reactDom, reg, jsxCalls} = loadOnHost(host.major, host.jsxRuntime);
        expect(typeof reg.root).toBe('function');
        mountRoot(react, reactDom, reg.root);
        const user = userEvent.setup();

        // the channel menu hands over a channel id
        reg.menu!.action(TOWN);
        const dialog = await screen.findByRole('dialog', {name: 'Trigger words'});
        expect(dialog.textContent).toContain('in Town Square');
        const input = await within(dialog).findByRole('textbox', {name: 'Add a word or phrase'});
        await waitFor(() => expect(document.activeElement).toBe(input));
        await user.type(input, 'deploy, "on call"{Enter}');
        await waitFor(() => expect(chips(dialog)).toEqual(['deploy', 'on call']));
        await waitFor(() => expect(within(dialog).getByRole('status').textContent).toBe('Saved'));
        expect(fake.backend.words(USER, TOWN)).toEqual(['deploy', 'on call']);
        // ids tie the input to its hint and error region, and are unique on the page
        const described = input.getAttribute('aria-describedby')!.split(' ');
        expect(described).toHaveLength(2);
        for (const id of described) {
            expect(document.querySelectorAll(`[id="${id}"]`)).toHaveLength(1);
        }
        expect(document.getElementById(dialog.getAttribute('aria-labelledby')!)!.textContent).toBe('Trigger words');

        await user.keyboard('{Escape}');
        await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

        // the App Bar hands over the current channel (and the membership)
        expect(reg.appBar, 'registered in the App Bar').toBeDefined();
        reg.appBar!.action({id: INCIDENTS}, {channel_id: INCIDENTS, user_id: USER});
        const again = await screen.findByRole('dialog', {name: 'Trigger words'});
        expect(again.textContent).toContain('in Incidents');
        await waitFor(() => expect(chips(again)).toEqual(['sev1']));

        await user.click(within(again).getByRole('button', {name: 'All my trigger words'}));
        await within(again).findByRole('heading', {name: 'All my trigger words'});
        await user.click(await within(again).findByRole('button', {name: 'Remove “deploy” from Town Square'}));
        await waitFor(() => expect(fake.backend.words(USER, TOWN)).toEqual(['on call']));
        await user.click(within(again).getByRole('button', {name: 'Close'}));
        await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

        // JSX goes through the host's runtime where it has one (Mattermost's advice), else through createElement
        const calls = jsxCalls();
        if (host.jsxRuntime) {
            expect(calls.runtime).toBeGreaterThan(50);
            expect(calls.createElement).toBe(1); // mountRoot's own
        } else {
            expect(calls.runtime).toBe(0);
            expect(calls.createElement).toBeGreaterThan(50);
        }
        expect(consoleError.mock.calls.map((c) => c.map(String).join(' '))).toEqual([]);
        expect(consoleWarn.mock.calls.map((c) => c.map(String).join(' '))).toEqual([]);
    });
});

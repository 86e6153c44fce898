// @vitest-environment jsdom
import {act, cleanup, render, screen, waitFor} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {isValidElement, type ComponentType, type ReactNode} from 'react';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';

import type {Channel} from '@mattermost/types/channels';

import {APP_BAR_BADGE, APP_BAR_ICON_URL} from '../../../webapp/src/components/app_bar_icon';
import type {HostState, HostStore, PluginRegistry} from '../../../webapp/src/host';
import manifest from '../../../plugin.json';

import {INCIDENTS, installFakeApi, SITE_URL, TOWN, USER, type FakeApi} from './fake_fetch';

type HeaderAction = Parameters<PluginRegistry['registerChannelHeaderButtonAction']>[1];

interface Registered {
    root?: ComponentType;
    button?: {icon: ReactNode; action: HeaderAction; dropdownText: ReactNode; tooltipText: ReactNode};
    appBar?: {args: unknown[]; iconUrl: string; action: HeaderAction; tooltipText: ReactNode};
    menu?: {text: ReactNode; action: (channelId: string) => void};
}

/** A registry as the web app has it: with registerAppBarComponent (7.0 on, so every supported line) or without. */
function fakeRegistry(reg: Registered, appBar: boolean): PluginRegistry {
    const registry: PluginRegistry = {
        registerRootComponent: (component) => {
            reg.root = component;
            return 'root-id';
        },
        registerChannelHeaderButtonAction: (icon, action, dropdownText, tooltipText) => {
            reg.button = {icon, action, dropdownText, tooltipText};
            return 'button-id';
        },
        registerChannelHeaderMenuAction: (text, action) => {
            reg.menu = {text, action};
            return 'menu-id';
        },
    };
    if (appBar) {
        registry.registerAppBarComponent = (...args: Parameters<NonNullable<PluginRegistry['registerAppBarComponent']>>) => {
            const [iconUrl, action, tooltipText] = args;
            reg.appBar = {args, iconUrl, action, tooltipText};
            return 'app-bar-id';
        };
    }
    return registry;
}

function hostStore(currentChannelId: string): HostStore {
    const state: HostState = {
        entities: {
            channels: {
                currentChannelId,
                channels: {
                    [TOWN]: {id: TOWN, name: 'town-square', display_name: 'Town Square'},
                    [INCIDENTS]: {id: INCIDENTS, name: 'incidents', display_name: 'Incidents'},
                },
            },
            general: {config: {SiteURL: SITE_URL}},
        },
    };
    return {getState: () => state};
}

/** The text a registered string or element shows once the web app renders it. */
function textOf(node: ReactNode): string {
    const {container, unmount} = render(<span>{node}</span>);
    const text = container.textContent ?? '';
    unmount();
    return text;
}

let fake: FakeApi;
let registered: {id: string; plugin: {initialize(r: PluginRegistry, s: HostStore): void; uninitialize?(): void}} | undefined;

beforeEach(() => {
    fake = installFakeApi();
    registered = undefined;
    window.registerPlugin = (id, plugin) => {
        registered = {id, plugin};
    };
    vi.resetModules();
});

afterEach(() => {
    registered?.plugin.uninitialize?.();
    cleanup();
    document.body.innerHTML = '';
    vi.unstubAllGlobals();
});

async function loadPlugin(currentChannelId = TOWN, appBar = true) {
    await import('../../../webapp/src/index');
    expect(registered).toBeDefined();
    const reg: Registered = {};
    registered!.plugin.initialize(fakeRegistry(reg, appBar), hostStore(currentChannelId));
    return reg;
}

describe('plugin registration', () => {
    it('registers under the manifest id a root component, an App Bar entry with icon and tooltip, and a menu item', async () => {
        const reg = await loadPlugin();
        expect(registered!.id).toBe(manifest.id);
        expect(registered!.id).toBe('trigger-alerts');
        expect(typeof reg.root).toBe('function');
        // positional, the one form every web app with an App Bar takes
        expect(reg.appBar!.args).toHaveLength(3);
        expect(reg.appBar!.iconUrl).toBe(APP_BAR_ICON_URL);
        expect(reg.appBar!.iconUrl).toMatch(/^data:image\/svg\+xml,/);
        expect(typeof reg.appBar!.action).toBe('function');
        expect(textOf(reg.appBar!.tooltipText)).toBe('Trigger words');
        // the App Bar takes the channel header buttons in: a header button too would be a second entry there
        expect(reg.button).toBeUndefined();
        // a string, not an element: the web app makes the menu item's aria-label of it
        expect(reg.menu!.text).toBe('Trigger words…');
    });

    it('registers a header button with an icon that has a name instead, where the web app has no App Bar', async () => {
        const reg = await loadPlugin(TOWN, false);
        expect(reg.appBar).toBeUndefined();
        expect(isValidElement(reg.button!.icon)).toBe(true);
        expect(reg.button!.tooltipText).toBe('Trigger words');
        expect(reg.button!.dropdownText).toBe('Trigger words');
        expect(reg.menu!.text).toBe('Trigger words…');
        render(<button type='button'>{reg.button!.icon}</button>);
        expect(screen.getByRole('button', {name: 'Trigger words'})).toBeTruthy();
        expect(document.querySelector('svg')!.getAttribute('aria-hidden')).toBe('true');
    });

    it('the App Bar entry opens the panel for the channel it is given; Escape closes it and focus returns', async () => {
        const reg = await loadPlugin(TOWN);
        fake.backend.seed(USER, INCIDENTS, ['sev1']);
        const Root = reg.root!;
        const user = userEvent.setup();
        render(<><button onClick={() => reg.appBar!.action({id: INCIDENTS} as Channel)}>app bar entry</button><Root/></>);
        expect(screen.queryByRole('dialog')).toBeNull();

        const opener = screen.getByRole('button', {name: 'app bar entry'});
        await user.click(opener);
        const dialog = await screen.findByRole('dialog', {name: 'Trigger words'});
        expect(dialog.textContent).toContain('in Incidents');
        await waitFor(() => expect(screen.getByText('sev1')).toBeTruthy());
        expect(fake.requests[0]!.url).toBe(`${SITE_URL}/plugins/trigger-alerts/api/v1/channels/${INCIDENTS}/words`);

        await user.keyboard('{Escape}');
        expect(screen.queryByRole('dialog')).toBeNull();
        expect(document.activeElement).toBe(opener);
    });

    it('the menu item opens the panel for the channel id it is given, and without one for the current channel', async () => {
        const reg = await loadPlugin(TOWN);
        const Root = reg.root!;
        render(<Root/>);
        act(() => reg.menu!.action(INCIDENTS));
        expect((await screen.findByRole('dialog')).textContent).toContain('in Incidents');
        await userEvent.setup().click(screen.getByRole('button', {name: 'Close'}));
        expect(screen.queryByRole('dialog')).toBeNull();

        act(() => (reg.menu!.action as (arg?: unknown) => void)(undefined));
        expect((await screen.findByRole('dialog')).textContent).toContain('in Town Square');
        await waitFor(() => expect(fake.requests.at(-1)!.url).toContain(`/channels/${TOWN}/words`));
    });

    it('uninitialize closes an open panel', async () => {
        const reg = await loadPlugin(TOWN);
        const Root = reg.root!;
        render(<Root/>);
        act(() => reg.menu!.action(TOWN));
        await screen.findByRole('dialog');
        act(() => registered!.plugin.uninitialize!());
        expect(screen.queryByRole('dialog')).toBeNull();
    });
});

/**
 * The App Bar entry as Mattermost's web app draws it: older ones a bare div around an <img> without alt,
 * newer ones a role=button div inside, with the plugin id as the <img>'s alt. The click handler is the outer div's.
 */
function drawAppBarEntry(kind: 'bare' | 'role-button', onClick: () => void): HTMLElement {
    const entry = document.createElement('div');
    entry.id = 'app-bar-icon-trigger-alerts';
    entry.className = 'app-bar__icon';
    const inner = document.createElement('div');
    inner.className = 'app-bar__icon-inner';
    const img = document.createElement('img');
    img.src = APP_BAR_ICON_URL;
    if (kind === 'role-button') {
        inner.setAttribute('role', 'button');
        inner.tabIndex = 0;
        img.alt = 'trigger-alerts';
    }
    inner.appendChild(img);
    entry.appendChild(inner);
    entry.addEventListener('click', onClick);
    document.body.appendChild(entry);
    return entry;
}

describe('the App Bar entry', () => {
    it.each(['bare', 'role-button'] as const)('gets a name and keyboard access in the %s markup, and keeps them when redrawn', async (kind) => {
        const reg = await loadPlugin(TOWN);
        const Root = reg.root!;
        render(<Root/>);
        const clicks = vi.fn(() => reg.appBar!.action({id: INCIDENTS} as Channel));
        drawAppBarEntry(kind, clicks);

        const button = await screen.findByRole('button', {name: 'Trigger words'});
        expect(button.tabIndex).toBe(0);
        expect(button.id === 'app-bar-icon-trigger-alerts' || button.parentElement!.id === 'app-bar-icon-trigger-alerts').toBe(true);
        const user = userEvent.setup();
        button.focus();
        await user.keyboard('{Enter}');
        expect(clicks).toHaveBeenCalledTimes(1);
        expect((await screen.findByRole('dialog')).textContent).toContain('in Incidents');
        await user.keyboard('{Escape}');
        expect(document.activeElement).toBe(button);
        await user.keyboard(' ');
        expect(clicks).toHaveBeenCalledTimes(2);
        await user.keyboard('{Escape}');
        // a key the host already handled is left alone
        button.addEventListener('keydown', (e) => e.preventDefault(), {capture: true});
        await user.keyboard('{Enter}');
        expect(clicks).toHaveBeenCalledTimes(2);

        // the web app draws the entry again (product switch, resize): labelled again
        document.getElementById('app-bar-icon-trigger-alerts')!.remove();
        drawAppBarEntry(kind, clicks);
        const redrawn = await screen.findByRole('button', {name: 'Trigger words'});
        expect(redrawn).not.toBe(button);
        act(() => registered!.plugin.uninitialize!());
        document.getElementById('app-bar-icon-trigger-alerts')!.remove();
        drawAppBarEntry(kind, clicks);
        await new Promise((r) => setTimeout(r, 20));
        expect(screen.queryByRole('button', {name: 'Trigger words'})).toBeNull(); // stopped watching
    });

    /** WCAG relative luminance and contrast ratio. */
    function luminance(hex: string): number {
        const [r, g, b] = [1, 3, 5].map((i) => {
            const c = parseInt(hex.slice(i, i + 2), 16) / 255;
            return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    }
    const contrast = (a: string, b: string) => {
        const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
        return (hi! + 0.05) / (lo! + 0.05);
    };
    /** The App Bar's background: the theme's centre channel colour at 4 % over its background. */
    const appBarBackground = (bg: string, fg: string) => '#' + [1, 3, 5].map((i) => {
        const v = Math.round(parseInt(bg.slice(i, i + 2), 16) * 0.96 + parseInt(fg.slice(i, i + 2), 16) * 0.04);
        return v.toString(16).padStart(2, '0');
    }).join('');

    it('has an icon that reads on the App Bar of the light and the dark theme', () => {
        const svg = decodeURIComponent(APP_BAR_ICON_URL.slice('data:image/svg+xml,'.length));
        const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
        expect(doc.querySelector('parsererror')).toBeNull();
        const fills = Array.from(doc.querySelectorAll('[fill]')).map((e) => e.getAttribute('fill'));
        expect(fills).toEqual([APP_BAR_BADGE, '#fff', '#fff']); // a badge, then the bell on it
        for (const [theme, bg, fg] of [['light (Denim)', '#ffffff', '#3f4350'], ['dark (Onyx)', '#191b1f', '#dddfe4']] as const) {
            expect(contrast(APP_BAR_BADGE, appBarBackground(bg, fg)), theme).toBeGreaterThanOrEqual(3);
        }
        expect(contrast('#ffffff', APP_BAR_BADGE)).toBeGreaterThanOrEqual(4.5);
    });
});

// @vitest-environment jsdom
import {act, cleanup, render, screen, waitFor} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {isValidElement, type ComponentType, type ReactElement, type ReactNode} from 'react';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';

import type {Channel} from '@mattermost/types/channels';

import type {HostState, HostStore, PluginRegistry} from '../../../webapp/src/host';
import manifest from '../../../plugin.json';

import {INCIDENTS, installFakeApi, SITE_URL, TOWN, USER, type FakeApi} from './fake_fetch';

interface Registered {
    root?: ComponentType;
    button?: {icon: ReactNode; action: Parameters<PluginRegistry['registerChannelHeaderButtonAction']>[1]; dropdownText: ReactNode; tooltipText: ReactNode};
    menu?: {text: ReactNode; action: (channelId: string) => void};
}

function fakeRegistry(reg: Registered): PluginRegistry {
    return {
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
    cleanup();
    vi.unstubAllGlobals();
});

async function loadPlugin(currentChannelId = TOWN) {
    await import('../../../webapp/src/index');
    expect(registered).toBeDefined();
    const reg: Registered = {};
    registered!.plugin.initialize(fakeRegistry(reg), hostStore(currentChannelId));
    return reg;
}

describe('plugin registration', () => {
    it('registers under the manifest id a root component, a header button with icon and tooltip, and a menu item', async () => {
        const reg = await loadPlugin();
        expect(registered!.id).toBe(manifest.id);
        expect(registered!.id).toBe('trigger-alerts');
        expect(typeof reg.root).toBe('function');
        expect(isValidElement(reg.button!.icon)).toBe(true);
        expect(reg.button!.tooltipText).toBe('Trigger words');
        expect(reg.button!.dropdownText).toBe('Trigger words');
        expect(reg.menu!.text).toBe('Trigger words…');
        render(reg.button!.icon as ReactElement);
        expect(document.querySelector('svg')).toBeTruthy();
        expect(document.querySelector('[aria-hidden="true"] svg')).toBeTruthy();
    });

    it('the header button opens the panel for the channel it is given; Escape closes it and focus returns', async () => {
        const reg = await loadPlugin(TOWN);
        fake.backend.seed(USER, INCIDENTS, ['sev1']);
        const Root = reg.root!;
        const user = userEvent.setup();
        render(<><button onClick={() => reg.button!.action({id: INCIDENTS} as Channel)}>header button</button><Root/></>);
        expect(screen.queryByRole('dialog')).toBeNull();

        const opener = screen.getByRole('button', {name: 'header button'});
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

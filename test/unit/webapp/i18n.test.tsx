// @vitest-environment jsdom
// The webapp in the user's language: the plugin registers its catalogs with the web app
// (registry.registerTranslations) and renders the panel, the App Bar tooltip and the menu item in the locale
// the web app is in (the user's setting, else the server's default), following a switch without a reload.
import {act, cleanup, render, screen, waitFor, within} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type {ComponentType, ReactNode} from 'react';
import {createStore, type Store} from 'redux';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';

import type {HostState, HostStore, PluginRegistry} from '../../../webapp/src/host';
import deMessages from '../../../webapp/i18n/de.json';
import enMessages from '../../../webapp/i18n/en.json';
import jaMessages from '../../../webapp/i18n/ja.json';

import {INCIDENTS, installFakeApi, SITE_URL, TOWN, USER, type FakeApi} from './fake_fetch';

interface Registered {
    root?: ComponentType;
    appBarTooltip?: ReactNode;
    menuText?: ReactNode;
    menuId?: string;
    menuAction?: (channelId: string) => void;
    unregistered: string[];
    translations?: (locale: string) => Record<string, string>;
}

/**
 * A registry as the web app has it: every registration and removal is a dispatch to the store, so a plugin
 * listening to the store hears its own registrations (and must not loop on them).
 */
function registry(reg: Registered, store: Store<HostState, Action>): PluginRegistry {
    return {
        registerRootComponent: (component) => {
            reg.root = component;
            return 'root';
        },
        registerChannelHeaderButtonAction: () => 'button',
        registerChannelHeaderMenuAction: (text, action) => {
            reg.menuText = text;
            reg.menuAction = action;
            reg.menuId = `menu-${reg.unregistered.length}-${String(text)}`;
            store.dispatch({type: 'RECEIVED_PLUGIN_COMPONENT'});
            return reg.menuId;
        },
        unregisterComponent: (id) => {
            reg.unregistered.push(id);
            store.dispatch({type: 'REMOVED_PLUGIN_COMPONENT'});
        },
        registerAppBarComponent: (_iconUrl, _action, tooltipText) => {
            reg.appBarTooltip = tooltipText;
        },
        registerTranslations: (getTranslationsForLocale) => {
            reg.translations = getTranslationsForLocale;
        },
    };
}

type Action = {type: 'SET_LOCALE'; locale: string | undefined} | {type: 'SET_DEFAULT'; locale: string | undefined} |
    {type: 'RECEIVED_PLUGIN_COMPONENT' | 'REMOVED_PLUGIN_COMPONENT' | '@@INIT'};

/** The web app's Redux state as far as the plugin reads it, with the user's locale and the server's default. */
function hostStore(locale: string | undefined, defaultLocale?: string): Store<HostState, Action> & HostStore {
    const initial: HostState = {
        entities: {
            channels: {
                currentChannelId: TOWN,
                channels: {
                    [TOWN]: {id: TOWN, name: 'town-square', display_name: 'Town Square'},
                    [INCIDENTS]: {id: INCIDENTS, name: 'incidents', display_name: 'Incidents'},
                },
            },
            general: {config: {SiteURL: SITE_URL, DefaultClientLocale: defaultLocale}},
            users: {currentUserId: USER, profiles: {[USER]: {locale: locale ?? ''}}},
        },
    };
    const reducer = (state: HostState = initial, action: Action): HostState => {
        if (action.type === 'SET_LOCALE') {
            return {...state, entities: {...state.entities, users: {currentUserId: USER, profiles: {[USER]: {locale: action.locale ?? ''}}}}};
        }
        if (action.type === 'SET_DEFAULT') {
            return {...state, entities: {...state.entities, general: {config: {...state.entities.general.config, DefaultClientLocale: action.locale}}}};
        }
        return state;
    };
    return createStore(reducer) as Store<HostState, Action> & HostStore;
}

let fake: FakeApi;
let plugin: {initialize(r: PluginRegistry, s: HostStore): void; uninitialize?(): void} | undefined;

beforeEach(() => {
    fake = installFakeApi();
    plugin = undefined;
    window.registerPlugin = (_id, p) => {
        plugin = p;
    };
    vi.resetModules();
});

afterEach(() => {
    plugin?.uninitialize?.();
    cleanup();
    document.body.innerHTML = '';
    vi.unstubAllGlobals();
});

async function load(store: Store<HostState, Action> & HostStore): Promise<Registered> {
    await import('../../../webapp/src/index');
    const reg: Registered = {unregistered: []};
    plugin!.initialize(registry(reg, store), store);
    return reg;
}

function textOf(node: ReactNode): string {
    const {container, unmount} = render(<span>{node}</span>);
    const text = container.textContent ?? '';
    unmount();
    return text;
}

describe('registerTranslations', () => {
    it('hands the web app every string of the asked locale, under the plugin id, English for a locale it lacks', async () => {
        const reg = await load(hostStore('de'));
        expect(reg.translations).toBeTypeOf('function');
        const de = reg.translations!('de');
        expect(Object.keys(de).sort()).toEqual(Object.keys(enMessages).map((k) => `trigger-alerts.${k}`).sort());
        expect(de['trigger-alerts.dialog.title']).toBe('Triggerwörter');
        expect(de['trigger-alerts.words.count']).toBe(deMessages['words.count']);
        expect(reg.translations!('ja')['trigger-alerts.input.add']).toBe('追加');
        // the codes as Mattermost spells them, and as some clients send them
        expect(reg.translations!('pt-BR')['trigger-alerts.dialog.close']).toBe('Fechar');
        expect(reg.translations!('zh-CN')['trigger-alerts.dialog.close']).toBe('关闭');
        expect(reg.translations!('zh_cn')['trigger-alerts.dialog.close']).toBe('关闭');
        expect(reg.translations!('nl')['trigger-alerts.dialog.title']).toBe('Trigger words');
        expect(reg.translations!('zh-TW')['trigger-alerts.dialog.title']).toBe('Trigger words');
    });
});

describe('the panel in the user’s locale', () => {
    it('German user: App Bar tooltip, menu item and every part of the panel are German', async () => {
        fake.backend.seed(USER, TOWN, ['deploy']);
        const reg = await load(hostStore('de'));
        expect(textOf(reg.appBarTooltip)).toBe('Triggerwörter');
        expect(reg.menuText).toBe('Triggerwörter…');

        const Root = reg.root!;
        render(<Root/>);
        act(() => reg.menuAction!(TOWN));
        const dialog = await screen.findByRole('dialog', {name: 'Triggerwörter'});
        const input = await screen.findByRole('textbox', {name: 'Wort oder Wendung hinzufügen'});
        expect(within(dialog).getByText('in Town Square')).toBeTruthy();
        expect(within(dialog).getByText('1 von 5 Wörtern')).toBeTruthy();
        expect(within(dialog).getByRole('button', {name: '„deploy“ entfernen'})).toBeTruthy();
        expect(within(dialog).getByRole('group', {name: 'Benachrichtigungen für diesen Kanal pausieren'})).toBeTruthy();
        expect(within(dialog).getByRole('button', {name: 'Schließen'})).toBeTruthy();

        // the panel's own check, in German
        const user = userEvent.setup();
        await user.type(input, 'Deploy{Enter}');
        await waitFor(() => expect(within(dialog).getAllByRole('alert').map((a) => a.textContent)).toContain('„Deploy“ ist hier bereits eines deiner Triggerwörter.'));
        await user.type(input, 'release{Enter}');
        await waitFor(() => expect(within(dialog).getByRole('status').textContent).toBe('Gespeichert'));
        expect(within(dialog).getByText('2 von 5 Wörtern')).toBeTruthy();
    });

    it('Japanese user: the plural-free catalog reads naturally', async () => {
        fake.backend.seed(USER, TOWN, []);
        const reg = await load(hostStore('ja'));
        const Root = reg.root!;
        render(<Root/>);
        act(() => reg.menuAction!(TOWN));
        await screen.findByRole('dialog', {name: jaMessages['dialog.title']});
        expect(screen.getByRole('heading', {name: 'トリガーワードはまだありません'})).toBeTruthy();
        expect(screen.getByRole('button', {name: 'すべてのトリガーワード'})).toBeTruthy();
    });

    it('a user without a language of their own gets the server’s default client locale; an unknown locale gets English', async () => {
        const store = hostStore(undefined, 'fr');
        const reg = await load(store);
        expect(reg.menuText).toBe('Mots déclencheurs…');
        act(() => {
            store.dispatch({type: 'SET_LOCALE', locale: 'nl'});
        });
        expect(reg.menuText).toBe('Trigger words…');
        act(() => {
            store.dispatch({type: 'SET_LOCALE', locale: 'pt_br'});
        });
        expect(reg.menuText).toBe('Palavras-gatilho…');
    });

    it('after uninitialize, a language switch registers nothing', async () => {
        const store = hostStore('de');
        const reg = await load(store);
        plugin!.uninitialize!();
        plugin = undefined;
        act(() => {
            store.dispatch({type: 'SET_LOCALE', locale: 'fr'});
        });
        expect(reg.menuText).toBe('Triggerwörter…');
        expect(reg.unregistered).toEqual([]);
    });

    it('follows a language switch without a reload: the open panel and the registered strings change in place', async () => {
        fake.backend.seed(USER, TOWN, ['deploy', 'release']);
        const store = hostStore('en');
        const reg = await load(store);
        const Root = reg.root!;
        render(<><span data-testid='tooltip'>{reg.appBarTooltip}</span><Root/></>);
        const firstMenu = reg.menuId!;
        act(() => reg.menuAction!(TOWN));
        const input = await screen.findByRole('textbox', {name: 'Add a word or phrase'}) as HTMLInputElement;
        await userEvent.setup().type(input, 'half-typed');
        expect(screen.getByText('2 of 5 words')).toBeTruthy();

        act(() => {
            store.dispatch({type: 'SET_LOCALE', locale: 'ru'});
        });
        expect(screen.getByRole('dialog', {name: 'Слова-триггеры'})).toBeTruthy();
        expect(screen.getByText('2 из 5 слов')).toBeTruthy();
        expect(screen.getByTestId('tooltip').textContent).toBe('Слова-триггеры');
        // the menu item (a string: the web app makes its aria-label of it) is registered again, once
        expect(reg.menuText).toBe('Слова-триггеры…');
        expect(reg.unregistered).toEqual([firstMenu]);
        act(() => {
            store.dispatch({type: 'SET_DEFAULT', locale: 'de'}); // a change that leaves the user's locale as it is
        });
        expect(reg.unregistered).toEqual([firstMenu]);
        // the same panel, re-rendered: what was typed is still there
        expect((screen.getByRole('textbox', {name: 'Добавить слово или фразу'}) as HTMLInputElement).value).toBe('half-typed');
    });

});

// A small stand-in for the Mattermost webapp, for plugin bundles: a Redux store with the state plugins read
// (current channel, site URL), window.registerPlugin, a registry that keeps registrations in the store like the
// real one, and a page that renders the App Bar, channel header buttons, the channel header menu and root
// components. It runs on whichever React the page put on window (17, 18 or 19), so it uses only what all three
// have: its own store hook instead of react-redux (whose current version needs React 18), and createRoot only
// where ReactDOM has it.
//
// Query parameters: ?theme=light|dark   ?channel=<channel id>   ?react=17|18|19 (served by serve.mjs)
//   ?appbar=bare|role-button|none  the App Bar entry's markup: older web apps' bare div around an <img>, newer
//                                  ones' role=button wrapper (default: bare on React 17, role-button on 18 and 19),
//                                  or no App Bar in the registry (channel header buttons in the header instead)
//   ?hostcss=0                     without the web app's global CSS (host-global.css)
(function () {
    'use strict';
    const React = window.React;
    const ReactDOM = window.ReactDOM;
    const Redux = window.Redux;
    const h = React.createElement;
    const config = window.HARNESS_CONFIG;
    const params = new URLSearchParams(window.location.search);
    const reactMajor = Number(React.version.split('.')[0]);
    const appBarMode = ['bare', 'role-button', 'none'].includes(params.get('appbar')) ? params.get('appbar') :
        (reactMajor < 18 ? 'bare' : 'role-button');

    // Mattermost's default light (Denim) and dark (Onyx) themes, as CSS variables the way the webapp sets them.
    const THEMES = {
        light: {
            'sidebar-bg': '#1e325c', 'sidebar-text': '#ffffff', 'sidebar-header-text-color': '#ffffff',
            'center-channel-bg': '#ffffff', 'center-channel-color': '#3f4350',
            'button-bg': '#1c58d9', 'button-color': '#ffffff', 'link-color': '#386fe5',
            'error-text': '#d24b4e', 'online-indicator': '#3db887',
        },
        dark: {
            'sidebar-bg': '#202228', 'sidebar-text': '#ffffff', 'sidebar-header-text-color': '#ffffff',
            'center-channel-bg': '#191b1f', 'center-channel-color': '#dddfe4',
            'button-bg': '#4a7ae8', 'button-color': '#ffffff', 'link-color': '#5d89ea',
            'error-text': '#da6c6e', 'online-indicator': '#3db887',
        },
    };
    const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ');
    const themeName = params.get('theme') === 'dark' ? 'dark' : 'light';
    for (const [name, value] of Object.entries(THEMES[themeName])) {
        document.documentElement.style.setProperty(`--${name}`, value);
        document.documentElement.style.setProperty(`--${name}-rgb`, rgb(value));
    }
    document.documentElement.dataset.theme = themeName;

    // The session's CSRF token, as the Mattermost server sets it at login.
    document.cookie = `MMCSRF=${encodeURIComponent(config.csrfToken)}; path=/`;

    const channels = Object.fromEntries(config.channels.map((c) => [c.id, c]));
    const firstChannel = params.get('channel') && channels[params.get('channel')] ? params.get('channel') : config.channels[0].id;

    function reducer(state, action) {
        switch (action.type) {
        case 'SELECT_CHANNEL':
            return {...state, entities: {...state.entities, channels: {...state.entities.channels, currentChannelId: action.id}}};
        case 'RECEIVED_PLUGIN_COMPONENT': {
            const list = state.plugins.components[action.name] || [];
            return {...state, plugins: {...state.plugins, components: {...state.plugins.components, [action.name]: [...list, action.data]}}};
        }
        case 'REMOVED_PLUGIN_COMPONENT': {
            const components = {};
            for (const [name, list] of Object.entries(state.plugins.components)) {
                components[name] = list.filter((c) => c.id !== action.id);
            }
            return {...state, plugins: {...state.plugins, components}};
        }
        default: {
            // plugin reducers registered with registerReducer live under 'plugins-<id>'
            let next = state;
            for (const [key, r] of Object.entries(pluginReducers)) {
                const before = state[key];
                const after = r(before, action);
                if (after !== before) {
                    next = {...next, [key]: after};
                }
            }
            return next;
        }
        }
    }
    const pluginReducers = {};

    const store = Redux.createStore(reducer, {
        entities: {
            channels: {currentChannelId: firstChannel, channels},
            general: {config: {SiteURL: window.location.origin}},
            users: {currentUserId: config.userId},
        },
        plugins: {components: {}},
    });

    let nextId = 1;
    const resolve = (el) => (typeof el === 'function' ? h(el) : el);

    // Positional arguments or one object with the same names, as the web app's reArg takes them.
    function Registry(pluginId) {
        this.id = pluginId;
        const add = (name, data) => {
            const id = `${pluginId}_${nextId++}`;
            store.dispatch({type: 'RECEIVED_PLUGIN_COMPONENT', name, data: {id, pluginId, ...data}});
            return id;
        };
        const args = (names, list) => (list.length === 1 && list[0] && typeof list[0] === 'object' && !React.isValidElement(list[0]) && typeof list[0] !== 'function' ?
            list[0] : Object.fromEntries(names.map((n, i) => [n, list[i]])));
        this.registerRootComponent = (...a) => add('Root', {component: args(['component'], a).component});
        this.registerChannelHeaderButtonAction = (...a) => {
            const {icon, action, dropdownText, tooltipText} = args(['icon', 'action', 'dropdownText', 'tooltipText'], a);
            return add('ChannelHeaderButton', {icon: resolve(icon), action, dropdownText: resolve(dropdownText), tooltipText: resolve(tooltipText)});
        };
        if (appBarMode !== 'none') {
            this.registerAppBarComponent = (...a) => {
                const {iconUrl, action, tooltipText, supportedProductIds} =
                    args(['iconUrl', 'action', 'tooltipText', 'supportedProductIds', 'rhsComponent', 'rhsTitle'], a);
                return add('AppBar', {iconUrl, action, tooltipText: resolve(tooltipText), supportedProductIds: supportedProductIds ?? null});
            };
        }
        this.registerChannelHeaderMenuAction = (...a) => {
            const {text, action, shouldRender} = args(['text', 'action', 'shouldRender'], a);
            return add('ChannelHeader', {text: resolve(text), action, shouldRender: shouldRender || (() => true)});
        };
        this.registerReducer = (...a) => {
            pluginReducers[`plugins-${pluginId}`] = args(['reducer'], a).reducer;
            store.dispatch({type: '@@harness/INIT_PLUGIN_REDUCER'});
        };
        this.unregisterComponent = (...a) => store.dispatch({type: 'REMOVED_PLUGIN_COMPONENT', id: args(['componentId'], a).componentId});
        // Registrations this harness does not render still succeed, so a plugin using them still loads.
        for (const name of ['registerRightHandSidebarComponent', 'registerWebSocketEventHandler', 'registerTranslations', 'registerPostTypeComponent']) {
            this[name] = () => ({id: `${pluginId}_${nextId++}`});
        }
    }

    const plugins = {};
    window.registerPlugin = function (id, plugin) {
        plugins[id] = plugin;
        plugin.initialize(new Registry(id), store);
    };
    window.harness = {store, plugins};

    // react-redux's useSelector, in the hooks every host React has.
    function useSelector(selector) {
        const [value, setValue] = React.useState(() => selector(store.getState()));
        React.useEffect(() => {
            const update = () => setValue(() => selector(store.getState()));
            update();
            return store.subscribe(update);
        }, []); // each selector here is fixed for its component's lifetime
        return value;
    }
    const dispatch = store.dispatch;

    function Tooltip({text}) {
        return h('div', {role: 'tooltip', className: 'app-bar__tooltip'}, text);
    }

    // One App Bar entry, drawn as the web app draws it (app_bar_plugin_component.tsx): a div with the click
    // handler, the icon as an <img> (iconUrl) or, for a channel header button moved into the App Bar, its icon
    // element; the tooltip on hover and focus, tied to nothing.
    function AppBarEntry({entry, channel}) {
        const [hover, setHover] = React.useState(false);
        let inner;
        if (entry.iconUrl) {
            inner = appBarMode === 'role-button' ?
                h('div', {role: 'button', tabIndex: 0, className: 'app-bar__icon-inner'}, h('img', {src: entry.iconUrl, alt: entry.pluginId})) :
                h('div', {className: 'app-bar__icon-inner'}, h('img', {src: entry.iconUrl}));
        } else {
            inner = h('div', {className: 'app-bar__old-icon app-bar__icon-inner app-bar__icon-inner--centered'}, entry.icon);
        }
        return h('div', {
            id: `app-bar-icon-${entry.pluginId}`,
            className: 'app-bar__icon',
            onClick: () => entry.action && entry.action(channel, {channel_id: channel.id, user_id: config.userId}),
            onMouseEnter: () => setHover(true),
            onMouseLeave: () => setHover(false),
            onFocus: () => setHover(true),
            onBlur: () => setHover(false),
        }, inner, hover ? h(Tooltip, {text: entry.tooltipText || entry.dropdownText || entry.pluginId}) : null);
    }

    function AppBar({channel}) {
        const entries = useSelector((s) => s.plugins.components.AppBar || []);
        const headerButtons = useSelector((s) => s.plugins.components.ChannelHeaderButton || []);
        // Channels only (supportedProductIds null): the harness has no other product.
        return h('div', {className: 'app-bar'}, h('div', {className: 'app-bar__top'},
            [...entries.filter((e) => e.supportedProductIds === null || e.supportedProductIds === '*'), ...headerButtons]
                .map((e) => h(AppBarEntry, {key: e.id, entry: e, channel}))));
    }

    function ChannelMenu({channel}) {
        const items = useSelector((s) => s.plugins.components.ChannelHeader || []);
        const [open, setOpen] = React.useState(false);
        const state = useSelector((s) => s);
        return h('div', {className: 'host-menu'},
            h('button', {type: 'button', className: 'host-menu-button', 'aria-haspopup': 'menu', 'aria-expanded': open, onClick: () => setOpen(!open)}, 'Channel menu ▾'),
            open ? h('ul', {role: 'menu', 'aria-label': 'Channel menu'},
                items.filter((it) => it.shouldRender(state)).map((it) => h('li', {key: it.id, role: 'none'},
                    h('button', {type: 'button', role: 'menuitem', onClick: () => {
                        setOpen(false);
                        it.action(channel.id);
                    }}, it.text)))) : null);
    }

    function App() {
        const currentId = useSelector((s) => s.entities.channels.currentChannelId);
        const buttons = useSelector((s) => s.plugins.components.ChannelHeaderButton || []);
        const roots = useSelector((s) => s.plugins.components.Root || []);
        const channel = channels[currentId];
        return h('div', {className: 'host'},
            h('nav', {className: 'host-sidebar', 'aria-label': 'Channels'},
                h('h1', null, 'Harness team'),
                config.channels.map((c) => h('button', {
                    key: c.id, type: 'button', 'aria-current': c.id === currentId ? 'page' : undefined,
                    onClick: () => dispatch({type: 'SELECT_CHANNEL', id: c.id}),
                }, c.display_name))),
            h('main', {className: 'host-center'},
                h('header', {className: 'host-header'},
                    h('h2', null, channel.display_name),
                    // with an App Bar, the web app moves channel header buttons into it
                    (appBarMode === 'none' ? buttons : []).map((b) => h('button', {
                        key: b.id, type: 'button', className: 'host-header-button',
                        'aria-label': typeof b.tooltipText === 'string' ? b.tooltipText : undefined,
                        title: typeof b.tooltipText === 'string' ? b.tooltipText : undefined,
                        onClick: () => b.action(channel, {channel_id: channel.id, user_id: config.userId}),
                    }, b.icon)),
                    h(ChannelMenu, {channel})),
                h('div', {className: 'host-posts'}, 'Messages of ', channel.display_name, ' would be here.')),
            appBarMode === 'none' ? null : h(AppBar, {channel}),
            roots.map((r) => h(r.component, {key: r.id})));
    }

    // React 17 (Mattermost 9.x, 10.x) renders with ReactDOM.render; React 19's react-dom has no render at all.
    const container = document.getElementById('root');
    if (ReactDOM.createRoot) {
        ReactDOM.createRoot(container).render(h(App));
    } else {
        ReactDOM.render(h(App), container);
    }
}());

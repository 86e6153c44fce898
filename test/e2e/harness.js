// A small stand-in for the Mattermost webapp, for plugin bundles: a Redux store with the state plugins read
// (current channel, site URL), window.registerPlugin, a registry that keeps registrations in the store like the
// real one, and a page that renders channel header buttons, the channel header menu and root components.
//
// Query parameters: ?theme=light|dark   ?channel=<channel id>
(function () {
    'use strict';
    const React = window.React;
    const ReactDOM = window.ReactDOM;
    const Redux = window.Redux;
    const ReactRedux = window.ReactRedux;
    const h = React.createElement;
    const config = window.HARNESS_CONFIG;
    const params = new URLSearchParams(window.location.search);

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

    // Positional arguments, as plugins have always called the registry (the webapp also takes one object).
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

    const {useSelector, useDispatch, Provider} = ReactRedux;

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
        const dispatch = useDispatch();
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
                    buttons.map((b) => h('button', {
                        key: b.id, type: 'button', className: 'host-header-button',
                        'aria-label': typeof b.tooltipText === 'string' ? b.tooltipText : undefined,
                        title: typeof b.tooltipText === 'string' ? b.tooltipText : undefined,
                        onClick: () => b.action(channel, {channel_id: channel.id, user_id: config.userId}),
                    }, b.icon)),
                    h(ChannelMenu, {channel})),
                h('div', {className: 'host-posts'}, 'Messages of ', channel.display_name, ' would be here.')),
            roots.map((r) => h(r.component, {key: r.id})));
    }

    ReactDOM.createRoot(document.getElementById('root')).render(h(Provider, {store}, h(App)));
}());

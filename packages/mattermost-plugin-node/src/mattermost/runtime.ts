// One call starts a plugin: handshake with the Mattermost server, then serve its hooks.
//
// Only the transport loads before the handshake line: the server gives a plugin 3 seconds to print it, and
// an admin's server pays for every millisecond at each start. The Mattermost binding (hooks, API client,
// models, HTTP bridge: most of the package's module initialisation) and the plugin's own code load by
// dynamic import once the line is out, while the host connects. Entry points import this through
// 'mattermost-plugin-node/run'; the root export pulls in the whole binding at once.
import {serve} from '../transport/goplugin.js';

import type {PluginAPI} from './api.js';
import type {HookLogger} from './hooks.js';
import type {LogLevel} from './logger.js';
import type {MattermostPlugin} from './plugin.js';

/** Mattermost's go-plugin handshake (server/public/plugin/api.go). */
export const mattermostHandshake = {
    magicCookieKey: 'MATTERMOST_PLUGIN',
    magicCookieValue: 'Securely message teams, anywhere.',
    protocolVersion: 1,
};

/** A plugin object, or a function that makes one (possibly loading its code first). */
export type PluginSource = MattermostPlugin | (() => MattermostPlugin | Promise<MattermostPlugin>);

/**
 * Starts the plugin. Pass a factory that imports the plugin's code to have the handshake line printed
 * before that code loads: the server gives a plugin 3 seconds to print it.
 */
export function runPlugin(source: PluginSource): void {
    // A Go plugin ignores Ctrl-C sent to the server's process group; the server decides when we stop.
    process.on('SIGINT', () => undefined);
    // Nothing a hook does may take the process down: the host would have to restart us.
    process.on('uncaughtException', (err) => void stderrLog('error', 'uncaught exception', 'error', err.stack ?? err.message));
    process.on('unhandledRejection', (err) => void stderrLog('error', 'unhandled rejection', 'error', String(err)));
    // A write to a host that has gone must not become an uncaught exception that logs to stderr again.
    process.stderr.on('error', () => undefined);

    let plugin: MattermostPlugin | undefined;
    let binding: Binding | undefined;
    const log: HookLogger = (level, message, ...kv) => {
        const api = activeAPI(plugin);
        if (!api || !binding) {
            void stderrLog(level, message, ...kv);
            return;
        }
        binding.pluginLogger(api).log(level, message, ...kv);
    };
    const fail = (err: unknown): void => {
        void stderrLog('error', 'plugin failed to start', 'error', err instanceof Error ? (err.stack ?? err.message) : String(err)).finally(() =>
            process.exit(1),
        );
    };

    const load = async (): Promise<{plugin: MattermostPlugin; binding: Binding}> => {
        const [b, p] = await Promise.all([loadBinding(), typeof source === 'function' ? source() : source]);
        binding = b;
        plugin = p;
        followServerLogLevel(p, b);
        return {plugin: p, binding: b};
    };
    let ready: Promise<{plugin: MattermostPlugin; binding: Binding}> | undefined;

    serve({
        handshake: mattermostHandshake,
        plugins: {
            hooks: (stream, broker) => {
                ready ??= load();
                ready.then((r) => r.binding.serveHooks(r.plugin, stream, broker, log), fail);
            },
        },
        log: (level, message) => void stderrLog(level, message),
    }).then(() => {
        // The handshake line is out: now load the binding and the plugin's code while the host connects.
        ready ??= load();
        ready.catch(fail);
    }, fail);
}

/** What the runtime needs of the Mattermost binding, loaded after the handshake line. */
interface Binding {
    serveHooks: typeof import('./hooks.js').serveHooks;
    pluginLogger: typeof import('./logger.js').pluginLogger;
    stderrLog: typeof import('./logger.js').stderrLog;
}

let bindingLoad: Promise<Binding> | undefined;

function loadBinding(): Promise<Binding> {
    bindingLoad ??= Promise.all([import('./hooks.js'), import('./logger.js')]).then(([hooks, logger]) => ({
        serveHooks: hooks.serveHooks,
        pluginLogger: logger.pluginLogger,
        stderrLog: logger.stderrLog,
    }));
    return bindingLoad;
}

/**
 * hclog JSON on stderr (logger.ts), which go-plugin forwards to the server log: its module comes with the
 * binding, so a line logged before the binding has loaded waits for it (a microtask in a bundle).
 */
async function stderrLog(level: LogLevel, message: string, ...keyValuePairs: unknown[]): Promise<void> {
    try {
        (await loadBinding()).stderrLog(level, message, ...keyValuePairs);
    } catch {
        // The binding failed to load: a line without its fields is better than none.
        try {
            process.stderr.write(`${JSON.stringify({'@level': level, '@message': message})}\n`);
        } catch {
            // Nowhere left to write to: the host has gone.
        }
    }
}

function activeAPI(plugin: MattermostPlugin | undefined): PluginAPI | undefined {
    try {
        return plugin?.api;
    } catch {
        return undefined; // not activated yet
    }
}

/**
 * Makes the plugin's log level follow the server's: the server calls OnConfigurationChange at activation
 * (before OnActivate) and after every change of its configuration, log settings included, so the level is
 * read there, before the plugin's own handler runs. The hook is therefore always implemented.
 */
function followServerLogLevel(plugin: MattermostPlugin, binding: Binding): void {
    const own = plugin.onConfigurationChange;
    plugin.onConfigurationChange = async (): Promise<void> => {
        const api = activeAPI(plugin);
        if (api) {
            await binding.pluginLogger(api).followServer(api);
        }
        await own?.call(plugin);
    };
}

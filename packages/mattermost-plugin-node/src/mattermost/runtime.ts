// One call starts a plugin: handshake with the Mattermost server, then serve its hooks.
import {serve} from '../transport/goplugin.js';

import type {PluginAPI} from './api.js';
import {serveHooks, type HookLogger} from './hooks.js';
import {pluginLogger, stderrLog} from './logger.js';
import type {MattermostPlugin} from './plugin.js';

export {stderrLog};

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
    process.on('uncaughtException', (err) => stderrLog('error', 'uncaught exception', 'error', err.stack ?? err.message));
    process.on('unhandledRejection', (err) => stderrLog('error', 'unhandled rejection', 'error', String(err)));
    // A write to a host that has gone must not become an uncaught exception that logs to stderr again.
    process.stderr.on('error', () => undefined);

    let plugin: MattermostPlugin | undefined;
    const log: HookLogger = (level, message, ...kv) => {
        const api = activeAPI(plugin);
        if (!api) {
            stderrLog(level, message, ...kv);
            return;
        }
        pluginLogger(api).log(level, message, ...kv);
    };
    const fail = (err: unknown): void => {
        stderrLog('error', 'plugin failed to start', 'error', err instanceof Error ? (err.stack ?? err.message) : String(err));
        process.exit(1);
    };

    const load = async (): Promise<MattermostPlugin> => {
        plugin = typeof source === 'function' ? await source() : source;
        followServerLogLevel(plugin);
        return plugin;
    };
    let ready: Promise<MattermostPlugin> | undefined;

    serve({
        handshake: mattermostHandshake,
        plugins: {
            hooks: (stream, broker) => {
                ready ??= load();
                ready.then((p) => serveHooks(p, stream, broker, log), fail);
            },
        },
        log: (level, message) => stderrLog(level, message),
    }).then(() => {
        // The handshake line is out: now load the plugin's code while the host connects.
        ready ??= load();
        ready.catch(fail);
    }, fail);
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
function followServerLogLevel(plugin: MattermostPlugin): void {
    const own = plugin.onConfigurationChange;
    plugin.onConfigurationChange = async (): Promise<void> => {
        const api = activeAPI(plugin);
        if (api) {
            await pluginLogger(api).followServer(api);
        }
        await own?.call(plugin);
    };
}

// One call starts a plugin: handshake with the Mattermost server, then serve its hooks.
import {serve} from '../transport/goplugin.js';

import {serveHooks, type HookLogger} from './hooks.js';
import type {MattermostPlugin} from './plugin.js';

/** Mattermost's go-plugin handshake (server/public/plugin/api.go). */
export const mattermostHandshake = {
    magicCookieKey: 'MATTERMOST_PLUGIN',
    magicCookieValue: 'Securely message teams, anywhere.',
    protocolVersion: 1,
};

/**
 * Before activation there is no API to log through: write hclog-style JSON to stderr, which the server
 * logs with the plugin id. `@message` and `@level` must be strings (the host type-asserts them).
 */
export function stderrLog(level: 'debug' | 'info' | 'warn' | 'error', message: string, ...kv: unknown[]): void {
    const entry: Record<string, string> = {
        '@level': level,
        '@message': message,
        '@timestamp': hclogTimestamp(new Date()),
    };
    for (let i = 0; i + 1 < kv.length; i += 2) {
        entry[String(kv[i])] = String(kv[i + 1]);
    }
    process.stderr.write(`${JSON.stringify(entry)}\n`);
}

/** go-plugin parses "2006-01-02T15:04:05.000000Z07:00"; anything else is not taken as an hclog entry. */
function hclogTimestamp(d: Date): string {
    return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

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

    let plugin: MattermostPlugin | undefined;
    const log: HookLogger = (level, message, ...kv) => {
        let api;
        try {
            api = plugin?.api;
        } catch {
            // not activated yet
        }
        if (!api) {
            stderrLog(level, message, ...kv);
            return;
        }
        api.log(level, message, ...kv).catch(() => stderrLog(level, message, ...kv));
    };
    const fail = (err: unknown): void => {
        stderrLog('error', 'plugin failed to start', 'error', err instanceof Error ? (err.stack ?? err.message) : String(err));
        process.exit(1);
    };

    const load = async (): Promise<MattermostPlugin> => {
        plugin = typeof source === 'function' ? await source() : source;
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

// Logging through the server. Lines go to the plugin API's LogDebug/LogInfo/LogWarn/LogError, so they land
// in the server log tagged with the plugin id; a line at a level none of the server's log sinks keeps is not
// sent at all (each line is an RPC round trip). A logging failure never reaches the caller.
import {logString, type LogLevel} from './api.js';

export type {LogLevel};

/**
 * What plugin code logs with: a message, then alternating keys and values, as Mattermost's LogX take them.
 * Fire and forget: never throws, never rejects.
 */
export interface Log {
    debug(message: string, ...keyValuePairs: unknown[]): void;
    info(message: string, ...keyValuePairs: unknown[]): void;
    warn(message: string, ...keyValuePairs: unknown[]): void;
    error(message: string, ...keyValuePairs: unknown[]): void;
}

/** Where lines go: the plugin API (PluginAPI satisfies it). */
export interface LogSink {
    log(level: LogLevel, message: string, ...keyValuePairs: unknown[]): Promise<void>;
}

/** Where the server's configuration comes from (PluginAPI satisfies it). */
export interface ServerConfigSource {
    /** The server configuration (null: none, as a nil *model.Config reads). */
    getConfig(): Promise<object | null>;
}

export type LogLevels = ReadonlySet<LogLevel>;

export const allLogLevels: LogLevels = new Set<LogLevel>(['debug', 'info', 'warn', 'error']);

/** mlog level ids (logr): a simple target set to level L keeps every standard level whose id is <= L's. */
const mlogLevelIds: Readonly<Record<string, number>> = {panic: 0, fatal: 1, error: 2, warn: 3, info: 4, debug: 5, trace: 6};
const pluginLevelIds: ReadonlyArray<readonly [LogLevel, number]> = [
    ['error', 2],
    ['warn', 3],
    ['info', 4],
    ['debug', 5],
];

/**
 * The plugin log levels the server keeps, from its configuration (model.Config in its JSON shape). Follows
 * how the server builds its logger: a console target when LogSettings.EnableConsole (ConsoleLevel), a file
 * target when EnableFile (FileLevel), plus the targets of AdvancedLoggingJSON, each with its own levels. When
 * the configuration does not say (missing or unknown values), every level is kept: dropping a line the
 * server would have logged is worse than sending one it drops.
 */
export function serverLogLevels(config: Record<string, unknown>): LogLevels {
    const settings = config.LogSettings;
    if (!isObject(settings)) {
        return allLogLevels;
    }
    const ids = new Set<number>();
    for (const [enabled, level] of [
        [settings.EnableConsole, settings.ConsoleLevel],
        [settings.EnableFile, settings.FileLevel],
    ] as const) {
        if (enabled === false) {
            continue;
        }
        const max = typeof level === 'string' ? mlogLevelIds[level.trim().toLowerCase()] : undefined;
        if (max === undefined) {
            return allLogLevels;
        }
        for (let id = 0; id <= max; id++) {
            ids.add(id);
        }
    }
    const advanced = advancedTargetLevelIds(settings.AdvancedLoggingJSON ?? settings.AdvancedLoggingConfig);
    if (advanced === 'unknown') {
        return allLogLevels;
    }
    advanced.forEach((id) => ids.add(id));
    return new Set(pluginLevelIds.filter(([, id]) => ids.has(id)).map(([level]) => level));
}

/** The level ids the advanced logging targets keep; 'unknown' when the value cannot be read. */
function advancedTargetLevelIds(value: unknown): Set<number> | 'unknown' {
    let targets = value;
    if (typeof targets === 'string') {
        const text = targets.trim();
        if (text === '') {
            return new Set();
        }
        try {
            targets = JSON.parse(text) as unknown;
        } catch {
            // Older servers also take a file name here: its targets are not ours to read.
            return 'unknown';
        }
    }
    if (targets === null || targets === undefined) {
        return new Set();
    }
    if (!isObject(targets)) {
        return 'unknown';
    }
    const ids = new Set<number>();
    for (const target of Object.values(targets)) {
        const levels = isObject(target) ? (target.Levels ?? target.levels) : undefined;
        if (!Array.isArray(levels)) {
            continue;
        }
        for (const level of levels) {
            const id = levelId(level);
            if (id === undefined) {
                return 'unknown';
            }
            ids.add(id);
        }
    }
    return ids;
}

function levelId(level: unknown): number | undefined {
    if (!isObject(level)) {
        return undefined;
    }
    const id = level.id ?? level.ID;
    if (typeof id === 'number') {
        return id;
    }
    const name = level.name ?? level.Name;
    return typeof name === 'string' ? mlogLevelIds[name.toLowerCase()] : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Before the plugin API exists there is nothing to log through: hclog-style JSON on stderr, which go-plugin
 * forwards to the server log with the plugin id. `@message` and `@level` must be strings (the host
 * type-asserts them).
 */
export function stderrLog(level: LogLevel, message: string, ...keyValuePairs: unknown[]): void {
    const entry: Record<string, string> = {
        '@level': level,
        '@message': message,
        '@timestamp': hclogTimestamp(new Date()),
    };
    for (let i = 0; i + 1 < keyValuePairs.length; i += 2) {
        entry[String(keyValuePairs[i])] = logString(keyValuePairs[i + 1]);
    }
    try {
        process.stderr.write(`${JSON.stringify(entry)}\n`);
    } catch {
        // Nowhere left to write to: the host has gone.
    }
}

/** go-plugin parses "2006-01-02T15:04:05.000000Z07:00"; anything else is not taken as an hclog entry. */
function hclogTimestamp(d: Date): string {
    return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export type LogFallback = (level: LogLevel, message: string, ...keyValuePairs: unknown[]) => void;

export interface LoggerOptions {
    /** Where lines go; undefined while there is no API yet. */
    sink: () => LogSink | undefined;
    /** Lines that cannot go to the sink (none yet, or the call failed). Default: stderr as hclog JSON. */
    fallback?: LogFallback;
    /** The levels sent until the server's configuration has been read. Default: all. */
    levels?: LogLevels;
}

export class Logger implements Log {
    private current: LogLevels;
    private readonly fallback: LogFallback;

    constructor(private readonly options: LoggerOptions) {
        this.current = options.levels ?? allLogLevels;
        this.fallback = options.fallback ?? stderrLog;
    }

    /** The levels currently sent. */
    get levels(): LogLevels {
        return this.current;
    }

    setLevels(levels: LogLevels): void {
        this.current = levels;
    }

    /** Whether a line at `level` would be sent: check it before building expensive key-value pairs. */
    isEnabled(level: LogLevel): boolean {
        return this.current.has(level);
    }

    /**
     * Reads the server's log settings and sends only the levels its sinks keep from now on. Never throws:
     * when the configuration cannot be read, the levels stay as they were.
     */
    async followServer(source: ServerConfigSource): Promise<void> {
        try {
            const config = await source.getConfig();
            this.current = serverLogLevels(config ? (config as Record<string, unknown>) : {});
        } catch (err) {
            this.warn('could not read the server log settings; log levels unchanged', 'error', err instanceof Error ? err.message : String(err));
        }
    }

    debug(message: string, ...keyValuePairs: unknown[]): void {
        this.log('debug', message, ...keyValuePairs);
    }

    info(message: string, ...keyValuePairs: unknown[]): void {
        this.log('info', message, ...keyValuePairs);
    }

    warn(message: string, ...keyValuePairs: unknown[]): void {
        this.log('warn', message, ...keyValuePairs);
    }

    error(message: string, ...keyValuePairs: unknown[]): void {
        this.log('error', message, ...keyValuePairs);
    }

    log(level: LogLevel, message: string, ...keyValuePairs: unknown[]): void {
        if (!this.current.has(level)) {
            return;
        }
        const fallback = (): void => {
            try {
                this.fallback(level, message, ...keyValuePairs);
            } catch {
                // A logging failure must never fail the caller.
            }
        };
        try {
            const sink = this.options.sink();
            if (!sink) {
                fallback();
                return;
            }
            // Not awaited: a hook must not wait for its log lines, nor fail because one could not be sent.
            sink.log(level, message, ...keyValuePairs).catch(fallback);
        } catch {
            fallback();
        }
    }
}

const apiLoggers = new WeakMap<LogSink, Logger>();

/**
 * The logger of one plugin API connection: the runtime (hook failures, log level) and the plugin's own code
 * share it, so both follow the same server log level.
 */
export function pluginLogger(api: LogSink): Logger {
    let logger = apiLoggers.get(api);
    if (!logger) {
        logger = new Logger({sink: () => api});
        apiLoggers.set(api, logger);
    }
    return logger;
}

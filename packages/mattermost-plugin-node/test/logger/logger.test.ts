// The plugin's logger: which levels the server keeps (from its LogSettings, as the server builds its log
// targets), that filtered lines never reach the API, and that a failing API never fails the caller.
import {afterEach, describe, expect, it, vi} from 'vitest';

import {
    allLogLevels,
    Logger,
    pluginLogger,
    serverLogLevels,
    stderrLog,
    type LogLevel,
    type LogSink,
} from '../../src/mattermost/logger.js';

/** LogSettings as model.Config.SetDefaults leaves them, with changes. */
function config(changes: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        LogSettings: {
            EnableConsole: true,
            ConsoleLevel: 'DEBUG',
            ConsoleJson: true,
            EnableFile: true,
            FileLevel: 'INFO',
            FileJson: true,
            AdvancedLoggingJSON: {},
            ...changes,
        },
    };
}

const sorted = (levels: ReadonlySet<LogLevel>): LogLevel[] => [...levels].sort();

describe('serverLogLevels', () => {
    it('keeps every level with the default settings (console at DEBUG)', () => {
        expect(sorted(serverLogLevels(config()))).toEqual(['debug', 'error', 'info', 'warn']);
    });

    it('takes the more verbose of the enabled sinks', () => {
        expect(sorted(serverLogLevels(config({ConsoleLevel: 'ERROR', FileLevel: 'WARN'})))).toEqual(['error', 'warn']);
        expect(sorted(serverLogLevels(config({ConsoleLevel: 'WARN', FileLevel: 'INFO'})))).toEqual(['error', 'info', 'warn']);
        expect(sorted(serverLogLevels(config({ConsoleLevel: 'error', FileLevel: 'error'})))).toEqual(['error']);
    });

    it('ignores a disabled sink, however verbose', () => {
        expect(sorted(serverLogLevels(config({EnableConsole: false, ConsoleLevel: 'DEBUG', FileLevel: 'WARN'})))).toEqual(['error', 'warn']);
        expect(sorted(serverLogLevels(config({EnableFile: false, ConsoleLevel: 'INFO', FileLevel: 'DEBUG'})))).toEqual(['error', 'info', 'warn']);
    });

    it('keeps nothing when no sink is enabled', () => {
        expect(serverLogLevels(config({EnableConsole: false, EnableFile: false})).size).toBe(0);
    });

    it('counts TRACE as keeping debug lines', () => {
        expect(sorted(serverLogLevels(config({ConsoleLevel: 'TRACE', FileLevel: 'ERROR'})))).toEqual(['debug', 'error', 'info', 'warn']);
    });

    it('adds the levels of the advanced logging targets, by id or by name', () => {
        const advanced = {
            audit: {Type: 'file', Levels: [{id: 100, name: 'audit-api'}]},
            debugOnly: {Type: 'console', Levels: [{id: 5, name: 'debug'}]},
            named: {Type: 'syslog', Levels: [{name: 'warn'}]},
        };
        const quiet = {EnableConsole: false, EnableFile: false};
        expect(sorted(serverLogLevels(config({...quiet, AdvancedLoggingJSON: advanced})))).toEqual(['debug', 'warn']);
        expect(sorted(serverLogLevels(config({...quiet, AdvancedLoggingJSON: JSON.stringify(advanced)})))).toEqual(['debug', 'warn']);
        expect(serverLogLevels(config({...quiet, AdvancedLoggingJSON: null})).size).toBe(0);
        expect(serverLogLevels(config({...quiet, AdvancedLoggingJSON: ''})).size).toBe(0);
    });

    it('keeps everything when it cannot tell what the server keeps', () => {
        expect(serverLogLevels({})).toBe(allLogLevels);
        expect(serverLogLevels(config({ConsoleLevel: 'LOUD'}))).toBe(allLogLevels);
        expect(serverLogLevels(config({FileLevel: undefined}))).toBe(allLogLevels);
        // older servers also take a file name for the advanced configuration
        expect(serverLogLevels(config({EnableConsole: false, EnableFile: false, AdvancedLoggingConfig: '/etc/mm/logging.json', AdvancedLoggingJSON: undefined}))).toBe(allLogLevels);
        expect(serverLogLevels(config({AdvancedLoggingJSON: {t: {Levels: [{id: 'x'}]}}}))).toBe(allLogLevels);
    });
});

interface SentLine {
    level: LogLevel;
    message: string;
    kv: unknown[];
}

function recordingSink(behaviour: 'ok' | 'reject' | 'throw' = 'ok'): LogSink & {sent: SentLine[]} {
    const sent: SentLine[] = [];
    return {
        sent,
        log(level, message, ...kv) {
            sent.push({level, message, kv});
            if (behaviour === 'throw') {
                throw new Error('encoder broke');
            }
            return behaviour === 'reject' ? Promise.reject(new Error('connection reset')) : Promise.resolve();
        },
    };
}

/** Lets rejected sends settle (their fallback runs in a promise callback). */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('Logger', () => {
    it('sends message and key-value pairs as given, at each level', () => {
        const sink = recordingSink();
        const log = new Logger({sink: () => sink, fallback: () => undefined});
        log.debug('d', 'k', 1);
        log.info('i');
        log.warn('w', 'user_id', 'u1', 'n', 2);
        log.error('e', 'error', new Error('boom'));
        expect(sink.sent.map((l) => [l.level, l.message, l.kv])).toEqual([
            ['debug', 'd', ['k', 1]],
            ['info', 'i', []],
            ['warn', 'w', ['user_id', 'u1', 'n', 2]],
            ['error', 'e', ['error', new Error('boom')]],
        ]);
    });

    it('does not send the levels the server drops, nor hand them to the fallback', () => {
        const sink = recordingSink();
        const fallback = vi.fn();
        const log = new Logger({sink: () => sink, fallback});
        log.setLevels(serverLogLevels(config({ConsoleLevel: 'WARN', FileLevel: 'WARN'})));
        expect(log.isEnabled('debug')).toBe(false);
        expect(log.isEnabled('warn')).toBe(true);
        log.debug('dropped');
        log.info('dropped');
        log.warn('kept');
        log.error('kept too');
        expect(sink.sent.map((l) => l.message)).toEqual(['kept', 'kept too']);
        expect(fallback).not.toHaveBeenCalled();
    });

    it('follows the server: reads LogSettings through getConfig, again on every call', async () => {
        const sink = recordingSink();
        let serverConfig = config({ConsoleLevel: 'ERROR', FileLevel: 'ERROR'});
        const source = {getConfig: vi.fn(async () => serverConfig)};
        const log = new Logger({sink: () => sink, fallback: () => undefined});
        await log.followServer(source);
        log.info('not yet');
        serverConfig = config({ConsoleLevel: 'INFO', FileLevel: 'ERROR'});
        await log.followServer(source);
        log.info('now');
        log.debug('still not');
        expect(sink.sent.map((l) => l.message)).toEqual(['now']);
        expect(source.getConfig).toHaveBeenCalledTimes(2);
    });

    it('keeps its levels when the configuration cannot be read, and says so', async () => {
        const sink = recordingSink();
        const log = new Logger({sink: () => sink, fallback: () => undefined, levels: new Set<LogLevel>(['warn', 'error'])});
        await log.followServer({getConfig: () => Promise.reject(new Error('rpc closed'))});
        expect(sorted(log.levels)).toEqual(['error', 'warn']);
        expect(sink.sent).toEqual([
            {level: 'warn', message: 'could not read the server log settings; log levels unchanged', kv: ['error', 'rpc closed']},
        ]);
    });

    it('never fails the caller: a rejected or throwing send goes to the fallback', async () => {
        for (const behaviour of ['reject', 'throw'] as const) {
            const fallback = vi.fn();
            const log = new Logger({sink: () => recordingSink(behaviour), fallback});
            expect(() => log.error('hook failed', 'error', 'x')).not.toThrow();
            await settle();
            expect(fallback).toHaveBeenCalledWith('error', 'hook failed', 'error', 'x');
        }
    });

    it('never fails the caller even when the fallback throws too', async () => {
        const log = new Logger({
            sink: () => recordingSink('reject'),
            fallback: () => {
                throw new Error('stderr closed');
            },
        });
        log.warn('a');
        const noSink = new Logger({
            sink: () => {
                throw new Error('not activated');
            },
            fallback: () => {
                throw new Error('stderr closed');
            },
        });
        expect(() => noSink.warn('b')).not.toThrow();
        // an unhandled rejection here would fail the run
        await settle();
    });

    it('uses the fallback while there is no API', () => {
        const fallback = vi.fn();
        const log = new Logger({sink: () => undefined, fallback});
        log.info('before activation', 'k', 'v');
        expect(fallback).toHaveBeenCalledWith('info', 'before activation', 'k', 'v');
    });
});

describe('pluginLogger', () => {
    it('gives one logger per API connection, so runtime and plugin share a level', () => {
        const a = recordingSink();
        const b = recordingSink();
        expect(pluginLogger(a)).toBe(pluginLogger(a));
        expect(pluginLogger(a)).not.toBe(pluginLogger(b));
        pluginLogger(a).setLevels(new Set<LogLevel>(['error']));
        pluginLogger(a).info('dropped');
        pluginLogger(b).info('sent');
        expect(a.sent).toEqual([]);
        expect(b.sent.map((l) => l.message)).toEqual(['sent']);
    });
});

describe('stderrLog', () => {
    afterEach(() => vi.restoreAllMocks());

    it('writes one hclog JSON line that go-plugin takes as a log entry', () => {
        const writes: string[] = [];
        vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
            writes.push(String(chunk));
            return true;
        });
        stderrLog('warn', 'handshake slow', 'ms', 250, 'detail', {a: 1}, 'err', new Error('late'));
        expect(writes).toHaveLength(1);
        expect(writes[0]!.endsWith('\n')).toBe(true);
        const entry = JSON.parse(writes[0]!) as Record<string, string>;
        expect(entry['@level']).toBe('warn');
        expect(entry['@message']).toBe('handshake slow');
        expect(entry['@timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
        expect(entry).toMatchObject({ms: '250', detail: '{"a":1}', err: 'late'});
    });
});

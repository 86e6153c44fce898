// The command line of `mattermost-plugin-node` (tools/args.mjs) and the cache folder it chooses
// (tools/cache.mjs). The commands themselves run in `npm run test:package`, as an outside author runs them.
import path from 'node:path';

import {describe, expect, it} from 'vitest';

import {parseCommandLine, UsageError, type CommandLine} from '../../tools/args.mjs';
import {cacheDir, librariesCache, runtimesCache} from '../../tools/cache.mjs';

const cwd = path.resolve('/srv/author/plugin');
const home = path.resolve('/home/author');
const parse = (argv: string[], env: Record<string, string | undefined> = {}): CommandLine => parseCommandLine(argv, {cwd, env, home});

function usageError(argv: string[]): string {
    try {
        parse(argv);
    } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
    }
    throw new Error(`${argv.join(' ')} was accepted`);
}

describe('parseCommandLine', () => {
    it('builds the working directory by default', () => {
        expect(parse(['build'])).toEqual({command: 'build', pluginDir: cwd});
    });

    it('takes --plugin relative to the working directory, as a separate or an inline value', () => {
        expect(parse(['build', '--plugin', 'examples/hello'])).toEqual({command: 'build', pluginDir: path.join(cwd, 'examples/hello')});
        expect(parse(['build', '--plugin=../other'])).toEqual({command: 'build', pluginDir: path.resolve(cwd, '../other')});
        expect(parse(['build', '--plugin', path.resolve('/elsewhere')])).toEqual({command: 'build', pluginDir: path.resolve('/elsewhere')});
    });

    it('gives dist its defaults', () => {
        expect(parse(['dist'])).toEqual({
            command: 'dist',
            pluginDir: cwd,
            platforms: ['linux-amd64', 'linux-arm64', 'windows-amd64'],
            build: true,
            unsignedDarwin: false,
            execArgv: ['--max-semi-space-size=1'],
            cacheDir: path.join(home, '.cache', 'mattermost-plugin-node'),
        });
    });

    it('reads every dist option', () => {
        expect(parse(['dist', '--plugin', 'p', '--platforms', 'linux-amd64, linux-arm64', '--no-build', '--exec-argv', '--max-semi-space-size=4 --jitless', '--cache-dir', 'c'])).toEqual({
            command: 'dist',
            pluginDir: path.join(cwd, 'p'),
            platforms: ['linux-amd64', 'linux-arm64'],
            build: false,
            unsignedDarwin: false,
            execArgv: ['--max-semi-space-size=4', '--jitless'],
            cacheDir: path.join(cwd, 'c'),
        });
    });

    it('bakes no Node.js option with an empty --exec-argv', () => {
        expect(parse(['dist', '--exec-argv', ''])).toMatchObject({execArgv: []});
        expect(parse(['dist', '--exec-argv='])).toMatchObject({execArgv: []});
    });

    it('adds darwin-amd64 with --unsigned-darwin, and refuses it without', () => {
        expect(parse(['dist', '--platforms', 'linux-amd64', '--unsigned-darwin'])).toMatchObject({platforms: ['linux-amd64', 'darwin-amd64'], unsignedDarwin: true});
        expect(parse(['dist', '--platforms=darwin-amd64', '--unsigned-darwin'])).toMatchObject({platforms: ['darwin-amd64']});
        expect(usageError(['dist', '--platforms', 'darwin-amd64'])).toMatch(/darwin-amd64 .*--unsigned-darwin/);
    });

    it('answers help for --help, -h and help, wherever they are', () => {
        for (const argv of [['--help'], ['-h'], ['help'], ['build', '--help'], ['dist', '--platforms', 'x', '-h'], ['frobnicate', '--help']]) {
            expect(parse(argv)).toEqual({command: 'help'});
        }
    });

    it.each([
        [[], /no command/],
        [['frobnicate'], /unknown command "frobnicate"/],
        [['--plugin', 'x', 'build'], /unknown command "--plugin"/],
        [['build', '--platforms', 'linux-amd64'], /build: unknown option --platforms/],
        [['build', 'extra'], /build: unknown option extra/],
        [['dist', '--frob'], /dist: unknown option --frob/],
        [['build', '--plugin'], /--plugin needs a value/],
        [['build', '--plugin', '--other'], /--plugin needs a value/],
        [['build', '--plugin='], /--plugin needs a directory/],
        [['build', '--plugin', 'a', '--plugin', 'b'], /--plugin given twice/],
        [['dist', '--no-build=yes'], /--no-build takes no value/],
        [['dist', '--platforms', 'linux-mips'], /no standalone bundle for linux-mips \(possible: linux-amd64/],
        [['dist', '--platforms', ','], /--platforms names no platform/],
        [['dist', '--cache-dir'], /--cache-dir needs a value/],
        [['dist', '--exec-argv'], /--exec-argv needs a value/],
    ])('refuses %j', (argv, message) => {
        expect(usageError(argv)).toMatch(message);
    });
});

describe('cacheDir', () => {
    it('prefers --cache-dir, then $MATTERMOST_PLUGIN_NODE_CACHE, then $XDG_CACHE_HOME, then ~/.cache', () => {
        const env = {MATTERMOST_PLUGIN_NODE_CACHE: 'from-env', XDG_CACHE_HOME: path.resolve('/xdg')};
        expect(cacheDir({flag: 'from-flag', env, home, cwd})).toBe(path.join(cwd, 'from-flag'));
        expect(cacheDir({env, home, cwd})).toBe(path.join(cwd, 'from-env'));
        expect(cacheDir({env: {XDG_CACHE_HOME: env.XDG_CACHE_HOME}, home, cwd})).toBe(path.join(env.XDG_CACHE_HOME, 'mattermost-plugin-node'));
        expect(cacheDir({env: {}, home, cwd})).toBe(path.join(home, '.cache', 'mattermost-plugin-node'));
    });

    it('ignores an empty variable and a relative $XDG_CACHE_HOME, as the XDG spec says', () => {
        expect(cacheDir({env: {MATTERMOST_PLUGIN_NODE_CACHE: '', XDG_CACHE_HOME: 'relative'}, home, cwd})).toBe(path.join(home, '.cache', 'mattermost-plugin-node'));
    });

    it('reaches dist through the environment', () => {
        expect(parse(['dist'], {MATTERMOST_PLUGIN_NODE_CACHE: path.resolve('/shared/cache')})).toMatchObject({cacheDir: path.resolve('/shared/cache')});
        expect(parse(['dist', '--cache-dir', 'mine'], {MATTERMOST_PLUGIN_NODE_CACHE: path.resolve('/shared/cache')})).toMatchObject({cacheDir: path.join(cwd, 'mine')});
    });

    it('keeps runtimes and libraries in folders of their own', () => {
        const dir = path.resolve('/c');
        expect(runtimesCache(dir)).toBe(path.join(dir, 'node-runtimes'));
        expect(librariesCache(dir)).toBe(path.join(dir, 'debian-libs'));
        expect(runtimesCache(dir)).not.toBe(librariesCache(dir));
    });
});

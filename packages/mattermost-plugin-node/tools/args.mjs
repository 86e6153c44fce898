// The command line of `mattermost-plugin-node` (cli.mjs): what each command takes, read into options without
// touching the file system, so that it can be tested on its own.
import path from 'node:path';

import {cacheDir, CACHE_ENV} from './cache.mjs';
import {DEFAULT_PLATFORMS, PlatformError, SEA_EXEC_ARGV, standalonePlatforms} from './dist.mjs';

/** A command line the CLI cannot run: it prints the message and the usage, and exits 2. */
export class UsageError extends Error {
    constructor(message) {
        super(message);
        this.name = 'UsageError';
    }
}

/** The short form, printed after a usage error. */
export const SYNOPSIS = `usage: mattermost-plugin-node build [--plugin <dir>]
       mattermost-plugin-node dist [--plugin <dir>] [--platforms <list>] [--unsigned-darwin] [--no-build]
                                   [--exec-argv "<flags>"] [--cache-dir <dir>]
       mattermost-plugin-node --help
`;

export const USAGE = `Usage: mattermost-plugin-node <command> [options]

Commands:
  build   the server bundle (server/dist/plugin.cjs) and its launchers, the webapp (when plugin.json has
          one), and the portable bundle dist/<id>-<version>.tar.gz, which runs with the server's
          Node.js 20+
  dist    build, then the standalone bundles dist/<id>-<version>-<os>-<arch>.tar.gz, whose server
          executable embeds Node.js, and dist/bundles.json listing every bundle

Options:
  --plugin <dir>          the plugin's directory (plugin.json, package.json, server/main.ts); default: the
                          working directory
  --platforms <list>      dist: comma-separated, default ${DEFAULT_PLATFORMS.join(',')}
  --unsigned-darwin       dist: also darwin-amd64, left unsigned (sign it on a Mac before use)
  --no-build              dist: use the existing build and portable bundle instead of building first
  --exec-argv "<flags>"   dist: the Node.js options baked into the executables, instead of ${SEA_EXEC_ARGV.join(' ')}
  --cache-dir <dir>       dist: where downloaded Node.js runtimes and Debian libraries are kept; default
                          $${CACHE_ENV}, else $XDG_CACHE_HOME/mattermost-plugin-node, else
                          ~/.cache/mattermost-plugin-node
  -h, --help              this text

Building the Linux standalone bundles needs apt and patchelf (Debian or Ubuntu); for linux-arm64 also
dpkg --add-architecture arm64 && apt-get update.
`;

/**
 * The options each command takes: flag -> false (a switch), 'value' (a value, which may not look like an
 * option when given as the next argument) or 'flags' (a value that may: Node.js options, or "" for none).
 */
const OPTIONS = {
    build: {'--plugin': 'value'},
    dist: {'--plugin': 'value', '--platforms': 'value', '--unsigned-darwin': false, '--no-build': false, '--exec-argv': 'flags', '--cache-dir': 'value'},
};

/**
 * Reads argv (without node and the script) into {command: 'help'}, {command: 'build', pluginDir} or
 * {command: 'dist', pluginDir, platforms, build, unsignedDarwin, execArgv, cacheDir}. Paths are made
 * absolute against cwd; env and home give the default cache folder. Throws UsageError.
 * @param {string[]} argv
 * @param {{cwd?: string, env?: Record<string, string | undefined>, home?: string}} [context]
 */
export function parseCommandLine(argv, {cwd = process.cwd(), env = process.env, home} = {}) {
    if (argv.some((a) => a === '--help' || a === '-h') || argv[0] === 'help') {
        return {command: 'help'};
    }
    const [command, ...rest] = argv;
    if (command === undefined) {
        throw new UsageError('no command given');
    }
    const known = OPTIONS[command];
    if (!known) {
        throw new UsageError(`unknown command ${JSON.stringify(command)} (commands: ${Object.keys(OPTIONS).join(', ')})`);
    }
    const given = {};
    for (let i = 0; i < rest.length; i++) {
        const [flag, inline] = rest[i].split(/=(.*)/s, 2);
        if (!(flag in known)) {
            throw new UsageError(`${command}: unknown option ${rest[i]}`);
        }
        if (flag in given) {
            throw new UsageError(`${command}: ${flag} given twice`);
        }
        if (!known[flag]) {
            if (inline !== undefined) {
                throw new UsageError(`${command}: ${flag} takes no value`);
            }
            given[flag] = true;
            continue;
        }
        const value = inline ?? rest[++i];
        if (value === undefined || (inline === undefined && known[flag] === 'value' && value.startsWith('-'))) {
            throw new UsageError(`${command}: ${flag} needs a value`);
        }
        given[flag] = value;
    }
    if (given['--plugin'] === '') {
        throw new UsageError(`${command}: --plugin needs a directory`);
    }
    const pluginDir = path.resolve(cwd, given['--plugin'] ?? '.');
    if (command === 'build') {
        return {command, pluginDir};
    }
    const wanted = given['--platforms'] === undefined ? DEFAULT_PLATFORMS : given['--platforms'].split(',').map((s) => s.trim()).filter(Boolean);
    const unsignedDarwin = given['--unsigned-darwin'] === true;
    let platforms;
    try {
        platforms = standalonePlatforms(wanted, unsignedDarwin);
    } catch (err) {
        throw err instanceof PlatformError ? new UsageError(`dist: ${err.message}`) : err;
    }
    if (platforms.length === 0) {
        throw new UsageError('dist: --platforms names no platform');
    }
    return {
        command,
        pluginDir,
        platforms,
        build: given['--no-build'] !== true,
        unsignedDarwin,
        execArgv: given['--exec-argv'] === undefined ? SEA_EXEC_ARGV : given['--exec-argv'].split(/\s+/).filter(Boolean),
        cacheDir: cacheDir({flag: given['--cache-dir'], env, home, cwd}),
    };
}

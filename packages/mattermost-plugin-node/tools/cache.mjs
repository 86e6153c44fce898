// Where `dist` keeps what it downloads: the Node.js runtimes (node-runtimes/) and the Debian libraries the
// Linux executables ship (debian-libs/). Every file is checked against its pinned or apt-listed hash each
// time it is used, so one cache may serve every plugin and every user of the machine.
import os from 'node:os';
import path from 'node:path';

/** The environment variable naming the cache folder. */
export const CACHE_ENV = 'MATTERMOST_PLUGIN_NODE_CACHE';

/**
 * The cache folder: the --cache-dir flag, else $MATTERMOST_PLUGIN_NODE_CACHE, else
 * $XDG_CACHE_HOME/mattermost-plugin-node (when absolute, as the XDG spec requires), else
 * ~/.cache/mattermost-plugin-node. Relative values are taken from cwd.
 * @param {{flag?: string, env?: Record<string, string | undefined>, home?: string, cwd?: string}} [from]
 */
export function cacheDir({flag, env = process.env, home = os.homedir(), cwd = process.cwd()} = {}) {
    if (flag) {
        return path.resolve(cwd, flag);
    }
    if (env[CACHE_ENV]) {
        return path.resolve(cwd, env[CACHE_ENV]);
    }
    if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) {
        return path.join(env.XDG_CACHE_HOME, 'mattermost-plugin-node');
    }
    return path.join(home, '.cache', 'mattermost-plugin-node');
}

/** The registry tarballs of the Node.js runtimes, under the cache folder. */
export const runtimesCache = (dir) => path.join(dir, 'node-runtimes');

/** The Debian packages of the shipped libraries, under the cache folder. */
export const librariesCache = (dir) => path.join(dir, 'debian-libs');

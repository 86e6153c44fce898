#!/usr/bin/env node
// mattermost-plugin-node build | dist: builds a plugin's installable bundles (build.mjs, dist.mjs); the
// command line is read by args.mjs. Exit status: 0 done, 1 the build failed, 2 the command line is wrong.
import {existsSync} from 'node:fs';
import path from 'node:path';

import {parseCommandLine, SYNOPSIS, USAGE, UsageError} from './args.mjs';
import {buildPlugin} from './build.mjs';
import {shown} from './bundle.mjs';
import {dist} from './dist.mjs';

let options;
try {
    options = parseCommandLine(process.argv.slice(2));
    if (options.command !== 'help' && !existsSync(path.join(options.pluginDir, 'plugin.json'))) {
        throw new UsageError(`${shown(options.pluginDir)} has no plugin.json (--plugin takes a plugin's directory; the default is the working directory)`);
    }
} catch (err) {
    if (!(err instanceof UsageError)) {
        throw err;
    }
    process.stderr.write(`mattermost-plugin-node: ${err.message}\n${SYNOPSIS}`);
    process.exit(2);
}

try {
    if (options.command === 'help') {
        process.stdout.write(USAGE);
    } else if (options.command === 'build') {
        await buildPlugin(options.pluginDir);
    } else {
        await dist(options);
    }
} catch (err) {
    process.stderr.write(`mattermost-plugin-node ${options.command}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
}

// `npm start` options: the command line, checked before anything starts.
import path from 'node:path';

import {checkDatabaseName} from './database.js';

export const usage = `usage: npm start [-- [--fresh] [--port <n>] [--no-build] [--state <dir>] [--database <name>]]

Runs the plugin in a real Mattermost server on this machine: builds the linux-amd64 bundle if it is
missing or older than the sources, starts PostgreSQL if it is down and a Mattermost 9.10 server (the
fixture in ../shared/mattermost) on loopback, installs and enables the plugin, seeds a team, channels and
users, and prints the address to open. Ctrl-C stops everything it started.

What you do in it is kept for the next run (the database and the state folder).

  --fresh            start over: drop the database and the state folder first
  --port <n>         the server's port (default 8065 if free, else any free port; 0: any free port)
  --no-build         use dist/ as it is, even if it is older than the sources
  --state <dir>      the state folder (default .local/mattermost)
  --database <name>  the PostgreSQL database and role (default trigger_alerts_dev)

A server of your own instead: \`npm run dist\`, then \`npm run deploy\` (README, "Deploy").`;

export interface StartOptions {
    fresh: boolean;
    /** undefined: 8065 if free, else any free port; 0: any free port. */
    port?: number;
    build: boolean;
    stateDir: string;
    database: string;
    help: boolean;
}

export class UsageError extends Error {
    override name = 'UsageError';
}

export function parseStartOptions(argv: string[], root: string): StartOptions {
    const o: StartOptions = {fresh: false, build: true, stateDir: path.join(root, '.local', 'mattermost'), database: 'trigger_alerts_dev', help: false};
    const args = [...argv];
    const value = (flag: string, inline: string | undefined): string => {
        const v = inline ?? args.shift();
        if (v === undefined || v.startsWith('--')) {
            throw new UsageError(`${flag} needs a value (see --help)`);
        }
        return v;
    };
    while (args.length > 0) {
        const arg = args.shift()!;
        const eq = arg.indexOf('=');
        const [flag, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
        switch (flag) {
            case '--fresh':
                o.fresh = true;
                break;
            case '--no-build':
                o.build = false;
                break;
            case '--help':
            case '-h':
                o.help = true;
                break;
            case '--port': {
                const port = Number(value(flag, inline));
                if (!Number.isInteger(port) || port < 0 || port > 65535) {
                    throw new UsageError('--port takes a port number (0: any free port)');
                }
                o.port = port;
                break;
            }
            case '--state':
                o.stateDir = path.resolve(value(flag, inline));
                break;
            case '--database':
                try {
                    o.database = checkDatabaseName(value(flag, inline));
                } catch (e) {
                    throw new UsageError(e instanceof Error ? e.message : String(e));
                }
                break;
            default:
                throw new UsageError(`unknown argument ${JSON.stringify(arg)} (see --help)`);
        }
    }
    return o;
}

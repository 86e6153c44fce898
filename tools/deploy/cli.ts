// `npm run deploy`: the command line around deploy(). Configuration comes from the environment, like the
// Mattermost plugin starter template's `make deploy`; failures are one line on stderr and a non-zero exit.
import {deploy, DeployError, defaultPlatform, platforms, type Credentials, type DeployOptions, type Platform} from './deploy.js';

export const usage = `usage: npm run deploy [-- [--platform <os>-<arch> | --portable | --bundle <file>] [--wait <seconds>]]

Uploads the plugin bundle from dist/ (made by \`npm run dist\`) to a running Mattermost server, replacing an
installed version, enables it and waits until it runs. A bundle whose min_server_version is above the
server's version is refused before uploading; if the server cannot start the plugin, its reason is shown.

  MM_SERVICESETTINGS_SITEURL              the server's address, e.g. https://chat.example.com
  MM_ADMIN_TOKEN                          a system admin's personal access token, or
  MM_ADMIN_USERNAME, MM_ADMIN_PASSWORD    a system admin's username (or email) and password
  DEPLOY_PLATFORM                         the default for --platform

  --platform <os>-<arch>  the standalone bundle for the server's platform: ${platforms.join(', ')}
                          (default ${defaultPlatform}, the official container images; the REST API does not
                          tell which platform a server runs on)
  --portable              the portable bundle instead (the server needs Node.js 20+)
  --bundle <file>         a bundle file of your choice
  --wait <seconds>        how long to wait for the plugin to run after enabling it (default 30)`;

export interface CliIO {
    argv: string[];
    env: Record<string, string | undefined>;
    /** The repository root (plugin.json, dist/). */
    root: string;
    stdout: (line: string) => void;
    stderr: (line: string) => void;
}

function isPlatform(v: string): v is Platform {
    return (platforms as readonly string[]).includes(v);
}

/** The command line and environment as deploy options; throws DeployError (exit 2) when they make no sense. */
export function parseOptions(io: Pick<CliIO, 'argv' | 'env' | 'root'>): DeployOptions {
    const env = io.env;
    let platform: string | undefined = env.DEPLOY_PLATFORM || undefined;
    let portable = false;
    let file: string | undefined;
    let waitMs: number | undefined;
    const args = [...io.argv];
    const value = (flag: string): string => {
        const v = args.shift();
        if (v === undefined || v.startsWith('--')) {
            throw new DeployError(`${flag} needs a value (see --help)`, 2);
        }
        return v;
    };
    while (args.length > 0) {
        const arg = args.shift()!;
        const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
        switch (flag) {
            case '--platform':
                platform = inline ?? value(flag);
                break;
            case '--portable':
                portable = true;
                break;
            case '--bundle':
                file = inline ?? value(flag);
                break;
            case '--wait': {
                const seconds = Number(inline ?? value(flag));
                if (!Number.isFinite(seconds) || seconds < 0) {
                    throw new DeployError('--wait takes a number of seconds', 2);
                }
                waitMs = seconds * 1000;
                break;
            }
            default:
                throw new DeployError(`unknown argument ${JSON.stringify(arg)} (see --help)`, 2);
        }
    }
    if ([portable, file !== undefined, io.argv.some((a) => a.startsWith('--platform'))].filter(Boolean).length > 1) {
        throw new DeployError('choose one of --platform, --portable and --bundle', 2);
    }
    let bundle: DeployOptions['bundle'];
    if (file !== undefined) {
        bundle = {file};
    } else if (portable) {
        bundle = {portable: true};
    } else {
        const p = platform ?? defaultPlatform;
        if (!isPlatform(p)) {
            throw new DeployError(`unknown platform ${JSON.stringify(p)}: use one of ${platforms.join(', ')}`, 2);
        }
        bundle = {platform: p};
    }

    const siteURL = env.MM_SERVICESETTINGS_SITEURL;
    if (!siteURL) {
        throw new DeployError('set MM_SERVICESETTINGS_SITEURL to the Mattermost server address, e.g. https://chat.example.com', 2);
    }
    let credentials: Credentials;
    if (env.MM_ADMIN_TOKEN) {
        credentials = {token: env.MM_ADMIN_TOKEN};
    } else if (env.MM_ADMIN_USERNAME && env.MM_ADMIN_PASSWORD) {
        credentials = {username: env.MM_ADMIN_USERNAME, password: env.MM_ADMIN_PASSWORD};
    } else if (env.MM_ADMIN_USERNAME || env.MM_ADMIN_PASSWORD) {
        throw new DeployError('set both MM_ADMIN_USERNAME and MM_ADMIN_PASSWORD (or MM_ADMIN_TOKEN)', 2);
    } else {
        throw new DeployError("set MM_ADMIN_TOKEN to a system admin's personal access token (or MM_ADMIN_USERNAME and MM_ADMIN_PASSWORD)", 2);
    }
    return {root: io.root, siteURL, credentials, bundle, ...(waitMs === undefined ? {} : {waitMs})};
}

/** Runs the command; resolves to the process exit code. */
export async function main(io: CliIO): Promise<number> {
    if (io.argv.includes('--help') || io.argv.includes('-h')) {
        io.stdout(usage);
        return 0;
    }
    try {
        const options = parseOptions(io);
        const result = await deploy({...options, report: io.stdout});
        const servers = result.running.length === 1 ? '1 server' : `${result.running.length} servers`;
        io.stdout(`${result.pluginId} ${result.version} is running on ${options.siteURL} (${servers})`);
        return 0;
    } catch (err) {
        if (err instanceof DeployError) {
            io.stderr(`deploy: ${err.message}`);
            return err.exitCode;
        }
        io.stderr(`deploy: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        return 1;
    }
}

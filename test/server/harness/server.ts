// A real Mattermost server process on loopback: started from an unpacked fixture with the settings a test
// needs as environment variables, stopped (with every plugin process it started) when the test is done.
import {spawn, type ChildProcess} from 'node:child_process';
import {createWriteStream, mkdirSync, readFileSync, readdirSync, readlinkSync, type WriteStream} from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';

import {freePort} from './ports.js';

export class ServerError extends Error {
    override name = 'ServerError';
}

export interface ServerOptions {
    /** The unpacked fixture (bin/mattermost, client/, i18n/ ...); the server's working directory. */
    home: string;
    /** PostgreSQL DSN: the database, and the configuration kept in it (so two servers share both). */
    dsn: string;
    /** The file store; two servers of one cluster share it (plugins are synced from it at start). */
    fileStore: string;
    /** Where logs and the server's own plugin folder go. */
    scratch: string;
    port?: number;
    /** More MM_* settings (they override the stored configuration and lock those fields). */
    env?: Record<string, string>;
    name?: string;
}

/**
 * Settings every test server gets: loopback only, nothing that reaches outside this machine (notices,
 * security alerts, diagnostics, link previews, marketplace, e-mail), plugins on and uploads allowed.
 */
export function baseEnv(o: {home: string; dsn: string; fileStore: string; pluginDir: string; port: number}): Record<string, string> {
    return {
        MM_SQLSETTINGS_DRIVERNAME: 'postgres',
        MM_SQLSETTINGS_DATASOURCE: o.dsn,
        MM_SERVICESETTINGS_SITEURL: `http://127.0.0.1:${o.port}`,
        MM_SERVICESETTINGS_LISTENADDRESS: `127.0.0.1:${o.port}`,
        MM_SERVICESETTINGS_ENABLESECURITYFIXALERT: 'false',
        MM_SERVICESETTINGS_ENABLELINKPREVIEWS: 'false',
        MM_SERVICESETTINGS_ENABLEPERMALINKPREVIEWS: 'false',
        MM_SERVICESETTINGS_ENABLEGIFPICKER: 'false',
        MM_SERVICESETTINGS_ENABLEUSERACCESSTOKENS: 'true',
        MM_SERVICESETTINGS_ENABLEBOTACCOUNTCREATION: 'true',
        MM_SERVICESETTINGS_ENABLEONBOARDINGFLOW: 'false',
        MM_SERVICESETTINGS_ENABLETUTORIAL: 'false',
        MM_SERVICESETTINGS_ENABLELOCALMODE: 'false',
        MM_LOGSETTINGS_ENABLEDIAGNOSTICS: 'false',
        MM_LOGSETTINGS_CONSOLELEVEL: 'INFO',
        MM_LOGSETTINGS_CONSOLEJSON: 'true',
        MM_LOGSETTINGS_ENABLEFILE: 'false',
        MM_ANNOUNCEMENTSETTINGS_ADMINNOTICESENABLED: 'false',
        MM_ANNOUNCEMENTSETTINGS_USERNOTICESENABLED: 'false',
        MM_EMAILSETTINGS_SENDEMAILNOTIFICATIONS: 'false',
        MM_EMAILSETTINGS_REQUIREEMAILVERIFICATION: 'false',
        MM_IMAGEPROXYSETTINGS_ENABLE: 'false',
        MM_PLUGINSETTINGS_ENABLE: 'true',
        MM_PLUGINSETTINGS_ENABLEUPLOADS: 'true',
        MM_PLUGINSETTINGS_REQUIREPLUGINSIGNATURE: 'false',
        MM_PLUGINSETTINGS_AUTOMATICPREPACKAGEDPLUGINS: 'false',
        MM_PLUGINSETTINGS_ENABLEMARKETPLACE: 'false',
        MM_PLUGINSETTINGS_ENABLEREMOTEMARKETPLACE: 'false',
        MM_PLUGINSETTINGS_DIRECTORY: o.pluginDir,
        MM_PLUGINSETTINGS_CLIENTDIRECTORY: path.join(o.home, 'client', 'plugins'),
        MM_FILESETTINGS_DIRECTORY: o.fileStore.endsWith('/') ? o.fileStore : `${o.fileStore}/`,
        MM_TEAMSETTINGS_ENABLEOPENSERVER: 'true',
        MM_TEAMSETTINGS_MAXUSERSPERTEAM: '1000',
        MM_RATELIMITSETTINGS_ENABLE: 'false',
    };
}

export class MattermostServer {
    readonly name: string;
    readonly port: number;
    readonly url: string;
    readonly logFile: string;
    readonly pluginDir: string;
    private proc?: ChildProcess;
    private log?: WriteStream;
    private exited?: Promise<void>;

    private constructor(readonly options: ServerOptions, port: number) {
        this.name = options.name ?? 'server';
        this.port = port;
        this.url = `http://127.0.0.1:${port}`;
        mkdirSync(options.scratch, {recursive: true});
        this.logFile = path.join(options.scratch, `${this.name}.log`);
        this.pluginDir = path.join(options.scratch, `${this.name}-plugins`);
        mkdirSync(this.pluginDir, {recursive: true});
        mkdirSync(options.fileStore, {recursive: true});
    }

    static async create(options: ServerOptions): Promise<MattermostServer> {
        return new MattermostServer(options, options.port ?? (await freePort()));
    }

    get pid(): number | undefined {
        return this.proc?.pid;
    }

    get running(): boolean {
        return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
    }

    /** Starts the server and waits until GET /api/v4/system/ping answers 200. */
    async start(timeoutMs = 120_000): Promise<void> {
        if (this.running) {
            throw new ServerError(`${this.name} is already running`);
        }
        const {home, dsn, fileStore} = this.options;
        const env = {
            PATH: process.env.PATH ?? '/usr/bin:/bin',
            HOME: process.env.HOME ?? '/root',
            TZ: 'UTC',
            ...baseEnv({home, dsn, fileStore, pluginDir: this.pluginDir, port: this.port}),
            ...this.options.env,
        };
        this.log = createWriteStream(this.logFile, {flags: 'a'});
        // Its own process group, so that stop() also reaches plugin processes the server started.
        const proc = spawn(path.join(home, 'bin', 'mattermost'), ['server', '--config', dsn], {
            cwd: home, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
        });
        this.proc = proc;
        proc.stdout?.pipe(this.log, {end: false});
        proc.stderr?.pipe(this.log, {end: false});
        this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
            if (!this.running) {
                throw new ServerError(`${this.name} exited (${proc.exitCode ?? proc.signalCode}) before answering:\n${this.logTail()}`);
            }
            try {
                const res = await fetch(`${this.url}/api/v4/system/ping`, {signal: AbortSignal.timeout(2000)});
                if (res.ok) {
                    return;
                }
            } catch {
                // not listening yet
            }
            await sleep(200);
        }
        await this.stop();
        throw new ServerError(`${this.name} did not answer /api/v4/system/ping within ${timeoutMs} ms:\n${this.logTail()}`);
    }

    /** SIGTERM, then SIGKILL after graceMs; every process of its group goes too. */
    async stop(graceMs = 20_000): Promise<void> {
        const proc = this.proc;
        if (!proc || !proc.pid) {
            return;
        }
        const group = -proc.pid;
        if (this.running) {
            try {
                process.kill(proc.pid, 'SIGTERM');
            } catch {
                // already gone
            }
            const timer = sleep(graceMs).then(() => 'timeout' as const);
            if ((await Promise.race([this.exited!.then(() => 'exited' as const), timer])) === 'timeout') {
                try {
                    process.kill(group, 'SIGKILL');
                } catch {
                    // already gone
                }
                await this.exited;
            }
        }
        // Plugin processes outlive a killed server only by moments; make sure none is left.
        try {
            process.kill(group, 'SIGKILL');
        } catch {
            // no process left in the group
        }
        this.proc = undefined;
        await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
        this.log = undefined;
    }

    /** SIGKILL of the server alone (its plugins must notice and exit by themselves). */
    kill(): void {
        if (this.proc?.pid) {
            process.kill(this.proc.pid, 'SIGKILL');
        }
    }

    logTail(lines = 40): string {
        try {
            return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
        } catch {
            return '(no log)';
        }
    }

    logText(): string {
        try {
            return readFileSync(this.logFile, 'utf8');
        } catch {
            return '';
        }
    }

    /** The pids of this server's child processes whose executable lives in its plugin folder of `pluginId`. */
    pluginPids(pluginId: string): number[] {
        if (!this.proc?.pid) {
            return [];
        }
        const parent = this.proc.pid;
        const pids: number[] = [];
        for (const entry of readdirSync('/proc')) {
            if (!/^\d+$/.test(entry)) {
                continue;
            }
            try {
                const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
                const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
                if (ppid !== parent) {
                    continue;
                }
                // The host starts the manifest's executable directly, with the server's working directory.
                const exe = readlinkSync(`/proc/${entry}/exe`);
                if (exe.startsWith(path.join(this.pluginDir, pluginId) + path.sep)) {
                    pids.push(Number(entry));
                }
            } catch {
                // gone meanwhile
            }
        }
        return pids;
    }
}

// `npm start`: the plugin in a real Mattermost on this machine, kept between runs, stopped on Ctrl-C.
import {spawn} from 'node:child_process';
import path from 'node:path';

import {BundleError, distBundle} from '../../test/server/harness/bundle.js';
import {FixtureError, fixtureTarball} from '../../test/server/harness/fixture.js';
import {ensurePostgres, PostgresError} from '../../test/server/harness/postgres.js';
import {freePort} from '../../test/server/harness/ports.js';
import {MattermostServer, ServerError} from '../../test/server/harness/server.js';
import {PluginStartError} from '../../test/server/harness/world.js';

import {bundleFreshness} from './bundle_freshness.js';
import {dropNamedDatabase, ensureNamedDatabase} from './database.js';
import {installPlugin, PLUGIN_ID, serverVersion} from './install_plugin.js';
import {Lifetime} from './lifetime.js';
import {parseStartOptions, usage, UsageError, type StartOptions} from './options.js';
import {isAlive, portIsFree, processesUnder, stopProcesses} from '../../test/server/harness/processes_by_path.js';
import {seed, seedAdmin, seedChannels, seedPost, seedTeam, seedUsers, seedWords, signInAdmin, SeedError, wordsOfSeededUser} from './seed.js';
import {ensureServerHome} from './server_home.js';
import {StateFolder} from './state.js';

export interface StartIO {
    argv: string[];
    env: Record<string, string | undefined>;
    root: string;
    stdout: (line: string) => void;
    stderr: (line: string) => void;
}

const DEFAULT_PORT = 8065;

/** A path as a person can use it: relative inside the repository, absolute elsewhere. */
function shown(root: string, p: string): string {
    const rel = path.relative(root, p);
    return rel && !rel.startsWith('..') ? rel : p;
}

class StartError extends Error {
    override name = 'StartError';
}

/** Another `npm start` owning this state folder must not be disturbed; a server an earlier run left is stopped. */
async function takeOver(state: StateFolder, say: (line: string) => void): Promise<void> {
    const left = processesUnder(state.dir);
    if (left.length === 0) {
        return;
    }
    const owner = state.read().ownerPid;
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
        throw new StartError(`another npm start (pid ${owner}) runs with ${state.dir}: stop it there (Ctrl-C), or give this one another --state and --database`);
    }
    say(`stopping what an earlier run left running: ${left.map((p) => `${path.basename(p.exe)} (pid ${p.pid})`).join(', ')}`);
    await stopProcesses(left.map((p) => p.pid));
}

async function buildIfNeeded(o: StartOptions, io: StartIO): Promise<string> {
    if (io.env.PLUGIN_DIST_DIR) {
        // Someone else's build output: used as it is, never written.
        return distBundle();
    }
    let current: string | undefined;
    try {
        current = distBundle();
    } catch (e) {
        if (!(e instanceof BundleError)) {
            throw e;
        }
    }
    const fresh = bundleFreshness(io.root, current);
    if (fresh.state === 'fresh' || (!o.build && fresh.state === 'stale')) {
        if (fresh.state === 'stale') {
            io.stdout(`bundle: ${path.relative(io.root, current!)} is older than ${fresh.newer}; using it anyway (--no-build)`);
        }
        return current!;
    }
    if (!o.build) {
        throw new StartError('dist/ has no linux-amd64 bundle: run `npm run dist -- --platforms linux-amd64` (or drop --no-build)');
    }
    io.stdout(fresh.state === 'missing'
        ? 'bundle: dist/ has no linux-amd64 bundle; building it (npm run dist -- --platforms linux-amd64)'
        : `bundle: ${fresh.newer} is newer than ${path.relative(io.root, current!)}; rebuilding (npm run dist -- --platforms linux-amd64)`);
    const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn('npm', ['run', 'dist', '--', '--platforms', 'linux-amd64'], {cwd: io.root, stdio: 'inherit'});
        child.once('error', reject);
        child.once('exit', (c) => resolve(c));
    });
    if (code !== 0) {
        throw new StartError(`npm run dist failed (exit ${code})`);
    }
    return distBundle();
}

async function choosePort(o: StartOptions): Promise<number> {
    if (o.port === 0) {
        return freePort();
    }
    const wanted = o.port ?? DEFAULT_PORT;
    if (await portIsFree(wanted)) {
        return wanted;
    }
    if (o.port !== undefined) {
        throw new StartError(`port ${wanted} is in use (--port 0 takes any free one)`);
    }
    return freePort();
}

function summary(o: {url: string; version: string; logFile: string; state: StateFolder; database: string; made: string[]; words?: string[]; postgresStartedHere: boolean}): string[] {
    const lines = [''];
    lines.push(o.made.length > 0 ? `seeded: ${o.made.join(', ')}` : `found the team, channels and users of an earlier run (database ${o.database}, ${o.state.dir}); \`npm start -- --fresh\` starts over`);
    lines.push(`team "${seedTeam.display_name}": ~town-square, ~off-topic, ${seedChannels.map((c) => `~${c.name}${c.type === 'P' ? ' (private)' : ''}`).join(', ')}`);
    lines.push('sign in as (username / password):');
    for (const u of [seedAdmin, ...seedUsers]) {
        lines.push(`  ${u.username.padEnd(9)} ${u.password.padEnd(14)} ${u.role}`);
    }
    const words = o.words === undefined ? '(could not read them)' : o.words.length > 0 ? o.words.map((w) => JSON.stringify(w)).join(', ') : 'none';
    lines.push(`${seedWords.user}'s trigger words in ~${seedWords.channel} now: ${words}; ${seedPost.user}'s example post there sent her a DM ` +
        `from @${PLUGIN_ID} (sign in as ${seedWords.user} to see it)`);
    lines.push(`server log: ${o.logFile}`);
    lines.push('');
    lines.push(`Mattermost ${o.version} with ${PLUGIN_ID} is running. Open ${o.url}/${seedTeam.name}/channels/${seedWords.channel}`);
    lines.push(`Ctrl-C stops the server${o.postgresStartedHere ? ' and PostgreSQL (this command started it)' : ''}.`);
    return lines;
}

async function run(o: StartOptions, io: StartIO, lifetime: Lifetime): Promise<void> {
    const say = io.stdout;
    const state = new StateFolder(o.stateDir);
    fixtureTarball(); // before anything is started or built: without the fixture there is nothing to run
    const bundle = await buildIfNeeded(o, io);
    await takeOver(state, say);

    const pg = ensurePostgres();
    if (pg.startedHere) {
        say('PostgreSQL was not running: started it (it is stopped again on exit)');
        lifetime.defer('PostgreSQL', () => pg.stop());
    }
    if (o.fresh) {
        say(`--fresh: dropping database ${o.database} and removing ${state.dir}`);
        dropNamedDatabase(o.database);
        state.remove();
    }
    state.ensure();
    const db = ensureNamedDatabase(o.database, state.read().databasePassword);
    state.update({database: db.name, databasePassword: db.password, ownerPid: process.pid});
    say(db.created ? `database: created ${db.name}` : `database: ${db.name} (kept from an earlier run)`);

    const home = ensureServerHome(state.serverParent);
    say(`server: ${path.basename(home.tarball)}${home.unpacked ? `, unpacked into ${shown(io.root, home.home)}` : ''}`);
    const port = await choosePort(o);
    const server = await MattermostServer.create({home: home.home, dsn: db.dsn, fileStore: state.fileStore, scratch: state.dir, name: 'server', port});
    lifetime.defer('the Mattermost server', () => server.stop());
    say(`server: starting on ${server.url}${db.created ? ' (a new database: the server creates its schema, up to a minute)' : ''}`);
    await server.start(180_000);

    const admin = await signInAdmin(server.url);
    const record = state.read();
    const installed = await installPlugin({admin: admin.client, url: server.url, source: bundle, scratch: state.dir, installedBefore: record.installedBundle, report: say});
    state.update({installedBundle: installed.fingerprint});
    const seeded = await seed(server.url, admin.client);
    const made = [...(admin.made ? [`admin ${seedAdmin.username}`] : []), ...seeded.made];
    const version = await serverVersion(server.url);
    const words = await wordsOfSeededUser(server.url, seeded.channels);
    for (const line of summary({url: server.url, version, logFile: server.logFile, state, database: db.name, made, words, postgresStartedHere: pg.startedHere})) {
        say(line);
    }

    // Stay up while the server is; a server that dies by itself ends the command.
    await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
            if (!server.running && !lifetime.closed) {
                clearInterval(timer);
                io.stderr(`the Mattermost server exited by itself; its log: ${server.logFile}\n${server.logTail(20)}`);
                resolve();
            }
        }, 1000);
    });
    throw new StartError('the server stopped');
}

function explain(e: unknown): string {
    if (e instanceof FixtureError) {
        return `${e.message}\nnpm start runs that Mattermost build on this machine. For a server of your own: \`npm run dist\`, then \`npm run deploy\` (README, "Deploy").`;
    }
    if (e instanceof PostgresError) {
        return `${e.message}\nnpm start keeps Mattermost's data in the local PostgreSQL cluster (Debian's postgresql package). For a server of your own: \`npm run deploy\`.`;
    }
    if (e instanceof StartError || e instanceof BundleError || e instanceof ServerError || e instanceof PluginStartError || e instanceof SeedError) {
        return e.message;
    }
    return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/** Runs until Ctrl-C or SIGTERM (0 once everything it started is stopped) or a failure (1, likewise). */
export async function main(io: StartIO): Promise<number> {
    let o: StartOptions;
    try {
        o = parseStartOptions(io.argv, io.root);
    } catch (e) {
        io.stderr(`npm start: ${e instanceof UsageError ? e.message : String(e)}`);
        return 2;
    }
    if (o.help) {
        io.stdout(usage);
        return 0;
    }
    const lifetime = new Lifetime(io.stdout);
    const state = new StateFolder(o.stateDir);
    const finish = async (code: number): Promise<number> => {
        const {stopped, failed} = await lifetime.close();
        if (state.read().ownerPid === process.pid) {
            state.update({ownerPid: undefined});
        }
        if (failed > 0) {
            io.stderr('npm start: something it started may still run (see above)');
            return code || 1;
        }
        if (stopped > 0) {
            io.stdout('npm start: everything it started is stopped');
        }
        return code;
    };
    // A signal may come at any moment, also halfway through starting: stop what is there by then. A second
    // Ctrl-C while stopping is ignored rather than leaving a server behind.
    let onSignal: (signal: NodeJS.Signals) => void = () => {};
    const signalled = new Promise<number>((resolve) => {
        onSignal = (signal) => {
            if (lifetime.closed) {
                return;
            }
            io.stdout(`\n${signal}: stopping what npm start started`);
            resolve(finish(0));
        };
    });
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
        return await Promise.race([run(o, io, lifetime).then(() => finish(0)), signalled]);
    } catch (e) {
        if (lifetime.closed) {
            return signalled;
        }
        io.stderr(`npm start: ${explain(e)}`);
        return finish(1);
    }
}

// Databases for real Mattermost servers: Debian's PostgreSQL cluster (started by .ci/run or `npm start`),
// one role and one database per test run, dropped again when the run ends.
import {execFileSync, spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';

export class PostgresError extends Error {
    override name = 'PostgresError';
}

const PG_PORT = Number(process.env.MM_TEST_PG_PORT ?? 5432);

/** psql as the cluster's superuser over the local socket (peer authentication as `postgres`). */
function psql(sql: string, database = 'postgres'): string {
    const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
    const argv = [...asPostgres, 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-p', String(PG_PORT), '-d', database, '-tA', '-c', sql];
    const res = spawnSync(argv[0], argv.slice(1), {encoding: 'utf8'});
    if (res.error || res.status !== 0) {
        throw new PostgresError(`psql failed (${res.error?.message ?? `exit ${res.status}`}): ${res.stderr.trim()}\n  SQL: ${sql}`);
    }
    return res.stdout.trim();
}

function clusterIsUp(): boolean {
    return spawnSync('pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(PG_PORT)]).status === 0;
}

/**
 * Makes sure a PostgreSQL cluster answers on loopback, starting Debian's cluster if one is installed but down.
 * Returns whether this call started it (the caller stops what it started).
 */
export function ensurePostgres(): {startedHere: boolean; stop(): void} {
    if (clusterIsUp()) {
        return {startedHere: false, stop() {}};
    }
    const clusters = spawnSync('pg_lsclusters', ['--no-header'], {encoding: 'utf8'});
    if (clusters.error) {
        throw new PostgresError('PostgreSQL is not installed: apt-get install -y postgresql (bash .ci/run does this)');
    }
    const first = clusters.stdout.trim().split('\n')[0]?.trim().split(/\s+/);
    if (!first || first.length < 2) {
        throw new PostgresError('PostgreSQL is installed but has no cluster (pg_lsclusters lists none)');
    }
    const [version, name] = first;
    execFileSync('pg_ctlcluster', [version, name, 'start'], {stdio: 'inherit'});
    for (let i = 0; i < 100 && !clusterIsUp(); i++) {
        execFileSync('sleep', ['0.1']);
    }
    if (!clusterIsUp()) {
        throw new PostgresError(`PostgreSQL cluster ${version}/${name} did not come up on port ${PG_PORT}`);
    }
    return {startedHere: true, stop: () => execFileSync('pg_ctlcluster', [version, name, 'stop'], {stdio: 'inherit'})};
}

export interface Database {
    /** The DSN a Mattermost server takes as MM_SQLSETTINGS_DATASOURCE (TCP on loopback, password auth). */
    dsn: string;
    name: string;
    drop(): void;
}

/** A fresh role and database that only this run uses. */
export function createDatabase(prefix = 'mmtest'): Database {
    const suffix = randomBytes(4).toString('hex');
    const name = `${prefix}_${suffix}`;
    const password = randomBytes(12).toString('hex');
    psql(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'`);
    psql(`CREATE DATABASE ${name} OWNER ${name}`);
    return {
        name,
        dsn: `postgres://${name}:${password}@127.0.0.1:${PG_PORT}/${name}?sslmode=disable&connect_timeout=10`,
        drop() {
            psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            psql(`DROP ROLE IF EXISTS ${name}`);
        },
    };
}

/** Runs SQL against a test database as the superuser (for facts the REST API does not expose). */
export function queryDatabase(db: Database, sql: string): string {
    return psql(sql, db.name);
}

// The named database `npm start` keeps between runs (the test harness's databases are per run and dropped):
// one role and one database of the same name on the local PostgreSQL cluster, created by its superuser.
import {spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';

import {PostgresError} from '../../test/server/harness/postgres.js';

const PG_PORT = Number(process.env.MM_TEST_PG_PORT ?? 5432);

/** Names go into SQL unquoted: only what PostgreSQL takes as a plain lower-case identifier. */
const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkDatabaseName(name: string): string {
    if (!NAME.test(name)) {
        throw new PostgresError(`database name ${JSON.stringify(name)}: use lower-case letters, digits and _ (at most 63)`);
    }
    return name;
}

function superuserSql(sql: string): string {
    const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
    const argv = [...asPostgres, 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-p', String(PG_PORT), '-d', 'postgres', '-tA', '-c', sql];
    const res = spawnSync(argv[0], argv.slice(1), {encoding: 'utf8'});
    if (res.error || res.status !== 0) {
        throw new PostgresError(`psql failed (${res.error?.message ?? `exit ${res.status}`}): ${res.stderr.trim()}`);
    }
    return res.stdout.trim();
}

export interface NamedDatabase {
    name: string;
    dsn: string;
    /** True when this call created the database (a first run, or after --fresh). */
    created: boolean;
}

/**
 * The role and database `name`, created if missing; the role's password is set to `password` every time,
 * so a lost state file costs nothing but the password it held.
 */
export function ensureNamedDatabase(name: string, password = randomBytes(12).toString('hex')): NamedDatabase & {password: string} {
    checkDatabaseName(name);
    if (!/^[0-9a-f]+$/.test(password)) {
        throw new PostgresError('the stored database password is not hex: remove the state folder or use --fresh');
    }
    const roleExists = superuserSql(`SELECT 1 FROM pg_roles WHERE rolname = '${name}'`) === '1';
    superuserSql(`${roleExists ? 'ALTER' : 'CREATE'} ROLE ${name} LOGIN PASSWORD '${password}'`);
    const dbExists = superuserSql(`SELECT 1 FROM pg_database WHERE datname = '${name}'`) === '1';
    if (!dbExists) {
        superuserSql(`CREATE DATABASE ${name} OWNER ${name}`);
    }
    return {
        name,
        password,
        created: !dbExists,
        dsn: `postgres://${name}:${password}@127.0.0.1:${PG_PORT}/${name}?sslmode=disable&connect_timeout=10`,
    };
}

/** Drops the database and its role (--fresh, and tests cleaning up after themselves). */
export function dropNamedDatabase(name: string): void {
    checkDatabaseName(name);
    superuserSql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    superuserSql(`DROP ROLE IF EXISTS ${name}`);
}

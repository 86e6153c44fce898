// The real Mattermost server and web app of ../shared/mattermost (a 9.10 build from the public source),
// unpacked into a scratch folder per server: each server writes its web app plugins into its own client/.
import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export class FixtureError extends Error {
    override name = 'FixtureError';
}

/** The fixture tarball: MM_FIXTURE, or the one in shared/mattermost beside the repository. */
export function fixtureTarball(): string {
    const fromEnv = process.env.MM_FIXTURE;
    if (fromEnv) {
        if (!existsSync(fromEnv)) {
            throw new FixtureError(`MM_FIXTURE=${fromEnv} does not exist`);
        }
        return fromEnv;
    }
    const dir = path.resolve(repoRoot, '..', 'shared', 'mattermost');
    const found = existsSync(dir) ? readdirSync(dir).filter((f) => /^mattermost-.*-linux-amd64\.tar\.xz$/.test(f)).sort() : [];
    if (found.length === 0) {
        throw new FixtureError(
            `no Mattermost server fixture: expected ${path.join(dir, 'mattermost-<version>-linux-amd64.tar.xz')} ` +
            '(the shared/ folder beside this repository), or set MM_FIXTURE to such a tarball',
        );
    }
    return path.join(dir, found[found.length - 1]);
}

/** Unpacks the fixture into a new scratch folder; returns the server's home (bin/, client/, i18n/ ...). */
export function unpackFixture(parent = os.tmpdir()): string {
    const tarball = fixtureTarball();
    const dir = mkdtempSync(path.join(parent, 'mm-server-'));
    execFileSync('tar', ['-xJf', tarball, '-C', dir]);
    const top = readdirSync(dir).find((f) => existsSync(path.join(dir, f, 'bin', 'mattermost')));
    if (!top) {
        throw new FixtureError(`${tarball} holds no */bin/mattermost`);
    }
    return path.join(dir, top);
}

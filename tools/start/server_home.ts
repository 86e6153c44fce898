// The server's home for `npm start`: the fixture unpacked once into the state folder and reused, because
// the server writes the web app half of installed plugins into its client/ folder and that must survive a
// restart like the rest of the state. A different fixture tarball is unpacked afresh.
import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {FixtureError, fixtureTarball} from '../../test/server/harness/fixture.js';

export interface ServerHome {
    home: string;
    tarball: string;
    unpacked: boolean;
}

function fingerprint(tarball: string): string {
    const s = statSync(tarball);
    return `${path.basename(tarball)} ${s.size} ${Math.round(s.mtimeMs)}`;
}

export function ensureServerHome(parent: string): ServerHome {
    const tarball = fixtureTarball();
    const marker = path.join(parent, 'fixture.txt');
    const want = fingerprint(tarball);
    const existing = existsSync(parent) ? readdirSync(parent).find((f) => existsSync(path.join(parent, f, 'bin', 'mattermost'))) : undefined;
    if (existing && existsSync(marker) && readFileSync(marker, 'utf8').trim() === want) {
        return {home: path.join(parent, existing), tarball, unpacked: false};
    }
    rmSync(parent, {recursive: true, force: true});
    mkdirSync(parent, {recursive: true});
    execFileSync('tar', ['-xJf', tarball, '-C', parent]);
    const top = readdirSync(parent).find((f) => existsSync(path.join(parent, f, 'bin', 'mattermost')));
    if (!top) {
        throw new FixtureError(`${tarball} holds no */bin/mattermost`);
    }
    // Written last: an interrupted unpack is redone next time.
    writeFileSync(marker, `${want}\n`);
    return {home: path.join(parent, top), tarball, unpacked: true};
}

// A bundle the server installs but cannot start: a prepared copy whose server executable exits at once
// with an error line, as a build for the wrong platform or a broken build would. For the tests of what an
// admin is told when that happens.
import {execFileSync} from 'node:child_process';
import {chmodSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import type {PreparedBundle} from './bundle.js';

export function brokenBundle(prepared: PreparedBundle, scratch: string): string {
    const dir = mkdtempSync(path.join(scratch, 'broken-'));
    execFileSync('tar', ['-xzf', prepared.file, '-C', dir]);
    const manifest = JSON.parse(readFileSync(path.join(dir, prepared.id, 'plugin.json'), 'utf8')) as {server: {executables: Record<string, string>}};
    const executable = path.join(dir, prepared.id, manifest.server.executables['linux-amd64']!);
    writeFileSync(executable, '#!/bin/sh\necho "broken on purpose" >&2\nexit 1\n');
    chmodSync(executable, 0o755);
    const file = path.join(scratch, `${prepared.id}-${prepared.version}-broken.tar.gz`);
    execFileSync('tar', ['-czf', file, '-C', dir, prepared.id]);
    return file;
}

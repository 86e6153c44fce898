// Unit tests check the TypeScript transport against the real Go implementations
// (encoding/gob, hashicorp/yamux). The Go peers live in the conformance module and
// are built once here, before any test file runs.
import {execFileSync} from 'node:child_process';
import {existsSync, readdirSync} from 'node:fs';
import path from 'node:path';

export const conformanceDir = path.resolve(__dirname, '../conformance');
export const goBinDir = path.join(conformanceDir, 'build', 'bin');

export default function setup(): void {
    const cmdDir = path.join(conformanceDir, 'cmd');
    if (!existsSync(cmdDir) || readdirSync(cmdDir).length === 0) {
        return;
    }
    execFileSync('go', ['build', '-o', goBinDir + path.sep, './cmd/...'], {
        cwd: conformanceDir,
        stdio: 'inherit',
    });
}

// `npm run deploy` as an admin runs it: scripts/deploy.mjs in a child process, configured by environment
// variables, against a real server.
import {spawn} from 'node:child_process';
import path from 'node:path';

import {repoRoot} from './fixture.js';

export interface DeployRun {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Runs the deploy command with exactly `env` (plus PATH and HOME) and `args`; kills it after timeoutMs. */
export function runDeploy(env: Record<string, string>, args: string[], timeoutMs = 240_000): Promise<DeployRun> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(repoRoot, 'scripts', 'deploy.mjs'), ...args], {
            cwd: repoRoot,
            env: {PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env},
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        child.on('error', (err) => {
            clearTimeout(timer);
            reject(err);
        });
        child.on('close', (code) => {
            clearTimeout(timer);
            resolve({code, stdout, stderr});
        });
    });
}

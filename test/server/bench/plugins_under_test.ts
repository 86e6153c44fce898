// The plugins the bench compares on one server: ours (dist/'s standalone bundle) and, with --anchor, the
// minimal Go plugin of ../shared/anchors/go-trigger. Both take words through the same HTTP shape; only the
// plugin under test is enabled during a phase, and with none enabled the phase measures the bare server.
// With --floor, also test/conformance/cmd/floorplugin: a Go plugin whose MessageHasBeenPosted does nothing
// (no words, no bot; posts without matches only), the least any plugin that sees every post costs.
import {spawn} from 'node:child_process';
import {copyFileSync, existsSync, mkdirSync} from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';

import type {Client4} from '@mattermost/client';

import {repoRoot} from '../harness/fixture.js';
import {waitPluginRunning} from '../harness/world.js';

export interface PluginUnderTest {
    /** How the bench's output names it. */
    label: 'ours' | 'anchor' | 'floor';
    id: string;
    botUsername: string;
}

export class PluginBuildError extends Error {
    override name = 'PluginBuildError';
}

export function anchorSourceDir(): string {
    return path.resolve(repoRoot, '..', 'shared', 'anchors', 'go-trigger');
}

/** Builds the Go anchor into `outDir` (Go and its modules; about 30-60 s); `signal` stops the build. */
export async function buildAnchor(outDir: string, signal: AbortSignal): Promise<string> {
    const script = path.join(anchorSourceDir(), 'build.sh');
    if (!existsSync(script)) {
        throw new PluginBuildError(`--anchor needs the Go anchor plugin at ${anchorSourceDir()} (build.sh there)`);
    }
    await runBuild('building the Go anchor', 'bash', [script, outDir], {}, signal);
    const file = path.join(outDir, 'go-trigger.tar.gz');
    if (!existsSync(file)) {
        throw new PluginBuildError(`building the Go anchor wrote no ${file}`);
    }
    return file;
}

/** Runs a command to its end in its own process group (stopped with `signal`); its output, or a BenchBuildError. */
async function runBuild(what: string, cmd: string, args: string[], opts: {cwd?: string; env?: NodeJS.ProcessEnv}, signal: AbortSignal): Promise<string> {
    const out: string[] = [];
    const child = spawn(cmd, args, {...opts, stdio: ['ignore', 'pipe', 'pipe'], detached: true});
    const stop = () => {
        try {
            process.kill(-child.pid!, 'SIGTERM');
        } catch {
            // already gone
        }
    };
    signal.addEventListener('abort', stop, {once: true});
    child.stdout.on('data', (d: Buffer) => out.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => out.push(d.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', resolve);
    }).finally(() => signal.removeEventListener('abort', stop));
    signal.throwIfAborted();
    if (code !== 0) {
        throw new PluginBuildError(`${what} failed (exit ${code}):\n${out.join('').trim()}`);
    }
    return out.join('');
}

export const FLOOR_PLUGIN_ID = 'com.example.bench-floor';

/** Builds the floor plugin into `outDir`/floor.tar.gz (linux-amd64, with the conformance module's Go). */
export async function buildFloor(outDir: string, signal: AbortSignal): Promise<string> {
    const source = path.join(repoRoot, 'test', 'conformance');
    const pkg = path.join(outDir, 'pkg', FLOOR_PLUGIN_ID);
    mkdirSync(path.join(pkg, 'server'), {recursive: true});
    copyFileSync(path.join(source, 'cmd', 'floorplugin', 'plugin.json'), path.join(pkg, 'plugin.json'));
    await runBuild('building the floor plugin', 'go', ['build', '-o', path.join(pkg, 'server', 'plugin-linux-amd64'), './cmd/floorplugin'], {
        cwd: source,
        env: {...process.env, CGO_ENABLED: '0', GOOS: 'linux', GOARCH: 'amd64'},
    }, signal);
    const file = path.join(outDir, 'floor.tar.gz');
    await runBuild('packing the floor plugin', 'tar', ['-czf', file, '-C', path.join(outDir, 'pkg'), FLOOR_PLUGIN_ID], {}, signal);
    return file;
}

/** PUT /plugins/<id>/api/v1/channels/<channel>/words as the user of `token` (the same route in both plugins). */
export async function setWords(url: string, p: PluginUnderTest, token: string, channelId: string, words: string[]): Promise<void> {
    const res = await fetch(`${url}/plugins/${p.id}/api/v1/channels/${channelId}/words`, {
        method: 'PUT',
        headers: {'Authorization': `Bearer ${token}`, 'Content-Type': 'application/json'},
        body: JSON.stringify({words}),
    });
    if (!res.ok) {
        throw new Error(`${p.label}: setting words answered ${res.status}: ${await res.text()}`);
    }
}

async function waitStopped(admin: Client4, id: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        const running = (await admin.getPluginStatuses()).some((s) => s.plugin_id === id && s.state === 2);
        if (!running) {
            return;
        }
        await sleep(250);
    }
    throw new Error(`plugin ${id} still running ${timeoutMs} ms after it was disabled`);
}

/** Enables `active` (or none) and disables every other plugin of `all`, waiting until the server says so. */
export async function switchTo(admin: Client4, all: readonly PluginUnderTest[], active: PluginUnderTest | undefined): Promise<void> {
    for (const p of all) {
        if (p !== active) {
            await admin.disablePlugin(p.id);
            await waitStopped(admin, p.id);
        }
    }
    if (active) {
        await admin.enablePlugin(active.id);
        await waitPluginRunning(admin, active.id, {timeoutMs: 120_000});
    }
}

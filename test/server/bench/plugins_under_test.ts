// The plugins the bench compares on one server: ours (dist/'s standalone bundle) and, with --anchor, the
// minimal Go plugin of ../shared/anchors/go-trigger. Both take words through the same HTTP shape; only the
// plugin under test is enabled during a phase, and with none enabled the phase measures the bare server.
import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';

import type {Client4} from '@mattermost/client';

import {repoRoot} from '../harness/fixture.js';
import {waitPluginRunning} from '../harness/world.js';

export interface PluginUnderTest {
    /** How the bench's output names it. */
    label: 'ours' | 'anchor';
    id: string;
    botUsername: string;
}

export class AnchorBuildError extends Error {
    override name = 'AnchorBuildError';
}

export function anchorSourceDir(): string {
    return path.resolve(repoRoot, '..', 'shared', 'anchors', 'go-trigger');
}

/** Builds the Go anchor into `outDir` (Go and its modules; about 30-60 s); `signal` stops the build. */
export async function buildAnchor(outDir: string, signal: AbortSignal): Promise<string> {
    const script = path.join(anchorSourceDir(), 'build.sh');
    if (!existsSync(script)) {
        throw new AnchorBuildError(`--anchor needs the Go anchor plugin at ${anchorSourceDir()} (build.sh there)`);
    }
    const out: string[] = [];
    // Its own process group, so that stopping it also stops the go build it runs (not only the shell).
    const child = spawn('bash', [script, outDir], {stdio: ['ignore', 'pipe', 'pipe'], detached: true});
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
    const file = path.join(outDir, 'go-trigger.tar.gz');
    if (code !== 0 || !existsSync(file)) {
        throw new AnchorBuildError(`building the Go anchor failed (exit ${code}):\n${out.join('').trim()}`);
    }
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

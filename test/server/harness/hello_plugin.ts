// The example plugin examples/hello on a real server: its standalone linux-amd64 bundle from
// examples/hello/dist (built by `npm run dist:hello`), installed as an admin would, and /hello run as a
// client runs it.
import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import type {Client4} from '@mattermost/client';
import type {CommandResponse} from '@mattermost/types/integrations';

import {BundleError, distIndex} from './bundle.js';
import {repoRoot} from './fixture.js';
import {uploadPlugin, waitPluginRunning, type RealMattermost} from './world.js';

export const helloDir = path.join(repoRoot, 'examples/hello');
export const helloId = 'com.example.hello';

/** examples/hello/dist's standalone linux-amd64 bundle. */
export function helloDistBundle(): string {
    const index = distIndex(path.join(helloDir, 'dist'));
    const b = index.bundles.find((x) => x.kind === 'standalone' && x.platforms.includes('linux-amd64'));
    if (!b) {
        throw new BundleError('examples/hello/dist has no linux-amd64 bundle: run `npm run dist:hello`');
    }
    return path.join(index.dir, b.file);
}

/**
 * A copy of the bundle whose manifest says min_server_version 9.10.0: the fixture is older than the 10.5
 * line the package's host-code matrix proves (as for the trigger plugin, see bundle.ts).
 */
function forFixture(source: string, scratch: string): string {
    const dir = mkdtempSync(path.join(scratch, 'hello-bundle-'));
    execFileSync('tar', ['-xzf', source, '-C', dir]);
    const manifestFile = path.join(dir, helloId, 'plugin.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
    manifest.min_server_version = '9.10.0';
    writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    const file = path.join(scratch, `${helloId}-for-9.10.0.tar.gz`);
    execFileSync('tar', ['-czf', file, '-C', dir, helloId]);
    return file;
}

/** Uploads (POST /api/v4/plugins) and enables the example on server 0, and waits until it runs there. */
export async function installHello(world: RealMattermost): Promise<void> {
    const id = await uploadPlugin(world.admin.client, forFixture(helloDistBundle(), world.scratch));
    if (id !== helloId) {
        throw new BundleError(`the bundle installed plugin ${id}, not ${helloId}`);
    }
    await world.admin.client.enablePlugin(id);
    await waitPluginRunning(world.admin.client, id, {timeoutMs: 120_000});
}

/** `/hello <args>` through POST /api/v4/commands/execute. */
export function runHello(client: Client4, channelId: string, teamId: string, args = ''): Promise<CommandResponse> {
    return client.executeCommand(`/hello ${args}`.trimEnd(), {channel_id: channelId, team_id: teamId});
}

/** The greeting's number in a reply such as "Hello, @alice! (greeting #7)". */
export function greetingNumber(reply: CommandResponse): number {
    const m = /\(greeting #(\d+)\)$/.exec(reply.text ?? '');
    if (!m) {
        throw new Error(`not a greeting: ${JSON.stringify(reply.text)}`);
    }
    return Number(m[1]);
}

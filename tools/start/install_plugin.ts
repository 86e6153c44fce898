// Installs and enables the plugin on the `npm start` server. The fixture is a 9.10 server and the
// manifest asks for 10.5.0 (the oldest line the host-code matrix proves), so the server gets a copy whose
// manifest names the server's own version; nothing else in the bundle differs. The upload is skipped
// when the server already has the very bundle this run would install.
import {createHash} from 'node:crypto';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import path from 'node:path';

import type {Client4} from '@mattermost/client';

import {prepareBundle} from '../../test/server/harness/bundle.js';
import {repoRoot} from '../../test/server/harness/fixture.js';
import {uploadPlugin, waitPluginRunning} from '../../test/server/harness/world.js';

export const PLUGIN_ID = 'trigger-alerts';

export interface InstallOutcome {
    /** sha256 of the source bundle and the version it was prepared for: what the state file keeps. */
    fingerprint: string;
    uploaded: boolean;
    enabled: boolean;
}

/** "9.10.0" from the X-Version-Id header ("9.10.0.<build>.<hash>.<edition>"). */
export async function serverVersion(url: string): Promise<string> {
    const res = await fetch(`${url}/api/v4/system/ping`);
    const full = res.headers.get('x-version-id') ?? '';
    const m = /^(\d+\.\d+\.\d+)/.exec(full);
    if (!m) {
        throw new Error(`the server at ${url} did not say its version (X-Version-Id: ${JSON.stringify(full)})`);
    }
    return m[1];
}

export async function installPlugin(o: {
    admin: Client4;
    url: string;
    source: string;
    scratch: string;
    installedBefore?: string;
    report: (line: string) => void;
}): Promise<InstallOutcome> {
    const version = await serverVersion(o.url);
    const fingerprint = `${createHash('sha256').update(readFileSync(o.source)).digest('hex')} for ${version}`;
    const plugins = await o.admin.getPlugins();
    const installed = [...plugins.active, ...plugins.inactive].find((p) => p.id === PLUGIN_ID);
    let uploaded = false;
    if (installed && o.installedBefore === fingerprint) {
        o.report(`plugin: ${PLUGIN_ID} ${installed.version} is installed already (the same bundle as last time)`);
    } else {
        const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'plugin.json'), 'utf8')) as {min_server_version: string};
        const tmp = mkdtempSync(path.join(o.scratch, 'prepare-'));
        o.report(
            `plugin: installing ${path.basename(o.source)}${installed ? ` (replacing ${installed.version})` : ''} as a copy whose manifest says ` +
            `min_server_version ${version} instead of ${manifest.min_server_version}: this server is ${version}, older than the oldest release line ` +
            'the conformance matrix proves; the code is unchanged',
        );
        try {
            await uploadPlugin(o.admin, prepareBundle(o.source, tmp, {minServerVersion: version}).file);
        } finally {
            rmSync(tmp, {recursive: true, force: true});
        }
        uploaded = true;
    }
    // Enabling is idempotent; a person may have disabled the plugin in the System Console last time.
    const wasActive = !uploaded && plugins.active.some((p) => p.id === PLUGIN_ID);
    await o.admin.enablePlugin(PLUGIN_ID);
    await waitPluginRunning(o.admin, PLUGIN_ID, {timeoutMs: 90_000});
    return {fingerprint, uploaded, enabled: !wasActive};
}

// The API surface test plugin (test/server/apiplugin): built from source with the repository's tooling,
// installed as an admin would, and called as POST /plugins/com.example.apisurface/call/<GoMethod>. Also what
// the generic half of the test needs: the methods an older server/public's plugin.API declares, and
// zero-ish arguments for any table row.
import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';

import type {MethodRow, TypeExpr} from 'mattermost-plugin-node';

import {BundleError} from './bundle.js';
import {repoRoot} from './fixture.js';
import {bearer, pluginRoute} from './plugin_route.js';
import {uploadPlugin, waitPluginRunning, type RealMattermost} from './world.js';

export const apiPluginDir = path.join(repoRoot, 'test/server/apiplugin');
export const apiPluginId = 'com.example.apisurface';

/** The error fields the plugin answers with (test/server/apiplugin/server/plugin.ts). */
export interface CallError {
    class: string;
    message: string;
    method?: string;
    serverVersion?: string;
    statusCode?: number;
    id?: string;
}

export type CallAnswer = {status: number; result?: unknown; error?: CallError; message?: string};

/** Builds the portable bundle (`mattermost-plugin-node build --plugin test/server/apiplugin`) and returns its file. */
export function buildApiPlugin(): string {
    execFileSync(process.execPath, [path.join(repoRoot, 'packages/mattermost-plugin-node/tools/cli.mjs'), 'build', '--plugin', path.relative(repoRoot, apiPluginDir)], {cwd: repoRoot, stdio: 'pipe'});
    const manifest = JSON.parse(readFileSync(path.join(apiPluginDir, 'plugin.json'), 'utf8')) as {version: string};
    const file = path.join(apiPluginDir, 'dist', `${apiPluginId}-${manifest.version}.tar.gz`);
    if (!existsSync(file)) {
        throw new BundleError(`mattermost-plugin-node build did not write ${file}`);
    }
    return file;
}

/** Uploads (POST /api/v4/plugins) and enables the plugin on server 0, and waits until it runs. */
export async function installApiPlugin(world: RealMattermost, bundle: string): Promise<void> {
    const id = await uploadPlugin(world.admin.client, bundle);
    if (id !== apiPluginId) {
        throw new BundleError(`the bundle installed plugin ${id}, not ${apiPluginId}`);
    }
    await world.admin.client.enablePlugin(id);
    await waitPluginRunning(world.admin.client, id, {timeoutMs: 120_000});
}

/** One API call through the plugin, as the holder of `token`; pluginRoute's own timeout bounds it. */
export async function callApi(serverUrl: string, token: string | undefined, goMethod: string, args: readonly unknown[]): Promise<CallAnswer> {
    const r = await pluginRoute(serverUrl, apiPluginId, 'POST', `/call/${goMethod}`, {headers: token ? bearer(token) : {}, json: {args}});
    const body = (typeof r.body === 'object' && r.body !== null ? r.body : {message: String(r.body)}) as Omit<CallAnswer, 'status'>;
    return {status: r.status, ...body};
}

/** []byte for the plugin's JSON: it turns this marker into a Uint8Array (apiplugin/server/wire_json.ts). */
export const bytesArg = (b: Uint8Array | string): {$bytes: string} => ({$bytes: Buffer.from(b).toString('base64')});

/** The method names of `type API interface` in a server/public plugin/api.go. */
export function apiInterfaceMethods(apiGo: string): Set<string> {
    const start = apiGo.indexOf('type API interface {');
    if (start < 0) {
        throw new Error('no `type API interface {` in api.go');
    }
    const body = apiGo.slice(start, apiGo.indexOf('\n}', start));
    return new Set([...body.matchAll(/^\t([A-Z]\w*)\(/gm)].map((m) => m[1]));
}

/** server/public@<version>/plugin/api.go in Go's module cache (present after `go mod download` of that line's go.mod). */
export function apiGoOf(version: string): string {
    const modCache = execFileSync('go', ['env', 'GOMODCACHE'], {encoding: 'utf8'}).trim();
    const file = path.join(modCache, 'github.com/mattermost/mattermost/server', `public@${version}`, 'plugin/api.go');
    if (!existsSync(file)) {
        throw new Error(`${file} is missing: run \`go mod download -modfile=go.mm10.5.mod\` in test/conformance`);
    }
    return readFileSync(file, 'utf8');
}

/** The zero-ish JSON value of a wire type: what a call with "nothing in it" sends. */
export function zeroOf(t: TypeExpr): unknown {
    if (typeof t === 'string') {
        switch (t) {
            case 'bool':
                return false;
            case 'int':
            case 'uint':
            case 'float':
                return 0;
            case 'string':
                return '';
            case 'bytes':
            case 'rawjson':
            case 'reader':
                return bytesArg('');
            default:
                return null;
        }
    }
    if ('slice' in t || 'array' in t) {
        return [];
    }
    if ('map' in t || 'struct' in t) {
        return {};
    }
    return null;
}

/** Zero-ish arguments for a row; a variadic parameter gets none. */
export function zeroArgs(row: MethodRow): unknown[] {
    return row.params.filter((p) => !p.variadic).map((p) => zeroOf(p.type));
}

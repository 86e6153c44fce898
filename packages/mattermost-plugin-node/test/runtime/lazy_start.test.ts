// An entry point on 'mattermost-plugin-node/run', bundled as the build bundles a plugin (esbuild, one CJS
// file), prints the handshake line before the Mattermost binding and the plugin's code load, and without
// node:crypto; both load right after it. node:http (the ServeHTTP bridge) waits for the first request.
// esbuild turns a dynamic import of a bundled module into a lazy initialiser only when nothing imports
// that module statically from the entry, so this is checked on the bundle, not assumed.
import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {build, type Plugin} from 'esbuild';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

const pkgSrc = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

// Recorded at the moment the handshake line is written, and when the plugin's code runs.
const probe = `
const seen = (label) => process.stderr.write(JSON.stringify({
    label,
    binding: globalThis.__bindingLoaded === true,
    http: process.moduleLoadList.includes('NativeModule http'),
    crypto: process.moduleLoadList.includes('NativeModule crypto'),
    pluginCode: globalThis.__pluginCodeLoaded === true,
}) + '\\n');
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
    if (String(chunk).startsWith('1|')) seen('handshake');
    return write(chunk, ...rest);
};
globalThis.__seen = seen;
`;

const entry = (importFrom: string): string => `
import {runPlugin} from ${JSON.stringify(importFrom)};
runPlugin(async () => {
    const {FixturePlugin} = await import('./plugin.ts');
    globalThis.__seen('factory');
    return new FixturePlugin();
});
`;

const plugin = `
import {MattermostPlugin} from ${JSON.stringify(path.join(pkgSrc, 'index.ts'))};
globalThis.__pluginCodeLoaded = true;
export class FixturePlugin extends MattermostPlugin {}
`;

let dir = '';

/** Marks when the binding's hook dispatcher (what runtime.ts loads after the handshake) has been evaluated. */
const markBinding: Plugin = {
    name: 'mark-binding',
    setup(b) {
        b.onLoad({filter: /[\\/]mattermost[\\/]hooks\.ts$/}, (args) => ({
            contents: `${readFileSync(args.path, 'utf8')}\n(globalThis as {__bindingLoaded?: boolean}).__bindingLoaded = true;\n`,
            loader: 'ts',
        }));
    },
};

async function bundle(name: string, importFrom: string): Promise<string> {
    writeFileSync(path.join(dir, `${name}.ts`), entry(importFrom));
    const outfile = path.join(dir, `${name}.cjs`);
    await build({
        entryPoints: [path.join(dir, `${name}.ts`)],
        outfile,
        bundle: true,
        platform: 'node',
        conditions: ['development'],
        format: 'cjs',
        target: 'node20',
        minifySyntax: true,
        logLevel: 'silent',
        alias: {'mattermost-plugin-node/run': path.join(pkgSrc, 'run.ts'), 'mattermost-plugin-node': path.join(pkgSrc, 'index.ts')},
        plugins: [markBinding],
    });
    return outfile;
}

interface Seen {
    label: string;
    binding: boolean;
    http: boolean;
    crypto: boolean;
    pluginCode: boolean;
}

/** Runs the bundle as the host would until the plugin's factory has run; what the probe saw, in order. */
function run(bundlePath: string): Promise<Seen[]> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--require', path.join(dir, 'probe.cjs'), bundlePath], {
            env: {...process.env, MATTERMOST_PLUGIN: 'Securely message teams, anywhere.', PLUGIN_PROTOCOL_VERSIONS: '1', PLUGIN_UNIX_SOCKET_DIR: dir},
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        let err = '';
        const seen: Seen[] = [];
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.stdout.resume();
        child.stderr.on('data', (d: Buffer) => {
            err += d.toString();
            const lines = err.split('\n');
            err = lines.pop() ?? '';
            for (const line of lines) {
                if (line.startsWith('{"label"')) {
                    seen.push(JSON.parse(line) as Seen);
                }
            }
            if (seen.some((s) => s.label === 'factory')) {
                child.kill('SIGKILL');
            }
        });
        child.on('error', reject);
        child.on('exit', () => {
            clearTimeout(timer);
            resolve(seen);
        });
    });
}

beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lazy-start-'));
    writeFileSync(path.join(dir, 'probe.cjs'), probe);
    writeFileSync(path.join(dir, 'plugin.ts'), plugin);
});

afterAll(() => {
    rmSync(dir, {recursive: true, force: true});
});

describe('start of a bundled plugin', () => {
    it('prints the handshake line before the binding, node:crypto and the plugin code load', async () => {
        const seen = await run(await bundle('entry_run', 'mattermost-plugin-node/run'));
        expect(seen.map((s) => s.label)).toEqual(['handshake', 'factory']);
        expect(seen[0]).toEqual({label: 'handshake', binding: false, http: false, crypto: false, pluginCode: false});
        // and they do load, right after it; node:http only with a first ServeHTTP (this plugin has none)
        expect(seen[1]).toMatchObject({binding: true, http: false, pluginCode: true});
    }, 60_000);

    it('loads the whole binding first when the entry imports the package root (why entry points use /run)', async () => {
        const seen = await run(await bundle('entry_root', 'mattermost-plugin-node'));
        expect(seen[0]).toMatchObject({label: 'handshake', binding: true});
    }, 60_000);
});

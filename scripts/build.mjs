// One build: the server bundle (a single JS file) plus the launcher plugin.json names, and, with
// --test-plugin, the conformance test plugin laid out as a plugin directory.
import {build} from 'esbuild';
import {execFileSync} from 'node:child_process';
import {chmodSync, cpSync, mkdirSync, statSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {buildWebapp} from './build-webapp.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The launcher is what the server executes (no arguments, the server's working directory). It finds
// the bundle next to itself and runs it with the host's Node.js.
const launcher = `#!/bin/sh
dir=$(dirname "$0")
if ! command -v node >/dev/null 2>&1; then
    echo "this plugin needs Node.js 20 or newer on the server's PATH" >&2
    exit 1
fi
exec node "$dir/plugin.cjs" "$@"
`;

async function bundleServer(entry, outDir) {
    rmSync(outDir, {recursive: true, force: true});
    mkdirSync(outDir, {recursive: true});
    await build({
        entryPoints: [entry],
        outfile: path.join(outDir, 'plugin.cjs'),
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        sourcemap: 'linked',
        minifySyntax: true,
        legalComments: 'none',
        logLevel: 'warning',
    });
    const launcherPath = path.join(outDir, 'plugin-linux-amd64');
    writeFileSync(launcherPath, launcher);
    chmodSync(launcherPath, 0o755);
}

/**
 * The installable bundle: a .tar.gz whose one top-level folder (the plugin id) holds plugin.json and the
 * files it names, as System Console → Plugins and `mmctl plugin add` expect. Source maps stay out.
 */
function packageBundle(manifest) {
    const staging = path.join(root, 'dist', 'staging');
    const top = path.join(staging, manifest.id);
    rmSync(staging, {recursive: true, force: true});
    mkdirSync(path.join(top, 'server/dist'), {recursive: true});
    cpSync(path.join(root, 'plugin.json'), path.join(top, 'plugin.json'));
    cpSync(path.join(root, 'assets'), path.join(top, 'assets'), {recursive: true});
    cpSync(path.join(root, 'webapp/dist'), path.join(top, 'webapp/dist'), {recursive: true});
    for (const f of ['plugin.cjs', 'plugin-linux-amd64']) {
        cpSync(path.join(root, 'server/dist', f), path.join(top, 'server/dist', f));
    }
    const out = path.join(root, 'dist', `${manifest.id}-${manifest.version}.tar.gz`);
    execFileSync('tar', ['-czf', out, '--owner=0', '--group=0', '-C', staging, manifest.id]);
    rmSync(staging, {recursive: true, force: true});
    console.log(`bundle: ${path.relative(root, out)} (${statSync(out).size} bytes)`);
}

const testPlugin = process.argv.includes('--test-plugin');
if (testPlugin) {
    const dir = path.join(root, 'test/conformance/build/tsplugin');
    rmSync(dir, {recursive: true, force: true});
    await bundleServer(path.join(root, 'test/conformance/testplugin/main.ts'), path.join(dir, 'server/dist'));
    writeFileSync(
        path.join(dir, 'plugin.json'),
        JSON.stringify(
            {
                id: 'com.example.conformance',
                name: 'Conformance test plugin',
                version: '0.0.1',
                server: {executables: {'linux-amd64': 'server/dist/plugin-linux-amd64'}},
            },
            null,
            2,
        ),
    );
    console.log(`built test plugin in ${path.relative(root, dir)}`);
} else {
    await bundleServer(path.join(root, 'server/main.ts'), path.join(root, 'server/dist'));
    await buildWebapp();
    const manifest = JSON.parse(readFileSync(path.join(root, 'plugin.json'), 'utf8'));
    console.log(`built ${manifest.id} ${manifest.version}: server/dist/plugin.cjs`);
    packageBundle(manifest);
}

// One build: the server bundle (a single JS file) plus the launcher plugin.json names, and, with
// --test-plugin, the conformance test plugin laid out as a plugin directory.
import {build} from 'esbuild';
import {chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
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
}

// Builds the TypeScript round-trip plugin (test/conformance/roundtrip/tsplugin) as a plugin directory in
// test/conformance/build/roundtrip-tsplugin, which test/conformance/roundtrip installs under Mattermost's
// host code. The package resolves to its TypeScript sources (the 'development' condition), so the plugin
// always runs the package as it is in the tree.
import {build} from 'esbuild';
import {chmodSync, mkdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// --out <dir> builds elsewhere, e.g. while a conformance run is using the default folder.
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 && process.argv[outArg + 1] ? path.resolve(process.argv[outArg + 1]) : path.join(root, 'test/conformance/build/roundtrip-tsplugin');
const platforms = ['linux-amd64', 'linux-arm64', 'darwin-amd64', 'darwin-arm64'];

rmSync(out, {recursive: true, force: true});
mkdirSync(path.join(out, 'server/dist'), {recursive: true});
await build({
    entryPoints: [path.join(root, 'test/conformance/roundtrip/tsplugin/main.ts')],
    outfile: path.join(out, 'server/dist/plugin.cjs'),
    bundle: true,
    platform: 'node',
    conditions: ['development'],
    format: 'cjs',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
});
// What the server executes: the bundle on the Node.js of the PATH (test machines have one).
const launcher = '#!/bin/sh\nexec node "${0%/*}/plugin.cjs" "$@"\n';
const executables = {};
for (const platform of platforms) {
    const exe = `server/dist/plugin-${platform}`;
    writeFileSync(path.join(out, exe), launcher);
    chmodSync(path.join(out, exe), 0o755);
    executables[platform] = exe;
}
writeFileSync(
    path.join(out, 'plugin.json'),
    JSON.stringify({id: 'com.example.roundtrip', name: 'Round trip (TypeScript)', version: '0.0.1', server: {executables}}, null, 2),
);
console.log(`built the round-trip plugin in ${path.relative(root, out)}`);

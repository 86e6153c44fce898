// Builds the TypeScript round-trip plugin (test/conformance/roundtrip/tsplugin) as a plugin directory in
// test/conformance/build/roundtrip-tsplugin, which test/conformance/roundtrip installs under Mattermost's
// host code. The package resolves to its TypeScript sources (the 'development' condition), so the plugin
// always runs the package as it is in the tree.
import {rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {bundleServer, LAUNCHER_PLATFORMS} from '../packages/mattermost-plugin-node/tools/build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// --out <dir> builds elsewhere, e.g. while a conformance run is using the default folder.
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 && process.argv[outArg + 1] ? path.resolve(process.argv[outArg + 1]) : path.join(root, 'test/conformance/build/roundtrip-tsplugin');

rmSync(out, {recursive: true, force: true});
// The server bundle and its launchers as a plugin's build makes them (they run the Node.js of the PATH).
await bundleServer(path.join(root, 'test/conformance/roundtrip/tsplugin/main.ts'), path.join(out, 'server/dist'));
const executables = Object.fromEntries(LAUNCHER_PLATFORMS.map((platform) => [platform, `server/dist/plugin-${platform}`]));
writeFileSync(
    path.join(out, 'plugin.json'),
    JSON.stringify({id: 'com.example.roundtrip', name: 'Round trip (TypeScript)', version: '0.0.1', server: {executables}}, null, 2),
);
console.log(`built the round-trip plugin in ${path.relative(root, out)}`);

// npm run build:test — the conformance test plugin (test/conformance/testplugin) laid out as a plugin
// directory in test/conformance/build/tsplugin, its server bundled by the package's own build
// (packages/mattermost-plugin-node/tools/build.mjs). A plugin's bundles come from `mattermost-plugin-node
// build` and `dist` (npm run build, npm run dist).
//
//   node scripts/build.mjs --test-plugin
import {rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {bundleServer} from '../packages/mattermost-plugin-node/tools/build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (process.argv.slice(2).join(' ') !== '--test-plugin') {
    console.error('usage: node scripts/build.mjs --test-plugin (a plugin\'s bundles: npx mattermost-plugin-node build | dist)');
    process.exit(2);
}
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

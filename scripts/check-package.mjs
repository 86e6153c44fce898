// npm run test:package — builds packages/mattermost-plugin-node as it would be published (tsc to dist/) and
// loads it the way a plugin outside this repository would: plain Node.js, no 'development' condition, so
// the package's exports resolve to dist/. Fails if an export path, its type declarations, or a method of
// the generated API or hook tables is missing from what Node.js actually loads.
import {spawnSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = path.join(root, 'packages/mattermost-plugin-node');
const problems = [];
const check = (ok, message) => {
    if (!ok) {
        problems.push(message);
    }
};

const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {cwd: pkgDir, stdio: 'inherit'});
if (build.status !== 0) {
    console.error('mattermost-plugin-node: tsc -p tsconfig.build.json failed');
    process.exit(1);
}

const manifest = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
for (const [subpath, conditions] of Object.entries(manifest.exports)) {
    for (const condition of ['types', 'default']) {
        const file = conditions[condition];
        check(typeof file === 'string' && existsSync(path.join(pkgDir, file)), `exports["${subpath}"].${condition}: ${file} was not built`);
    }
}

const report = () => {
    if (problems.length > 0) {
        console.error(`mattermost-plugin-node as published is broken:\n  ${problems.join('\n  ')}`);
        process.exit(1);
    }
};
report();

// This script runs without --conditions=development, so these imports load dist/.
const main = await import('mattermost-plugin-node');
const run = await import('mattermost-plugin-node/run');
const transport = await import('mattermost-plugin-node/transport');

for (const name of ['MattermostPlugin', 'PluginAPI', 'AppError', 'PluginApiError', 'NotSupportedError', 'runPlugin', 'pluginLogger']) {
    check(typeof main[name] === 'function', `mattermost-plugin-node does not export ${name}`);
}
check(typeof run.runPlugin === 'function', 'mattermost-plugin-node/run does not export runPlugin');
for (const name of ['GobEncoder', 'GobDecoder', 'Session', 'RpcClient', 'RpcServer', 'MuxBroker', 'serve']) {
    check(typeof transport[name] === 'function', `mattermost-plugin-node/transport does not export ${name}`);
}

const apiRows = Array.isArray(main.apiMethods) ? main.apiMethods : [];
const hookRows = Array.isArray(main.hookMethods) ? main.hookMethods : [];
check(apiRows.length > 0, 'mattermost-plugin-node exports no apiMethods table');
check(hookRows.length > 0, 'mattermost-plugin-node exports no hookMethods table');
const missing = apiRows.filter((row) => typeof main.PluginAPI?.prototype?.[row.ts] !== 'function').map((row) => row.go);
check(missing.length === 0, `PluginAPI lacks ${missing.length} methods of its table: ${missing.slice(0, 10).join(', ')}`);

report();
console.log(
    `mattermost-plugin-node builds and loads from dist/: ${Object.keys(manifest.exports).length} export paths, ` +
        `${apiRows.length} API methods, ${hookRows.length} hooks`,
);

// npm run test:package — builds packages/mattermost-plugin-node as it would be published (tsc to dist/) and
// loads it the way a plugin outside this repository would: plain Node.js, no 'development' condition, so
// the package's exports resolve to dist/. Fails if an export path, its type declarations, or a method of
// the generated API or hook tables is missing from what Node.js actually loads.
//
// Then the package's command, as an outside author gets it: the file list `npm pack` publishes must hold
// the bin and every tools/ module; the packed tarball is unpacked into node_modules/ of a copy of
// examples/hello in a temporary folder outside the repository (its declared dependencies linked from this
// repository's install, as npm would have installed them), and `mattermost-plugin-node build` runs there
// through node_modules/.bin: the portable bundle it writes must hold plugin.json, the bundled server and
// an executable launcher for every platform plugin.json names, and the launcher must start the plugin.
// Also --help (exit 0), an unknown command (exit 2), a directory without plugin.json (exit 2) and a
// failing build (exit 1).
import {execFileSync, spawnSync} from 'node:child_process';
import {cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {hostPlatform} from '../packages/mattermost-plugin-node/tools/runtimes.mjs';

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

// ---- the published file list
const bins = Object.entries(manifest.bin ?? {});
check(bins.some(([name]) => name === 'mattermost-plugin-node'), 'package.json has no bin "mattermost-plugin-node"');
const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], {cwd: pkgDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}));
const published = new Map(packed[0].files.map((f) => [f.path, f]));
for (const [name, file] of bins) {
    const entry = published.get(path.posix.normalize(file));
    check(entry !== undefined, `bin ${name}: ${file} is not in the published files`);
    check(entry === undefined || (entry.mode & 0o111) !== 0, `bin ${name}: ${file} is published without the executable bit`);
    check(readFileSync(path.join(pkgDir, file), 'utf8').startsWith('#!/usr/bin/env node\n'), `bin ${name}: ${file} does not start with #!/usr/bin/env node`);
}
const toolFiles = readdirSync(path.join(pkgDir, 'tools')).filter((f) => /\.(mjs|d\.mts)$/.test(f));
check(toolFiles.length > 0, 'tools/ has no modules');
for (const f of toolFiles) {
    check(published.has(`tools/${f}`), `tools/${f} is not in the published files (package.json "files")`);
}
report();

// ---- the command, run as an outside author runs it
const scratch = mkdtempSync(path.join(os.tmpdir(), 'mattermost-plugin-node-author-'));
try {
    const plugin = path.join(scratch, 'hello');
    cpSync(path.join(root, 'examples/hello'), plugin, {
        recursive: true,
        filter: (src) => !['dist', 'node_modules'].includes(path.basename(src)),
    });
    const modules = path.join(plugin, 'node_modules');
    const installed = path.join(modules, manifest.name);
    mkdirSync(installed, {recursive: true});
    const [tarball] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], {cwd: pkgDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}));
    execFileSync('tar', ['-xzf', path.join(scratch, tarball.filename), '-C', installed, '--strip-components=1']);
    // What npm would install for the package: its declared dependencies, here from this repository's install.
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
        mkdirSync(path.dirname(path.join(modules, dep)), {recursive: true});
        symlinkSync(realpathSync(path.join(root, 'node_modules', dep)), path.join(modules, dep));
    }
    const binLink = path.join(modules, '.bin', 'mattermost-plugin-node');
    mkdirSync(path.dirname(binLink));
    symlinkSync(path.join('..', manifest.name, manifest.bin['mattermost-plugin-node']), binLink);

    const cli = (args, cwd = plugin) => spawnSync(process.execPath, [binLink, ...args], {cwd, encoding: 'utf8', env: {...process.env, NODE_OPTIONS: ''}});
    const said = (res) => `${res.stdout}${res.stderr}`.trim().split('\n').slice(-3).join(' | ');

    const help = cli(['--help']);
    check(help.status === 0 && help.stdout.startsWith('Usage: mattermost-plugin-node') && /^ {2}build /m.test(help.stdout) && /^ {2}dist /m.test(help.stdout),
        `mattermost-plugin-node --help: exit ${help.status}, ${said(help)}`);
    const unknown = cli(['frobnicate']);
    check(unknown.status === 2 && unknown.stderr.includes('unknown command'), `mattermost-plugin-node frobnicate: exit ${unknown.status} (want 2), ${said(unknown)}`);
    const noPlugin = cli(['build'], scratch);
    check(noPlugin.status === 2 && noPlugin.stderr.includes('no plugin.json'), `mattermost-plugin-node build without plugin.json: exit ${noPlugin.status} (want 2), ${said(noPlugin)}`);

    const built = cli(['build']);
    check(built.status === 0, `mattermost-plugin-node build in a copy of examples/hello: exit ${built.status}, ${said(built)}`);
    for (const place of [root, scratch, realpathSync(scratch)]) {
        check(!`${built.stdout}${built.stderr}`.includes(place), 'mattermost-plugin-node build printed a path of this machine');
    }
    report();
    const pluginManifest = JSON.parse(readFileSync(path.join(plugin, 'plugin.json'), 'utf8'));
    const bundle = path.join(plugin, 'dist', `${pluginManifest.id}-${pluginManifest.version}.tar.gz`);
    check(existsSync(bundle), `mattermost-plugin-node build wrote no ${path.basename(bundle)}`);
    report();
    const listing = new Map(
        execFileSync('tar', ['-tvzf', bundle], {encoding: 'utf8'}).trim().split('\n').map((line) => {
            const fields = line.trim().split(/\s+/);
            return [fields[fields.length - 1], fields[0]];
        }),
    );
    const top = pluginManifest.id;
    check(listing.get(`${top}/plugin.json`)?.startsWith('-'), `${path.basename(bundle)} has no ${top}/plugin.json`);
    check(listing.get(`${top}/server/dist/plugin.cjs`)?.startsWith('-'), `${path.basename(bundle)} has no ${top}/server/dist/plugin.cjs`);
    const unpacked = path.join(scratch, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', bundle, '-C', unpacked]);
    const executables = JSON.parse(readFileSync(path.join(unpacked, top, 'plugin.json'), 'utf8')).server?.executables ?? {};
    check(Object.keys(executables).length >= 4, `the bundle's plugin.json names ${Object.keys(executables).length} executables, want a launcher for every platform`);
    for (const [platform, exe] of Object.entries(executables)) {
        check(/^-rwx/.test(listing.get(`${top}/${exe}`) ?? ''), `${path.basename(bundle)}: ${exe} (${platform}) is not an executable file (${listing.get(`${top}/${exe}`) ?? 'missing'})`);
    }
    report();
    // Started by hand (no go-plugin magic cookie), the plugin says what it is and exits 1.
    const host = hostPlatform();
    if (executables[host]) {
        const started = spawnSync(path.join(unpacked, top, executables[host]), [], {encoding: 'utf8', timeout: 20_000});
        check(started.status === 1 && started.stderr.includes('This binary is a plugin'), `the bundle's ${host} launcher: exit ${started.status}, ${said(started)}`);
    }

    const pkgJson = path.join(plugin, 'package.json');
    writeFileSync(pkgJson, JSON.stringify({...JSON.parse(readFileSync(pkgJson, 'utf8')), version: '9.9.9'}));
    const failed = cli(['build', '--plugin', '.']);
    check(failed.status === 1 && failed.stderr.includes('package.json has 9.9.9'), `mattermost-plugin-node build with mismatched versions: exit ${failed.status} (want 1), ${said(failed)}`);
    report();
    console.log(
        `mattermost-plugin-node's command works as published: ${toolFiles.length} tools files; build in a copy of examples/hello ` +
            `outside the repository wrote ${path.basename(bundle)} (${listing.size} entries, ${Object.keys(executables).length} launchers)`,
    );
} finally {
    rmSync(scratch, {recursive: true, force: true});
}

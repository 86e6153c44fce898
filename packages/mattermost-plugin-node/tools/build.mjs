// `mattermost-plugin-node build`: the server bundle (a single JS file), the launchers that run it with the
// server's Node.js, the webapp (if plugin.json has one), and the portable bundle
// <dir>/dist/<id>-<version>.tar.gz. `mattermost-plugin-node dist` (dist.mjs) runs this, then adds the
// standalone bundles.
//
// The plugin's directory holds plugin.json, package.json, server/main.ts, and optionally assets/ and, when
// plugin.json has a webapp, webapp/src/index.tsx (or index.ts). Outputs go to <dir>/server/dist,
// <dir>/webapp/dist (where plugin.json's webapp.bundle_path says) and <dir>/dist.
import {build} from 'esbuild';
import {chmodSync, existsSync, mkdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {asciiOutput} from './ascii.mjs';
import {bundleManifest, packBundle, readCheckedManifest, shown, stageBundle} from './bundle.mjs';
import {buildWebapp} from './webapp.mjs';

/** The platforms the portable bundle has a launcher for: any server with a POSIX shell and Node.js 20+. */
export const LAUNCHER_PLATFORMS = ['linux-amd64', 'linux-arm64', 'darwin-amd64', 'darwin-arm64'];

// The launcher is what the server executes (no arguments, the server's working directory). It finds the
// bundle next to itself and runs it with the host's Node.js, after checking there is one and that it is
// new enough (`node --version` costs a few ms; an old Node would fail on the bundle with a syntax error
// nobody can act on). The "[ERROR]" prefix makes go-plugin log the line at error level in the server log.
export const LAUNCHER = `#!/bin/sh
# Without external commands (dirname), so that an empty PATH still gets the message below.
case $0 in
    */*) dir=\${0%/*} ;;
    *) dir=. ;;
esac
advice="Install Node.js 20 or newer where the Mattermost server process finds it (its PATH), or install the standalone bundle for this server's platform, which embeds Node.js."
if ! command -v node >/dev/null 2>&1; then
    echo "[ERROR] this plugin bundle runs with the server's Node.js, but there is no 'node' on the PATH of the Mattermost server process (PATH=$PATH). $advice" >&2
    exit 1
fi
if ! version=$(node --version 2>&1); then
    # (e.g. NODE_OPTIONS with a flag node refuses: say what node said rather than guess.)
    echo "[ERROR] this plugin bundle runs with the server's Node.js, but '$(command -v node) --version' failed: $version" >&2
    exit 1
fi
major=\${version#v}
major=\${major%%.*}
case $major in
    ''|*[!0-9]*) major=0 ;;
esac
if [ "$major" -lt 20 ]; then
    echo "[ERROR] this plugin bundle needs Node.js 20 or newer; $(command -v node) is \${version:-of unknown version}. $advice" >&2
    exit 1
fi
exec node "$dir/plugin.cjs" "$@"
`;

/**
 * Bundles the server entry point (a plugin's server/main.ts) into outDir/plugin.cjs, CommonJS for Node.js
 * 20, and writes the launchers plugin-<platform> next to it. outDir is emptied first.
 */
export async function bundleServer(entry, outDir) {
    rmSync(outDir, {recursive: true, force: true});
    mkdirSync(outDir, {recursive: true});
    await build({
        entryPoints: [entry],
        outfile: path.join(outDir, 'plugin.cjs'),
        bundle: true,
        platform: 'node',
        // mattermost-plugin-node (and any workspace package that has the condition) resolves to its
        // TypeScript sources, which the package publishes next to dist/
        conditions: ['development'],
        format: 'cjs',
        target: 'node20',
        sourcemap: 'linked',
        minifySyntax: true,
        // A smaller script for V8 to read, hold and cache (≈ 0.6 MB of 2.7); names stay, so a stack trace
        // still names its functions, and the source map (linked, not shipped) gives file and line.
        minifyWhitespace: true,
        // ASCII, so that V8 holds the script as one byte per character (ascii.mjs escapes the
        // regular expression literals esbuild leaves as written; it reads the metafile's outputs).
        charset: 'ascii',
        metafile: true,
        plugins: [asciiOutput()],
        legalComments: 'none',
        logLevel: 'warning',
    });
    for (const platform of LAUNCHER_PLATFORMS) {
        const launcherPath = path.join(outDir, `plugin-${platform}`);
        writeFileSync(launcherPath, LAUNCHER);
        chmodSync(launcherPath, 0o755);
    }
}

/**
 * The portable bundle <plugin>/dist/<id>-<version>.tar.gz: the bundled JavaScript and one launcher per
 * platform in LAUNCHER_PLATFORMS, for servers that have Node.js 20+. Source maps stay out. (dist.mjs adds
 * the standalone bundles, which embed Node.js.) Returns the file and its size.
 */
function packagePortableBundle(pluginDir, manifest) {
    const serverFiles = {'server/dist/plugin.cjs': path.join(pluginDir, 'server/dist/plugin.cjs')};
    const executables = {};
    for (const platform of LAUNCHER_PLATFORMS) {
        const exe = `server/dist/plugin-${platform}`;
        executables[platform] = exe;
        serverFiles[exe] = {from: path.join(pluginDir, exe), mode: 0o755};
    }
    const stagingRoot = path.join(pluginDir, 'dist', 'staging');
    stageBundle({root: pluginDir, stagingRoot, manifest: bundleManifest(manifest, executables), serverFiles});
    const out = path.join(pluginDir, 'dist', `${manifest.id}-${manifest.version}.tar.gz`);
    const size = packBundle(stagingRoot, manifest.id, out);
    rmSync(stagingRoot, {recursive: true, force: true});
    console.log(`bundle: ${shown(out)} (${size} bytes)`);
    return {file: out, bytes: size};
}

/** The webapp half, built to where plugin.json's webapp.bundle_path says. */
async function buildPluginWebapp(pluginDir, manifest) {
    const entry = ['webapp/src/index.tsx', 'webapp/src/index.ts'].map((f) => path.join(pluginDir, f)).find((f) => existsSync(f));
    if (!entry) {
        throw new Error(`${shown(pluginDir)}/plugin.json has a webapp, but there is no webapp/src/index.tsx or index.ts`);
    }
    await buildWebapp({entry, outfile: path.join(pluginDir, manifest.webapp.bundle_path), root: pluginDir});
}

/**
 * The whole build of the plugin in pluginDir: server bundle and launchers, webapp, portable bundle.
 * Returns the manifest and the portable bundle's file and size.
 */
export async function buildPlugin(pluginDir) {
    const manifest = readCheckedManifest(pluginDir);
    await bundleServer(path.join(pluginDir, 'server/main.ts'), path.join(pluginDir, 'server/dist'));
    if (manifest.webapp) {
        await buildPluginWebapp(pluginDir, manifest);
    }
    console.log(`built ${manifest.id} ${manifest.version}: ${shown(path.join(pluginDir, 'server/dist/plugin.cjs'))}`);
    return {manifest, portable: packagePortableBundle(pluginDir, manifest)};
}

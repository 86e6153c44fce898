// Tests the bundles `npm run dist` wrote in dist/, installed as an admin installs them, under Mattermost's
// plugin host code (test/conformance/bundle): this machine's standalone bundle and the portable bundle.
//
//   node scripts/sea/test-bundles.mjs            the bundle tests (activation, hook, HTTP, by hand, no Node,
//                                                the shared libraries of every Linux executable)
//   node scripts/sea/test-bundles.mjs --os       also on the systems the bundles are for (issue #15): the
//                                                linux-amd64 bundle in a Debian minbase root filesystem like
//                                                the official server image (chroot; root), the linux-arm64
//                                                bundle under qemu-user. Needs the linux-arm64 bundle built
//                                                and scripts/ci/install-bundle-test-deps.sh's packages; the
//                                                root filesystem is built once (minutes) and cached outside
//                                                the repository (MINBASE_CACHE_DIR, default
//                                                /var/cache/trigger-alerts).
//   node scripts/sea/test-bundles.mjs --alerts   also the whole product suite (test/conformance/alerts, -short)
//                                                against each unpacked bundle
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {DEFAULT_CACHE_DIR, ensureRootfsTarball, removeTree, unpackRootfs} from './minbase.mjs';
import {hostPlatform} from '../../packages/mattermost-plugin-node/tools/runtimes.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const distDir = path.join(root, 'dist');
const cwd = path.join(root, 'test/conformance');

function goTest(name, pkgs, env, extra = []) {
    console.log(`\n== bundles: ${name}`);
    const res = spawnSync('go', ['test', '-count=1', '-timeout=15m', ...extra, ...pkgs], {cwd, stdio: 'inherit', env: {...process.env, ...env}});
    return res.status === 0;
}

/** What the --os tests need from this machine, or a message saying what to install. */
function osTestEnv() {
    if (process.getuid?.() !== 0) {
        throw new Error('--os needs root (chroot into the minbase root filesystem, mount its /proc)');
    }
    const qemu = spawnSync('sh', ['-c', 'command -v qemu-aarch64'], {encoding: 'utf8'}).stdout.trim();
    if (!qemu) {
        throw new Error('qemu-aarch64 is missing: run scripts/ci/install-bundle-test-deps.sh (as root)');
    }
    const started = Date.now();
    const tarball = ensureRootfsTarball({cacheDir: process.env.MINBASE_CACHE_DIR || DEFAULT_CACHE_DIR});
    const rootfs = unpackRootfs(tarball);
    console.log(`minbase root filesystem: ${path.basename(tarball)} unpacked in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return {rootfs, env: {BUNDLE_MINBASE_ROOT: rootfs, BUNDLE_QEMU_AARCH64: qemu, BUNDLE_OS_TESTS: '1'}};
}

let ok;
let rootfs;
try {
    const osTests = process.argv.includes('--os') ? osTestEnv() : undefined;
    rootfs = osTests?.rootfs;
    const name = `install and run dist/ bundles (test/conformance/bundle)${osTests ? ', in minbase and under qemu' : ''}`;
    ok = goTest(name, ['./bundle'], {BUNDLE_DIST_DIR: distDir, ...osTests?.env}, osTests ? ['-v'] : []);
} catch (err) {
    console.error(`test-bundles: ${err.message}`);
    ok = false;
} finally {
    if (rootfs) {
        removeTree(rootfs);
    }
}

if (process.argv.includes('--alerts')) {
    const index = JSON.parse(readFileSync(path.join(distDir, 'bundles.json'), 'utf8'));
    const host = hostPlatform();
    for (const b of index.bundles.filter((x) => x.platforms.includes(host))) {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'bundle-alerts-'));
        try {
            execFileSync('tar', ['-xzf', path.join(distDir, b.file), '-C', dir]);
            const pluginDir = path.join(dir, index.id);
            ok = goTest(`product suite against ${b.file}`, ['./alerts'], {ALERTS_PLUGIN_DIR: pluginDir}, ['-short']) && ok;
        } finally {
            rmSync(dir, {recursive: true, force: true});
        }
    }
}
process.exit(ok ? 0 : 1);

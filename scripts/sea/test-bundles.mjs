// Tests the bundles `npm run dist` wrote in dist/, installed as an admin installs them, under Mattermost's
// plugin host code (test/conformance/bundle): this machine's standalone bundle and the portable bundle.
//
//   node scripts/sea/test-bundles.mjs            the bundle tests (activation, hook, HTTP, by hand, no Node)
//   node scripts/sea/test-bundles.mjs --alerts   also the whole product suite (test/conformance/alerts, -short)
//                                                against each unpacked bundle
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {hostPlatform} from './runtimes.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const distDir = path.join(root, 'dist');
const cwd = path.join(root, 'test/conformance');

function goTest(name, pkgs, env, extra = []) {
    console.log(`\n== bundles: ${name}`);
    const res = spawnSync('go', ['test', '-count=1', '-timeout=15m', ...extra, ...pkgs], {cwd, stdio: 'inherit', env: {...process.env, ...env}});
    return res.status === 0;
}

let ok = goTest('install and run dist/ bundles (test/conformance/bundle)', ['./bundle'], {BUNDLE_DIST_DIR: distDir});

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

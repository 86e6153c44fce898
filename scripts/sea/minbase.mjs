// The root filesystem of a server without Node.js, to run the linux-amd64 standalone bundle in (chroot):
// Debian's minbase variant plus the packages Mattermost's official server image installs, all without
// recommends. Building it takes minutes, so it is cached as a tarball outside the repository and only
// unpacked (seconds) per test run.
//
// The packages come from the Debian mirror this machine's apt already uses (read from its sources at run
// time), so the build needs no other network than apt itself.
import {execFileSync, spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';

export const SUITE = 'bookworm';

/** What Mattermost's official server image adds to the base system (installed --no-install-recommends). */
export const IMAGE_PACKAGES = ['ca-certificates', 'curl', 'mime-support', 'unrtf', 'wv', 'poppler-utils', 'tidy', 'tzdata'];

/** Where the tarball lives; outside the work tree so that a fresh clone (CI) finds it again. */
export const DEFAULT_CACHE_DIR = '/var/cache/trigger-alerts';

export class RootfsError extends Error {
    constructor(message) {
        super(message);
        this.name = 'RootfsError';
    }
}

/**
 * The cache file's name carries a digest of what goes into the root filesystem, so that changing the
 * suite or the package list builds a new one instead of testing in a stale one.
 */
export function cacheFile(cacheDir = DEFAULT_CACHE_DIR) {
    const key = createHash('sha256').update(JSON.stringify({suite: SUITE, variant: 'minbase', packages: IMAGE_PACKAGES})).digest('hex').slice(0, 12);
    return path.join(cacheDir, `minbase-${SUITE}-${key}.tar`);
}

/**
 * The Debian archive URI apt uses for the main suite of this release line, from /etc/apt/sources.list and
 * /etc/apt/sources.list.d/ (one-line and deb822 formats). Security and updates suites live elsewhere or
 * under other names and are skipped: debootstrap needs the archive that holds `<suite>` itself.
 */
export function debianMirror(etc = '/etc/apt') {
    const files = [];
    if (existsSync(path.join(etc, 'sources.list'))) {
        files.push(path.join(etc, 'sources.list'));
    }
    const dir = path.join(etc, 'sources.list.d');
    if (existsSync(dir)) {
        for (const f of readdirSync(dir).sort()) {
            if (f.endsWith('.list') || f.endsWith('.sources')) {
                files.push(path.join(dir, f));
            }
        }
    }
    for (const file of files) {
        const text = readFileSync(file, 'utf8');
        const entries = file.endsWith('.sources') ? deb822Entries(text) : oneLineEntries(text);
        for (const e of entries) {
            if (e.types.includes('deb') && e.suites.includes(SUITE) && e.components.includes('main') && e.enabled) {
                return e.uris[0];
            }
        }
    }
    throw new RootfsError(
        `no apt source for Debian ${SUITE} main in ${etc}/sources.list or ${etc}/sources.list.d/ (debootstrap needs the mirror apt uses); ` +
            'set MINBASE_MIRROR to a Debian archive URI',
    );
}

function oneLineEntries(text) {
    const out = [];
    for (const raw of text.split('\n')) {
        const line = raw.replace(/#.*/, '').trim();
        // deb [options] uri suite component...
        const m = /^(deb|deb-src)\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)$/.exec(line);
        if (m) {
            out.push({types: [m[1]], uris: [m[2]], suites: [m[3]], components: m[4].split(/\s+/), enabled: true});
        }
    }
    return out;
}

function deb822Entries(text) {
    const out = [];
    for (const stanza of text.split(/\n\s*\n/)) {
        const fields = {};
        let last = '';
        for (const line of stanza.split('\n')) {
            if (line.startsWith('#')) {
                continue;
            }
            const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
            if (m) {
                last = m[1].toLowerCase();
                fields[last] = m[2];
            } else if (/^\s/.test(line) && last) {
                fields[last] += ` ${line.trim()}`;
            }
        }
        if (fields.uris) {
            const list = (k) => (fields[k] ?? '').split(/\s+/).filter(Boolean);
            out.push({types: list('types'), uris: list('uris'), suites: list('suites'), components: list('components'), enabled: fields.enabled !== 'no'});
        }
    }
    return out;
}

function requireRootAndTool(tool, pkg) {
    if (process.getuid?.() !== 0) {
        throw new RootfsError('building and entering the minbase root filesystem needs root (debootstrap, chroot)');
    }
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
        throw new RootfsError(`${tool} is missing: apt-get install ${pkg} (or run scripts/ci/install-bundle-test-deps.sh)`);
    }
}

/**
 * Returns the cached tarball, building it first when it is missing. The build happens in a scratch folder
 * beside the cache and is renamed into place only when complete, so an interrupted build leaves no
 * half-made cache behind.
 */
export function ensureRootfsTarball({cacheDir = DEFAULT_CACHE_DIR, log = console.log} = {}) {
    const tarball = cacheFile(cacheDir);
    if (existsSync(tarball)) {
        return tarball;
    }
    requireRootAndTool('debootstrap', 'debootstrap');
    const mirror = process.env.MINBASE_MIRROR || debianMirror();
    mkdirSync(cacheDir, {recursive: true});
    const work = mkdtempSync(path.join(cacheDir, 'build-'));
    const started = Date.now();
    try {
        const target = path.join(work, 'root');
        log(`minbase: debootstrap --variant=minbase ${SUITE} + ${IMAGE_PACKAGES.join(' ')} (no recommends; cached afterwards as ${tarball})`);
        // debootstrap resolves Depends only, never Recommends: that is --no-install-recommends.
        const res = spawnSync(
            'debootstrap',
            ['--variant=minbase', `--include=${IMAGE_PACKAGES.join(',')}`, SUITE, target, mirror],
            {stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 256 << 20},
        );
        if (res.status !== 0) {
            const logFile = path.join(target, 'debootstrap/debootstrap.log');
            const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '';
            throw new RootfsError(`debootstrap failed (${res.status ?? res.signal}):\n${res.stderr}${res.stdout.split('\n').slice(-20).join('\n')}\n${tail}`);
        }
        // Package downloads and lists are no part of a server image; they only bloat the cache.
        rmSync(path.join(target, 'var/cache/apt/archives'), {recursive: true, force: true});
        mkdirSync(path.join(target, 'var/cache/apt/archives/partial'), {recursive: true});
        writeFileSync(
            path.join(target, 'etc/trigger-alerts-rootfs.json'),
            `${JSON.stringify({suite: SUITE, variant: 'minbase', packages: IMAGE_PACKAGES, built: new Date().toISOString()}, null, 2)}\n`,
        );
        const tmp = path.join(work, 'rootfs.tar');
        execFileSync('tar', ['-cf', tmp, '--numeric-owner', '-C', target, '.']);
        renameSync(tmp, tarball);
        log(`minbase: built in ${((Date.now() - started) / 1000).toFixed(0)} s, ${(statSync(tarball).size / 1024 / 1024).toFixed(0)} MB`);
        return tarball;
    } finally {
        removeTree(work);
    }
}

const UNPACK_PREFIX = 'trigger-alerts-minbase-';

/**
 * Unpacks the cached root filesystem into a fresh folder under parent and returns it. The folder's name
 * carries this process's id: folders left by runs that died are removed here, those of runs still going
 * (another checkout testing at the same time) are left alone.
 */
export function unpackRootfs(tarball, parent = '/var/tmp') {
    requireRootAndTool('chroot', 'coreutils');
    for (const f of readdirSync(parent)) {
        const pid = Number(f.startsWith(UNPACK_PREFIX) ? f.slice(UNPACK_PREFIX.length).split('-')[0] : NaN);
        if (Number.isInteger(pid) && pid > 0 && !alive(pid)) {
            removeTree(path.join(parent, f));
        }
    }
    const dir = mkdtempSync(path.join(parent, `${UNPACK_PREFIX}${process.pid}-`));
    execFileSync('tar', ['-xf', tarball, '--numeric-owner', '-C', dir]);
    return dir;
}

function alive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    } catch (err) {
        return err.code === 'EPERM';
    }
}

/**
 * Removes a root filesystem folder, first unmounting anything still mounted under it (a test that died
 * between its mount and its unmount), and never crossing into another filesystem: a leftover mount of
 * /proc or /tmp must not be emptied.
 */
export function removeTree(dir) {
    if (!existsSync(dir)) {
        return;
    }
    const mounts = readFileSync('/proc/mounts', 'utf8')
        .split('\n')
        .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
        .filter((m) => m && (m === dir || m.startsWith(`${dir}/`)))
        .sort((a, b) => b.length - a.length);
    for (const m of mounts) {
        spawnSync('umount', ['-l', m], {stdio: 'inherit'});
    }
    const res = spawnSync('rm', ['-rf', '--one-file-system', dir], {stdio: 'inherit'});
    if (res.status !== 0) {
        throw new RootfsError(`could not remove ${dir}`);
    }
}

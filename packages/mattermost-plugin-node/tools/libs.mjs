// Shared libraries of the Linux standalone executables. Node.js's official Linux builds link libatomic.so.1,
// which minimal server images (Debian minbase, Mattermost's official image) do not have, so the plugin
// would not even start there. A standalone executable may rely only on the C and C++ runtime every glibc
// system has (systemLibraries()); anything else it needs is shipped next to it in server/dist/, taken from
// Debian's package, and found through an $ORIGIN RUNPATH set with patchelf.
//
// patchelf must run AFTER postject: postject's ELF writer (LIEF) rebuilds the dynamic string table of a
// file patchelf has already changed, and the RUNPATH comes out as garbage (and postject reports "patch
// value out of bounds"). Patched afterwards, the blob's PT_NOTE keeps its address, the fuse its bytes, and
// the code cache is still accepted (start time unchanged, as measured when this was introduced).
import {spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';

/** The C and C++ runtime of every glibc system; a standalone executable may need these and nothing else. */
const GLIBC_AND_CXX = ['libc.so.6', 'libm.so.6', 'libdl.so.2', 'libpthread.so.0', 'librt.so.1', 'libstdc++.so.6', 'libgcc_s.so.1'];

/** Mattermost platform key → Debian architecture, multiarch directory, ELF e_machine and dynamic loader. */
export const LINUX_PLATFORMS = {
    'linux-amd64': {arch: 'amd64', triplet: 'x86_64-linux-gnu', machine: 62, loader: 'ld-linux-x86-64.so.2'},
    'linux-arm64': {arch: 'arm64', triplet: 'aarch64-linux-gnu', machine: 183, loader: 'ld-linux-aarch64.so.1'},
};

/** What an executable for platform may find on the server. */
export function systemLibraries(platform) {
    return [...GLIBC_AND_CXX, LINUX_PLATFORMS[platform].loader];
}

/**
 * Libraries the bundle carries when the executable needs them: the Debian package to take each from, what
 * it is, the licence file written next to it, and its terms (from the package's copyright file, in one
 * line).
 */
const SHIPPABLE = {
    'libatomic.so.1': {
        pkg: 'libatomic1',
        what: "GCC's libatomic",
        licenseFile: 'LIBATOMIC-LICENSE',
        terms: 'the GNU General Public License, version 3 or later, with the GCC Runtime Library Exception, version 3.1',
    },
};

/** The RUNPATH every patched executable gets: the folder it is in. */
export const RUNPATH = '$ORIGIN';

export class LibsError extends Error {
    constructor(message) {
        super(message);
        this.name = 'LibsError';
    }
}

function tool(cmd, args, what, cwd = undefined) {
    const res = spawnSync(cmd, args, {cwd, encoding: 'utf8', maxBuffer: 64 << 20});
    if (res.error?.code === 'ENOENT') {
        const pkg = cmd === 'dpkg-deb' ? 'dpkg' : cmd === 'apt-get' ? 'apt' : cmd;
        throw new LibsError(`${cmd} is missing; it is needed to ${what}. Install it as root: apt-get install ${pkg}`);
    }
    if (res.status !== 0) {
        throw new LibsError(`${cmd} ${args.join(' ')} failed (${res.status ?? res.signal}): ${(res.stderr || res.stdout).trim()}`);
    }
    return res.stdout;
}

const patchelf = (args) => tool('patchelf', args, 'give the Linux standalone executables the libraries they ship');

/** The DT_NEEDED entries of an ELF file. */
export function neededLibraries(file) {
    return patchelf(['--print-needed', file]).split('\n').map((s) => s.trim()).filter(Boolean);
}

function elfMachine(file) {
    const head = readFileSync(file).subarray(0, 20);
    if (head.readUInt32BE(0) !== 0x7f454c46) {
        throw new LibsError(`${file} is not an ELF file`);
    }
    return head.readUInt16LE(18);
}

function wrap(text, width) {
    const lines = [];
    let line = '';
    for (const word of text.split(/\s+/)) {
        if (line && line.length + 1 + word.length > width) {
            lines.push(line);
            line = word;
        } else {
            line = line ? `${line} ${word}` : word;
        }
    }
    return [...lines, line].join('\n');
}

function sha(file, algorithm) {
    return createHash(algorithm).update(readFileSync(file)).digest('hex');
}

/**
 * What apt would download for spec ("libatomic1:arm64", "gcc-12-base:arm64=12.2.0-14"): file name and the
 * hash from apt's signed package lists; {error} when apt cannot tell (no apt, no lists for the arch).
 */
function aptLookup(spec) {
    const res = spawnSync('apt-get', ['download', '--print-uris', spec], {encoding: 'utf8'});
    if (res.error || res.status !== 0) {
        return {error: res.error?.code === 'ENOENT' ? 'apt-get is not installed' : (res.stderr || res.stdout).trim()};
    }
    const m = /^'[^']+' (\S+) \d+ (SHA256|SHA512):([0-9a-f]+)$/m.exec(res.stdout);
    if (!m) {
        return {error: `unexpected answer from apt-get download --print-uris ${spec}: ${res.stdout.trim()}`};
    }
    return {file: m[1], algorithm: m[2].toLowerCase(), hash: m[3]};
}

/**
 * The .deb of a Debian package for arch, in cacheDir: downloaded with apt (whose lists are signed, and
 * whose hash is checked again here), or reused from the cache when it matches. Without apt's answer a
 * cached .deb is used as it is (offline builds); with neither, the error says what to install.
 */
async function debianPackage(pkg, arch, version, cacheDir, why) {
    const spec = `${pkg}:${arch}${version ? `=${version}` : ''}`;
    mkdirSync(cacheDir, {recursive: true});
    const found = aptLookup(spec);
    if (found.error) {
        const prefix = `${pkg}_${version ? version.replace(/^\d+:/, '') : ''}`;
        const cached = readdirSync(cacheDir).filter((f) => f.startsWith(prefix) && f.endsWith(`_${arch}.deb`));
        if (cached.length === 1) {
            console.log(`  libs: apt cannot check ${spec} (${found.error.split('\n')[0]}); using the cached ${cached[0]}`);
            return path.join(cacheDir, cached[0]);
        }
        const fix = arch === hostDebianArch() ? 'apt-get update' : `dpkg --add-architecture ${arch} && apt-get update`;
        throw new LibsError(
            `${why}; it comes from Debian's package ${spec}, which apt here cannot fetch: ${found.error.split('\n')[0]}\n` +
                `  Fix, as root on Debian: ${fix}. ` +
                `Offline: put the ${arch} .deb files of ${pkg} and of the package holding its copyright file into ${cacheDir}/.`,
        );
    }
    const deb = path.join(cacheDir, found.file);
    if (existsSync(deb) && sha(deb, found.algorithm) === found.hash) {
        return deb;
    }
    rmSync(deb, {force: true});
    console.log(`  libs: apt-get download ${spec}`);
    // apt-get download writes into its working directory.
    tool('apt-get', ['download', '-q', spec], `fetch ${spec}`, cacheDir);
    if (sha(deb, found.algorithm) !== found.hash) {
        rmSync(deb, {force: true});
        throw new LibsError(`${found.file} does not hash to what apt's lists say; deleted it, run again`);
    }
    return deb;
}

let hostArch;
function hostDebianArch() {
    hostArch ??= spawnSync('dpkg', ['--print-architecture'], {encoding: 'utf8'}).stdout?.trim() || 'amd64';
    return hostArch;
}

function debField(deb, field) {
    return tool('dpkg-deb', ['-f', deb, field], `read ${path.basename(deb)}`).trim();
}

/** Unpacks a .deb into a fresh folder under work and returns it. */
function unpackDeb(deb, work) {
    const dir = mkdtempSync(path.join(work, 'deb-'));
    tool('dpkg-deb', ['-x', deb, dir], `unpack ${path.basename(deb)}`);
    return dir;
}

/**
 * The library file soname from Debian's pkg for platform, with its licence text: the library (resolved
 * from the package's symlink, as the server's extractor skips symlinks) and the package's copyright file.
 * Debian keeps libatomic1's copyright in gcc-<n>-base (usr/share/doc/libatomic1 is a symlink to it), so
 * that package, same version, is fetched for its copyright file only.
 */
async function takeFromDebian({soname, platform, cacheDir, work, exeName}) {
    const {pkg, what, licenseFile, terms} = SHIPPABLE[soname];
    const {arch, triplet, machine} = LINUX_PLATFORMS[platform];
    const why = `${exeName} needs ${soname}, which minimal servers (Debian minbase, the official Mattermost image) lack, so the bundle carries it`;
    const deb = await debianPackage(pkg, arch, undefined, cacheDir, why);
    const version = debField(deb, 'Version');
    const source = (debField(deb, 'Source') || pkg).replace(/\s*\(.*\)$/, '');
    const root = unpackDeb(deb, work);

    const candidates = [`usr/lib/${triplet}/${soname}`, `lib/${triplet}/${soname}`].map((p) => path.join(root, p));
    const link = candidates.find((p) => existsSync(p));
    if (!link) {
        throw new LibsError(`${path.basename(deb)} has no ${soname} under usr/lib/${triplet}/`);
    }
    const lib = realpathSync(link);
    if (!lib.startsWith(`${realpathSync(root)}${path.sep}`)) {
        throw new LibsError(`${path.basename(deb)}: ${soname} points outside the package`);
    }
    if (elfMachine(lib) !== machine) {
        throw new LibsError(`${path.basename(deb)}: ${soname} is not an ${arch} ELF file`);
    }
    const actualSoname = patchelf(['--print-soname', lib]).trim();
    if (actualSoname !== soname) {
        throw new LibsError(`${path.basename(deb)}: ${path.basename(lib)} has SONAME ${actualSoname}, want ${soname}`);
    }
    const extra = neededLibraries(lib).filter((n) => !systemLibraries(platform).includes(n));
    if (extra.length > 0) {
        throw new LibsError(`${soname} from ${path.basename(deb)} needs ${extra.join(', ')}, which a server may lack`);
    }

    const docLink = path.join(root, 'usr/share/doc', pkg);
    // Dangling until the target package is unpacked too, so lstat, not existsSync.
    const docPkg = lstatSync(docLink, {throwIfNoEntry: false})?.isSymbolicLink() ? path.basename(readlinkSync(docLink)) : pkg;
    let copyright = path.join(root, 'usr/share/doc', pkg, 'copyright');
    if (docPkg !== pkg) {
        const docDeb = await debianPackage(docPkg, arch, version, cacheDir, `${pkg}'s copyright file is in ${docPkg}`);
        copyright = path.join(unpackDeb(docDeb, work), 'usr/share/doc', docPkg, 'copyright');
    }
    if (!existsSync(copyright)) {
        throw new LibsError(`no copyright file for ${pkg} in ${docPkg}`);
    }
    // Debian's copyright files point at the GPL's text in base-files instead of carrying it.
    const gpl = '/usr/share/common-licenses/GPL-3';
    if (!existsSync(gpl)) {
        throw new LibsError(`${gpl} (Debian's base-files) is missing: the bundle must carry the GPL's text with ${soname}`);
    }
    const license = path.join(work, `${licenseFile}-${arch}`);
    const intro = [
        `${soname} in this folder is Debian's package ${pkg} ${version} (${arch}), ${what}, built from Debian's source package ${source}, version ${version}. The plugin's executable loads it from here (its RUNPATH is ${RUNPATH}) because minimal server images do not have it.`,
        `${soname} is free software under ${terms}. Its complete source code is Debian's source package ${source} ${version}, from Debian's archive; on Debian:`,
        `Below: Debian's copyright file for it (usr/share/doc/${docPkg}/copyright), then the text of the GNU General Public License, version 3.`,
    ];
    writeFileSync(
        license,
        [
            `${wrap(intro[0], 100)}\n`,
            wrap(intro[1], 100),
            `    apt-get source ${source}=${version}\n`,
            `${wrap(intro[2], 100)}\n`,
            `======== usr/share/doc/${docPkg}/copyright (${docPkg} ${version}) ========`,
            '',
            readFileSync(copyright, 'utf8').trimEnd(),
            '',
            '======== GNU General Public License, version 3 ========',
            '',
            readFileSync(gpl, 'utf8').trimEnd(),
            '',
        ].join('\n'),
    );
    const sha256 = sha(lib, 'sha256');
    return {soname, lib, license, licenseFile, record: {soname, debianPackage: `${pkg}:${arch}`, version, source, sha256}};
}

/**
 * Makes a Linux standalone executable (already carrying its SEA blob) start on a server that has only
 * systemLibraries(platform): every other library it needs is taken from Debian and returned as bundle files for
 * server/dist/, and the executable gets an $ORIGIN RUNPATH so that the loader looks next to it first.
 * Returns {serverFiles, libraries} (bundle path → source file, and what bundles.json records); for other
 * platforms, or an executable that needs nothing more, both are empty and the file is left as it is.
 */
export async function shipLibraries({exe, platform, cacheDir, work, bundleDir = 'server/dist'}) {
    if (!LINUX_PLATFORMS[platform]) {
        return {serverFiles: {}, libraries: []};
    }
    const exeName = path.basename(exe);
    const allowed = systemLibraries(platform);
    const missing = neededLibraries(exe).filter((n) => !allowed.includes(n));
    const unknown = missing.filter((n) => !SHIPPABLE[n]);
    if (unknown.length > 0) {
        throw new LibsError(
            `${exeName} needs ${unknown.join(', ')}: neither a library every server has (${allowed.join(', ')}) nor one the bundle knows how to ship (${Object.keys(SHIPPABLE).join(', ')})`,
        );
    }
    if (missing.length === 0) {
        return {serverFiles: {}, libraries: []};
    }
    const scratch = mkdtempSync(path.join(work, `libs-${platform}-`));
    const serverFiles = {};
    const libraries = [];
    for (const soname of missing) {
        const got = await takeFromDebian({soname, platform, cacheDir, work: scratch, exeName});
        serverFiles[`${bundleDir}/${soname}`] = {from: got.lib, mode: 0o644};
        serverFiles[`${bundleDir}/${got.licenseFile}`] = got.license;
        libraries.push({...got.record, file: `${bundleDir}/${soname}`, license: `${bundleDir}/${got.licenseFile}`});
    }
    const before = patchelf(['--print-rpath', exe]).trim();
    if (before !== '' && before !== RUNPATH) {
        throw new LibsError(`${exeName} already has the RUNPATH ${before}; decide how to combine it with ${RUNPATH} before shipping libraries`);
    }
    patchelf(['--set-rpath', RUNPATH, exe]);
    const after = patchelf(['--print-rpath', exe]).trim();
    if (after !== RUNPATH) {
        throw new LibsError(`patchelf set the RUNPATH of ${exeName} to ${JSON.stringify(after)}, want ${RUNPATH}`);
    }
    return {serverFiles, libraries};
}

// Node's single-executable-application (SEA) mechanism: one preparation blob holding the plugin's bundled
// JavaScript, injected with postject into a copy of each platform's Node.js executable.
//
// The blob must be made by the same Node.js version as the runtime it goes into, so the build runs the
// registry runtime itself (not the Node.js running this script). A code cache (V8's compiled top-level
// code; it halves start to handshake, by sparing the parse of the 2.3 MB script) is valid only for the V8
// build and flags that made it, so only the executable of the platform whose runtime made the blob gets
// one; every other platform gets the same blob without it. The startup snapshot stays off: it runs the
// main script at build time, and node:http's parser binding cannot be serialised by Node.js 26.10
// ("global handle not serialized: HTTPParser"). Since the runtime loads node:http only after the
// handshake line (mattermost-plugin-node/run), a snapshot of the code before it may now be possible:
// not tried yet.
// The main script should be ASCII: V8 then keeps its source as one byte per character (read from the
// blob), while a single other character anywhere, a comment included, makes it UTF-16, twice the size,
// on the heap (≈ 3 MiB more RSS after activation for the 2.5 MB bundle, measured with bench:start).
// build.mjs makes it so (esbuild's charset 'ascii' and ascii.mjs); the note below catches a regression.
// The main script is the esbuild CJS bundle: inside a SEA, `require` loads built-in modules only, and the
// bundle needs nothing else (its one optional require, debug's "supports-color", sits in a try/catch).
// It finds files at run time only through the plugin API (GetBundlePath + assets/), never next to itself.
import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** The fuse Node.js checks to know a SEA blob was injected (postject flips its last byte to 1). */
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const RESOURCE = 'NODE_SEA_BLOB';

export class SeaError extends Error {
    constructor(message) {
        super(message);
        this.name = 'SeaError';
    }
}

/**
 * Makes the preparation blob for main (a CommonJS file) with the given Node.js executable, which must be
 * runnable here and be the version of every runtime the blob goes into. execArgv: Node options baked in
 * (also given to the node that makes the blob, so that a code cache is made under the same V8 flags).
 * useCodeCache: only for a blob going into a copy of `node` itself.
 */
export function makeBlob({node, main, execArgv = [], useCodeCache = false}) {
    const wide = nonAsciiCharacters(readFileSync(main));
    if (wide.count > 0) {
        console.log(`  note: ${path.basename(main)} has ${wide.count} non-ASCII character(s) (first at line ${wide.firstLine}): V8 holds the whole script as UTF-16`);
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sea-'));
    try {
        const blob = path.join(dir, 'sea-prep.blob');
        const config = path.join(dir, 'sea-config.json');
        writeFileSync(
            config,
            JSON.stringify({
                main,
                output: blob,
                disableExperimentalSEAWarning: true,
                useSnapshot: false,
                useCodeCache,
                execArgv,
            }),
        );
        try {
            execFileSync(node, [...execArgv, '--experimental-sea-config', config], {stdio: ['ignore', 'ignore', 'pipe']});
        } catch (err) {
            throw new SeaError(`${node} --experimental-sea-config failed: ${err.stderr?.toString().trim() || err.message}`);
        }
        return readFileSync(blob);
    } finally {
        rmSync(dir, {recursive: true, force: true});
    }
}

/** How many bytes of a UTF-8 file are not ASCII, and the line of the first. */
export function nonAsciiCharacters(bytes) {
    let count = 0;
    let firstLine = 0;
    let line = 1;
    for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i];
        if (b === 0x0a) {
            line++;
        } else if (b >= 0xc0 || (b >= 0x80 && count === 0)) {
            // a lead byte starts a character; continuation bytes (0x80-0xbf) belong to it
            count++;
            firstLine ||= line;
        }
    }
    return {count, firstLine};
}

/**
 * Injects the blob into exe (a copy of a Node.js executable; ELF, PE or Mach-O) in place, then checks it.
 * postject runs as a child process so that its chatter can be filtered: LIEF warns "Can't find string
 * offset for section name '.note…'" for every ELF (harmless), and "The signature seems corrupted" for
 * the Windows executable, whose Authenticode signature no longer matches (Windows runs it regardless).
 */
export function injectBlob(exe, blob, platform) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sea-inject-'));
    try {
        const blobFile = path.join(dir, 'sea-prep.blob');
        writeFileSync(blobFile, blob);
        const cli = createRequire(import.meta.url).resolve('postject/dist/cli.js');
        const args = [cli, exe, RESOURCE, blobFile, '--sentinel-fuse', SEA_FUSE];
        if (platform.startsWith('darwin-')) {
            args.push('--macho-segment-name', 'NODE_SEA');
        }
        const res = spawnSync(process.execPath, args, {encoding: 'utf8', env: {...process.env, FORCE_COLOR: '0', NO_COLOR: '1'}});
        const output = `${res.stdout ?? ''}${res.stderr ?? ''}`;
        if (res.status !== 0) {
            throw new SeaError(`postject into ${exe} failed (${res.status ?? res.signal}):\n${output}`);
        }
        const noise = /Can't find string offset for section name|Start injection of|Injection done/;
        const errors = [];
        for (const line of output.split('\n')) {
            if (line.trim() && !noise.test(line)) {
                console.log(`  postject (${platform}): ${line.trim()}`);
            }
            // postject exits 0 after some of LIEF's failures (e.g. "error: The patch value ... is out of
            // bounds of the segment", seen on an executable patchelf had changed), leaving a file that may
            // still hold the blob but has a broken dynamic section.
            if (/^\s*error\b/i.test(line)) {
                errors.push(line.trim());
            }
        }
        if (errors.length > 0) {
            throw new SeaError(`postject into ${exe} reported: ${errors.join('; ')}`);
        }
    } finally {
        rmSync(dir, {recursive: true, force: true});
    }
    verifyInjected(exe, blob);
}

/** Checks that exe carries the blob and that its fuse is set (what Node.js looks at to start the blob). */
export function verifyInjected(exe, blob) {
    const bytes = readFileSync(exe);
    const at = bytes.indexOf(`${SEA_FUSE}:`);
    if (at < 0 || bytes.indexOf(`${SEA_FUSE}:`, at + 1) >= 0) {
        throw new SeaError(`${exe}: want exactly one SEA fuse`);
    }
    if (bytes[at + SEA_FUSE.length + 1] !== '1'.charCodeAt(0)) {
        throw new SeaError(`${exe}: the SEA fuse is not set`);
    }
    if (bytes.indexOf(blob) < 0) {
        throw new SeaError(`${exe}: the SEA blob is not in the executable`);
    }
}

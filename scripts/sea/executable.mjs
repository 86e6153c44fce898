// Node's single-executable-application (SEA) mechanism: one preparation blob holding the plugin's bundled
// JavaScript, injected with postject into a copy of each platform's Node.js executable.
//
// The blob must be made by the same Node.js version as the runtime it goes into, so the build runs the
// registry runtime itself (not the Node.js running this script). Code cache and snapshot are off: both
// are specific to the platform and V8 build that made them, and without them one blob fits every platform.
// The main script is the esbuild CJS bundle: inside a SEA, `require` loads built-in modules only, and the
// bundle needs nothing else (its one optional require, debug's "supports-color", sits in a try/catch).
// It finds files at run time only through the plugin API (GetBundlePath + assets/), never next to itself.
import {execFileSync} from 'node:child_process';
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
 * runnable here and be the version of every runtime the blob goes into. execArgv: Node options baked in.
 */
export function makeBlob({node, main, execArgv = []}) {
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
                useCodeCache: false,
                execArgv,
            }),
        );
        try {
            execFileSync(node, ['--experimental-sea-config', config], {stdio: ['ignore', 'ignore', 'pipe']});
        } catch (err) {
            throw new SeaError(`${node} --experimental-sea-config failed: ${err.stderr?.toString().trim() || err.message}`);
        }
        return readFileSync(blob);
    } finally {
        rmSync(dir, {recursive: true, force: true});
    }
}

/** Injects the blob into exe (a copy of a Node.js executable; ELF, PE or Mach-O) in place, then checks it. */
export async function injectBlob(exe, blob, platform) {
    const {inject} = createRequire(import.meta.url)('postject');
    const options = {sentinelFuse: SEA_FUSE};
    if (platform.startsWith('darwin-')) {
        options.machoSegmentName = 'NODE_SEA';
    }
    // postject's LIEF prints "Can't find string offset for section name '.note…'" warnings for ELF; harmless.
    await inject(exe, RESOURCE, blob, options);
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

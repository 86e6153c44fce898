// The plugin.json inside a bundle (.tar.gz), found where the server looks for it: at the archive's root or
// in its one top-level folder. Read before uploading, so that deploy checks the bundle it is about to send
// rather than the repository's plugin.json (`--bundle` may name any build).
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {gunzipSync} from 'node:zlib';

export interface BundleManifest {
    id: string;
    version: string;
    /** Absent when the manifest names none (the server then accepts any version). */
    minServerVersion?: string;
}

export class BundleManifestError extends Error {
    override name = 'BundleManifestError';
}

const blockSize = 512;

/** The manifest of the bundle file; throws BundleManifestError when the file is no plugin bundle. */
export function readBundleManifest(file: string): BundleManifest {
    const name = path.basename(file);
    let tar: Buffer;
    try {
        tar = gunzipSync(readFileSync(file));
    } catch (err) {
        throw new BundleManifestError(`${name} is not a gzip archive (${err instanceof Error ? err.message : String(err)})`);
    }
    const raw = findPluginJson(tar);
    if (raw === undefined) {
        throw new BundleManifestError(`${name} has no plugin.json at its root or in its top-level folder`);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(raw.toString('utf8'));
    } catch (err) {
        throw new BundleManifestError(`plugin.json in ${name} is not JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    const m = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    if (typeof m.id !== 'string' || m.id === '' || typeof m.version !== 'string') {
        throw new BundleManifestError(`plugin.json in ${name} has no id or version`);
    }
    const min = typeof m.min_server_version === 'string' && m.min_server_version !== '' ? m.min_server_version : undefined;
    return {id: m.id, version: m.version, ...(min ? {minServerVersion: min} : {})};
}

/** Walks ustar headers (with GNU long names, which tar writes for paths over 100 bytes). */
function findPluginJson(tar: Buffer): Buffer | undefined {
    let longName: string | undefined;
    for (let off = 0; off + blockSize <= tar.length; ) {
        const header = tar.subarray(off, off + blockSize);
        if (header.every((b) => b === 0)) {
            return undefined;
        }
        const field = (start: number, len: number): string => header.subarray(start, start + len).toString('utf8').replace(/\0.*$/s, '');
        const size = parseInt(field(124, 12).trim() || '0', 8);
        const type = field(156, 1);
        const body = tar.subarray(off + blockSize, off + blockSize + size);
        off += blockSize + Math.ceil(size / blockSize) * blockSize;
        if (type === 'L') {
            longName = body.toString('utf8').replace(/\0.*$/s, '');
            continue;
        }
        const prefix = field(345, 155);
        const name = longName ?? (prefix ? `${prefix}/` : '') + field(0, 100);
        longName = undefined;
        if ((type === '0' || type === '') && /^(\.\/)?([^/]+\/)?plugin\.json$/.test(name)) {
            return body;
        }
    }
    return undefined;
}

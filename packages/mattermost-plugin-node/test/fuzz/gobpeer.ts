// Calls into the Go side of the gob fuzz tests: test/conformance/cmd/gobpeer (built by the vitest
// global setup) and the seed corpus of the Go fuzz target in test/conformance/gobfuzz.
import {execFileSync} from 'node:child_process';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';

const conformance = path.resolve(__dirname, '../../../../test/conformance');
const peer = path.join(conformance, 'build/bin/gobpeer');
export const goCorpusDir = path.join(conformance, 'gobfuzz/testdata/fuzz/FuzzDecode');

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
const unb64 = (s: string | undefined): Uint8Array => new Uint8Array(Buffer.from(s ?? '', 'base64'));

function run(args: string[], input?: unknown): unknown {
    if (!existsSync(peer)) throw new Error(`gobpeer not built at ${peer} (the vitest global setup builds it)`);
    let out: Buffer;
    try {
        out = execFileSync(peer, args, {input: input === undefined ? undefined : JSON.stringify(input), maxBuffer: 256 << 20, stdio: ['pipe', 'pipe', 'pipe']});
    } catch (e) {
        const stderr = String((e as {stderr?: unknown}).stderr ?? '').slice(0, 2000);
        throw new Error(`gobpeer ${args.join(' ')} failed: ${(e as Error).message}\n${stderr}`);
    }
    return JSON.parse(out.toString()) as unknown;
}

export interface KindStream {
    kind: string;
    data: Uint8Array;
}

/** Go's encodings of the conformance cases (whatever Go types they use). */
export function goEncodeAll(): Uint8Array[] {
    return Object.values(run(['encode-all']) as Record<string, string>).map(unb64);
}

/** n random values of the fixed kinds (cycling through them), encoded by Go; the same seed gives the same values. */
export function goGenerate(seed: number, n: number): KindStream[] {
    return (run(['fuzz-gen', String(seed), String(n)]) as Array<{kind: string; data: string}>).map((s) => ({kind: s.kind, data: unb64(s.data)}));
}

export interface Echo {
    ok: boolean;
    /** Not decoded: it might claim a map count Go allocates for up front (gobfuzz/guard.go). */
    skipped: boolean;
    error?: string;
    /** Go's re-encoding of what it decoded. */
    data: Uint8Array;
    /** Every string in the value is valid UTF-8 (else JavaScript cannot carry it unchanged). */
    utf8: boolean;
}

/**
 * Go decodes each stream into its kind and encodes the value again. `guard` (for mutated input) skips
 * streams that might make Go itself allocate gigabytes.
 */
export function goEcho(streams: readonly KindStream[], options: {guard?: boolean} = {}): Echo[] {
    const args = options.guard ? ['fuzz-echo', '-guard'] : ['fuzz-echo'];
    const res = run(args, streams.map((s) => ({kind: s.kind, data: b64(s.data)}))) as Array<{ok: boolean; skipped?: boolean; error?: string; data?: string; utf8: boolean}>;
    return res.map((r) => ({ok: r.ok, skipped: r.skipped === true, error: r.error, data: unb64(r.data), utf8: r.utf8}));
}

export interface Verdict {
    ok: boolean;
    error?: string;
    mismatch?: string;
}

/** Go decodes a and b into the kind and compares the values. */
export function goCompare(pairs: ReadonlyArray<{kind: string; a: Uint8Array; b: Uint8Array}>): Verdict[] {
    return run(['fuzz-compare'], pairs.map((p) => ({kind: p.kind, a: b64(p.a), b: b64(p.b)}))) as Verdict[];
}

// ---- the Go fuzz corpus ---------------------------------------------------------------------------------

export interface Seed {
    file: string;
    kind: number;
    data: Uint8Array;
}

/** The corpus format of `go test fuzz v1` for FuzzDecode(kind uint8, data []byte). */
export function formatSeed(kind: number, data: Uint8Array): string {
    let lit = '';
    for (const byte of data) lit += '\\x' + byte.toString(16).padStart(2, '0');
    return `go test fuzz v1\nbyte('\\x${kind.toString(16).padStart(2, '0')}')\n[]byte("${lit}")\n`;
}

function parseSeed(file: string, text: string): Seed {
    const m = /^go test fuzz v1\nbyte\('\\x([0-9a-f]{2})'\)\n\[\]byte\("((?:\\x[0-9a-f]{2})*)"\)\n?$/.exec(text);
    if (!m) throw new Error(`${file}: not a seed written by formatSeed`);
    const hex = m[2]!.replace(/\\x/g, '');
    return {file, kind: parseInt(m[1]!, 16), data: new Uint8Array(Buffer.from(hex, 'hex'))};
}

/** Seeds the TypeScript generator wrote, named <kind>-<n>; what the Go fuzzer adds has hash names. */
export const tsSeedName = /^[a-z]+-\d+$/;

export function readGoCorpus(): Seed[] {
    if (!existsSync(goCorpusDir)) return [];
    return readdirSync(goCorpusDir)
        .filter((f) => tsSeedName.test(f))
        .sort()
        .map((f) => parseSeed(f, readFileSync(path.join(goCorpusDir, f), 'utf8')));
}

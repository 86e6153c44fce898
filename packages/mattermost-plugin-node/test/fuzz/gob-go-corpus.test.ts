// The seed corpus of the Go fuzz target (test/conformance/gobfuzz, FuzzDecode) is made of TypeScript
// encodings of the fixed kinds, so `go test` there checks on every run that Go accepts what the
// TypeScript encoder writes, and `go test -fuzz FuzzDecode` starts from them.
//
//   FUZZ_WRITE_GO_CORPUS=1 npx vitest run packages/mattermost-plugin-node/test/fuzz/gob-go-corpus.test.ts    (re)writes the seeds
//
// Without the variable this checks the checked-in seeds: each decodes with the TypeScript decoder, and
// encoding the decoded value again gives the same bytes (the encoder is deterministic and the decoder
// loses nothing the encoder needs).
import {mkdirSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import fc from 'fast-check';
import {describe, expect, test} from 'vitest';

import {GobDecoder, GobEncoder} from '../../src/transport/gob';

import {kinds, retype} from './gob_types.js';
import {formatSeed, goCorpusDir, readGoCorpus, tsSeedName} from './gobpeer.js';

const SEEDS_PER_KIND = 6;

function decodeOne(bytes: Uint8Array): unknown {
    const dec = new GobDecoder();
    dec.push(bytes);
    const r = dec.next();
    if (r === undefined) throw new Error('incomplete stream');
    expect(dec.buffered).toBe(0);
    return r.value;
}

/** Replaces the TypeScript seeds (files named <kind>-<n>), keeping what the Go fuzzer added. */
function writeSeeds(): void {
    mkdirSync(goCorpusDir, {recursive: true});
    for (const f of readdirSync(goCorpusDir)) if (tsSeedName.test(f)) rmSync(path.join(goCorpusDir, f));
    kinds.forEach((k, index) => {
        // Fixed seeds: rewriting without changes to the types gives the same files.
        const values = fc.sample(k.arb, {seed: 1000 + index, numRuns: SEEDS_PER_KIND});
        values.forEach((v, n) => {
            writeFileSync(path.join(goCorpusDir, `${k.name}-${n}`), formatSeed(index, new GobEncoder().encode(k.type, v)));
        });
    });
}

describe('Go fuzz corpus from TypeScript encodings', () => {
    test('every kind has seeds, and each one survives a TypeScript decode and re-encode byte for byte', () => {
        if (process.env.FUZZ_WRITE_GO_CORPUS === '1') writeSeeds();
        const seeds = readGoCorpus();
        for (const k of kinds) expect(seeds.filter((s) => s.file.startsWith(`${k.name}-`)).length, k.name).toBeGreaterThanOrEqual(4);
        for (const s of seeds) {
            const k = kinds[s.kind % kinds.length]!;
            expect(s.file.startsWith(`${k.name}-`), s.file).toBe(true);
            const again = new GobEncoder().encode(k.type, retype(k.type, decodeOne(s.data)));
            expect(Buffer.from(again).toString('hex'), s.file).toBe(Buffer.from(s.data).toString('hex'));
        }
    });
});

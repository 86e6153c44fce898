// gob round trips of arbitrary values of a fixed set of Go types (gob_types.ts = gobfuzz/types.go)
// between the TypeScript codec and the real encoding/gob, both ways, plus a differential check on
// mutated streams: whatever Go accepts, TypeScript decodes to the same value.
import fc from 'fast-check';
import {describe, expect, test} from 'vitest';

import {GobDecoder, GobEncoder} from '../../src/transport/gob';

import {fuzzCount, fuzzDeadline, fuzzParams, fuzzTimeout} from './bounds.js';
import {canon, kindByName, kinds, retype} from './gob_types.js';
import {goCompare, goEcho, goGenerate, readGoCorpus, type KindStream} from './gobpeer.js';
import {applyMutations, mutations} from './mutate.js';

function decodeOne(bytes: Uint8Array): unknown {
    const dec = new GobDecoder();
    dec.push(bytes);
    const r = dec.next();
    if (r === undefined) throw new Error(`incomplete stream of ${bytes.length} bytes`);
    return r.value;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Readable form of a value for failure messages (bigint and bytes included). */
function show(v: unknown): string {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? `bytes:${hex(x)}` : x instanceof Map ? {map: [...x.entries()]} : x));
}

/**
 * Malformed input Go accepts and the TypeScript decoder refuses on purpose (no encoder writes it).
 * - A type definition with several kinds set: Go keeps all of them and each of its code paths picks
 *   another one (decode.go checks ArrayT, MapT, SliceT, StructT in that order, type.go another order).
 */
const deliberatelyStricter = [/type definition sets more than one kind/];

const kindValue = fc.oneof(...kinds.map((k) => k.arb.map((value) => ({kind: k.name, value}))));

describe('gob round trips against encoding/gob', () => {
    test(
        'TypeScript → Go → TypeScript: Go decodes what TypeScript encodes, and its re-encoding decodes to the same value',
        () => {
            fc.assert(
                fc.property(fc.array(kindValue, {minLength: 1, maxLength: 60}), (batch) => {
                    const streams = batch.map(({kind, value}) => ({kind, data: new GobEncoder().encode(kindByName(kind).type, value)}));
                    const echoes = goEcho(streams);
                    batch.forEach(({kind, value}, i) => {
                        const echo = echoes[i]!;
                        const what = `${kind} ${show(value)}\nTypeScript stream ${hex(streams[i]!.data)}`;
                        expect(echo.error, what).toBeUndefined();
                        const type = kindByName(kind).type;
                        expect(canon(type, decodeOne(echo.data)), what).toStrictEqual(canon(type, value));
                    });
                }),
                fuzzParams(8),
            );
        },
        fuzzTimeout(30_000),
    );

    test(
        'Go → TypeScript → Go: TypeScript decodes what Go encodes, and Go reads its re-encoding as the original',
        () => {
            const deadline = fuzzDeadline();
            let batches = 0;
            do {
                const seed = Math.floor(Math.random() * 2 ** 31);
                const streams = goGenerate(seed, fuzzCount(600));
                const pairs = streams.map(({kind, data}) => {
                    const type = kindByName(kind).type;
                    return {kind, a: data, b: new GobEncoder().encode(type, retype(type, decodeOne(data)))};
                });
                goCompare(pairs).forEach((v, i) => {
                    expect(v, `gobpeer fuzz-gen ${seed}: value ${i} (${pairs[i]!.kind})\nGo ${hex(pairs[i]!.a)}\nTypeScript ${hex(pairs[i]!.b)}`).toEqual({ok: true});
                });
                batches++;
            } while (Date.now() < deadline);
            expect(batches).toBeGreaterThan(0);
        },
        fuzzTimeout(30_000),
    );

    test(
        'mutated streams: whenever Go accepts one, TypeScript decodes it to the same value',
        () => {
            const seeds: KindStream[] = [
                ...goGenerate(7, 60),
                ...readGoCorpus().map((s) => ({kind: kinds[s.kind % kinds.length]!.name, data: s.data})),
            ];
            const input = fc.tuple(fc.nat(seeds.length - 1), mutations);
            let accepted = 0;
            fc.assert(
                fc.property(fc.array(input, {minLength: 100, maxLength: 100}), (batch) => {
                    const streams = batch.map(([i, muts]) => ({kind: seeds[i]!.kind, data: applyMutations(seeds[i]!.data, muts)}));
                    const echoes = goEcho(streams, {guard: true});
                    const pairs: Array<{kind: string; a: Uint8Array; b: Uint8Array}> = [];
                    streams.forEach((s, i) => {
                        if (!echoes[i]!.ok || !echoes[i]!.utf8) return; // JavaScript strings cannot carry invalid UTF-8
                        const type = kindByName(s.kind).type;
                        let value: unknown;
                        try {
                            value = decodeOne(s.data);
                        } catch (e) {
                            if (deliberatelyStricter.some((re) => re.test(String(e)))) return;
                            throw new Error(`Go accepts this ${s.kind} stream, TypeScript does not: ${String(e)}\n${hex(s.data)}`);
                        }
                        pairs.push({kind: s.kind, a: s.data, b: new GobEncoder().encode(type, retype(type, value))});
                    });
                    accepted += pairs.length;
                    goCompare(pairs).forEach((v, i) => {
                        expect(v, `${pairs[i]!.kind}: mutated ${hex(pairs[i]!.a)}\nTypeScript re-encoding ${hex(pairs[i]!.b)}`).toEqual({ok: true});
                    });
                }),
                fuzzParams(5),
            );
            // The check is only worth something if some mutants are valid.
            expect(accepted).toBeGreaterThan(0);
        },
        fuzzTimeout(30_000),
    );
});


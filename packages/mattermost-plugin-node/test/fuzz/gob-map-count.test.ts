// A map whose entry count has the top bit set: Go's decodeMap reads it as a negative int, runs its loop
// zero times and accepts the map as empty, whatever follows in the message. The mutation fuzz test found
// the stream below (a props map, count 0xffffffff01000e5b) that Go accepted and the decoder refused.
import {describe, expect, test} from 'vitest';

import {GobDecoder, GobEncoder} from '../../src/transport/gob/index.js';
import {kindByName} from './gob_types.js';
import {goCompare, goEcho} from './gobpeer.js';

const found = '0eff95040102ff9600010c0110000030ff9600f8ffffffff01000e5b5d696e74657266616365207b7dff930201010e5b5d696e74657266616365207b7d01ff94000110000005ff94020000';

/** The same map type definition and value message, with the 8-byte count given. */
function propsWithCount(count: string): Uint8Array {
    const typeDef = '0eff95040102ff9600010c01100000';
    const value = `ff9600f8${count}03616263`; // then a would-be key "abc" that an empty map never reads
    return new Uint8Array(Buffer.from(typeDef + (value.length / 2).toString(16).padStart(2, '0') + value, 'hex'));
}

function decodeOne(bytes: Uint8Array): unknown {
    const dec = new GobDecoder();
    dec.push(bytes);
    return dec.next()?.value;
}

describe('map counts beyond int64', () => {
    test.each([
        ['the stream the fuzzer found', new Uint8Array(Buffer.from(found, 'hex'))],
        ['count 2^63', propsWithCount('8000000000000000')],
        ['count 2^64 - 1', propsWithCount('ffffffffffffffff')],
    ])('%s: Go and TypeScript both decode an empty map', (_name, stream) => {
        const [echo] = goEcho([{kind: 'props', data: stream}]);
        expect(echo?.ok, `Go refused it: ${echo?.error}`).toBe(true);
        const value = decodeOne(stream);
        expect(value).toEqual({});
        const [verdict] = goCompare([{kind: 'props', a: stream, b: new GobEncoder().encode(kindByName('props').type, value)}]);
        expect(verdict).toEqual({ok: true});
    });

    test('a count just below 2^63 is a real count: Go refuses the short message, TypeScript gives no map', () => {
        const stream = propsWithCount('7fffffffffffffff');
        const [echo] = goEcho([{kind: 'props', data: stream}]);
        expect(echo?.ok).toBe(false);
        // The decoder either refuses or waits for more bytes (an interface value may continue in the next
        // message); what it must not do is read the count as "empty".
        let result: unknown = 'refused';
        try {
            result = decodeOne(stream);
        } catch {
            // refused
        }
        expect(['refused', undefined]).toContain(result);
    });
});

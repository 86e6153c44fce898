// Struct field names come from the peer's type definitions, and the decoder writes each struct type's
// field names into a decoder function of its own. Whatever a name holds (quotes, backslashes, line
// breaks, code), it must come out as exactly that property name, and nothing else may happen.
import {describe, expect, test} from 'vitest';

import {GobDecoder, GobEncoder, t} from '../../src/transport/gob';

const hostileNames = [
    '"]; globalThis.gobInjected = true; //',
    "'); globalThis.gobInjected = true; ('",
    '\\',
    '\\"',
    'line\nbreak',
    'para\u2028graph\u2029sep',
    '${globalThis.gobInjected = true}',
    '*/ globalThis.gobInjected = true; /*',
    'constructor',
    'toString',
    '0',
    '😀',
];

function roundTrip(names: readonly string[], value: Record<string, string>): unknown {
    const type = t.struct('Hostile', names.map((n) => [n, t.string] as const));
    // Without a prototype, so that the encoder does not read an inherited "constructor" or "toString".
    const bytes = new GobEncoder().encode(type, Object.assign(Object.create(null) as Record<string, string>, value));
    const dec = new GobDecoder();
    dec.push(bytes);
    return dec.next()?.value;
}

describe('struct field names from the wire', () => {
    test('every name decodes to exactly that own property, and no code runs', () => {
        const value = Object.fromEntries(hostileNames.map((n, i) => [n, `v${i}`]));
        const out = roundTrip(['Id', ...hostileNames], {Id: 'id', ...value}) as Record<string, unknown>;
        delete out.Id;
        expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
        expect(Object.keys(out).sort()).toStrictEqual([...hostileNames].sort());
        for (const [i, n] of hostileNames.entries()) {
            expect(Object.getOwnPropertyDescriptor(out, n)?.value, n).toBe(`v${i}`);
        }
        expect((globalThis as Record<string, unknown>).gobInjected).toBeUndefined();
    });

    test.each(hostileNames)('a struct of the one field %j, next to a plain one', (name) => {
        const out = roundTrip(['Id', name], {Id: 'x', [name]: 'y'}) as Record<string, unknown>;
        expect(Object.keys(out).sort()).toStrictEqual(['Id', name].sort());
        expect(Object.getOwnPropertyDescriptor(out, name)?.value).toBe('y');
        expect((globalThis as Record<string, unknown>).gobInjected).toBeUndefined();
    });

    test('fields left out (zero values) stay absent, the others keep their positions', () => {
        const picked = {[hostileNames[0]!]: 'a', [hostileNames[4]!]: 'e', [hostileNames[11]!]: 'l'};
        expect(roundTrip(hostileNames, picked)).toStrictEqual(picked);
    });

    test('a struct of many fields (past the generated-decoder limit) decodes the same way', () => {
        const many = Array.from({length: 600}, (_, i) => `F${i}`);
        const value = Object.fromEntries(many.filter((_, i) => i % 7 === 0).map((n) => [n, n.toLowerCase()]));
        expect(roundTrip(many, value)).toStrictEqual(value);
    });
});

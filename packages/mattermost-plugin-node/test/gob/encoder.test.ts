import {execFileSync} from 'node:child_process';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {GoInterface, GoMarshaled, GobDecoder, GobEncoder, GobError, t, type GoType} from '../../src/transport/gob';

const peer = path.resolve(__dirname, '../../../../test/conformance/build/bin/gobpeer');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function goDecode(caseName: string, stream: Uint8Array): {ok: boolean; error?: string; mismatch?: string} {
    return JSON.parse(execFileSync(peer, ['decode', caseName], {input: stream}).toString()) as {ok: boolean};
}

function messages(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let p = 0;
    while (p < bytes.length) {
        let len = bytes[p++]!;
        if (len >= 0x80) {
            const n = 256 - len;
            len = 0;
            for (let k = 0; k < n; k++) len = len * 256 + bytes[p++]!;
        }
        out.push(bytes.subarray(p, p + len));
        p += len;
    }
    expect(p).toBe(bytes.length);
    return out;
}

function roundTrip(type: GoType, value: unknown): unknown {
    const dec = new GobDecoder();
    dec.push(new GobEncoder().encode(type, value));
    const r = dec.next();
    expect(r).toBeDefined();
    expect(dec.buffered).toBe(0);
    return r!.value;
}

const Inner = t.struct('Inner', [
    ['A', t.string],
    ['N', t.int],
]);
const Request = t.struct('Request', [
    ['ServiceMethod', t.string],
    ['Seq', t.uint],
]);
const Sparse = t.struct(
    'Sparse',
    ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'].map((n) => [n, t.int] as [string, GoType]),
);

describe('zero values', () => {
    test('an all-zero struct is just the terminator', () => {
        const msgs = messages(new GobEncoder().encode(Sparse, {A: 0, B: 0n, C: null, D: undefined}));
        expect(hex(msgs[1]!)).toBe('ff8200');
    });

    test('-0 is omitted in a struct (Go tests f != 0) but kept as a singleton', () => {
        const F = t.struct('F', [['X', t.float]]);
        expect(hex(messages(new GobEncoder().encode(F, {X: -0}))[1]!)).toBe('ff8200');
        expect(hex(new GobEncoder().encode(t.float, -0))).toBe('04' + '08' + '00' + 'ff80');
        expect(Object.is(roundTrip(t.float, -0), -0)).toBe(true);
    });

    test('singletons send zero values', () => {
        expect(hex(new GobEncoder().encode(t.int, 0))).toBe('03040000');
        expect(hex(new GobEncoder().encode(t.string, ''))).toBe('030c0000');
        expect(hex(new GobEncoder().encode(t.bool, false))).toBe('03020000');
    });

    test('pointer to a zero scalar is omitted, pointer to a zero struct is sent', () => {
        const P = t.struct('P', [
            ['I', t.ptr(t.int)],
            ['S', t.ptr(Inner)],
        ]);
        expect(roundTrip(P, {I: 0, S: {}})).toStrictEqual({S: {}});
        expect(roundTrip(P, {I: null, S: null})).toStrictEqual({});
    });

    test('nil interface forms', () => {
        const L = t.struct('L', [
            ['A', t.interface],
            ['B', t.interface],
            ['C', t.interface],
            ['L', t.slice(t.interface)],
        ]);
        const nils = [null, undefined, new GoInterface('', 5), new GoInterface('int', null)];
        expect(roundTrip(L, {A: nils[1], B: nils[2], C: nils[3], L: nils})).toStrictEqual({L: [null, null, null, null]});
    });

    test('empty marshaled bytes are treated as the zero value and omitted', () => {
        const M = t.struct('M', [
            ['U', t.binaryMarshaler('URL')],
            ['G', t.gobEncoder('G')],
        ]);
        expect(roundTrip(M, {U: '', G: new GoMarshaled('gob', 'G', new Uint8Array(0))})).toStrictEqual({});
        expect(roundTrip(M, {U: 'x', G: new GoMarshaled('gob', 'G', new Uint8Array([1]))})).toStrictEqual({
            U: new GoMarshaled('binary', 'URL', new Uint8Array([0x78])),
            G: new GoMarshaled('gob', 'G', new Uint8Array([1])),
        });
    });
});

describe('type definitions', () => {
    test('sent once per encoder, with increasing ids from 65', () => {
        const enc = new GobEncoder();
        const first = messages(enc.encode(Request, {ServiceMethod: 'a'}));
        expect(first).toHaveLength(2);
        expect(hex(first[0]!.subarray(0, 2))).toBe('ff81'); // define 65
        expect(messages(enc.encode(Request, {ServiceMethod: 'b'}))).toHaveLength(1);
        const other = messages(enc.encode(Inner, {A: 'x'}));
        expect(other).toHaveLength(2);
        expect(hex(other[0]!.subarray(0, 2))).toBe('ff83'); // define 66
        // A fresh encoder (a new stream) sends them again.
        expect(messages(new GobEncoder().encode(Request, {}))).toHaveLength(2);
    });

    test('structurally equal unnamed types share one definition', () => {
        const S = t.struct('S', [
            ['A', t.slice(t.string)],
            ['B', t.slice(t.string)],
            ['M', t.map(t.string, t.slice(t.string))],
        ]);
        const msgs = messages(new GobEncoder().encode(S, {A: ['x']}));
        expect(msgs).toHaveLength(4); // []string, map[string][]string, S, value
    });

    test('recursive struct through a thunk', () => {
        const Node: GoType = t.struct('Node', () => [
            ['Name', t.string],
            ['Kids', t.slice(t.ptr(Node))],
            ['Parent', t.ptr(Node)],
        ]);
        const v = {Name: 'r', Kids: [{Name: 'k', Kids: [{Name: 'kk'}]}], Parent: {Name: 'p'}};
        expect(roundTrip(Node, v)).toStrictEqual(v);
    });

    test('a failed encode leaves no type marked as sent', () => {
        const enc = new GobEncoder();
        expect(() => enc.encode(Sparse, {B: 'two'})).toThrow(GobError);
        const stream = enc.encode(Sparse, {B: 2, E: 5, H: 8});
        expect(messages(stream)).toHaveLength(2);
        expect(goDecode('deltas', stream)).toMatchObject({ok: true});
    });

    test('a top-level pointer to a struct encodes as the struct', () => {
        expect(hex(new GobEncoder().encode(t.ptr(Inner), {A: 'x'}))).toBe(hex(new GobEncoder().encode(Inner, {A: 'x'})));
    });

    test('struct field thunks may only be resolved once they are complete', () => {
        const Bad = t.struct('Bad', () => {
            throw new Error('not ready');
        });
        expect(() => new GobEncoder().encode(Bad, {})).toThrow(GobError);
    });
});

describe('interfaces', () => {
    const MapAny = t.map(t.string, t.interface);

    test('JS values are given Go names', () => {
        const v = roundTrip(MapAny, {s: 's', b: false, n: 1.25, i: -7n, u8: new Uint8Array([9]), l: [1], m: new Map([['k', 'v']])});
        expect(v).toStrictEqual({
            s: new GoInterface('string', 's'),
            b: new GoInterface('bool', false),
            n: new GoInterface('float64', 1.25),
            i: new GoInterface('int64', -7),
            u8: new GoInterface('[]uint8', new Uint8Array([9])),
            l: new GoInterface('[]interface {}', [new GoInterface('float64', 1)]),
            m: new GoInterface('map[string]interface {}', {k: new GoInterface('string', 'v')}),
        });
    });

    test("gob's built-in names need no type", () => {
        expect(roundTrip(t.interface, new GoInterface('[]int32', [1, -2]))).toStrictEqual(new GoInterface('[]int32', [1, -2]));
        expect(roundTrip(t.interface, new GoInterface('uint16', 7))).toStrictEqual(new GoInterface('uint16', 7));
    });

    test('other names need an explicit type', () => {
        expect(() => new GobEncoder().encode(MapAny, {e: new GoInterface('*plugin.ErrorString', {Err: 'x'})})).toThrow(/needs an explicit type/);
    });

    test('values without a Go equivalent are refused', () => {
        expect(() => new GobEncoder().encode(MapAny, {d: new Date()})).toThrow(/cannot infer a Go type for object Date/);
        expect(() => new GobEncoder().encode(MapAny, {f: () => 1})).toThrow(GobError);
        expect(() => new GobEncoder().encode(MapAny, {x: new GoInterface('x', 1, t.interface)})).toThrow(/cannot be an interface/);
    });

    test('the byte count matches the value length, also past 127 bytes', () => {
        const long = 'z'.repeat(300);
        const msgs = messages(new GobEncoder().encode(t.interface, long));
        // id 8, delta 0, name "string", id 6, count, then 00 + string(300)
        const m = msgs[0]!;
        expect(hex(m.subarray(0, 10))).toBe('1000' + '06737472696e67' + '0c');
        expect(hex(m.subarray(10, 13))).toBe('fe0130'); // 304 = 00 + fe 01 2c + 300 bytes
        expect(m.length).toBe(13 + 304);
    });
});

describe('value checking', () => {
    const cases: Array<[string, GoType, unknown, RegExp]> = [
        ['negative uint', Request, {Seq: -1}, /^gob: encode Request\.Seq: negative value -1 for an unsigned integer$/],
        ['fractional uint', Request, {Seq: 1.5}, /Request\.Seq: expected an unsigned integer, got number 1\.5/],
        ['uint overflow', Request, {Seq: 2 ** 64}, /overflows uint64/],
        ['uint as string', Request, {Seq: '1'}, /expected an unsigned integer, got string "1"/],
        ['int overflow', Inner, {N: 2n ** 63n}, /Inner\.N: .*overflows int64/],
        ['int NaN', Inner, {N: NaN}, /expected an integer/],
        ['string as number', Inner, {A: 5}, /Inner\.A: expected string, got number 5/],
        ['bool as number', t.struct('B', [['B', t.bool]]), {B: 1}, /expected boolean/],
        ['float as bigint', t.float, 1n, /expected number/],
        ['bytes as array', t.bytes, [1, 2], /expected Uint8Array or string/],
        ['struct as array', Inner, [1], /expected an object for struct Inner/],
        ['struct as GoInterface', Inner, new GoInterface('x', {A: 'a'}, Inner), /expected an object for struct Inner, got object GoInterface/],
        ['slice as object', t.slice(t.int), {0: 1}, /expected an array/],
        ['array of wrong length', t.array(t.int, 2), [1], /expected an array of length 2, got length 1/],
        ['nil top-level pointer', t.ptr(Inner), null, /nil pointer/],
        ['nil pointer in a slice', t.slice(t.ptr(Inner)), [{}, null], /\[1\]: nil pointer/],
        ['plain-object key not an int', t.map(t.int, t.string), {x: 'y'}, /map key "x" is not an integer/],
        ['plain object for struct keys', t.map(Inner, t.int), {a: 1}, /use a Map/],
        ['map as array', t.map(t.string, t.int), [], /expected a Map or plain object/],
        ['complex shape', t.complex, {re: 1}, /expected a complex number/],
        ['nested path', t.struct('O', [['Items', t.slice(Inner)]]), {Items: [{}, {N: 'x'}]}, /encode O\.Items\[1\]\.N: expected an integer/],
        ['map entry path', t.map(t.string, Inner), {k: {A: 1}}, /\[k\]\.A: expected string/],
    ];
    test.each(cases)('%s', (_, type, value, message) => {
        const enc = new GobEncoder();
        let err: unknown;
        try {
            enc.encode(type, value);
        } catch (e) {
            err = e;
        }
        expect(err).toBeInstanceOf(GobError);
        expect((err as Error).message).toMatch(message);
    });

    test('a cyclic value is a GobError, not a stack overflow', () => {
        const Node: GoType = t.struct('Node', () => [['Next', t.ptr(Node)]]);
        const a: {Next?: unknown} = {};
        a.Next = a;
        expect(() => new GobEncoder().encode(Node, a)).toThrow(/nesting exceeds the limit of 1000/);
        expect(() => new GobEncoder({maxDepth: 5}).encode(Node, {Next: {Next: {Next: {Next: {Next: {Next: {}}}}}}})).toThrow(/limit of 5/);
    });

    test('throwing getters are wrapped', () => {
        const v = {
            get A(): string {
                throw new TypeError('boom');
            },
        };
        expect(() => new GobEncoder().encode(Inner, v)).toThrow(/internal error: boom/);
    });
});

describe('JS value shapes', () => {
    test('integers as number or bigint, map keys converted from plain-object strings', () => {
        const M = t.map(t.int, t.uint);
        expect(roundTrip(M, {'-5': 1n, '9007199254740993': 2})).toStrictEqual(
            new Map<unknown, unknown>([
                [-5, 1],
                [9007199254740993n, 2],
            ]),
        );
        expect(roundTrip(t.map(t.bool, t.float), {true: 1})).toStrictEqual(new Map([[true, 1]]));
    });

    test('typed arrays encode as slices', () => {
        expect(roundTrip(t.slice(t.float), new Float64Array([1.5, -2]))).toStrictEqual([1.5, -2]);
        expect(roundTrip(t.slice(t.int), new Int32Array([-1, 7]))).toStrictEqual([-1, 7]);
    });

    test('bytes from a string are UTF-8', () => {
        expect(roundTrip(t.bytes, 'é')).toStrictEqual(new Uint8Array([0xc3, 0xa9]));
    });

    test('a Map with struct keys', () => {
        const key = {A: 'k'};
        const out = roundTrip(t.map(Inner, t.int), new Map([[key, 3]])) as Map<unknown, unknown>;
        expect([...out.entries()]).toStrictEqual([[{A: 'k'}, 3]]);
    });

    test('large values get multi-byte message lengths', () => {
        const big = 'x'.repeat(70000);
        const out = new GobEncoder().encode(t.string, big);
        expect(hex(out.subarray(0, 4))).toBe('fd011176'); // 70006 bytes
        expect(roundTrip(t.string, big)).toBe(big);
    });

    test('"__proto__" as a struct field name stays an own property', () => {
        const S = t.struct('S', [
            ['__proto__', t.string],
            ['B', t.int],
        ]);
        const v = {B: 1} as Record<string, unknown>;
        Object.defineProperty(v, '__proto__', {value: 'x', enumerable: true});
        const out = roundTrip(S, v) as Record<string, unknown>;
        expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
        expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('x');
        expect(({} as Record<string, unknown>).B).toBeUndefined();
    });
});

// Both directions against the real encoding/gob: the Go peer (test/conformance/cmd/gobpeer) encodes
// named cases, and decodes what the TypeScript encoder produced into the same Go types, comparing
// with the Go values field by field.
import {execFileSync} from 'node:child_process';
import path from 'node:path';
import {beforeAll, describe, expect, test} from 'vitest';
import {GoInterface, GoMarshaled, GobDecoder, GobEncoder, t, type GoType} from '../../src/transport/gob';
import {TIER_UP_CALLS} from '../../src/transport/gob/decoder';

const peer = path.resolve(__dirname, '../../../../test/conformance/build/bin/gobpeer');

interface Verdict {
    ok: boolean;
    error?: string;
    mismatch?: string;
    got: unknown[];
}

function goEncodeAll(): Record<string, Uint8Array> {
    const out = JSON.parse(execFileSync(peer, ['encode-all'], {maxBuffer: 64 << 20}).toString()) as Record<string, string>;
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]));
}

function goDecodeBatch(streams: Record<string, Uint8Array>): Record<string, Verdict> {
    const input = JSON.stringify(Object.fromEntries(Object.entries(streams).map(([k, v]) => [k, Buffer.from(v).toString('base64')])));
    return JSON.parse(execFileSync(peer, ['decode-batch'], {input, maxBuffer: 64 << 20}).toString()) as Record<string, Verdict>;
}

/** Decodes every value of a complete stream, feeding it in the given chunk sizes. */
function decodeStream(bytes: Uint8Array, chunks?: number[]): unknown[] {
    const dec = new GobDecoder();
    const out: unknown[] = [];
    const sizes = chunks ?? [bytes.length];
    let off = 0;
    for (const size of sizes) {
        dec.push(bytes.subarray(off, off + size));
        off += size;
        for (let r = dec.next(); r !== undefined; r = dec.next()) out.push(r.value);
    }
    expect(off).toBe(bytes.length);
    expect(dec.buffered).toBe(0);
    return out;
}

function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let x = a;
        x = Math.imul(x ^ (x >>> 15), x | 1);
        x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
        return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    };
}

function randomSplits(total: number, rand: () => number): number[] {
    const sizes: number[] = [];
    let left = total;
    while (left > 0) {
        const n = Math.min(left, 1 + Math.floor(rand() * Math.min(64, total)));
        sizes.push(n);
        left -= n;
    }
    return sizes;
}

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const gi = (name: string, value: unknown): GoInterface => new GoInterface(name, value);
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function bigBytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = i % 251;
    return b;
}

function ownProto(value: string, extra: Record<string, unknown>): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    Object.defineProperty(o, '__proto__', {value, writable: true, enumerable: true, configurable: true});
    return Object.assign(o, extra);
}

// ---- TypeScript descriptions of the Go types in gobpeer ----

const Inner = t.struct('Inner', [
    ['A', t.string],
    ['N', t.int],
]);
const Ints = t.struct(
    'Ints',
    (
        [
            ['I', t.int],
            ['I8', t.int],
            ['I16', t.int],
            ['I32', t.int],
            ['I64', t.int],
            ['U', t.uint],
            ['U8', t.uint],
            ['U16', t.uint],
            ['U32', t.uint],
            ['U64', t.uint],
            ['MinI64', t.int],
            ['MaxI64', t.int],
            ['MaxU64', t.uint],
            ['Safe', t.int],
            ['Unsafe', t.int],
            ['NegSafe', t.int],
            ['NegUnsafe', t.int],
            ['Uptr', t.uint],
        ] as const
    ).map(([n, ty]) => [n, ty] as [string, GoType]),
);
const Floats = t.struct(
    'Floats',
    ['F', 'F32', 'Inf', 'NegInf', 'NaN', 'NegZero', 'Tiny', 'Max', 'Third'].map((n) => [n, t.float] as [string, GoType]),
);
const Complex = t.struct('Complex', [
    ['C', t.complex],
    ['C64', t.complex],
    ['Z', t.complex],
]);
const Strings = t.struct(
    'Strings',
    ['ASCII', 'Unicode', 'Emoji', 'RTL', 'Empty', 'Long', 'Nul'].map((n) => [n, t.string] as [string, GoType]),
);
const Bytes = t.struct(
    'Bytes',
    ['B', 'Empty', 'Big', 'Nil'].map((n) => [n, t.bytes] as [string, GoType]),
);
const Zeroes = t.struct('Zeroes', [
    ['I', t.int],
    ['S', t.string],
    ['B', t.bool],
    ['F', t.float],
    ['Sl', t.slice(t.string)],
    ['EmptySl', t.slice(t.string)],
    ['NilMap', t.map(t.string, t.int)],
    ['EmptyMap', t.map(t.string, t.int)],
    ['P', t.ptr(Inner)],
    ['Nested', Inner],
    ['PZero', t.ptr(Inner)],
    ['Arr', t.array(t.int, 2)],
    ['Iface', t.interface],
    ['Bytes', t.bytes],
    ['Last', t.int],
]);
const Sparse = t.struct(
    'Sparse',
    ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'].map((n) => [n, t.int] as [string, GoType]),
);
const Outer = t.struct('Outer', [
    ['Name', t.string],
    ['In', Inner],
    ['PIn', t.ptr(Inner)],
    ['PPIn', t.ptr(t.ptr(Inner))],
    ['Items', t.slice(Inner)],
    ['PItems', t.slice(t.ptr(Inner))],
    ['Deep', t.struct('', [['X', t.struct('', [['Y', t.slice(Inner)]])]])],
]);
const Ptrs = t.struct('Ptrs', [
    ['PI', t.ptr(t.int)],
    ['PS', t.ptr(t.string)],
    ['PZero', t.ptr(t.int)],
    ['PB', t.ptr(t.bool)],
    ['PNil', t.ptr(t.string)],
]);
const Slices = t.struct('Slices', [
    ['Strs', t.slice(t.string)],
    ['Ints', t.slice(t.int)],
    ['Nested', t.slice(t.slice(t.string))],
    ['Floats', t.slice(t.float)],
    ['Bools', t.slice(t.bool)],
    ['WithEmpty', t.slice(t.string)],
]);
const Arrays = t.struct('Arrays', [
    ['A3', t.array(t.int, 3)],
    ['S2', t.array(t.string, 2)],
    ['Zero', t.array(t.int, 3)],
    ['Grid', t.array(t.array(t.int, 2), 2)],
    ['Empty', t.array(t.int, 0)],
]);
const Maps = t.struct('Maps', [
    ['SS', t.map(t.string, t.string)],
    ['IS', t.map(t.int, t.string)],
    ['SL', t.map(t.string, t.slice(t.int))],
    ['MM', t.map(t.string, t.map(t.string, t.int))],
    ['UB', t.map(t.uint, t.bool)],
    ['Empty', t.map(t.string, t.int)],
    ['Nil', t.map(t.string, t.int)],
    ['Proto', t.map(t.string, t.string)],
]);
const MapAny = t.map(t.string, t.interface);
const WithProps = t.struct('WithProps', [
    ['Id', t.string],
    ['Props', MapAny],
    ['Extra', t.slice(t.interface)],
]);
const ErrorString = t.struct('ErrorString', [
    ['Code', t.int],
    ['Err', t.string],
]);
const AppError = t.struct('AppError', [
    ['Id', t.string],
    ['Message', t.string],
    ['DetailedError', t.string],
    ['RequestId', t.string],
    ['StatusCode', t.int],
    ['Where', t.string],
    ['IsOAuth', t.bool],
    ['SkipTranslation', t.bool],
]);
const ErrReturns = t.struct('ErrReturns', [['A', t.interface]]);
const TwoErrReturns = t.struct('TwoErrReturns', [
    ['A', t.interface],
    ['B', t.interface],
]);
const KVGetArgs = t.struct('Z_KVGetArgs', [['A', t.string]]);
const KVGetReturns = t.struct('Z_KVGetReturns', [
    ['A', t.bytes],
    ['B', t.ptr(AppError)],
]);
const Holder = t.struct('Holder', [['V', t.interface]]);
const ListHolder = t.struct('ListHolder', [['L', t.slice(t.interface)]]);
const WithURL = t.struct('WithURL', [
    ['U', t.ptr(t.binaryMarshaler('URL'))],
    ['Name', t.string],
]);
const TimeT = t.gobEncoder('Time');
const WithTime = t.struct('WithTime', [
    ['T', TimeT],
    ['P', t.ptr(TimeT)],
]);
const WithLevel = t.struct('WithLevel', [
    ['L', t.int],
    ['Name', t.string],
]);
const WithTextLevel = t.struct('WithLevel', [
    ['L', t.textMarshaler('Level')],
    ['Name', t.string],
]);
const Node: GoType = t.struct('Node', () => [
    ['Name', t.string],
    ['Kids', t.slice(t.ptr(Node))],
]);
const Wide = t.struct('Wide', [
    ['A', t.string],
    ['B', t.int],
    ['C', t.slice(t.string)],
    ['D', t.map(t.string, t.int)],
    ['E', Inner],
    ['F', t.interface],
    ['G', t.ptr(Inner)],
    ['H', t.array(t.int, 2)],
    ['I', t.slice(Holder)],
    ['Z', t.string],
]);
const Narrow = t.struct('Narrow', [
    ['A', t.string],
    ['Z', t.string],
]);
const Request = t.struct('Request', [
    ['ServiceMethod', t.string],
    ['Seq', t.uint],
]);
const Response = t.struct('Response', [
    ['ServiceMethod', t.string],
    ['Seq', t.uint],
    ['Error', t.string],
]);
const Empty = t.struct('', []);

interface Case {
    /** What TypeScript encodes for Go to decode (Go compares with its own values). */
    values: Array<[GoType, unknown]>;
    /** What decoding Go's stream must give. */
    decoded: unknown[];
    /** Set when Go must refuse the TypeScript stream. */
    goError?: RegExp;
    /** Set when decoding the TypeScript stream gives something else than `decoded`. */
    tsDecoded?: unknown[];
}

const ints = {
    I: -1,
    I8: -128,
    I16: 32767,
    I32: -2147483648,
    I64: 2 ** 40,
    U: 7,
    U8: 255,
    U16: 65535,
    U32: 4294967295,
    U64: 2n ** 56n,
    MinI64: -(2n ** 63n),
    MaxI64: 2n ** 63n - 1n,
    MaxU64: 2n ** 64n - 1n,
    Safe: 2 ** 53 - 1,
    Unsafe: 2n ** 53n,
    NegSafe: -(2 ** 53 - 1),
    NegUnsafe: -(2n ** 53n),
    Uptr: 128,
};
const uintEdges = [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 24, 2 ** 32 - 1, 2 ** 32, 2 ** 40, 2 ** 53 - 1, 2n ** 53n, 2n ** 56n, 2n ** 63n, 2n ** 64n - 1n];
const intEdges = [
    0, -1, 1, 63, 64, -64, -65, 127, 128, -128, -129, 200, 2 ** 31, -(2 ** 31), 2 ** 52, 2 ** 53 - 1, 2n ** 53n, -(2 ** 53 - 1), -(2n ** 53n),
    -(2n ** 63n), 2n ** 63n - 1n,
];
const floats = {F: 1.5, F32: 0.25, Inf: Infinity, NegInf: -Infinity, NaN: NaN, Tiny: 5e-324, Max: Number.MAX_VALUE, Third: 1 / 3};
const strings = {
    ASCII: 'hello',
    Unicode: 'héllo wörld ñ 日本語',
    Emoji: '😀👍🏽🇯🇵',
    RTL: 'שלום עולם مرحبا',
    Long: 'abcdefghij'.repeat(30) + 'é',
    Nul: 'a\u0000b',
};
const outer = {
    Name: 'outer',
    In: {A: 'a', N: 1},
    PIn: {A: 'p'},
    PPIn: {N: -3},
    Items: [{A: 'i0'}, {}, {N: 2}],
    PItems: [{A: 'x'}],
    Deep: {X: {Y: [{A: 'deep'}]}},
};
const slices = {
    Strs: ['a', 'b'],
    Ints: [1, -2, 300],
    Nested: [['a'], [], ['b', 'c']],
    Floats: [0.5, 0],
    Bools: [true, false, true],
    WithEmpty: ['', 'x', ''],
};
const appErr = {
    Id: 'app.err',
    Message: 'msg',
    DetailedError: 'detail',
    RequestId: 'rid',
    StatusCode: 500,
    Where: 'Where',
    IsOAuth: true,
    SkipTranslation: true,
};
const tree = {Name: 'root', Kids: [{Name: 'a', Kids: [{Name: 'a1'}]}, {Name: 'b'}]};
const url = 'https://user@example.com:8065/path?q=1#frag';

const cases: Record<string, Case> = {
    bool_true: {values: [[t.bool, true]], decoded: [true]},
    bool_false: {values: [[t.bool, false]], decoded: [false]},
    singleton_int: {values: [[t.int, -129]], decoded: [-129]},
    singleton_uint_max: {values: [[t.uint, 2n ** 64n - 1n]], decoded: [2n ** 64n - 1n]},
    singleton_string: {values: [[t.string, 'hi']], decoded: ['hi']},
    singleton_float: {values: [[t.float, 1.5]], decoded: [1.5]},
    singleton_bytes: {values: [[t.bytes, utf8('raw\u0000bytes')]], decoded: [utf8('raw\u0000bytes')]},
    singleton_slice: {values: [[t.slice(t.string), ['a', 'b']]], decoded: [['a', 'b']]},
    singleton_complex: {values: [[t.complex, {re: 3, im: -4}]], decoded: [{re: 3, im: -4}]},
    ints: {values: [[Ints, ints]], decoded: [ints]},
    ints_zero: {values: [[Ints, {}]], decoded: [{}]},
    uint_edges: {values: [[t.slice(t.uint), uintEdges]], decoded: [uintEdges]},
    int_edges: {values: [[t.slice(t.int), intEdges]], decoded: [intEdges]},
    floats: {values: [[Floats, {...floats, NegZero: -0}]], decoded: [floats]},
    float_slice: {values: [[t.slice(t.float), [0, -0, 1, -2.5, NaN, Infinity, 1e300, 0.1]]], decoded: [[0, -0, 1, -2.5, NaN, Infinity, 1e300, 0.1]]},
    complex: {
        values: [[Complex, {C: {re: 1, im: 2}, C64: {re: -0.5, im: 0.25}, Z: {re: 0, im: 0}}]],
        decoded: [{C: {re: 1, im: 2}, C64: {re: -0.5, im: 0.25}}],
    },
    strings: {values: [[Strings, {...strings, Empty: ''}]], decoded: [strings]},
    bytes: {
        values: [[Bytes, {B: new Uint8Array([0, 1, 2, 255]), Empty: new Uint8Array(0), Big: bigBytes(1000), Nil: null}]],
        decoded: [{B: new Uint8Array([0, 1, 2, 255]), Big: bigBytes(1000)}],
    },
    zero_omission: {
        values: [
            [
                Zeroes,
                {
                    I: 0,
                    S: '',
                    B: false,
                    F: 0,
                    Sl: null,
                    EmptySl: [],
                    NilMap: null,
                    EmptyMap: {},
                    P: null,
                    Nested: undefined,
                    PZero: {},
                    Arr: undefined,
                    Iface: null,
                    Bytes: new Uint8Array(0),
                    Last: 7,
                },
            ],
        ],
        decoded: [{EmptyMap: {}, Nested: {}, PZero: {}, Arr: [0, 0], Last: 7}],
    },
    deltas: {values: [[Sparse, {B: 2, E: 5, H: 8}]], decoded: [{B: 2, E: 5, H: 8}]},
    nested: {values: [[Outer, outer]], decoded: [outer]},
    pointers: {
        values: [[Ptrs, {PI: 42, PS: 's', PZero: 0, PB: true, PNil: null}]],
        decoded: [{PI: 42, PS: 's', PB: true}],
    },
    slices: {values: [[Slices, slices]], decoded: [slices]},
    arrays: {
        values: [[Arrays, {A3: [1, 2, 3], S2: ['x', ''], Grid: [[1, 2], [3, 4]]}]],
        decoded: [{A3: [1, 2, 3], S2: ['x', ''], Zero: [0, 0, 0], Grid: [[1, 2], [3, 4]], Empty: []}],
    },
    maps: {
        values: [
            [
                Maps,
                {
                    SS: {a: '1', b: ''},
                    IS: {'-1': 'neg', '0': 'zero', '1099511627776': 'big'},
                    SL: {x: [1, 2], y: null},
                    MM: {o: {i: 1}},
                    UB: new Map<unknown, unknown>([
                        [0, true],
                        [2n ** 64n - 1n, false],
                    ]),
                    Empty: {},
                    Nil: null,
                    Proto: ownProto('polluted?', {constructor: 'c'}),
                },
            ],
        ],
        decoded: [
            {
                SS: {a: '1', b: ''},
                IS: new Map<unknown, unknown>([
                    [-1, 'neg'],
                    [0, 'zero'],
                    [2 ** 40, 'big'],
                ]),
                SL: {x: [1, 2], y: []},
                MM: {o: {i: 1}},
                UB: new Map<unknown, unknown>([
                    [0, true],
                    [2n ** 64n - 1n, false],
                ]),
                Empty: {},
                Proto: ownProto('polluted?', {constructor: 'c'}),
            },
        ],
    },
    map_any: {
        values: [
            [
                MapAny,
                {
                    f: 2,
                    b: true,
                    i: 3n,
                    s: 'x',
                    nil: null,
                    m: {k: 'v', n: 1.5},
                    l: [1, 'two', false, null, {z: -1n}],
                    by: new Uint8Array([1, 2]),
                    u: new GoInterface('uint32', 7),
                    ss: new GoInterface('[]string', ['a']),
                },
            ],
        ],
        decoded: [
            {
                f: gi('float64', 2),
                b: gi('bool', true),
                i: gi('int64', 3),
                s: gi('string', 'x'),
                nil: null,
                m: gi('map[string]interface {}', {k: gi('string', 'v'), n: gi('float64', 1.5)}),
                l: gi('[]interface {}', [
                    gi('float64', 1),
                    gi('string', 'two'),
                    gi('bool', false),
                    null,
                    gi('map[string]interface {}', {z: gi('int64', -1)}),
                ]),
                by: gi('[]uint8', new Uint8Array([1, 2])),
                u: gi('uint32', 7),
                ss: gi('[]string', ['a']),
            },
        ],
    },
    props: {
        values: [[WithProps, {Id: 'p1', Props: {from_bot: 'true', count: 3, nested: {list: ['a', 1]}}, Extra: [null, 'x']}]],
        decoded: [
            {
                Id: 'p1',
                Props: {
                    from_bot: gi('string', 'true'),
                    count: gi('float64', 3),
                    nested: gi('map[string]interface {}', {list: gi('[]interface {}', [gi('string', 'a'), gi('float64', 1)])}),
                },
                Extra: [null, gi('string', 'x')],
            },
        ],
    },
    iface_top: {
        values: [[t.interface, {a: 'b'}]],
        decoded: [gi('map[string]interface {}', {a: gi('string', 'b')})],
    },
    error_field: {
        values: [[ErrReturns, {A: new GoInterface('*plugin.ErrorString', {Code: 0, Err: 'boom'}, ErrorString)}]],
        decoded: [{A: gi('*plugin.ErrorString', {Err: 'boom'})}],
    },
    error_nil: {values: [[ErrReturns, {A: null}]], decoded: [{}]},
    errors_two: {
        values: [
            [
                TwoErrReturns,
                {
                    A: new GoInterface('*model.AppError', appErr, t.ptr(AppError)),
                    B: new GoInterface('*plugin.ErrorString', {Code: 1, Err: 'EOF'}, ErrorString),
                },
            ],
        ],
        decoded: [{A: gi('*model.AppError', appErr), B: gi('*plugin.ErrorString', {Code: 1, Err: 'EOF'})}],
    },
    kvget_value: {values: [[KVGetReturns, {A: utf8('v'), B: null}]], decoded: [{A: utf8('v')}]},
    kvget_error: {values: [[KVGetReturns, {B: {Id: 'x', StatusCode: 404}}]], decoded: [{B: {Id: 'x', StatusCode: 404}}]},
    nested_iface: {
        values: [
            [Holder, {V: {inner: {x: [1n, 's', {deep: true}]}}}],
            [Holder, {V: [{a: new GoInterface('uint8', 1), l: new GoInterface('[]string', ['q'])}, new GoInterface('main.Inner', {A: 'by value'}, Inner)]}],
            [Holder, {V: {again: [2n]}}],
        ],
        decoded: [
            {
                V: gi('map[string]interface {}', {
                    inner: gi('map[string]interface {}', {
                        x: gi('[]interface {}', [gi('int64', 1), gi('string', 's'), gi('map[string]interface {}', {deep: gi('bool', true)})]),
                    }),
                }),
            },
            {
                V: gi('[]interface {}', [
                    gi('map[string]interface {}', {a: gi('uint8', 1), l: gi('[]string', ['q'])}),
                    gi('main.Inner', {A: 'by value'}),
                ]),
            },
            {V: gi('map[string]interface {}', {again: gi('[]interface {}', [gi('int64', 2)])})},
        ],
    },
    iface_list: {
        values: [
            [
                ListHolder,
                {
                    L: [
                        'a',
                        new GoInterface('*plugin.ErrorString', {Err: 'e'}, t.ptr(ErrorString)),
                        5n,
                        new GoInterface('*model.AppError', {Id: 'z'}, AppError),
                        new GoInterface('main.Inner', {N: 9}, Inner),
                        null,
                    ],
                },
            ],
        ],
        decoded: [
            {
                L: [
                    gi('string', 'a'),
                    gi('*plugin.ErrorString', {Err: 'e'}),
                    gi('int64', 5),
                    gi('*model.AppError', {Id: 'z'}),
                    gi('main.Inner', {N: 9}),
                    null,
                ],
            },
        ],
    },
    url: {
        values: [[WithURL, {U: url, Name: 'n'}]],
        // Go names a BinaryMarshaler definition after nothing in particular: the name it sends is empty.
        decoded: [{U: new GoMarshaled('binary', '', utf8(url)), Name: 'n'}],
        tsDecoded: [{U: new GoMarshaled('binary', 'URL', utf8(url)), Name: 'n'}],
    },
    text_marshaler: {values: [[WithLevel, {L: 2, Name: 'n'}]], decoded: [{L: 2, Name: 'n'}]},
    text_marshaler_wire: {
        values: [[WithTextLevel, {L: 'warn', Name: 'n'}]],
        decoded: [{L: 2, Name: 'n'}],
        goError: /wrong type|type mismatch/,
        tsDecoded: [{L: new GoMarshaled('text', 'Level', utf8('warn')), Name: 'n'}],
    },
    recursive: {values: [[Node, tree]], decoded: [tree]},
    narrow: {
        values: [
            [
                Wide,
                {
                    A: 'a',
                    B: 2,
                    C: ['c'],
                    D: {d: 4},
                    E: {A: 'e', N: 5},
                    F: {f: ['x', 6n]},
                    G: {N: 7},
                    H: [8, 9],
                    I: [{V: new GoInterface('*plugin.ErrorString', {Err: 'skipped'}, ErrorString)}],
                    Z: 'z',
                },
            ],
        ],
        decoded: [
            {
                A: 'a',
                B: 2,
                C: ['c'],
                D: {d: 4},
                E: {A: 'e', N: 5},
                F: gi('map[string]interface {}', {f: gi('[]interface {}', [gi('string', 'x'), gi('int64', 6)])}),
                G: {N: 7},
                H: [8, 9],
                I: [{V: gi('*plugin.ErrorString', {Err: 'skipped'})}],
                Z: 'z',
            },
        ],
    },
    wide: {values: [[Narrow, {A: 'a', Z: 'z'}]], decoded: [{A: 'a', Z: 'z'}]},
    wrong_kind: {
        values: [[t.struct('', [['Seq', t.int]]), {Seq: 1}]],
        decoded: [{Seq: 1}],
        goError: /wrong type/,
    },
    rpc_multi: {
        values: [
            [Request, {ServiceMethod: 'Plugin.KVGet', Seq: 0}],
            [KVGetArgs, {A: 'key'}],
            [Request, {ServiceMethod: 'Plugin.KVGet', Seq: 1}],
            [KVGetArgs, {A: 'k2'}],
            [Response, {ServiceMethod: 'Plugin.OnActivate', Seq: 7, Error: "rpc: can't find method Plugin.OnActivate"}],
            [Empty, {}],
            [Response, {ServiceMethod: 'Plugin.KVGet', Seq: 2 ** 40, Error: ''}],
            [KVGetReturns, {A: utf8('v')}],
        ],
        decoded: [
            {ServiceMethod: 'Plugin.KVGet'},
            {A: 'key'},
            {ServiceMethod: 'Plugin.KVGet', Seq: 1},
            {A: 'k2'},
            {ServiceMethod: 'Plugin.OnActivate', Seq: 7, Error: "rpc: can't find method Plugin.OnActivate"},
            {},
            {ServiceMethod: 'Plugin.KVGet', Seq: 2 ** 40},
            {A: utf8('v')},
        ],
    },
    big: {
        values: [[t.slice(t.string), Array.from({length: 5000}, (_, i) => `item-${i}`)]],
        decoded: [Array.from({length: 5000}, (_, i) => `item-${i}`)],
    },
    // time.Time is a GobEncoder; its bytes come from Go (filled in below), checked by shape here.
    time: {values: [], decoded: []},
};

let goStreams: Record<string, Uint8Array> = {};
let tsStreams: Record<string, Uint8Array> = {};
let verdicts: Record<string, Verdict> = {};

function encodeCase(c: Case): Uint8Array {
    const enc = new GobEncoder();
    const parts = c.values.map(([type, value]) => enc.encode(type, value));
    return new Uint8Array(Buffer.concat(parts));
}

beforeAll(() => {
    goStreams = goEncodeAll();
    // time: reuse Go's own marshaled bytes, so Go can check the instant and zone it gets back.
    const [timeValue] = decodeStream(goStreams.time!) as [{T: GoMarshaled; P: GoMarshaled}];
    cases.time = {
        values: [[WithTime, {T: timeValue.T, P: timeValue.P.bytes}]],
        decoded: [{T: new GoMarshaled('gob', 'Time', timeValue.T.bytes), P: new GoMarshaled('gob', 'Time', timeValue.P.bytes)}],
    };
    tsStreams = Object.fromEntries(Object.entries(cases).map(([name, c]) => [name, encodeCase(c)]));
    verdicts = goDecodeBatch(tsStreams);
});

test('the TypeScript table covers exactly the Go cases', () => {
    const goNames = execFileSync(peer, ['list']).toString().trim().split('\n');
    expect(Object.keys(cases).sort()).toEqual(goNames);
});

describe.each(Object.keys(cases).sort())('%s', (name) => {
    test("TS decodes Go's stream", () => {
        expect(decodeStream(goStreams[name]!)).toStrictEqual(cases[name]!.decoded);
    });

    test('Go decodes the TS stream', () => {
        const c = cases[name]!;
        const v = verdicts[name]!;
        if (c.goError !== undefined) {
            expect(v.ok).toBe(false);
            expect(v.error).toMatch(c.goError);
        } else {
            expect(v, JSON.stringify(v)).toMatchObject({ok: true});
        }
    });

    test('TS decodes the TS stream', () => {
        const c = cases[name]!;
        expect(decodeStream(tsStreams[name]!)).toStrictEqual(c.tsDecoded ?? c.decoded);
    });

    test('past the tier-up, the generated decoders give what the loop gave', () => {
        // Each struct type is decoded by the generic loop first and by generated code from its
        // TIER_UP_CALLS-th value on: the same values again and again cross that line.
        const c = cases[name]!;
        const enc = new GobEncoder();
        const reps = TIER_UP_CALLS + 3;
        const parts: Uint8Array[] = [];
        for (let i = 0; i < reps; i++) for (const [type, value] of c.values) parts.push(enc.encode(type, value));
        const dec = new GobDecoder();
        dec.push(new Uint8Array(Buffer.concat(parts)));
        const got: unknown[] = [];
        for (let r = dec.next(); r !== undefined; r = dec.next()) got.push(r.value);
        const once = c.tsDecoded ?? c.decoded;
        expect(got).toStrictEqual(Array.from({length: reps}, () => once).flat());
    });

    test('chunking does not change the result', () => {
        const bytes = goStreams[name]!;
        const whole = decodeStream(bytes);
        const step = bytes.length > 4096 ? 997 : 1;
        expect(decodeStream(bytes, Array.from({length: Math.ceil(bytes.length / step)}, (_, i) => Math.min(step, bytes.length - i * step)))).toStrictEqual(whole);
        const rand = rng(name.length * 7919 + bytes.length);
        for (let i = 0; i < 5; i++) expect(decodeStream(bytes, randomSplits(bytes.length, rand))).toStrictEqual(whole);
        expect(decodeStream(tsStreams[name]!, randomSplits(tsStreams[name]!.length, rand))).toStrictEqual(decodeStream(tsStreams[name]!));
    });
});

test('a struct type gets generated code only from its TIER_UP_CALLS-th value on', () => {
    const c = cases.pointers!; // one struct per value
    const enc = new GobEncoder();
    const dec = new GobDecoder();
    for (let i = 1; i <= TIER_UP_CALLS; i++) {
        for (const [type, value] of c.values) dec.push(enc.encode(type, value));
        while (dec.next() !== undefined);
        if (i < TIER_UP_CALLS) expect(dec.structsGenerated, `after ${i} values`).toBe(0);
    }
    expect(dec.structsGenerated).toBeGreaterThan(0);
});

describe('wire details seen in Go streams', () => {
    test('time.Time arrives as GobEncoder bytes (version, seconds, nanoseconds, zone offset)', () => {
        const [v] = decodeStream(goStreams.time!) as [{T: GoMarshaled; P: GoMarshaled}];
        expect(v.T.kind).toBe('gob');
        expect(v.T.typeName).toBe('Time');
        expect(v.T.bytes.length).toBe(15);
        expect(v.T.bytes[0]).toBe(1);
        expect(toHex(v.T.bytes.subarray(13))).toBe('ffff'); // UTC
        expect(toHex(v.P.bytes.subarray(13))).toBe('014a'); // +05:30 = 330 minutes
    });

    test('url.URL arrives as BinaryMarshaler bytes of its String(), with an unused Userinfo definition', () => {
        const [v] = decodeStream(goStreams.url!) as [{U: GoMarshaled}];
        expect(v.U.toString()).toBe(url);
        expect(Buffer.from(goStreams.url!).includes(Buffer.from('Userinfo'))).toBe(true);
    });

    test("Go splits a value when an interface's concrete type is new (doc 5.11)", () => {
        const s = goStreams.error_field!;
        // Second message: the outer value so far, the name, then the inline definition; it ends there.
        const first = s[0]! + 1;
        const second = s.subarray(first + 1, first + 1 + s[first]!);
        expect(Buffer.from(second).includes(Buffer.from('*plugin.ErrorString'))).toBe(true);
        expect(toHex(second.subarray(second.length - 3))).toBe('000000');
        // Third message: concrete type id, byte count 7, Err "boom", end of ErrorString, end of outer struct.
        const rest = s.subarray(first + 1 + s[first]!);
        expect(toHex(rest.subarray(0, 1))).toBe('0b');
        expect(toHex(rest.subarray(3))).toBe('070204626f6f6d0000');
    });

    test('AppError reply value message (doc 5.10)', () => {
        const s = goStreams.kvget_error!;
        expect(toHex(s.subarray(s.length - 13))).toMatch(/^0cff..0201017804fe03280000$/);
    });

    test('a top-level interface is a singleton of type 8', () => {
        expect(toHex(goStreams.iface_top!.subarray(1, 3))).toBe('1000');
    });
});

describe('doc worked examples, byte for byte', () => {
    test('5.10: Plugin.KVGet("key") on a fresh stream, then a second call', () => {
        const enc = new GobEncoder();
        const first = Buffer.concat([
            enc.encode(Request, {ServiceMethod: 'Plugin.KVGet', Seq: 0}),
            enc.encode(KVGetArgs, {A: 'key'}),
        ]);
        expect(toHex(first)).toBe(
            toHex(
                hex(`2f ff 81 03 01 01 07 52 65 71 75 65 73 74 01 ff 82 00 01 02
                     01 0d 53 65 72 76 69 63 65 4d 65 74 68 6f 64 01 0c 00 01 03 53 65 71 01 06 00 00 00
                     11 ff 82 01 0c 50 6c 75 67 69 6e 2e 4b 56 47 65 74 00
                     1f ff 83 03 01 01 0b 5a 5f 4b 56 47 65 74 41 72 67 73 01 ff 84 00 01 01 01 01 41 01 0c 00 00 00
                     08 ff 84 01 03 6b 65 79 00`),
            ),
        );
        const second = Buffer.concat([
            enc.encode(Request, {ServiceMethod: 'Plugin.KVGet', Seq: 1}),
            enc.encode(KVGetArgs, {A: 'k2'}),
        ]);
        expect(toHex(second)).toBe(toHex(hex('13 ff 82 01 0c 50 6c 75 67 69 6e 2e 4b 56 47 65 74 01 01 00 07 ff 84 01 02 6b 32 00')));
    });

    test('5.11: an error field, TS style (definitions first, value unsplit)', () => {
        const out = new GobEncoder().encode(ErrReturns, {A: new GoInterface('*plugin.ErrorString', {Err: 'boom'}, ErrorString)});
        const msgs = splitMessages(out);
        expect(msgs).toHaveLength(3);
        expect(toHex(msgs[2]!)).toBe(toHex(Buffer.concat([hex('ff 82 01 13'), utf8('*plugin.ErrorString'), hex('ff 84 07 02 04'), utf8('boom'), hex('00 00')])));
        expect(toHex(new GobEncoder().encode(ErrReturns, {A: null}))).toMatch(/03ff8200$/);
    });

    test('5.8: values inside map[string]any', () => {
        const enc = new GobEncoder();
        const tail = (v: unknown): string => {
            const msgs = splitMessages(enc.encode(MapAny, {x: v}));
            return toHex(msgs[msgs.length - 1]!.subarray(6)); // after: id(2) 00 count(1) "x"(2)
        };
        expect(tail(null)).toBe('00');
        expect(tail(2)).toBe(toHex(Buffer.concat([hex('07'), utf8('float64'), hex('08 02 00 40')])));
        expect(tail(true)).toBe(toHex(Buffer.concat([hex('04'), utf8('bool'), hex('02 02 00 01')])));
        expect(tail(3n)).toBe(toHex(Buffer.concat([hex('05'), utf8('int64'), hex('04 02 00 06')])));
        expect(tail('x')).toBe(toHex(Buffer.concat([hex('06'), utf8('string'), hex('0c 03 00 01 78')])));
    });

    test('5.5: field deltas', () => {
        const msgs = splitMessages(new GobEncoder().encode(Sparse, {B: 2, E: 5, H: 8}));
        expect(toHex(msgs[1]!)).toBe('ff82' + '0204' + '030a' + '0310' + '00');
    });
});

function splitMessages(bytes: Uint8Array): Uint8Array[] {
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
    return out;
}

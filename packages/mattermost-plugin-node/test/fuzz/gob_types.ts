// The fixed set of Go types the gob codec is fuzzed with, as TypeScript descriptors, fast-check
// arbitraries of their values, and the comparison helpers. Mirrors test/conformance/gobfuzz/types.go
// (same kinds, same order: the Go fuzz target picks a kind by index).
import fc from 'fast-check';

import {GoInterface, t, type GoType} from '../../src/transport/gob';
import {builtinInterfaceTypes} from '../../src/transport/gob/types';

export const Leaf = t.struct('Leaf', [
    ['S', t.string],
    ['I', t.int],
    ['U', t.uint],
    ['F', t.float],
    ['B', t.bool],
    ['By', t.bytes],
]);

export const Sample = t.struct('Sample', [
    ['Str', t.string],
    ['Int', t.int],
    ['I8', t.int],
    ['I16', t.int],
    ['I32', t.int],
    ['I64', t.int],
    ['Uint', t.uint],
    ['U8', t.uint],
    ['U16', t.uint],
    ['U32', t.uint],
    ['U64', t.uint],
    ['F32', t.float],
    ['F64', t.float],
    ['C128', t.complex],
    ['Flag', t.bool],
    ['Bytes', t.bytes],
    ['Strs', t.slice(t.string)],
    ['Ints', t.slice(t.int)],
    ['Flts', t.slice(t.float)],
    ['Arr', t.array(t.int, 3)],
    ['SM', t.map(t.string, t.int)],
    ['IM', t.map(t.int, t.string)],
    ['Leaf', Leaf],
    ['PLeaf', t.ptr(Leaf)],
    ['Leafs', t.slice(Leaf)],
    ['Tree', t.map(t.string, t.slice(Leaf))],
    ['Any', t.interface],
    ['Anys', t.slice(t.interface)],
]);

export const Node: GoType = t.struct('Node', () => [
    ['Name', t.string],
    ['Kids', t.slice(t.ptr(Node))],
]);

/** Concrete types of interface values: gob's built-in names plus the one gobfuzz registers. */
const interfaceTypes = new Map<string, GoType>([...builtinInterfaceTypes, ['gobfuzz.Leaf', Leaf]]);

export function interfaceType(name: string): GoType | undefined {
    return interfaceTypes.get(name);
}

// ---- arbitraries ----------------------------------------------------------------------------------

const hasLoneSurrogate = (s: string): boolean => /\p{Cs}/u.test(s);

/** Strings UTF-8 can carry (no lone surrogate), biased towards keys and characters that matter. */
export const str = fc.oneof(
    {weight: 3, arbitrary: fc.string({maxLength: 12})},
    {weight: 2, arbitrary: fc.string({unit: 'binary', maxLength: 12}).filter((s) => !hasLoneSurrogate(s))},
    {weight: 1, arbitrary: fc.constantFrom('', '__proto__', 'constructor', 'toString', 'a\u0000b', '日本語', '😀👍🏽', 'x'.repeat(300) + 'é')},
);

const int64Edges = [0, 1, -1, 63, 64, -64, -65, 127, 128, -128, -129, 2 ** 31 - 1, -(2 ** 31), 2 ** 53 - 1, -(2 ** 53 - 1), 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, -(2n ** 63n), 2n ** 63n - 1n];
const uint64Edges = [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32, 2 ** 53 - 1, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];

export const int64 = fc.oneof(
    fc.constantFrom(...int64Edges),
    fc.integer({min: -1000, max: 1000}),
    fc.bigInt({min: -(2n ** 63n), max: 2n ** 63n - 1n}),
);
export const uint64 = fc.oneof(fc.constantFrom(...uint64Edges), fc.nat(1000), fc.bigInt({min: 0n, max: 2n ** 64n - 1n}));
const int32 = fc.integer({min: -(2 ** 31), max: 2 ** 31 - 1});
const bytes = fc.uint8Array({maxLength: 40});

export const leaf = fc.record(
    {S: str, I: int64, U: uint64, F: fc.double(), B: fc.boolean(), By: bytes},
    {requiredKeys: []},
);

const gi = (name: string, value: unknown): GoInterface => new GoInterface(name, value, interfaceTypes.get(name));

/** A non-nil interface value of a registered concrete type, nested up to a few levels. */
export const anyValue: fc.Arbitrary<GoInterface> = fc.letrec<{any: GoInterface}>((tie) => ({
    any: fc.oneof(
        // Past depth 3 the first alternative (a string) is forced.
        {maxDepth: 3, depthIdentifier: 'any', withCrossShrink: true},
        str.map((s) => gi('string', s)),
        int64.map((n) => gi('int64', n)),
        int64.map((n) => gi('int', n)),
        fc.double().map((f) => gi('float64', f)),
        fc.boolean().map((b) => gi('bool', b)),
        fc.integer({min: 0, max: 255}).map((n) => gi('uint8', n)),
        bytes.map((b) => gi('[]uint8', b)),
        leaf.map((l) => gi('gobfuzz.Leaf', l)),
        fc.array(fc.option(tie('any'), {nil: null}), {maxLength: 4}).map((l) => gi('[]interface {}', l)),
        fc.dictionary(str, fc.option(tie('any'), {nil: null}), {maxKeys: 4}).map((m) => gi('map[string]interface {}', m)),
    ),
})).any;

const orNull = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, {nil: null});

export const sample = fc.record(
    {
        Str: str,
        Int: int64,
        I8: fc.integer({min: -128, max: 127}),
        I16: fc.integer({min: -32768, max: 32767}),
        I32: int32,
        I64: int64,
        Uint: uint64,
        U8: fc.integer({min: 0, max: 255}),
        U16: fc.integer({min: 0, max: 65535}),
        U32: fc.integer({min: 0, max: 2 ** 32 - 1}),
        U64: uint64,
        F32: fc.float(),
        F64: fc.double(),
        C128: fc.record({re: fc.double(), im: fc.double()}),
        Flag: fc.boolean(),
        Bytes: orNull(bytes),
        Strs: orNull(fc.array(str, {maxLength: 5})),
        Ints: fc.array(int64, {maxLength: 5}),
        Flts: fc.array(fc.double(), {maxLength: 5}),
        Arr: fc.tuple(int32, int32, int32),
        SM: orNull(fc.dictionary(str, int64, {maxKeys: 4})),
        IM: orNull(fc.array(fc.tuple(int32, str), {maxLength: 4}).map((e) => new Map<number, string>(e))),
        Leaf: leaf,
        PLeaf: orNull(leaf),
        Leafs: fc.array(leaf, {maxLength: 3}),
        Tree: orNull(fc.dictionary(str, fc.array(leaf, {maxLength: 2}), {maxKeys: 3})),
        Any: orNull(anyValue),
        Anys: fc.array(orNull(anyValue), {maxLength: 4}),
    },
    {requiredKeys: []},
);

interface NodeValue {
    Name: string;
    Kids: readonly NodeValue[];
}

export const node: fc.Arbitrary<NodeValue> = fc.letrec<{node: NodeValue}>((tie) => ({
    // Past depth 3 the first alternative (no kids) is forced.
    node: fc.record({Name: str, Kids: fc.oneof({maxDepth: 3, depthIdentifier: 'node'}, fc.constant<NodeValue[]>([]), fc.array(tie('node'), {maxLength: 3}))}),
})).node;

export interface Kind {
    name: string;
    type: GoType;
    arb: fc.Arbitrary<unknown>;
}

/** Same names and order as gobfuzz.Kinds. */
export const kinds: readonly Kind[] = [
    {name: 'sample', type: Sample, arb: sample},
    {name: 'leaf', type: Leaf, arb: leaf},
    {name: 'node', type: Node, arb: node},
    {name: 'strings', type: t.slice(t.string), arb: fc.array(str, {maxLength: 6})},
    {name: 'props', type: t.map(t.string, t.interface), arb: fc.dictionary(str, orNull(anyValue), {maxKeys: 5})},
    {name: 'any', type: t.interface, arb: anyValue},
];

export function kindByName(name: string): Kind {
    const k = kinds.find((x) => x.name === name);
    if (k === undefined) throw new Error(`unknown kind ${name}`);
    return k;
}

// ---- comparison -------------------------------------------------------------------------------------

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
    Object.defineProperty(obj, key, {value, writable: true, enumerable: true, configurable: true});
}

function entriesOf(v: unknown): Array<[unknown, unknown]> {
    if (v instanceof Map) return [...v.entries()] as Array<[unknown, unknown]>;
    return Object.entries(v as Record<string, unknown>);
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/**
 * A canonical form of a value of `type` for comparing what went in with what came back: zero values
 * filled in (gob leaves them out of structs), integers as bigint, bytes as hex, maps as sorted entry
 * lists, interfaces as {name, value}. `field` marks a struct field, where Go drops a float or complex
 * equal to 0 even when it is -0.
 */
export function canon(type: GoType, v: unknown, field = false): unknown {
    switch (type.kind) {
        case 'bool':
            return v ?? false;
        case 'int':
        case 'uint':
            return v == null ? 0n : BigInt(v as number | bigint);
        case 'float': {
            const f = (v ?? 0) as number;
            return field && f === 0 ? 0 : f;
        }
        case 'complex': {
            const c = (v ?? {re: 0, im: 0}) as {re: number; im: number};
            return field && c.re === 0 && c.im === 0 ? {re: 0, im: 0} : {re: c.re, im: c.im};
        }
        case 'string':
            return v ?? '';
        case 'bytes':
            return v == null ? '' : hex(v as Uint8Array);
        case 'slice':
            return v == null ? [] : Array.from(v as ArrayLike<unknown>, (e) => canon(type.elem, e));
        case 'array':
            return Array.from({length: type.len}, (_, i) => canon(type.elem, v == null ? undefined : (v as unknown[])[i]));
        case 'map': {
            if (v == null) return null;
            const out = entriesOf(v).map(([k, e]): [unknown, unknown] => [canon(type.key, type.key.kind === 'int' || type.key.kind === 'uint' ? BigInt(k as string) : k), canon(type.elem, e)]);
            return out.sort(([a], [b]) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
        }
        case 'ptr':
            return v == null ? null : canon(type.elem, v);
        case 'struct': {
            const obj = (v ?? {}) as Record<string, unknown>;
            const out: Record<string, unknown> = {};
            for (const [name, ft] of type.fields) setOwn(out, name, canon(ft, Object.hasOwn(obj, name) ? obj[name] : undefined, true));
            return out;
        }
        case 'interface': {
            if (v == null) return null;
            const iv = v as GoInterface;
            const it = interfaceTypes.get(iv.name);
            if (it === undefined) throw new Error(`no descriptor for interface type ${iv.name}`);
            return {name: iv.name, value: canon(it, iv.value)};
        }
        default:
            throw new Error(`canon: unsupported kind ${type.kind}`);
    }
}

/**
 * What the decoder produced, made encodable again by `type`: interface values get their descriptor,
 * struct objects keep only the fields of the type (a mutated stream may name others).
 */
export function retype(type: GoType, v: unknown): unknown {
    if (v == null) return v;
    switch (type.kind) {
        case 'slice':
        case 'array':
            return Array.from(v as ArrayLike<unknown>, (e) => retype(type.elem, e));
        case 'map': {
            if (v instanceof Map) return new Map([...v.entries()].map(([k, e]) => [k, retype(type.elem, e)]));
            const out: Record<string, unknown> = {};
            for (const [k, e] of Object.entries(v as Record<string, unknown>)) setOwn(out, k, retype(type.elem, e));
            return out;
        }
        case 'ptr':
            return retype(type.elem, v);
        case 'struct': {
            const obj = v as Record<string, unknown>;
            const out: Record<string, unknown> = {};
            for (const [name, ft] of type.fields) if (Object.hasOwn(obj, name)) setOwn(out, name, retype(ft, obj[name]));
            return out;
        }
        case 'interface': {
            const iv = v as GoInterface;
            const it = interfaceTypes.get(iv.name);
            return it === undefined ? iv : new GoInterface(iv.name, retype(it, iv.value), it);
        }
        default:
            return v;
    }
}

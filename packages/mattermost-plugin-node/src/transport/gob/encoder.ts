/**
 * Gob encoder driven by GoType descriptors.
 *
 * Per-type encoders are compiled once (cached per descriptor object) and shared by all encoders; only
 * type ids are per-stream state. Interfaces use the simple strategy Go accepts: every definition a
 * value needs, including concrete types inside interfaces, goes out as its own message before the
 * value message, so the value never has to be split.
 */
import {GobEncodeError, GobError, describeValue} from './errors.js';
import {
    GoInterface,
    GoMarshaled,
    builtinInterfaceTypes,
    t,
    type GoType,
    type MarshalerKind,
    type StructType,
} from './types.js';
import {ByteWriter, fitsInt64, fitsUint64} from './wire.js';

export interface GobEncoderOptions {
    /** Deepest accepted nesting of the encoded value; guards against cyclic values. Default 1000. */
    maxDepth?: number;
}

const FIRST_ID = 65;
const DEFAULT_MAX_DEPTH = 1000;

interface EncCtx {
    depth: number;
    readonly maxDepth: number;
    concreteTypeId(type: GoType): number;
}

interface EncOp {
    /** Writes the value as a field, element or map entry (no field delta). */
    write(w: ByteWriter, v: unknown, ctx: EncCtx): void;
    /** Whether Go would leave the value out of a struct (zero value, nil pointer, ...). */
    omit(v: unknown): boolean;
    /** "Top-level form", used at top level and inside interfaces: struct fields, or a zero delta then the value. */
    writeTop(w: ByteWriter, v: unknown, ctx: EncCtx): void;
}

function fail(detail: string): never {
    throw new GobEncodeError(detail);
}

function withPath(e: unknown, segment: string): unknown {
    return e instanceof GobEncodeError ? e.within(segment) : e;
}

function enter(ctx: EncCtx): void {
    if (++ctx.depth > ctx.maxDepth) fail(`value nesting exceeds the limit of ${ctx.maxDepth} (cyclic value?)`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    if (typeof v !== 'object' || v === null) return false;
    const proto: unknown = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null;
}

function isListLike(v: unknown): v is ArrayLike<unknown> {
    return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function makeOp(write: EncOp['write'], omit: EncOp['omit'], writeTop?: EncOp['writeTop']): EncOp {
    return {
        write,
        omit,
        writeTop:
            writeTop ??
            ((w, v, ctx) => {
                w.writeByte(0);
                write(w, v, ctx);
            }),
    };
}

const boolOp = makeOp(
    (w, v) => {
        if (v == null) v = false;
        if (typeof v !== 'boolean') fail(`expected boolean, got ${describeValue(v)}`);
        w.writeByte(v ? 1 : 0);
    },
    (v) => v == null || v === false,
);

const isZeroInt = (v: unknown): boolean => v == null || v === 0 || v === 0n;

const intOp = makeOp((w, v) => {
    if (typeof v === 'number') {
        if (Number.isSafeInteger(v)) {
            w.writeInt(v);
            return;
        }
        if (!Number.isInteger(v)) fail(`expected an integer, got ${describeValue(v)}`);
        v = BigInt(v);
    }
    if (typeof v === 'bigint') {
        if (!fitsInt64(v)) fail(`${v} overflows int64`);
        w.writeBigInt(v);
        return;
    }
    if (v == null) {
        w.writeByte(0);
        return;
    }
    fail(`expected an integer, got ${describeValue(v)}`);
}, isZeroInt);

const uintOp = makeOp((w, v) => {
    if (typeof v === 'number') {
        if (Number.isSafeInteger(v) && v >= 0) {
            w.writeUint(v);
            return;
        }
        if (!Number.isInteger(v)) fail(`expected an unsigned integer, got ${describeValue(v)}`);
        v = BigInt(v);
    }
    if (typeof v === 'bigint') {
        if (!fitsUint64(v)) fail(v < 0n ? `negative value ${v} for an unsigned integer` : `${v} overflows uint64`);
        w.writeBigUint(v);
        return;
    }
    if (v == null) {
        w.writeByte(0);
        return;
    }
    fail(`expected an unsigned integer, got ${describeValue(v)}`);
}, isZeroInt);

const floatOp = makeOp(
    (w, v) => {
        if (v == null) v = 0;
        if (typeof v !== 'number') fail(`expected number, got ${describeValue(v)}`);
        w.writeFloat(v);
    },
    // -0 === 0 here, and Go omits -0 too (it tests f != 0).
    (v) => v == null || v === 0,
);

function complexParts(v: unknown): {re: number; im: number} {
    if (v == null) return {re: 0, im: 0};
    if (typeof v === 'object') {
        const {re, im} = v as {re?: unknown; im?: unknown};
        if (typeof re === 'number' && typeof im === 'number') return {re, im};
    }
    fail(`expected a complex number {re, im}, got ${describeValue(v)}`);
}

const complexOp = makeOp(
    (w, v) => {
        const {re, im} = complexParts(v);
        w.writeFloat(re);
        w.writeFloat(im);
    },
    (v) => {
        if (v == null) return true;
        const {re, im} = complexParts(v);
        return re === 0 && im === 0;
    },
);

const stringOp = makeOp(
    (w, v) => {
        if (v == null) v = '';
        if (typeof v !== 'string') fail(`expected string, got ${describeValue(v)}`);
        w.writeString(v);
    },
    (v) => v == null || v === '',
);

const bytesOp = makeOp(
    (w, v) => {
        if (v instanceof Uint8Array) w.writeBytes(v);
        else if (typeof v === 'string') w.writeString(v);
        else if (v == null) w.writeByte(0);
        else fail(`expected Uint8Array or string, got ${describeValue(v)}`);
    },
    (v) => v == null || ((v instanceof Uint8Array || typeof v === 'string') && v.length === 0),
);

function isNilInterface(v: unknown): boolean {
    return v == null || (v instanceof GoInterface && (v.name === '' || v.value == null));
}

const sliceOfAny = builtinInterfaceTypes.get('[]interface {}')!;
const mapOfAny = builtinInterfaceTypes.get('map[string]interface {}')!;

/** Go's view of a bare JS value stored in an interface (JSON-like data). */
function inferInterface(v: unknown): {name: string; type: GoType} {
    switch (typeof v) {
        case 'string':
            return {name: 'string', type: t.string};
        case 'boolean':
            return {name: 'bool', type: t.bool};
        case 'number':
            return {name: 'float64', type: t.float};
        case 'bigint':
            return {name: 'int64', type: t.int};
    }
    if (v instanceof Uint8Array) return {name: '[]uint8', type: t.bytes};
    if (Array.isArray(v)) return {name: '[]interface {}', type: sliceOfAny};
    if (v instanceof Map || isPlainObject(v)) return {name: 'map[string]interface {}', type: mapOfAny};
    fail(`cannot infer a Go type for ${describeValue(v)} in an interface; wrap it in GoInterface with a type`);
}

const interfaceOp = makeOp(
    (w, v, ctx) => {
        if (isNilInterface(v)) {
            w.writeByte(0);
            return;
        }
        let name: string;
        let type: GoType;
        let value: unknown;
        if (v instanceof GoInterface) {
            name = v.name;
            value = v.value;
            const known = v.type ?? builtinInterfaceTypes.get(name);
            if (known === undefined) {
                fail(`GoInterface "${name}" needs an explicit type (only gob's built-in names can be inferred)`);
            }
            type = known;
        } else {
            ({name, type} = inferInterface(v));
            value = v;
        }
        const id = ctx.concreteTypeId(type);
        enter(ctx);
        w.writeString(name);
        w.writeInt(id);
        const mark = w.beginLength();
        try {
            compileOp(type).writeTop(w, value, ctx);
        } catch (e) {
            throw withPath(e, `(${name})`);
        }
        w.endLength(mark);
        ctx.depth--;
    },
    isNilInterface,
    (w, v, ctx) => {
        w.writeByte(0);
        interfaceOp.write(w, v, ctx);
    },
);

function marshalerOp(): EncOp {
    return makeOp(
        (w, v) => {
            if (v instanceof Uint8Array) w.writeBytes(v);
            else if (typeof v === 'string') w.writeString(v);
            else if (v instanceof GoMarshaled) w.writeBytes(v.bytes);
            else fail(`expected marshaled bytes (Uint8Array, string or GoMarshaled), got ${describeValue(v)}`);
        },
        // Go leaves out zero values; an empty marshaled form is the only zero we can recognise.
        (v) =>
            v == null ||
            ((v instanceof Uint8Array || typeof v === 'string') && v.length === 0) ||
            (v instanceof GoMarshaled && v.bytes.length === 0),
    );
}

function ptrOp(elem: EncOp): EncOp {
    return makeOp(
        (w, v, ctx) => {
            if (v == null) fail('nil pointer inside a slice, array or map cannot be encoded');
            elem.write(w, v, ctx);
        },
        (v) => v == null || elem.omit(v),
        (w, v, ctx) => {
            if (v == null) fail('cannot encode a nil pointer at top level or as an interface value');
            elem.writeTop(w, v, ctx);
        },
    );
}

function sliceOp(elem: EncOp): EncOp {
    return makeOp(
        (w, v, ctx) => {
            if (v == null) {
                w.writeByte(0);
                return;
            }
            if (!isListLike(v)) fail(`expected an array, got ${describeValue(v)}`);
            const n = v.length;
            enter(ctx);
            w.writeUint(n);
            let i = 0;
            try {
                for (; i < n; i++) elem.write(w, v[i], ctx);
            } catch (e) {
                throw withPath(e, `[${i}]`);
            }
            ctx.depth--;
        },
        (v) => v == null || (isListLike(v) && v.length === 0),
    );
}

function arrayOp(elem: EncOp, len: number): EncOp {
    return makeOp(
        (w, v, ctx) => {
            if (v != null && !isListLike(v)) fail(`expected an array of length ${len}, got ${describeValue(v)}`);
            if (v != null && v.length !== len) fail(`expected an array of length ${len}, got length ${v.length}`);
            enter(ctx);
            w.writeUint(len);
            let i = 0;
            try {
                for (; i < len; i++) elem.write(w, v == null ? undefined : v[i], ctx);
            } catch (e) {
                throw withPath(e, `[${i}]`);
            }
            ctx.depth--;
        },
        // Go always sends arrays.
        () => false,
    );
}

function baseKind(type: GoType): GoType['kind'] {
    let ty = type;
    while (ty.kind === 'ptr') ty = ty.elem;
    return ty.kind;
}

/** Plain-object keys are always strings; turn them into what the key type expects. */
function objectKeyConverter(key: GoType): ((k: string) => unknown) | undefined {
    switch (baseKind(key)) {
        case 'string':
            return (k) => k;
        case 'int':
        case 'uint':
            return (k) => {
                if (!/^-?\d+$/.test(k)) fail(`map key ${JSON.stringify(k)} is not an integer`);
                const n = Number(k);
                return Number.isSafeInteger(n) ? n : BigInt(k);
            };
        case 'float':
            return (k) => {
                const n = Number(k);
                if (k.trim() === '' || Number.isNaN(n)) fail(`map key ${JSON.stringify(k)} is not a number`);
                return n;
            };
        case 'bool':
            return (k) => {
                if (k !== 'true' && k !== 'false') fail(`map key ${JSON.stringify(k)} is not a boolean`);
                return k === 'true';
            };
        default:
            return undefined;
    }
}

function mapOp(keyType: GoType, key: EncOp, elem: EncOp): EncOp {
    const convert = objectKeyConverter(keyType);
    return makeOp(
        (w, v, ctx) => {
            if (v == null) {
                w.writeByte(0);
                return;
            }
            enter(ctx);
            let where = '';
            try {
                if (v instanceof Map) {
                    w.writeUint(v.size);
                    for (const [k, x] of v) {
                        where = `[${String(k)}]`;
                        key.write(w, k, ctx);
                        elem.write(w, x, ctx);
                    }
                } else if (isPlainObject(v)) {
                    if (convert === undefined) fail('a plain object can only encode maps with string, integer, float or bool keys; use a Map');
                    const keys = Object.keys(v);
                    w.writeUint(keys.length);
                    for (const k of keys) {
                        where = `[${k}]`;
                        key.write(w, convert(k), ctx);
                        elem.write(w, v[k], ctx);
                    }
                } else {
                    fail(`expected a Map or plain object, got ${describeValue(v)}`);
                }
            } catch (e) {
                throw where === '' ? e : withPath(e, where);
            }
            ctx.depth--;
        },
        // Non-nil empty maps are sent: the receiver may want the allocated map.
        (v) => v == null,
    );
}

function structOp(type: StructType): EncOp {
    // Fields are resolved on first use so that a struct can contain itself through a thunk.
    let names: string[] | undefined;
    let ops: EncOp[] = [];
    const write = (w: ByteWriter, v: unknown, ctx: EncCtx): void => {
        if (names === undefined) {
            const fields = type.fields;
            ops = fields.map(([, ft]) => compileOp(ft));
            names = fields.map(([n]) => n);
        }
        if (v == null) {
            // A missing non-pointer struct is its zero value: no fields, just the terminator.
            w.writeByte(0);
            return;
        }
        if (typeof v !== 'object' || isListLike(v) || v instanceof Map || v instanceof GoInterface || v instanceof GoMarshaled) {
            fail(`expected an object for struct ${type.name}, got ${describeValue(v)}`);
        }
        enter(ctx);
        const obj = v as Record<string, unknown>;
        const n = names.length;
        let last = -1;
        let i = 0;
        try {
            for (; i < n; i++) {
                const fv = obj[names[i]!];
                const op = ops[i]!;
                if (op.omit(fv)) continue;
                w.writeUint(i - last);
                last = i;
                op.write(w, fv, ctx);
            }
        } catch (e) {
            throw withPath(e, names[i] ?? '?');
        }
        w.writeByte(0);
        ctx.depth--;
    };
    return makeOp(write, () => false, write);
}

const opCache = new WeakMap<GoType, EncOp>();

function compileOp(type: GoType): EncOp {
    let op = opCache.get(type);
    if (op !== undefined) return op;
    switch (type.kind) {
        case 'bool':
            op = boolOp;
            break;
        case 'int':
            op = intOp;
            break;
        case 'uint':
            op = uintOp;
            break;
        case 'float':
            op = floatOp;
            break;
        case 'complex':
            op = complexOp;
            break;
        case 'string':
            op = stringOp;
            break;
        case 'bytes':
            op = bytesOp;
            break;
        case 'interface':
            op = interfaceOp;
            break;
        case 'struct':
            op = structOp(type);
            break;
        case 'ptr':
            op = ptrOp(compileOp(type.elem));
            break;
        case 'slice':
            op = sliceOp(compileOp(type.elem));
            break;
        case 'array':
            op = arrayOp(compileOp(type.elem), type.len);
            break;
        case 'map':
            op = mapOp(type.key, compileOp(type.key), compileOp(type.elem));
            break;
        case 'gobEncoder':
        case 'binaryMarshaler':
        case 'textMarshaler':
            op = marshalerOp();
            break;
        default:
            throw new GobError(`unknown GoType kind ${describeValue((type as {kind?: unknown}).kind)}`);
    }
    opCache.set(type, op);
    return op;
}

const builtinIds: Readonly<Record<string, number>> = {
    bool: 1,
    int: 2,
    uint: 3,
    float: 4,
    bytes: 5,
    string: 6,
    complex: 7,
    interface: 8,
};

const wireKindIndex: Readonly<Record<MarshalerKind, number>> = {gobEncoder: 4, binaryMarshaler: 5, textMarshaler: 6};

/** Informational names for definitions; Go ignores them, but they help when reading dumps. */
function typeName(type: GoType): string {
    switch (type.kind) {
        case 'bool':
        case 'int':
        case 'uint':
        case 'string':
            return type.kind;
        case 'float':
            return 'float64';
        case 'complex':
            return 'complex128';
        case 'bytes':
            return '[]uint8';
        case 'interface':
            return 'interface {}';
        case 'ptr':
            return '*' + typeName(type.elem);
        case 'slice':
            return '[]' + typeName(type.elem);
        case 'array':
            return `[${type.len}]${typeName(type.elem)}`;
        case 'map':
            return `map[${typeName(type.key)}]${typeName(type.elem)}`;
        default:
            return type.name;
    }
}

class EncoderCore implements EncCtx {
    depth = 0;
    readonly maxDepth: number;
    private readonly defs = new ByteWriter(256);
    private readonly body = new ByteWriter(1024);
    /** Descriptor object → id, and structural key (unnamed composites) → id, for types already sent. */
    private readonly ids = new Map<GoType, number>();
    private readonly structural = new Map<string, number>();
    private nextId = FIRST_ID;
    // What the current encode() registered, to forget it if the encode fails before anything is sent.
    private readonly addedTypes: GoType[] = [];
    private readonly addedKeys: string[] = [];

    constructor(opts: GobEncoderOptions) {
        this.maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
    }

    encode(type: GoType, value: unknown): Uint8Array {
        this.defs.reset();
        this.body.reset();
        this.depth = 0;
        this.addedTypes.length = 0;
        this.addedKeys.length = 0;
        try {
            const op = compileOp(type);
            const id = this.typeIdOf(type);
            const w = this.body;
            const mark = w.beginLength();
            w.writeInt(id);
            op.writeTop(w, value, this);
            w.endLength(mark);
        } catch (e) {
            for (const ty of this.addedTypes) this.ids.delete(ty);
            for (const key of this.addedKeys) this.structural.delete(key);
            if (e instanceof GobEncodeError) throw e.path.length > 0 ? e.within(typeName(type)) : e;
            if (e instanceof GobError) throw e;
            throw new GobError(`encode: internal error: ${e instanceof Error ? e.message : String(e)}`, {cause: e});
        }
        // allocUnsafe draws small results from Node's shared pool: no zero-fill, no per-call ArrayBuffer.
        const out = Buffer.allocUnsafe(this.defs.pos + this.body.pos);
        out.set(this.defs.buf.subarray(0, this.defs.pos), 0);
        out.set(this.body.buf.subarray(0, this.body.pos), this.defs.pos);
        return out;
    }

    concreteTypeId(type: GoType): number {
        if (baseKind(type) === 'interface') fail('the concrete type of an interface value cannot be an interface');
        return this.typeIdOf(type);
    }

    /** The wire id of a type, sending its definition (and those of everything it references) if new. */
    private typeIdOf(type: GoType): number {
        while (type.kind === 'ptr') type = type.elem;
        const builtin = builtinIds[type.kind];
        if (builtin !== undefined) return builtin;
        const known = this.ids.get(type);
        if (known !== undefined) return known;

        if (type.kind === 'struct') {
            // Register before resolving fields: a recursive field must see this id.
            const id = this.allocate(type);
            const fields = type.fields;
            const fieldIds = fields.map(([, ft]) => this.typeIdOf(ft));
            this.define(id, 2, (w) => {
                this.writeCommon(w, type.name, id);
                if (fields.length > 0) {
                    w.writeUint(1);
                    w.writeUint(fields.length);
                    for (let i = 0; i < fields.length; i++) {
                        w.writeUint(1);
                        w.writeString(fields[i]![0]);
                        w.writeUint(1);
                        w.writeInt(fieldIds[i]!);
                        w.writeByte(0);
                    }
                }
            });
            return id;
        }

        let key: string;
        let kindIndex: number;
        let body: (w: ByteWriter, id: number) => void;
        const name = typeName(type);
        switch (type.kind) {
            case 'slice': {
                const elem = this.typeIdOf(type.elem);
                key = `[]${elem}`;
                kindIndex = 1;
                body = (w, id) => {
                    this.writeCommon(w, name, id);
                    w.writeUint(1);
                    w.writeInt(elem);
                };
                break;
            }
            case 'array': {
                const elem = this.typeIdOf(type.elem);
                const len = type.len;
                key = `[${len}]${elem}`;
                kindIndex = 0;
                body = (w, id) => {
                    this.writeCommon(w, name, id);
                    w.writeUint(1);
                    w.writeInt(elem);
                    if (len !== 0) {
                        w.writeUint(1);
                        w.writeInt(len);
                    }
                };
                break;
            }
            case 'map': {
                const k = this.typeIdOf(type.key);
                const v = this.typeIdOf(type.elem);
                key = `map[${k}]${v}`;
                kindIndex = 3;
                body = (w, id) => {
                    this.writeCommon(w, name, id);
                    w.writeUint(1);
                    w.writeInt(k);
                    w.writeUint(1);
                    w.writeInt(v);
                };
                break;
            }
            case 'gobEncoder':
            case 'binaryMarshaler':
            case 'textMarshaler':
                key = `${type.kind} ${type.name}`;
                kindIndex = wireKindIndex[type.kind];
                body = (w, id) => this.writeCommon(w, name, id);
                break;
            default:
                throw new GobError(`unknown GoType kind ${describeValue(type.kind)}`);
        }
        const shared = this.structural.get(key);
        if (shared !== undefined) {
            this.ids.set(type, shared);
            this.addedTypes.push(type);
            return shared;
        }
        const id = this.allocate(type);
        this.structural.set(key, id);
        this.addedKeys.push(key);
        this.define(id, kindIndex, (w) => body(w, id));
        return id;
    }

    private allocate(type: GoType): number {
        const id = this.nextId++;
        this.ids.set(type, id);
        this.addedTypes.push(type);
        return id;
    }

    /** One definition message: int(-id), then a wireType struct with exactly one field set. */
    private define(id: number, kindIndex: number, writeInner: (w: ByteWriter) => void): void {
        const w = this.defs;
        const mark = w.beginLength();
        w.writeInt(-id);
        w.writeUint(kindIndex + 1);
        writeInner(w);
        w.writeByte(0); // end of the arrayType/sliceType/... struct
        w.writeByte(0); // end of wireType
        w.endLength(mark);
    }

    /** Field 0 of every kind struct: CommonType{Name, Id}. Leaves the enclosing field number at 0. */
    private writeCommon(w: ByteWriter, name: string, id: number): void {
        w.writeUint(1);
        if (name !== '') {
            w.writeUint(1);
            w.writeString(name);
            w.writeUint(1);
        } else {
            w.writeUint(2);
        }
        w.writeInt(id);
        w.writeByte(0);
    }
}

export class GobEncoder {
    readonly #core: EncoderCore;

    constructor(options: GobEncoderOptions = {}) {
        this.#core = new EncoderCore(options);
    }

    /**
     * All framed messages for one value: definitions of types not sent before on this encoder, each
     * as its own message, then the value message. If it throws, nothing is considered sent.
     */
    encode(type: GoType, value: unknown): Uint8Array {
        return this.#core.encode(type, value);
    }
}

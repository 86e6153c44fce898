import {GobError} from './errors.js';

/**
 * Static description of a Go type, used only by the encoder (the decoder learns types from the wire).
 * Gob flattens pointers and does not distinguish int sizes, so the descriptor vocabulary is the gob
 * wire vocabulary, not Go's full type system.
 */
export type GoType = BasicType | InterfaceType | StructType | PtrType | SliceType | ArrayType | MapType | MarshalerType;

export type BasicKind = 'bool' | 'int' | 'uint' | 'float' | 'complex' | 'string' | 'bytes';

export interface BasicType {
    readonly kind: BasicKind;
}

export interface InterfaceType {
    readonly kind: 'interface';
}

export interface StructType {
    readonly kind: 'struct';
    readonly name: string;
    /** Resolved lazily so that a struct can refer to itself through a thunk. */
    readonly fields: ReadonlyArray<readonly [string, GoType]>;
}

export interface PtrType {
    readonly kind: 'ptr';
    readonly elem: GoType;
}

export interface SliceType {
    readonly kind: 'slice';
    readonly elem: GoType;
}

export interface ArrayType {
    readonly kind: 'array';
    readonly elem: GoType;
    readonly len: number;
}

export interface MapType {
    readonly kind: 'map';
    readonly key: GoType;
    readonly elem: GoType;
}

export type MarshalerKind = 'gobEncoder' | 'binaryMarshaler' | 'textMarshaler';

export interface MarshalerType {
    readonly kind: MarshalerKind;
    readonly name: string;
}

export type StructFields = ReadonlyArray<readonly [fieldName: string, type: GoType]>;

class LazyStructType implements StructType {
    readonly kind = 'struct' as const;
    #fields: StructFields | undefined;
    #thunk: (() => StructFields) | undefined;

    constructor(
        readonly name: string,
        fields: StructFields | (() => StructFields),
    ) {
        if (typeof fields === 'function') {
            this.#thunk = fields;
        } else {
            this.#fields = checkFields(name, fields);
        }
    }

    get fields(): StructFields {
        if (this.#fields === undefined) {
            const thunk = this.#thunk;
            if (thunk === undefined) {
                throw new GobError(`struct ${this.name}: recursive field thunk refers to itself while resolving`);
            }
            this.#thunk = undefined;
            this.#fields = checkFields(this.name, thunk());
        }
        return this.#fields;
    }
}

function checkFields(structName: string, fields: StructFields): StructFields {
    const seen = new Set<string>();
    for (const [name, type] of fields) {
        if (typeof name !== 'string' || name === '') {
            throw new GobError(`struct ${structName}: empty field name`);
        }
        if (seen.has(name)) {
            throw new GobError(`struct ${structName}: duplicate field ${name}`);
        }
        if (type === undefined || type === null || typeof type !== 'object') {
            throw new GobError(`struct ${structName}: field ${name} has no type (is a recursive type missing a thunk?)`);
        }
        seen.add(name);
    }
    return Object.freeze(fields.map(([n, ty]) => Object.freeze([n, ty] as const)));
}

const basic = (kind: BasicKind): BasicType => Object.freeze({kind});

export const t = {
    bool: basic('bool') as GoType,
    int: basic('int') as GoType,
    uint: basic('uint') as GoType,
    float: basic('float') as GoType,
    complex: basic('complex') as GoType,
    string: basic('string') as GoType,
    bytes: basic('bytes') as GoType,
    interface: Object.freeze({kind: 'interface'}) as GoType,
    struct(name: string, fields: StructFields | (() => StructFields)): GoType {
        return new LazyStructType(name, fields);
    },
    ptr(elem: GoType): GoType {
        return Object.freeze({kind: 'ptr', elem});
    },
    slice(elem: GoType): GoType {
        return Object.freeze({kind: 'slice', elem});
    },
    array(elem: GoType, len: number): GoType {
        if (!Number.isSafeInteger(len) || len < 0) {
            throw new GobError(`array length must be a non-negative integer, got ${len}`);
        }
        return Object.freeze({kind: 'array', elem, len});
    },
    map(key: GoType, elem: GoType): GoType {
        return Object.freeze({kind: 'map', key, elem});
    },
    gobEncoder(name: string): GoType {
        return Object.freeze({kind: 'gobEncoder', name});
    },
    binaryMarshaler(name: string): GoType {
        return Object.freeze({kind: 'binaryMarshaler', name});
    },
    textMarshaler(name: string): GoType {
        return Object.freeze({kind: 'textMarshaler', name});
    },
} as const;

/**
 * A Go interface value: the registered name of the concrete type plus its value.
 * On encode, `type` says how to encode `value`; it may be left out for the names gob pre-registers
 * (`int64`, `string`, `[]interface {}`, ...). On decode, `type` is never set.
 */
export class GoInterface {
    constructor(
        readonly name: string,
        readonly value: unknown,
        readonly type?: GoType,
    ) {}
}

export type MarshaledKind = 'gob' | 'binary' | 'text';

/** Raw bytes of a value Go sent through GobEncode, MarshalBinary or MarshalText. */
export class GoMarshaled {
    constructor(
        readonly kind: MarshaledKind,
        readonly typeName: string,
        readonly bytes: Uint8Array,
    ) {}

    toString(): string {
        return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString('utf8');
    }
}

export const marshalerKinds: Readonly<Record<MarshalerKind, MarshaledKind>> = {
    gobEncoder: 'gob',
    binaryMarshaler: 'binary',
    textMarshaler: 'text',
};

/** Concrete types gob registers by itself (`registerBasics`), plus the two JSON-ish ones Mattermost registers. */
export const builtinInterfaceTypes: ReadonlyMap<string, GoType> = (() => {
    const m = new Map<string, GoType>();
    for (const n of ['int', 'int8', 'int16', 'int32', 'int64']) m.set(n, t.int);
    for (const n of ['uint', 'uint8', 'uint16', 'uint32', 'uint64', 'uintptr']) m.set(n, t.uint);
    for (const n of ['float32', 'float64']) m.set(n, t.float);
    for (const n of ['complex64', 'complex128']) m.set(n, t.complex);
    m.set('bool', t.bool);
    m.set('string', t.string);
    m.set('[]uint8', t.bytes);
    for (const n of ['int', 'int8', 'int16', 'int32', 'int64']) m.set(`[]${n}`, t.slice(t.int));
    for (const n of ['uint', 'uint16', 'uint32', 'uint64', 'uintptr']) m.set(`[]${n}`, t.slice(t.uint));
    for (const n of ['float32', 'float64']) m.set(`[]${n}`, t.slice(t.float));
    for (const n of ['complex64', 'complex128']) m.set(`[]${n}`, t.slice(t.complex));
    m.set('[]bool', t.slice(t.bool));
    m.set('[]string', t.slice(t.string));
    m.set('[]interface {}', t.slice(t.interface));
    m.set('map[string]interface {}', t.map(t.string, t.interface));
    return m;
})();

// The one place where Go model structs (as gob sees them: Go field names) meet @mattermost/types shapes
// (JSON names). Both directions are driven by the generated table, so a field renamed upstream is a
// regenerated table, not a hunt through the code.
import {GoInterface, GoMarshaled, t, type GoType} from '../transport/gob/index.js';

import {timeFromGob, timeToGob} from './api/go_time.js';
import {models, type ModelName} from './generated/models.js';
import type {FieldRow, StreamExpr, TypeExpr} from './model_table.js';

const structTypes = new Map<string, GoType>();

/** The gob type for a table type expression (struct definitions built once and shared). */
export function goTypeOf(expr: TypeExpr): GoType {
    if (typeof expr === 'string') {
        if (isStreamExpr(expr)) {
            throw new Error(`${expr} has no gob type: it crosses through a stream (hand-written glue)`);
        }
        return expr === 'rawjson' ? t.bytes : t[expr];
    }
    if ('slice' in expr) {
        return t.slice(goTypeOf(expr.slice));
    }
    if ('array' in expr) {
        return t.array(goTypeOf(expr.array), expr.len);
    }
    if ('map' in expr) {
        return t.map(goTypeOf(expr.map[0]), goTypeOf(expr.map[1]));
    }
    if ('ptr' in expr) {
        return t.ptr(goTypeOf(expr.ptr));
    }
    if ('marshaler' in expr) {
        switch (expr.marshaler) {
            case 'gob':
                return t.gobEncoder(expr.name);
            case 'binary':
                return t.binaryMarshaler(expr.name);
            default:
                return t.textMarshaler(expr.name);
        }
    }
    return modelType(expr.struct as ModelName);
}

const streamExprs: ReadonlySet<string> = new Set<StreamExpr>(['reader', 'writer', 'httpResponseWriter', 'httpRequest', 'httpResponse']);

export function isStreamExpr(expr: TypeExpr): expr is StreamExpr {
    return typeof expr === 'string' && streamExprs.has(expr);
}

export function modelType(name: ModelName): GoType {
    let type = structTypes.get(name);
    if (!type) {
        const rows = models[name];
        if (!rows) {
            throw new Error(`no generated model ${name}`);
        }
        type = t.struct(name, () => rows.map((r) => [r.go, goTypeOf(r.type)] as [string, GoType]));
        structTypes.set(name, type);
    }
    return type;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
    return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Map);
}

function setKey(o: Obj, key: string, value: unknown): void {
    if (key === '__proto__') {
        Object.defineProperty(o, key, {value, enumerable: true, writable: true, configurable: true});
    } else {
        o[key] = value;
    }
}

function zeroOf(expr: TypeExpr): unknown {
    switch (expr) {
        case 'string':
            return '';
        case 'int':
        case 'uint':
        case 'float':
            return 0;
        case 'bool':
            return false;
    }
    // gob leaves a zero time.Time out; Go's JSON still writes it
    return typeof expr === 'object' && 'marshaler' in expr && expr.name === 'time.Time' ? zeroTime : undefined;
}

const zeroTime = '0001-01-01T00:00:00Z';

/**
 * A value that crossed an interface (props, `any`) back to plain JSON-like data. Go structs inside
 * interfaces whose model we know get their JSON names; others keep Go's field names.
 */
export function unwrapInterface(value: unknown): unknown {
    if (value instanceof GoInterface) {
        const known = interfaceModels[value.name];
        if (known) {
            return fromGo(known, value.value);
        }
        return unwrapInterface(value.value);
    }
    if (value instanceof GoMarshaled) {
        return value.toString();
    }
    if (Array.isArray(value)) {
        return value.map(unwrapInterface);
    }
    if (value instanceof Map) {
        const o: Obj = {};
        for (const [k, v] of value) {
            setKey(o, String(k), unwrapInterface(v));
        }
        return o;
    }
    if (isObj(value)) {
        const o: Obj = {};
        for (const k of Object.keys(value)) {
            setKey(o, k, unwrapInterface(value[k]));
        }
        return o;
    }
    return value;
}

/** Registered gob names (client_rpc.go) whose Go types we have in the table. */
const interfaceModels: Record<string, TypeExpr> = {
    '*model.AppError': {struct: 'AppError'},
    '[]*model.SlackAttachment': {slice: {ptr: {struct: 'MessageAttachment'}}},
    '*plugin.ErrorString': {struct: 'PluginErrorString'},
};

type Conv = (value: unknown) => unknown;

const identity: Conv = (v) => v;

/** How struct converters are built: generated code where allowed (the runtime's), or the generic loop. */
export type StructConvMode = 'generated' | 'loop';

/** One converter per struct and mode, compiled once: every post goes through it, so no table walking per call. */
const structConvs: Record<StructConvMode, Map<string, Conv>> = {generated: new Map(), loop: new Map()};

function compileFrom(expr: TypeExpr, mode: StructConvMode): Conv {
    if (typeof expr === 'string') {
        switch (expr) {
            case 'interface':
                return unwrapInterface;
            case 'rawjson':
                return (v) => {
                    if (!(v instanceof Uint8Array)) {
                        return v;
                    }
                    try {
                        return JSON.parse(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8')) as unknown;
                    } catch {
                        return null;
                    }
                };
            case 'bytes':
                // Go's JSON for []byte
                return (v) => (v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : v);
            default:
                return identity;
        }
    }
    if ('ptr' in expr) {
        return compileFrom(expr.ptr, mode);
    }
    if ('slice' in expr || 'array' in expr) {
        const elem = compileFrom('slice' in expr ? expr.slice : expr.array, mode);
        return elem === identity
            ? identity
            : (v) => (Array.isArray(v) ? v.map((x) => (x === undefined || x === null ? x : elem(x))) : v);
    }
    if ('map' in expr) {
        const elem = compileFrom(expr.map[1], mode);
        return (v) => {
            const o: Obj = {};
            if (v instanceof Map) {
                for (const [k, x] of v) {
                    setKey(o, String(k), x === undefined || x === null ? x : elem(x));
                }
            } else if (isObj(v)) {
                for (const k of Object.keys(v)) {
                    const x = v[k];
                    setKey(o, k, x === undefined || x === null ? x : elem(x));
                }
            }
            return o;
        };
    }
    if ('marshaler' in expr) {
        if (expr.name === 'time.Time') {
            // as Go's JSON has it (RFC 3339), not the binary form gob carries
            return (v) => (v instanceof GoMarshaled ? (timeFromGob(v.bytes) ?? v.toString()) : v);
        }
        return (v) => (v instanceof GoMarshaled ? v.toString() : v);
    }
    return structConv(expr.struct, mode);
}

/** One field of a struct converter, as both the generated code and the loop use it. */
interface FieldConv {
    go: string;
    json: string;
    embedded: boolean;
    nullable: boolean;
    conv: Conv;
    /** What Go's JSON prints for a nil/absent field (undefined: leave the key out). */
    zero: unknown;
}

/** Structs with more fields than this use the loop (none in the table comes close; a guard on code size). */
const MAX_GENERATED_FIELDS = 512;

function structConv(name: string, mode: StructConvMode): Conv {
    const cache = structConvs[mode];
    let conv = cache.get(name);
    if (conv) {
        return conv;
    }
    const rows = models[name as ModelName];
    if (!rows) {
        return unwrapInterface;
    }
    // Placeholder first: recursive models (CommandResponse.ExtraResponses) refer to themselves.
    let compiled: Conv = unwrapInterface;
    cache.set(name, (v) => compiled(v));
    compiled = buildStructConv(name, structFields(rows, mode), mode, (generated) => cache.set(name, generated));
    cache.set(name, compiled);
    return compiled;
}

function structFields(rows: readonly FieldRow[], mode: StructConvMode): FieldConv[] {
    return rows
        .filter((r) => r.json !== '-')
        .map((r) => ({
            go: r.go,
            json: r.json,
            embedded: r.embedded === true,
            nullable: r.nullable === true,
            conv: compileFrom(r.type, mode),
            zero: !r.omitEmpty && !r.nullable ? zeroOf(r.type) : undefined,
        }));
}

/** How many values of one model the loop converts before the model gets a converter of its own. */
export const CONV_TIER_UP_CALLS = 8;

function buildStructConv(name: string, fields: readonly FieldConv[], mode: StructConvMode, tieredUp: (generated: Conv) => void): Conv {
    const loop = loopStructConv(fields);
    if (mode !== 'generated' || fields.length > MAX_GENERATED_FIELDS || fields.some((f) => f.json === '__proto__')) {
        return loop;
    }
    // Tiered: a model converted once or twice (model.Config and its few hundred nested settings, read at
    // activation for the log levels) stays on the loop and never costs generated code.
    let calls = 0;
    let current: Conv = (v) => {
        if (++calls >= CONV_TIER_UP_CALLS) {
            const generated = generateStructConv(name, fields);
            current = generated ?? loop;
            if (generated !== undefined) {
                tieredUp(generated);
            }
        }
        return loop(v);
    };
    return (v) => current(v);
}

/**
 * A converter of its own for one model, each field's Go and JSON name written into the code as string
 * literals: property loads and stores at fixed names stay monomorphic, where the loop's keyed accesses
 * over every model go megamorphic (≈ 4× the CPU per post). The names come from the generated table and
 * appear only as JSON string literals; a `__proto__` JSON name never gets here (a plain store would set
 * the prototype). Undefined where the embedder forbids code generation from strings: the caller falls
 * back to the loop, whose output is the same.
 */
function generateStructConv(name: string, fields: readonly FieldConv[]): Conv | undefined {
    const lines = fields.map((f, i) => {
        const go = JSON.stringify(f.go);
        const json = JSON.stringify(f.json);
        const convert = f.conv === identity ? 'v' : `C[${i}](v)`;
        if (f.embedded) {
            // a nil embedded pointer adds no fields in Go's JSON
            const absent = f.nullable ? '' : ` else Object.assign(out, C[${i}]({}));`;
            return `v = value[${go}]; if (v !== undefined && v !== null) Object.assign(out, C[${i}](v));${absent}`;
        }
        if (f.zero === undefined) {
            return `v = value[${go}]; if (v !== undefined && v !== null) out[${json}] = ${convert};`;
        }
        return `v = value[${go}]; out[${json}] = v === undefined || v === null ? Z[${i}] : ${convert};`;
    });
    const fnName = `convert${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    const source = `return function ${fnName}(value) {
    if (!isObj(value)) return unwrap(value);
    const out = {};
    let v;
${lines.join('\n')}
    return out;
};`;
    try {
        return new Function('C', 'Z', 'isObj', 'unwrap', source)(
            fields.map((f) => f.conv),
            fields.map((f) => f.zero),
            isObj,
            unwrapInterface,
        ) as Conv;
    } catch {
        return undefined;
    }
}

/** The generic converter: the table walked per value. */
function loopStructConv(fields: readonly FieldConv[]): Conv {
    return (value) => {
        if (!isObj(value)) {
            return unwrapInterface(value);
        }
        const out: Obj = {};
        for (const f of fields) {
            const v = value[f.go];
            if (f.embedded) {
                // a nil embedded pointer adds no fields in Go's JSON
                if (v !== undefined && v !== null) {
                    Object.assign(out, f.conv(v));
                } else if (!f.nullable) {
                    Object.assign(out, f.conv({}));
                }
            } else if (v === undefined || v === null) {
                if (f.zero !== undefined) {
                    setKey(out, f.json, f.zero);
                }
            } else {
                setKey(out, f.json, f.conv(v));
            }
        }
        return out;
    };
}

/**
 * Gob-decoded value → JSON shape with every struct converter (nested ones too) built the given way; the
 * runtime's is fromGo ('generated'). For tests that hold the generated code to the loop's output.
 */
export function fromGoWith(mode: StructConvMode, expr: TypeExpr, value: unknown): unknown {
    if (value === undefined || value === null) {
        return value;
    }
    return typeof expr === 'object' && 'struct' in expr ? structConv(expr.struct, mode)(value) : compileFrom(expr, mode)(value);
}

/** The cached converter of one model, built the given way (for tests: which way it was built). */
export function modelConverter(name: ModelName, mode: StructConvMode): (value: unknown) => unknown {
    return structConv(name, mode);
}

/** Gob-decoded value (Go field names) → JSON shape (@mattermost/types names). */
export function fromGo(expr: TypeExpr, value: unknown): unknown {
    return fromGoWith('generated', expr, value);
}

/** JSON shape (@mattermost/types names) → a value the gob encoder takes for the Go type. */
export function toGo(expr: TypeExpr, value: unknown): unknown {
    if (value === undefined || value === null) {
        return undefined;
    }
    if (typeof expr === 'string') {
        if (expr === 'rawjson') {
            return Buffer.from(JSON.stringify(value), 'utf8');
        }
        return expr === 'bytes' && typeof value === 'string' ? Buffer.from(value, 'base64') : value;
    }
    if ('ptr' in expr) {
        return toGo(expr.ptr, value);
    }
    if ('slice' in expr || 'array' in expr) {
        const elem = 'slice' in expr ? expr.slice : expr.array;
        return Array.isArray(value) ? value.map((v) => toGo(elem, v)) : value;
    }
    if ('map' in expr) {
        if (!isObj(value)) {
            return value;
        }
        const o: Obj = {};
        for (const k of Object.keys(value)) {
            setKey(o, k, toGo(expr.map[1], value[k]));
        }
        return o;
    }
    if ('marshaler' in expr) {
        return expr.name === 'time.Time' ? (timeToGob(value) ?? value) : value;
    }
    const rows = models[expr.struct as ModelName];
    if (!rows || !isObj(value)) {
        return value;
    }
    const out: Obj = {};
    for (const row of rows) {
        if (row.embedded) {
            out[row.go] = toGo(row.type, value);
            continue;
        }
        // Fields Go's JSON leaves out (e.g. AppError.Where) are taken by their Go name.
        const v = row.json === '-' ? value[row.go] : value[row.json] ?? value[row.go];
        if (v !== undefined && v !== null) {
            out[row.go] = toGo(row.type, v);
        }
    }
    return out;
}

/** Shorthands for the models the runtime converts. */
export function modelFromGo<T>(name: ModelName, value: unknown): T {
    return fromGo({struct: name}, value) as T;
}

export function modelToGo(name: ModelName, value: unknown): unknown {
    return toGo({struct: name}, value);
}

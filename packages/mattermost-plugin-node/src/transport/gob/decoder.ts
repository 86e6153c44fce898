/**
 * Schema-less gob decoder: type definitions come from the wire, values come out as plain JS data.
 *
 * Push-based: bytes arrive in arbitrary chunks and next() only yields a value once all messages it
 * spans are buffered. A value can span several messages because Go's encoder flushes the message it
 * is building when an interface value introduces a new concrete type (see decode.go,
 * decodeTypeSequence). When the data runs out in such a spot, the attempt is abandoned: the cursor and
 * every definition registered during it are rolled back, and the next call starts over.
 */
import {GobError} from './errors.js';
import {GoInterface, GoMarshaled, type MarshaledKind} from './types.js';
import {WireReader} from './wire.js';

export interface GobDecoderOptions {
    /** Largest accepted message payload, in bytes. Default 64 MiB. */
    maxMessageSize?: number;
    /** Deepest accepted nesting of structs, slices, maps, arrays and interfaces. Default 256. */
    maxDepth?: number;
}

const DEFAULT_MAX_MESSAGE = 64 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 256;
const FIRST_USER_ID = 64;
const MAX_TYPE_ID = 0x7fffffff; // Go's typeId is an int32
const MAX_INTERFACE_NAME = 1024;
const STRING_ID = 6;
const INITIAL_BUFFER = 64 * 1024;
const SHRINK_ABOVE = 4 * 1024 * 1024;

type WireDef =
    | {readonly k: 'array'; readonly name: string; readonly elem: number; readonly len: number}
    | {readonly k: 'slice'; readonly name: string; readonly elem: number}
    | {readonly k: 'struct'; readonly name: string; readonly fields: ReadonlyArray<{readonly name: string; readonly id: number}>}
    | {readonly k: 'map'; readonly name: string; readonly key: number; readonly elem: number}
    | {readonly k: MarshaledKind; readonly name: string}
    | {readonly k: 'none'; readonly name: string};

type Dec = (c: DecoderCore) => unknown;

/** Thrown inside an attempt when a needed message is not fully buffered yet; never escapes next(). */
const NEED_MORE: unique symbol = Symbol('gob: need more data');

const errRange = (): GobError => new GobError('bad data: field numbers out of bounds');

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
    // Plain assignment to "__proto__" would replace the prototype instead of creating a key.
    if (key === '__proto__') {
        Object.defineProperty(obj, key, {value, writable: true, enumerable: true, configurable: true});
    } else {
        obj[key] = value;
    }
}

const decBool: Dec = (c) => c.readUint() !== 0;
const decInt: Dec = (c) => c.readIntValue();
const decUint: Dec = (c) => c.readUintValue();
const decFloat: Dec = (c) => c.readFloat();
const decBytes: Dec = (c) => c.readBytes();
const decString: Dec = (c) => c.readString();
const decComplex: Dec = (c) => {
    const re = c.readFloat();
    const im = c.readFloat();
    return {re, im};
};
const decInterface: Dec = (c) => c.decodeInterface();

const builtinDecoders: ReadonlyMap<number, Dec> = new Map<number, Dec>([
    [1, decBool],
    [2, decInt],
    [3, decUint],
    [4, decFloat],
    [5, decBytes],
    [6, decString],
    [7, decComplex],
    [8, decInterface],
]);

/** Structs with more fields than this (only a hostile peer sends them) use the generic loop. */
const MAX_GENERATED_FIELDS = 512;

/** How many values of one struct type the generic loop decodes before the type gets a decoder of its own. */
export const TIER_UP_CALLS = 8;

/**
 * A decoder of its own for one struct type, with each field name written into the code. All structs
 * decoded by one shared closure make its property stores megamorphic (V8 keeps one feedback vector per
 * closure site), a cost of about a quarter of a post's decoding. The names come from the wire, so they
 * only ever appear as JSON string literals; `__proto__` never gets here (setOwn handles it). Undefined
 * where the embedder forbids code generation from strings: the caller falls back to the generic loop.
 */
function generateStructDec(names: readonly string[], ids: readonly number[], decs: (Dec | undefined)[]): Dec | undefined {
    const cases = names
        .map((name, i) => `case ${i}: o[${JSON.stringify(name)}] = (D[${i}] ?? (D[${i}] = c.getDec(I[${i}])))(c); break;`)
        .join('\n');
    const source = `return function decodeStruct(c) {
    c.enter();
    const o = {};
    let field = -1;
    while (c.pos < c.end) {
        const delta = c.readUint();
        if (delta === 0) break;
        if (field >= ${names.length} - delta) throw errRange();
        field += delta;
        switch (field) {
${cases}
        }
    }
    c.depth--;
    return o;
};`;
    try {
        return new Function('D', 'I', 'errRange', source)(decs, ids, errRange) as Dec;
    } catch {
        return undefined;
    }
}

class DecoderCore extends WireReader {
    /** Buffered, not yet consumed bytes live in buf[start, tail). */
    start = 0;
    tail = 0;
    depth = 0;
    /** How many struct types have got a decoder of their own (after TIER_UP_CALLS values): for tests and diagnostics. */
    structsGenerated = 0;
    readonly maxDepth: number;
    readonly maxMessageSize: number;
    private readonly types = new Map<number, WireDef>();
    private readonly compiled = new Map<number, Dec>();
    /** Ids defined during the current attempt; removed again if the attempt runs out of data. */
    private readonly pendingIds: number[] = [];
    // Result of peekMessage, kept in fields to avoid allocating per message.
    private peekStart = 0;
    private peekEnd = 0;
    /**
     * Where the message an abandoned attempt was waiting for starts (-1: none). Until it is complete,
     * retrying cannot succeed, so next() does not re-decode the partial value on every small chunk.
     */
    private waitFrom = -1;

    constructor(opts: GobDecoderOptions) {
        super();
        this.maxMessageSize = opts.maxMessageSize ?? DEFAULT_MAX_MESSAGE;
        this.maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
        if (!(this.maxMessageSize > 0)) throw new GobError('maxMessageSize must be positive');
        if (!(this.maxDepth > 0)) throw new GobError('maxDepth must be positive');
        this.setBuffer(new Uint8Array(INITIAL_BUFFER));
    }

    push(chunk: Uint8Array): void {
        const n = chunk.length;
        if (n === 0) return;
        if (this.start === this.tail) {
            this.start = this.tail = 0;
            this.waitFrom = -1; // it can only have pointed at `start`, which the default check uses anyway
            // Give memory back once a rare huge message has been consumed.
            if (this.buf.length > SHRINK_ABOVE && n <= INITIAL_BUFFER) this.setBuffer(new Uint8Array(INITIAL_BUFFER));
        }
        if (this.tail + n > this.buf.length) {
            const live = this.tail - this.start;
            if (live + n <= this.buf.length) {
                this.buf.copyWithin(0, this.start, this.tail);
            } else {
                let cap = this.buf.length;
                while (cap < live + n) cap *= 2;
                const next = new Uint8Array(cap);
                next.set(this.buf.subarray(this.start, this.tail));
                this.setBuffer(next);
            }
            if (this.waitFrom >= 0) this.waitFrom -= this.start;
            this.start = 0;
            this.tail = live;
        }
        this.buf.set(chunk, this.tail);
        this.tail += n;
    }

    /**
     * Locates the complete message whose length prefix starts at `at`. Returns false if it is not fully
     * buffered yet; throws on a corrupt or oversized length.
     */
    private peekMessage(at: number): boolean {
        const buf = this.buf;
        if (at >= this.tail) return false;
        const b = buf[at]!;
        let p = at + 1;
        let len: number;
        if (b < 0x80) {
            len = b;
        } else {
            const n = 256 - b;
            if (n > 8) throw new GobError('encoded unsigned integer out of range in message length');
            if (p + n > this.tail) return false;
            len = 0;
            for (let k = 0; k < n; k++) len = len * 256 + buf[p++]!;
        }
        if (len > this.maxMessageSize) {
            throw new GobError(`message length ${len} exceeds the limit of ${this.maxMessageSize} bytes`);
        }
        if (p + len > this.tail) return false;
        this.peekStart = p;
        this.peekEnd = p + len;
        return true;
    }

    /** Whether an attempt could make progress: the awaited message (or, initially, the first) is complete. */
    worthAttempting(): boolean {
        return this.peekMessage(this.waitFrom >= 0 ? this.waitFrom : this.start);
    }

    /** Makes the next framed message current. Only called when the current one is used up. */
    private refill(): void {
        if (!this.peekMessage(this.end)) {
            this.waitFrom = this.end;
            throw NEED_MORE;
        }
        this.pos = this.peekStart;
        this.end = this.peekEnd;
    }

    /** One attempt at the next top-level value. Returns NEED_MORE (after rollback) when data is missing. */
    attempt(): {value: unknown} | typeof NEED_MORE {
        this.pos = this.end = this.start;
        this.depth = 0;
        this.waitFrom = -1;
        try {
            const id = this.typeSequence(false);
            const value = this.decodeValueOfType(id);
            // Like Go (Decoder.DecodeValue resets its buffer), whatever is left in the message is dropped.
            this.start = this.end;
            this.pendingIds.length = 0;
            return {value};
        } catch (e) {
            if (e !== NEED_MORE) throw e;
            this.rollback();
            return NEED_MORE;
        }
    }

    private rollback(): void {
        if (this.pendingIds.length > 0) {
            for (const id of this.pendingIds) this.types.delete(id);
            this.pendingIds.length = 0;
            // Compiled decoders may have resolved children among the removed ids; rebuild lazily.
            this.compiled.clear();
        }
        this.pos = this.end = this.start;
    }

    /**
     * Go's decodeTypeSequence: definitions until a value's type id. Inside an interface value the
     * definitions may sit in the middle of a message, each followed by a count the nested encoder left
     * behind; at top level each definition must fill its message exactly.
     */
    typeSequence(isInterface: boolean): number {
        for (;;) {
            while (this.pos === this.end) this.refill();
            const id = this.readInt();
            if (id >= 0) {
                if (id > MAX_TYPE_ID) throw new GobError(`type id ${id} out of range`);
                return id;
            }
            this.defineType(-id);
            if (this.pos < this.end) {
                if (!isInterface) throw new GobError('extra data in buffer after type definition');
                this.readUint();
            } else if (!isInterface) {
                // A standalone definition message is complete on its own: keep it even if the value
                // that follows has not fully arrived, so it is not parsed again.
                this.start = this.end;
                this.pendingIds.length = 0;
            }
        }
    }

    private defineType(id: number): void {
        if (id < FIRST_USER_ID) throw new GobError(`type definition with id ${id}, below the first user id ${FIRST_USER_ID}`);
        if (id > MAX_TYPE_ID) throw new GobError(`type id ${id} out of range`);
        if (this.types.has(id)) throw new GobError(`duplicate type received (id ${id})`);
        const def = this.readWireType();
        this.types.set(id, def);
        this.pendingIds.push(id);
    }

    /** Generic struct walk with Go's delta rules; ends at a zero delta or at the end of the message. */
    private readStruct(numFields: number, onField: (index: number) => void): void {
        let field = -1;
        while (this.pos < this.end) {
            const delta = this.readUint();
            if (delta === 0) return;
            if (field >= numFields - delta) throw errRange();
            field += delta;
            onField(field);
        }
    }

    private readCommonName(): string {
        let name = '';
        this.readStruct(2, (f) => {
            if (f === 0) name = this.readString();
            else this.readInt(); // CommonType.Id: informational, may differ from the defined id
        });
        return name;
    }

    private readTypeId(): number {
        const id = this.readInt();
        if (id < 0 || id > MAX_TYPE_ID) throw new GobError(`type id ${id} out of range in type definition`);
        return id;
    }

    private readWireType(): WireDef {
        let def: WireDef | undefined;
        this.readStruct(7, (kind) => {
            if (def !== undefined) throw new GobError('type definition sets more than one kind');
            let name = '';
            switch (kind) {
                case 0: {
                    let elem = 0;
                    let len = 0;
                    this.readStruct(3, (f) => {
                        if (f === 0) name = this.readCommonName();
                        else if (f === 1) elem = this.readTypeId();
                        else len = this.readInt();
                    });
                    if (len < 0 || len > MAX_TYPE_ID) throw new GobError(`invalid array length ${len} in type definition`);
                    def = {k: 'array', name, elem, len};
                    break;
                }
                case 1: {
                    let elem = 0;
                    this.readStruct(2, (f) => {
                        if (f === 0) name = this.readCommonName();
                        else elem = this.readTypeId();
                    });
                    def = {k: 'slice', name, elem};
                    break;
                }
                case 2: {
                    const fields: {name: string; id: number}[] = [];
                    this.readStruct(2, (f) => {
                        if (f === 0) {
                            name = this.readCommonName();
                            return;
                        }
                        const count = this.readUint();
                        for (let i = 0; i < count; i++) {
                            if (this.pos >= this.end) throw new GobError(`struct field list: length ${count} exceeds input size`);
                            let fname = '';
                            let fid = 0;
                            this.readStruct(2, (g) => {
                                if (g === 0) fname = this.readString();
                                else fid = this.readTypeId();
                            });
                            fields.push({name: fname, id: fid});
                        }
                    });
                    def = {k: 'struct', name, fields};
                    break;
                }
                case 3: {
                    let key = 0;
                    let elem = 0;
                    this.readStruct(3, (f) => {
                        if (f === 0) name = this.readCommonName();
                        else if (f === 1) key = this.readTypeId();
                        else elem = this.readTypeId();
                    });
                    def = {k: 'map', name, key, elem};
                    break;
                }
                default: {
                    this.readStruct(1, () => {
                        name = this.readCommonName();
                    });
                    def = {k: kind === 4 ? 'gob' : kind === 5 ? 'binary' : 'text', name};
                }
            }
        });
        // Go accepts a definition with no kind and only fails if a value uses it.
        return def ?? {k: 'none', name: ''};
    }

    private enter(): void {
        if (++this.depth > this.maxDepth) throw new GobError(`value nesting exceeds the limit of ${this.maxDepth}`);
    }

    getDec(id: number): Dec {
        let d = this.compiled.get(id);
        if (d === undefined) {
            d = this.compile(id);
            this.compiled.set(id, d);
        }
        return d;
    }

    private compile(id: number): Dec {
        const builtin = builtinDecoders.get(id);
        if (builtin !== undefined) return builtin;
        const def = this.types.get(id);
        if (def === undefined) throw new GobError(`unknown type id ${id}`);
        switch (def.k) {
            case 'struct':
                return this.compileStruct(def.fields);
            case 'slice':
                return this.compileSlice(def.elem, -1);
            case 'array':
                return this.compileSlice(def.elem, def.len);
            case 'map':
                return this.compileMap(def.key, def.elem);
            case 'gob':
            case 'binary':
            case 'text': {
                const kind = def.k;
                const name = def.name;
                return (c) => new GoMarshaled(kind, name, c.readBytes());
            }
            case 'none':
                throw new GobError(`type id ${id} has an empty definition`);
        }
    }

    private compileStruct(fields: ReadonlyArray<{readonly name: string; readonly id: number}>): Dec {
        const n = fields.length;
        const names = fields.map((f) => f.name);
        if (names.some((name) => name === '')) throw new GobError('empty name for remote struct field');
        const ids = fields.map((f) => f.id);
        const hasProto = names.includes('__proto__');
        const decs: (Dec | undefined)[] = new Array<Dec | undefined>(n).fill(undefined);
        const loop: Dec = (c) => {
            c.enter();
            const obj: Record<string, unknown> = {};
            let field = -1;
            while (c.pos < c.end) {
                const delta = c.readUint();
                if (delta === 0) break;
                if (field >= n - delta) throw errRange();
                field += delta;
                let d = decs[field];
                if (d === undefined) d = decs[field] = c.getDec(ids[field]!);
                if (hasProto) setOwn(obj, names[field]!, d(c));
                else obj[names[field]!] = d(c);
            }
            c.depth--;
            return obj;
        };
        if (hasProto || n > MAX_GENERATED_FIELDS) return loop;
        // Tiered: a type seen only once or twice (the server's whole model.Config, read at activation for
        // its log settings, is a few hundred structs) stays on the loop and never costs generated code.
        let calls = 0;
        let current: Dec = (c) => {
            if (++calls >= TIER_UP_CALLS) {
                const generated = generateStructDec(names, ids, decs);
                if (generated !== undefined) c.structsGenerated++;
                current = generated ?? loop;
            }
            return loop(c);
        };
        return (c) => current(c);
    }

    /** Slices (fixedLen < 0) and arrays share the element loop. */
    private compileSlice(elemId: number, fixedLen: number): Dec {
        let elem: Dec | undefined;
        return (c) => {
            c.enter();
            const n = c.readUint();
            if (fixedLen >= 0 && n !== fixedLen) throw new GobError(`length mismatch in array: got ${n}, want ${fixedLen}`);
            const d = (elem ??= c.getDec(elemId));
            // The count is untrusted: preallocate only what the message could possibly hold. Elements
            // may continue in later messages (interfaces), so the real bound is checked per element.
            const out: unknown[] = n <= c.end - c.pos ? new Array<unknown>(n) : [];
            for (let i = 0; i < n; i++) {
                if (c.pos >= c.end) throw new GobError(`decoding array or slice: length exceeds input size (${n} elements)`);
                out[i] = d(c);
            }
            c.depth--;
            return out;
        };
    }

    private compileMap(keyId: number, elemId: number): Dec {
        let key: Dec | undefined;
        let elem: Dec | undefined;
        const stringKeys = keyId === STRING_ID;
        return (c) => {
            c.enter();
            const n = c.readMapCount();
            const kd = (key ??= c.getDec(keyId));
            const ed = (elem ??= c.getDec(elemId));
            let out: Record<string, unknown> | Map<unknown, unknown>;
            if (stringKeys) {
                const obj: Record<string, unknown> = {};
                for (let i = 0; i < n; i++) {
                    if (c.pos >= c.end) throw new GobError(`decoding map: length exceeds input size (${n} entries)`);
                    const k = kd(c) as string;
                    setOwn(obj, k, ed(c));
                }
                out = obj;
            } else {
                const m = new Map<unknown, unknown>();
                for (let i = 0; i < n; i++) {
                    if (c.pos >= c.end) throw new GobError(`decoding map: length exceeds input size (${n} entries)`);
                    const k = kd(c);
                    m.set(k, ed(c));
                }
                out = m;
            }
            c.depth--;
            return out;
        };
    }

    /** A value in "top-level form": struct fields directly, anything else behind a zero field delta. */
    decodeValueOfType(id: number): unknown {
        const d = this.getDec(id);
        if (this.types.get(id)?.k !== 'struct') {
            if (this.readUint() !== 0) throw new GobError('corrupted data: non-zero delta for singleton');
        }
        return d(this);
    }

    decodeInterface(): GoInterface | null {
        const nameLen = this.readUint();
        const left = this.end - this.pos;
        if (nameLen > left) throw new GobError(`invalid type name length ${nameLen}: exceeds input size ${left}`);
        if (nameLen === 0) return null;
        if (nameLen > MAX_INTERFACE_NAME) throw new GobError(`interface type name too long (${nameLen} bytes)`);
        const name = this.readStringN(nameLen);
        this.enter();
        const id = this.typeSequence(true);
        // The byte count lets Go skip values it cannot store; everything is decoded here, so it is unused.
        this.readUint();
        const value = this.decodeValueOfType(id);
        this.depth--;
        return new GoInterface(name, value);
    }
}

export class GobDecoder {
    readonly #core: DecoderCore;
    #failure: GobError | undefined;

    constructor(options: GobDecoderOptions = {}) {
        this.#core = new DecoderCore(options);
    }

    /** Bytes received but not yet consumed by a decoded value. */
    get buffered(): number {
        return this.#core.tail - this.#core.start;
    }

    /**
     * How many struct types have a decoder of their own by now: each type starts on the generic loop and
     * gets generated code after TIER_UP_CALLS values (diagnostics; the decoded values are the same).
     */
    get structsGenerated(): number {
        return this.#core.structsGenerated;
    }

    push(chunk: Uint8Array): void {
        this.#core.push(chunk);
    }

    /**
     * The next value, or undefined if more bytes are needed. After a GobError the stream position is
     * unknown, so the decoder stays failed and keeps throwing the same error.
     */
    next(): {value: unknown} | undefined {
        if (this.#failure !== undefined) throw this.#failure;
        try {
            if (!this.#core.worthAttempting()) return undefined;
            const r = this.#core.attempt();
            return r === NEED_MORE ? undefined : r;
        } catch (e) {
            this.#failure =
                e instanceof GobError
                    ? e
                    : new GobError(`internal error while decoding: ${e instanceof Error ? e.message : String(e)}`, {cause: e});
            throw this.#failure;
        }
    }
}

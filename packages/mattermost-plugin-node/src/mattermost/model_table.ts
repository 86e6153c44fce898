// The shape of the generated model table (generated/models.ts): one row per exported Go struct field, with
// its gob wire type and its JSON name, which is the @mattermost/types field name.

export type TypeExpr =
    | 'bool'
    | 'int'
    | 'uint'
    | 'float'
    | 'string'
    | 'bytes'
    | 'interface'
    /** json.RawMessage: bytes on the wire, embedded JSON in Go's JSON. */
    | 'rawjson'
    | {slice: TypeExpr}
    | {array: TypeExpr; len: number}
    | {map: readonly [TypeExpr, TypeExpr]}
    | {struct: string}
    | {ptr: TypeExpr}
    | {marshaler: 'gob' | 'binary' | 'text'; name: string}
    | StreamExpr;

/**
 * Signature types that never cross as one gob value: Mattermost's hand-written glue moves them through a
 * mux-broker stream or as a serialized HTTP exchange (only in `wire: 'manual'` rows).
 */
export type StreamExpr = 'reader' | 'writer' | 'httpResponseWriter' | 'httpRequest' | 'httpResponse';

export interface FieldRow {
    /** Go field name: the key on the wire. */
    go: string;
    /** encoding/json name; "-" when Go's JSON leaves the field out. */
    json: string;
    omitEmpty: boolean;
    type: TypeExpr;
    /** A Go pointer: JSON null when nil, so no zero value stands in for it. */
    nullable?: boolean;
    /** An embedded struct: one field on the wire, flattened into the parent in JSON. */
    embedded?: boolean;
}

export type ModelTable = Record<string, readonly FieldRow[]>;

/** One parameter of a plugin API method or hook (generated/api_table.ts, generated/hooks_table.ts). */
export interface ParamRow {
    /** The Go parameter name. */
    name: string;
    type: TypeExpr;
    /** Go's `...T`: `type` is the slice the wire carries, the TypeScript method takes rest arguments. */
    variadic?: true;
}

export interface ResultRow {
    type: TypeExpr;
    /** 'app': a `*model.AppError`, 'error': a Go `error`; either is thrown rather than returned. */
    error?: 'app' | 'error';
}

export interface MethodRow {
    go: string;
    /** The TypeScript method name (KVGet → kvGet, GetLDAPUserAttributes → getLDAPUserAttributes). */
    ts: string;
    params: readonly ParamRow[];
    results: readonly ResultRow[];
    /** 'generated': args `Z_<Go>Args` fields A, B, C..., returns `Z_<Go>Returns` likewise; 'manual': client_rpc.go's own shape. */
    wire: 'generated' | 'manual';
}

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
    | {marshaler: 'gob' | 'binary' | 'text'; name: string};

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

// Signature values ⇄ gob values for the generated API methods, driven by the method table. Models go
// through models.ts (JSON names ⇄ Go names); what differs at the top of a signature is []byte: a method's
// own bytes are raw (KVGet's value), while bytes inside a model are base64 as in Go's JSON.
import {t, type GoType} from '../../transport/gob/index.js';
import type {MethodRow, TypeExpr} from '../model_table.js';
import {fromGo, goTypeOf, toGo} from '../models.js';

/** The field names of Mattermost's generated Z_<Method>Args/Returns structs, by position. */
export function fieldName(index: number): string {
    return String.fromCharCode(65 + index);
}

const argsTypes = new WeakMap<MethodRow, GoType>();

/** `Z_<Method>Args`: fields A, B, C... typed as the parameters (a variadic one is its slice). */
export function argsTypeOf(row: MethodRow): GoType {
    let type = argsTypes.get(row);
    if (!type) {
        type = t.struct(
            `Z_${row.go}Args`,
            row.params.map((p, i) => [fieldName(i), goTypeOf(p.type)] as [string, GoType]),
        );
        argsTypes.set(row, type);
    }
    return type;
}

/** A signature value → what the gob encoder takes for its type. */
export function argToGo(expr: TypeExpr, value: unknown): unknown {
    if (value === undefined || value === null) {
        return undefined;
    }
    if (expr === 'bytes') {
        // A string is taken as UTF-8 text: the common case of a JSON or text value in the KV store.
        return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    }
    if (typeof expr === 'object' && 'slice' in expr && Array.isArray(value)) {
        return value.map((v) => argToGo(expr.slice, v));
    }
    if (typeof expr === 'object' && 'map' in expr && typeof value === 'object' && !(value instanceof Map)) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            Object.defineProperty(out, k, {value: argToGo(expr.map[1], v), enumerable: true, writable: true, configurable: true});
        }
        return out;
    }
    return toGo(expr, value);
}

/** The args struct value of a call. */
export function argsOf(row: MethodRow, args: readonly unknown[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    row.params.forEach((p, i) => {
        const v = argToGo(p.type, args[i]);
        if (v !== undefined) {
            out[fieldName(i)] = v;
        }
    });
    return out;
}

/** What Go's zero value of a result type reads as (gob leaves zero values out of the reply). */
export function zeroResult(expr: TypeExpr): unknown {
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
    if (typeof expr === 'object') {
        if ('slice' in expr || 'array' in expr) {
            return [];
        }
        if ('map' in expr) {
            return {};
        }
        if ('struct' in expr) {
            return fromGo(expr, {});
        }
    }
    // a nil pointer, []byte, interface or error
    return null;
}

/** A reply field → the signature value. */
export function resultFromGo(expr: TypeExpr, value: unknown): unknown {
    if (value === undefined || value === null) {
        return zeroResult(expr);
    }
    if (expr === 'bytes') {
        return value;
    }
    if (typeof expr === 'object' && 'slice' in expr && Array.isArray(value)) {
        return value.map((v) => (v === undefined || v === null ? zeroResult(expr.slice) : resultFromGo(expr.slice, v)));
    }
    if (typeof expr === 'object' && 'map' in expr && typeof value === 'object') {
        const entries = value instanceof Map ? [...value] : Object.entries(value);
        const out: Record<string, unknown> = {};
        for (const [k, v] of entries) {
            // a key "__proto__" stays a key
            Object.defineProperty(out, String(k), {value: resultFromGo(expr.map[1], v), enumerable: true, writable: true, configurable: true});
        }
        return out;
    }
    return fromGo(expr, value);
}

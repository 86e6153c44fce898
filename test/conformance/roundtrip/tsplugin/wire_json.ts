// JSON in and out of the round-trip plugin (../rt/protocol.go): arguments as the Go side encodes them
// (rt.ArgsJSON: models in their JSON shape, []byte and io.Reader parameters as base64 markers), and
// results, hook arguments and errors back as plain JSON (Uint8Array as base64, as Go's JSON has []byte).
import {AppError, PluginApiError} from 'mattermost-plugin-node';

import type {MethodRow, TypeExpr} from './tables.js';

export type Json = null | boolean | number | string | Json[] | {[k: string]: Json};

export interface ErrorJson {
    type: string;
    id?: string;
    message: string;
    detailed_error?: string;
    request_id?: string;
    status_code?: number;
    where?: string;
    skip_translation?: boolean;
    code?: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One argument from its JSON: the markers become Uint8Array, everything else is taken as it is. */
export function argFromJson(v: unknown): unknown {
    if (isRecord(v)) {
        if (typeof v.$bytes === 'string' && Object.keys(v).length === 1) {
            return new Uint8Array(Buffer.from(v.$bytes, 'base64'));
        }
        if (typeof v.$reader === 'string' && Object.keys(v).length === 1) {
            return new Uint8Array(Buffer.from(v.$reader, 'base64'));
        }
    }
    return v;
}

/** The positional arguments of a call: a variadic parameter's list is spread. */
export function callArgs(row: MethodRow, json: readonly unknown[]): unknown[] {
    const out: unknown[] = [];
    row.params.forEach((p, i) => {
        const v = json[i];
        if (p.variadic && Array.isArray(v)) {
            out.push(...v.map(argFromJson));
        } else {
            out.push(argFromJson(v));
        }
    });
    return out;
}

/** A value as plain JSON (Buffer's own toJSON would give {type, data}). */
export function plain(v: unknown, depth = 0): Json {
    if (depth > 200 || v === undefined || v === null) {
        return null;
    }
    if (v instanceof Uint8Array) {
        return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
    }
    if (typeof v === 'bigint') {
        return Number(v);
    }
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') {
        return v;
    }
    if (Array.isArray(v)) {
        return v.map((x) => plain(x, depth + 1));
    }
    if (v instanceof Map) {
        const o: {[k: string]: Json} = {};
        for (const [k, x] of v) {
            o[String(k)] = plain(x, depth + 1);
        }
        return o;
    }
    if (v instanceof Date) {
        return v.toISOString();
    }
    if (typeof v === 'object') {
        const o: {[k: string]: Json} = {};
        for (const [k, x] of Object.entries(v)) {
            o[k] = plain(x, depth + 1);
        }
        return o;
    }
    return String(v);
}

/** How many results a row returns besides its error. */
export function valueCount(row: MethodRow): number {
    return row.results.filter((r) => !r.error).length;
}

/** What a call returned, one JSON value per non-error result: none → [], one → [v], several → the tuple. */
export function resultsJson(row: MethodRow, returned: unknown): Json[] {
    const n = valueCount(row);
    if (n === 0) {
        return [];
    }
    if (n === 1) {
        return [plain(returned)];
    }
    return Array.isArray(returned) ? returned.map((x) => plain(x)) : [plain(returned)];
}

/** What a hook returns from the results it was armed with (JSON in the model shape). */
export function hookReturn(row: MethodRow, results: readonly unknown[]): unknown {
    const n = valueCount(row);
    if (n === 0) {
        return undefined;
    }
    if (n === 1) {
        return argFromJson(results[0]);
    }
    return results.map(argFromJson);
}

export function errorJson(err: unknown): ErrorJson {
    if (err instanceof AppError) {
        return {
            type: 'AppError',
            id: err.id,
            message: err.message,
            detailed_error: err.detailedError,
            request_id: err.requestId,
            status_code: err.statusCode,
            where: err.where,
            skip_translation: err.skipTranslation,
        };
    }
    if (err instanceof PluginApiError) {
        return {type: 'error', message: err.message, code: err.code};
    }
    if (err instanceof Error) {
        return {type: err.name, message: err.message};
    }
    return {type: 'thrown', message: String(err)};
}

/** The error a hook was armed to throw: an AppError with every field, or a plain Error. */
export function errorFromJson(e: ErrorJson): Error {
    if (e.type === 'AppError') {
        return new AppError({
            id: e.id ?? '',
            message: e.message,
            detailedError: e.detailed_error,
            statusCode: e.status_code,
            where: e.where,
            requestId: e.request_id,
            skipTranslation: e.skip_translation,
        });
    }
    return new Error(e.message);
}

/** A zero argument of a type, for calling a method only to see the server refuse it. */
export function zeroOf(expr: TypeExpr): unknown {
    if (typeof expr === 'string') {
        switch (expr) {
            case 'string':
                return '';
            case 'int':
            case 'uint':
            case 'float':
                return 0;
            case 'bool':
                return false;
            case 'bytes':
            case 'reader':
                return new Uint8Array();
            default:
                return null;
        }
    }
    if ('slice' in expr || 'array' in expr) {
        return [];
    }
    if ('map' in expr || 'struct' in expr) {
        return {};
    }
    return null;
}

/**
 * A parameter's kind, the coarse shape the Go side compares with an older line's signature (rt.KindOf):
 * pointers are their element, every struct is 'struct', lists 'slice'.
 */
export function kindOf(expr: TypeExpr): string {
    if (typeof expr === 'string') {
        return expr === 'rawjson' ? 'bytes' : expr;
    }
    if ('ptr' in expr) {
        return kindOf(expr.ptr);
    }
    if ('slice' in expr || 'array' in expr) {
        return 'slice';
    }
    if ('map' in expr) {
        return 'map';
    }
    return 'struct';
}

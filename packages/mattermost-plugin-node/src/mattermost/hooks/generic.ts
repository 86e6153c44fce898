// The table-driven half of the hooks server: every hook whose wire is client_rpc_generated.go's is served
// from its row alone. Arguments are decoded by the row's types into @mattermost/types shapes, the
// plugin's method is called, and what it returns (or throws) is encoded into Z_<Hook>Returns.
import {t, type GoType} from '../../transport/gob/index.js';
import type {RpcMethod, RpcReply} from '../../transport/netrpc.js';
import {AppError, appErrorToGo, errorToGo} from '../errors.js';
import type {TypeExpr} from '../model_table.js';
import {fromGo, goTypeOf, modelType, toGo} from '../models.js';

import {wireField, type HookResult, type HookRow} from './rows.js';

export type HookLogger = (level: 'debug' | 'info' | 'warn' | 'error', message: string, ...kv: unknown[]) => void;

/** The plugin object as the dispatcher sees it: methods looked up by the table's names. */
export type HookTarget = object;

export type Args = Record<string, unknown>;

export function argsOf(body: unknown): Args {
    return typeof body === 'object' && body !== null ? (body as Args) : {};
}

/** The plugin's method for a hook, bound, or undefined when the plugin does not define one. */
export function hookFunction(plugin: HookTarget, name: string): ((...args: unknown[]) => unknown) | undefined {
    const fn = (plugin as Record<string, unknown>)[name];
    return typeof fn === 'function' ? (fn as (...args: unknown[]) => unknown).bind(plugin) : undefined;
}

/**
 * gob leaves zero values off the wire, so an absent field is Go's zero value: a string hook argument
 * that is "" must still reach the plugin as "", a struct passed by value as its zero struct.
 */
function zeroArg(expr: TypeExpr): unknown {
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
            default:
                return undefined;
        }
    }
    if ('struct' in expr) {
        return fromGo(expr, {});
    }
    if ('slice' in expr) {
        return [];
    }
    if ('map' in expr) {
        return {};
    }
    return undefined;
}

export function decodeArg(expr: TypeExpr, value: unknown): unknown {
    return value === undefined || value === null ? zeroArg(expr) : fromGo(expr, value);
}

function resultType(r: HookResult): GoType {
    if (r.error === 'error') {
        return t.interface;
    }
    if (r.error === 'app') {
        return t.ptr(modelType('AppError'));
    }
    return goTypeOf(r.type);
}

const returnsTypes = new Map<string, GoType>();

/** Z_<Hook>Returns as the host declares it, built once per hook. */
export function returnsType(row: HookRow): GoType {
    let type = returnsTypes.get(row.go);
    if (!type) {
        type = t.struct(
            `Z_${row.go}Returns`,
            row.results.map((r, i) => [wireField(i), resultType(r)] as [string, GoType]),
        );
        returnsTypes.set(row.go, type);
    }
    return type;
}

/** A thrown value as the *model.AppError a hook like ExecuteCommand answers with. */
export function toAppError(hook: string, err: unknown): AppError {
    if (err instanceof AppError) {
        return err;
    }
    return new AppError({
        id: `plugin.${hook.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}.app_error`,
        message: err instanceof Error ? err.message : String(err),
        statusCode: 500,
        where: hook,
    });
}

function encodeError(hook: string, r: HookResult, err: unknown): unknown {
    return r.error === 'app' ? appErrorToGo(toAppError(hook, err)) : errorToGo(err);
}

/**
 * The plugin's return value, one entry per non-error result: nothing for none, the value itself for one,
 * a tuple for more.
 */
function spreadResults(count: number, returned: unknown): unknown[] {
    if (count === 0) {
        return [];
    }
    if (count === 1) {
        return [returned];
    }
    return Array.isArray(returned) ? returned : [];
}

/** Where a hook's results go in Z_<Hook>Returns, worked out once per hook rather than per call. */
interface ReturnsLayout {
    type: GoType;
    /** Positions of the non-error results. */
    valueSlots: number[];
    /** Position of the error result, or -1. */
    errorSlot: number;
}

const layouts = new WeakMap<HookRow, ReturnsLayout>();

function layoutOf(row: HookRow): ReturnsLayout {
    let layout = layouts.get(row);
    if (!layout) {
        const valueSlots: number[] = [];
        row.results.forEach((r, i) => {
            if (!r.error) {
                valueSlots.push(i);
            }
        });
        layout = {type: returnsType(row), valueSlots, errorSlot: row.results.findIndex((r) => r.error !== undefined)};
        layouts.set(row, layout);
    }
    return layout;
}

/** Encodes what the plugin returned (or threw) into Z_<Hook>Returns. */
export function encodeReturns(row: HookRow, outcome: {returned: unknown} | {thrown: unknown}): RpcReply {
    const layout = layoutOf(row);
    const out: Args = {};
    if ('thrown' in outcome) {
        const r = row.results[layout.errorSlot];
        if (r) {
            out[wireField(layout.errorSlot)] = encodeError(row.go, r, outcome.thrown);
        }
    } else if (layout.valueSlots.length > 0) {
        const values = spreadResults(layout.valueSlots.length, outcome.returned);
        layout.valueSlots.forEach((slot, k) => {
            const r = row.results[slot];
            const v = values[k];
            if (r && v !== undefined && v !== null) {
                out[wireField(slot)] = toGo(r.type, v);
            }
        });
    }
    return {type: layout.type, value: out};
}

/**
 * The reply to a hook whose method returned `pending`, as a thenable that the RPC server's callbacks are
 * handed to directly: the reply goes out in the same microtask that sees the method's promise settle,
 * not one later as with `pending.then(succeeded, failed)`, whose result is a second promise to wait on.
 */
function settleInto(pending: Promise<unknown>, succeeded: (v: unknown) => RpcReply, failed: (err: unknown) => RpcReply): PromiseLike<RpcReply> {
    return {
        then<A = RpcReply, B = never>(
            onReply?: ((reply: RpcReply) => A | PromiseLike<A>) | null,
            onError?: ((err: unknown) => B | PromiseLike<B>) | null,
        ): PromiseLike<A | B> {
            return new Promise<A | B>((resolve, reject) => {
                const deliver = (make: () => RpcReply): void => {
                    let reply: RpcReply;
                    try {
                        reply = make();
                    } catch (err) {
                        try {
                            if (onError) {
                                resolve(onError(err));
                            } else {
                                reject(err);
                            }
                        } catch (thrown) {
                            reject(thrown);
                        }
                        return;
                    }
                    try {
                        resolve(onReply ? onReply(reply) : (reply as A));
                    } catch (thrown) {
                        reject(thrown);
                    }
                };
                pending.then(
                    (v) => deliver(() => succeeded(v)),
                    (err: unknown) => deliver(() => failed(err)),
                );
            });
        },
    };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
    return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as {then?: unknown}).then === 'function';
}

/**
 * Serves one generated-wire hook from its row. A hook the plugin answers synchronously is answered in the
 * same turn; an async one after its promise settles, with no further hop: each hop of the event loop's
 * microtask queue is on the path of every hook round trip.
 */
export function generatedHook(row: HookRow, plugin: HookTarget, log: HookLogger): RpcMethod {
    const hasErrorResult = row.results.some((r) => r.error !== undefined);
    const fields = row.params.map((_p, i) => wireField(i));
    const failed = (err: unknown): RpcReply => {
        if (!hasErrorResult) {
            // No error result to carry it: the call fails (the host logs it and uses zero values).
            log('error', `hook ${row.go} failed`, 'error', err instanceof Error ? err.message : String(err));
            throw err;
        }
        // Throwing is how a hook returns its error; the server decides what to make of it.
        log('debug', `hook ${row.go} returned an error`, 'error', err instanceof Error ? err.message : String(err));
        return encodeReturns(row, {thrown: err});
    };
    const succeeded = (returned: unknown): RpcReply => encodeReturns(row, {returned});
    return (body) => {
        // Looked up per call, as before: a plugin may define or replace its hooks at run time.
        const fn = (plugin as Record<string, unknown>)[row.ts];
        if (typeof fn !== 'function') {
            throw new Error(`Hook ${row.go} called but not implemented.`);
        }
        const a = argsOf(body);
        const args = new Array<unknown>(fields.length);
        for (let i = 0; i < fields.length; i++) {
            args[i] = decodeArg(row.params[i]!.type, a[fields[i]!]);
        }
        let returned: unknown;
        try {
            returned = (fn as (...args: unknown[]) => unknown).apply(plugin, args);
        } catch (err) {
            return failed(err);
        }
        if (isThenable(returned)) {
            return settleInto(returned instanceof Promise ? returned : Promise.resolve(returned), succeeded, failed);
        }
        return succeeded(returned);
    };
}

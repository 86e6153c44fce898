// What every API method shares: one RPC client, the call counter, the table-driven call of a generated
// method, and the translation of "this server has no such method" into NotSupportedError.
import type {GoType} from '../../transport/gob/index.js';
import {RpcServerError, type RpcClient} from '../../transport/netrpc.js';
import {ApiCallCounter} from '../api_calls.js';
import {appErrorFromGo, errorFromGo, missingMethodOf, NotSupportedError} from '../errors.js';
import {apiMethods} from '../generated/api_table.js';
import type {MethodRow} from '../model_table.js';

import {argsOf, argsTypeOf, fieldName, resultFromGo} from './wire_values.js';

export type Returns = Record<string, unknown>;

const rows = new Map(apiMethods.map((r) => [r.go, r]));

/** The table row of an API method by its Go name. */
export function apiRow(goName: string): MethodRow {
    const row = rows.get(goName);
    if (!row) {
        throw new Error(`no plugin API method ${goName}`);
    }
    return row;
}

/** Throws the first error result of a reply, if any; else returns the other results: none, one, or a tuple. */
export function resultsOf(row: MethodRow, r: Returns): unknown {
    row.results.forEach((res, i) => {
        const raw = r[fieldName(i)];
        if (res.error === 'app' && raw !== undefined && raw !== null) {
            throw appErrorFromGo(raw) ?? new Error(`${row.go}: malformed AppError`);
        }
        if (res.error === 'error') {
            const err = errorFromGo(raw);
            if (err) {
                throw err;
            }
        }
    });
    const values: unknown[] = [];
    row.results.forEach((res, i) => {
        if (!res.error) {
            values.push(resultFromGo(res.type, r[fieldName(i)]));
        }
    });
    return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
}

export class ApiClientBase {
    /** Every call this client makes, by Go method name (see api_calls.ts). */
    readonly calls = new ApiCallCounter();
    private serverVersionOnce: Promise<string> | undefined;

    constructor(protected readonly rpc: RpcClient) {}

    /** Calls a method whose glue Mattermost generates, by its table row. */
    protected async invoke<T>(goName: string, args: readonly unknown[]): Promise<T> {
        const row = apiRow(goName);
        const r = await this.callRaw(goName, argsTypeOf(row), argsOf(row, args));
        return resultsOf(row, r) as T;
    }

    /** One counted round trip with any args struct; the reply's fields as decoded. */
    protected async callRaw(goName: string, argsType: GoType, values: Returns): Promise<Returns> {
        this.calls.count(goName);
        let body: unknown;
        try {
            body = await this.rpc.call(`Plugin.${goName}`, argsType, values);
        } catch (err) {
            throw await this.unsupported(goName, err);
        }
        return typeof body === 'object' && body !== null ? (body as Returns) : {};
    }

    /** The server's version (GetServerVersion), asked once. */
    protected serverVersionCached(): Promise<string> {
        this.serverVersionOnce ??= this.invoke<string>('GetServerVersion', []).catch(() => '');
        return this.serverVersionOnce;
    }

    private async unsupported(goName: string, err: unknown): Promise<unknown> {
        if (!(err instanceof RpcServerError)) {
            return err;
        }
        const missing = missingMethodOf(err.message);
        if (missing === undefined) {
            return err;
        }
        const version = missing === 'GetServerVersion' ? '' : await this.serverVersionCached();
        return new NotSupportedError(goName, version);
    }
}

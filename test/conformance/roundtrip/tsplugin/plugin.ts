// The TypeScript side of the round trip (../rt/protocol.go has the protocol, ../refplugin the Go side).
// Nothing here knows a method or hook by hand: API calls go to `api[row.ts](...)` of the package's API
// table with the arguments the test sends, and every hook of the package's hook table is a method that
// records what it received and returns what it was armed with.
import type {IncomingMessage, ServerResponse} from 'node:http';

import {MattermostPlugin, type PluginAPI} from 'mattermost-plugin-node';

import {apiMethods, hookMethods, models, type MethodRow} from './tables.js';
import {
    callArgs,
    errorFromJson,
    errorJson,
    hookReturn,
    kindOf,
    plain,
    resultsJson,
    zeroOf,
    type ErrorJson,
    type Json,
} from './wire_json.js';

/** Hooks the round trip leaves to the hand-written tests (rt.ManualHooks); ServeHTTP is our control channel. */
const manualHooks = new Set(['OnActivate', 'Implemented', 'ServeHTTP', 'ServeMetrics', 'FileWillBeUploaded']);

/**
 * Hooks whose author signature is friendlier than the generated tuple: the package takes
 * ConfigurationWillBeSaved's replacement as `{config}`.
 */
const friendlyReturn: Record<string, (value: unknown) => unknown> = {
    ConfigurationWillBeSaved: (config) => (config === null || config === undefined ? undefined : {config}),
};

interface CallRequest {
    method: string;
    mode: string;
    args?: unknown[];
}

interface HookArm {
    hook: string;
    mode: string;
    results?: unknown[];
    error?: ErrorJson;
}

interface CallResponse {
    results: Json[];
    error: ErrorJson | null;
    uncovered?: string;
}

const apiRows = new Map(apiMethods.map((r) => [r.go, r]));

type Method = (...args: unknown[]) => unknown;

function methodOf(api: PluginAPI, row: MethodRow): Method | undefined {
    const fn = (api as unknown as Record<string, unknown>)[row.ts];
    return typeof fn === 'function' ? (fn as Method).bind(api) : undefined;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
        chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? (JSON.parse(text) as unknown) : undefined;
}

function send(res: ServerResponse, status: number, body?: unknown): void {
    if (body === undefined) {
        res.writeHead(status).end();
        return;
    }
    res.writeHead(status, {'Content-Type': 'application/json'}).end(JSON.stringify(body));
}

export class RoundTripPlugin extends MattermostPlugin {
    private readonly armed = new Map<string, HookArm>();
    private readonly logs = new Map<string, Json[][]>();
    private readonly hooks: MethodRow[] = [];

    constructor() {
        super();
        for (const row of hookMethods) {
            if (manualHooks.has(row.go)) {
                continue;
            }
            this.hooks.push(row);
            Object.defineProperty(this, row.ts, {value: (...args: unknown[]) => this.hook(row, args), enumerable: true, writable: true, configurable: true});
        }
    }

    private hook(row: MethodRow, args: unknown[]): unknown {
        const arm = this.armed.get(row.go);
        if (!arm) {
            return undefined;
        }
        this.logs.get(row.go)?.push(args.map((a) => plain(a)));
        if (arm.error) {
            throw errorFromJson(arm.error);
        }
        const value = hookReturn(row, arm.results ?? []);
        return friendlyReturn[row.go]?.(value) ?? value;
    }

    override async serveHTTP(_c: unknown, req: IncomingMessage, res: ServerResponse): Promise<void> {
        try {
            const url = new URL(req.url ?? '/', 'http://plugin');
            switch (url.pathname) {
                case '/rt/api':
                    send(res, 200, await this.callAPI((await readBody(req)) as CallRequest));
                    return;
                case '/rt/unsupported':
                    send(res, 200, await this.callUnsupported((await readBody(req)) as CallRequest));
                    return;
                case '/rt/hook/arm': {
                    const arm = (await readBody(req)) as HookArm;
                    this.armed.set(arm.hook, arm);
                    this.logs.set(arm.hook, []);
                    send(res, 204);
                    return;
                }
                case '/rt/hook/log':
                    send(res, 200, {calls: this.logs.get(url.searchParams.get('hook') ?? '') ?? []});
                    return;
                case '/rt/methods':
                    send(res, 200, {
                        api: apiMethods.map((r) => ({go: r.go, ts: r.ts, wire: r.wire, params: r.params.map((p) => (p.variadic ? 'variadic' : kindOf(p.type)))})),
                        hooks: this.hooks.map((r) => ({go: r.go, ts: r.ts, wire: r.wire})),
                    });
                    return;
                case '/rt/models':
                    send(res, 200, models);
                    return;
                default:
                    send(res, 404, {error: `no route ${url.pathname}`});
            }
        } catch (err) {
            send(res, 500, {error: err instanceof Error ? err.stack : String(err)});
        }
    }

    private async callAPI(req: CallRequest): Promise<CallResponse> {
        const row = apiRows.get(req.method);
        if (!row) {
            return {results: [], error: null, uncovered: `no row ${req.method} in the package's API table`};
        }
        const fn = methodOf(this.api, row);
        if (!fn) {
            return {results: [], error: null, uncovered: `PluginAPI has no method ${row.ts}`};
        }
        const args = callArgs(row, req.args ?? []);
        try {
            if (row.go === 'LoadPluginConfiguration') {
                // Go fills the destination it is given; the package may fill it or return the configuration.
                const dest: Record<string, unknown> = {};
                const returned = await fn(dest);
                return {results: [plain(returned ?? dest)], error: null};
            }
            return {results: resultsJson(row, await fn(...args)), error: null};
        } catch (err) {
            return {results: [], error: errorJson(err)};
        }
    }

    /** Calls a method this server does not have, with zero arguments: the package must refuse it by name. */
    private async callUnsupported(req: CallRequest): Promise<CallResponse> {
        const row = apiRows.get(req.method);
        const fn = row && methodOf(this.api, row);
        if (!row || !fn) {
            return {results: [], error: null, uncovered: `no method for ${req.method}`};
        }
        try {
            const returned = await fn(...row.params.map((p) => (p.variadic ? undefined : zeroOf(p.type))).filter((_, i) => !row.params[i]?.variadic));
            return {results: resultsJson(row, returned), error: null};
        } catch (err) {
            return {results: [], error: errorJson(err)};
        }
    }
}

export function createRoundTripPlugin(): RoundTripPlugin {
    return new RoundTripPlugin();
}

// POST /call/<GoMethodName> {"args": [...]} runs this.api's method of that table row with those arguments and
// answers {result} or {error: {...}}: the real-server suite drives the whole generated API through it. Only a
// system admin may call it: even a test plugin must not lend the plugin's powers to any logged-in user.
import type {IncomingMessage, ServerResponse} from 'node:http';

import {apiMethods, AppError, MattermostPlugin, NotSupportedError, PluginApiError, type MethodRow, type PluginContext} from 'mattermost-plugin-node';

import {decodeArgs, encodeResult} from './wire_json.js';

const rows = new Map<string, MethodRow>(apiMethods.map((r) => [r.go, r]));

/** What a failed call answers: enough for a test to tell which error class and fields came back. */
export interface CallError {
    class: string;
    message: string;
    method?: string;
    serverVersion?: string;
    statusCode?: number;
    id?: string;
}

function describeError(err: unknown): CallError {
    if (err instanceof NotSupportedError) {
        return {class: err.constructor.name, message: err.message, method: err.method, serverVersion: err.serverVersion};
    }
    if (err instanceof AppError) {
        return {class: err.constructor.name, message: err.message, statusCode: err.statusCode, id: err.id};
    }
    if (err instanceof PluginApiError) {
        return {class: err.constructor.name, message: err.message};
    }
    return err instanceof Error ? {class: err.constructor.name, message: err.message} : {class: typeof err, message: String(err)};
}

function reply(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, {'Content-Type': 'application/json'});
    res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
        chunks.push(chunk as Buffer);
    }
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
}

export class ApiSurfacePlugin extends MattermostPlugin {
    override async serveHTTP(_c: PluginContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
        // The server sets this header from the session and drops any a client sent.
        const userId = req.headers['mattermost-user-id'];
        if (typeof userId !== 'string' || userId === '') {
            reply(res, 401, {message: 'not logged in'});
            return;
        }
        if (!(await this.api.hasPermissionTo(userId, 'manage_system'))) {
            reply(res, 403, {message: 'system admins only'});
            return;
        }
        const m = /^\/call\/(\w+)$/.exec(req.url ?? '');
        const row = m ? rows.get(m[1]) : undefined;
        if (req.method !== 'POST' || !row) {
            reply(res, 404, {message: `no such route: ${req.method} ${req.url}`});
            return;
        }
        let args: unknown[];
        try {
            const body = (await readJson(req)) as {args?: unknown};
            args = decodeArgs(Array.isArray(body.args) ? body.args : []);
        } catch (err) {
            reply(res, 400, {message: `bad body: ${String(err)}`});
            return;
        }
        // The row's ts name is a method of PluginAPI by construction of the generated table.
        const method = (this.api as unknown as Record<string, unknown>)[row.ts];
        if (typeof method !== 'function') {
            reply(res, 500, {message: `PluginAPI has no method ${row.ts}`});
            return;
        }
        try {
            const result: unknown = await (method as (...a: unknown[]) => unknown).apply(this.api, args);
            reply(res, 200, {result: encodeResult(result)});
        } catch (err) {
            reply(res, 200, {error: describeError(err)});
        }
    }
}

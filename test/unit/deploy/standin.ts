// A local stand-in for the parts of the Mattermost REST API that `npm run deploy` uses, answering and
// checking requests the way the API reference and server/channels/api4 do:
//   POST /api/v4/users/login       JSON {login_id, password}; the session token comes back in the Token header
//   GET  /api/v4/users/me          the signed-in user
//   GET  /api/v4/config            the configuration (system admins only: 403 otherwise)
//   GET  /api/v4/config/client     the client configuration (format=old), with the server's Version
//   POST /api/v4/plugins           multipart/form-data: file field `plugin` (.tar.gz), `force`=true to replace;
//                                  201 with the manifest; 501 app.plugin.upload_disabled.app_error when uploads
//                                  are off; 413 api.plugin.upload.file_too_large.app_error over the body cap
//   POST /api/v4/plugins/{id}/enable   {"status":"OK"}, even when the plugin then fails to start (as 9.10 does)
//   GET  /api/v4/plugins/statuses  model.PluginStatus per server of the cluster, with the start error
// Every answer carries X-Version-Id. As the server does, a plugin whose min_server_version is above the
// server's version installs but fails to start ("plugin requires Mattermost <min>: <id>"), and an upload
// over an enabled plugin restarts it there and then: if that fails the upload answers 500
// app.plugin.restart.app_error.
// Every request must carry X-Requested-With: XMLHttpRequest and, but for login, Authorization: Bearer <token>.
// Errors are AppError JSON ({id, message, detailed_error, request_id, status_code}). What a request got
// wrong is recorded in `violations`.
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {gunzipSync} from 'node:zlib';

export interface StandInOptions {
    /** Personal access tokens the server accepts. */
    tokens?: string[];
    /** The one account that can sign in with a password. */
    username?: string;
    password?: string;
    /** FileSettings.MaxFileSize in GET /config. */
    maxFileSize?: number;
    /** GET /config answers 403 (the account may not read the configuration). */
    configForbidden?: boolean;
    /** PluginSettings.EnableUploads (and what POST /plugins does). */
    uploadsEnabled?: boolean;
    /** The upload body cap, and how going over it is answered. */
    bodyLimit?: number;
    overLimit?: 'appError' | 'proxy' | 'legacy400';
    /** The state each server reports after enable (2 running, 3 failed to start), and its error. */
    startState?: number;
    startError?: string;
    /** The cluster: one id per server. */
    nodes?: string[];
    /** The server's version (X-Version-Id, client config Version); 10.11.0 by default. */
    serverVersion?: string;
    /** Send no X-Version-Id (as behind a proxy that drops it). */
    noVersionHeader?: boolean;
    /** Tell the version nowhere: no X-Version-Id, and no Version in the client configuration. */
    hideVersion?: boolean;
}

export interface RecordedRequest {
    method: string;
    path: string;
    headers: http.IncomingHttpHeaders;
}

export interface Upload {
    filename: string;
    bytes: Buffer;
    force: string | null;
    manifest: Record<string, unknown>;
}

const sessionToken = 'session-token-from-login';

export class StandIn {
    readonly requests: RecordedRequest[] = [];
    readonly violations: string[] = [];
    readonly uploads: Upload[] = [];
    private readonly installed = new Map<string, Record<string, unknown>>();
    private readonly states = new Map<string, number>();
    private readonly startErrors = new Map<string, string>();
    private readonly enabled = new Set<string>();
    private server: http.Server | undefined;
    url = '';

    constructor(private readonly options: StandInOptions = {}) {}

    async start(): Promise<this> {
        this.server = http.createServer((req, res) => {
            this.handle(req, res).catch((err: unknown) => {
                this.violations.push(`stand-in failed: ${String(err)}`);
                res.destroy();
            });
        });
        await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this;
    }

    close(): Promise<void> {
        return new Promise((r) => {
            this.server?.closeAllConnections();
            this.server?.close(() => r());
        });
    }

    /** "METHOD /path" of every request, in order. */
    get calls(): string[] {
        return this.requests.map((r) => `${r.method} ${r.path}`);
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const url = new URL(req.url ?? '/', 'http://standin');
        const method = req.method ?? 'GET';
        const route = `${method} ${url.pathname}`;
        this.requests.push({method, path: url.pathname, headers: req.headers});
        if (!this.options.noVersionHeader && !this.options.hideVersion) {
            res.setHeader('X-Version-Id', `${this.version}.${this.version}.standin.false`);
        }

        if (req.headers['x-requested-with'] !== 'XMLHttpRequest') {
            this.violations.push(`${route}: no X-Requested-With: XMLHttpRequest`);
        }
        if (route === 'POST /api/v4/users/login') {
            return this.login(req, res);
        }
        const auth = /^bearer (\S+)$/i.exec(req.headers.authorization ?? '');
        if (!auth) {
            this.violations.push(`${route}: no Authorization: Bearer header`);
        }
        const valid = [...(this.options.tokens ?? ['admin-token']), sessionToken];
        if (!auth || !valid.includes(auth[1]!)) {
            req.resume();
            return appError(res, 401, 'api.context.session_expired.app_error', 'Invalid or expired session, please login again.');
        }

        if (route === 'GET /api/v4/users/me') {
            return json(res, 200, {id: 'a'.repeat(26), username: this.options.username ?? 'admin', roles: 'system_admin system_user'});
        }
        if (route === 'GET /api/v4/config') {
            if (this.options.configForbidden) {
                return appError(res, 403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.');
            }
            return json(res, 200, {
                FileSettings: {MaxFileSize: this.options.maxFileSize ?? 104857600},
                PluginSettings: {Enable: true, EnableUploads: this.options.uploadsEnabled ?? true, RequirePluginSignature: false},
            });
        }
        if (route === 'GET /api/v4/config/client') {
            if (url.searchParams.get('format') !== 'old') {
                this.violations.push(`${route}: without format=old`);
            }
            return json(res, 200, this.options.hideVersion ? {} : {Version: this.version, BuildNumber: this.version});
        }
        if (route === 'POST /api/v4/plugins') {
            return this.upload(req, res);
        }
        const enable = /^\/api\/v4\/plugins\/([^/]+)\/enable$/.exec(url.pathname);
        if (method === 'POST' && enable) {
            const id = decodeURIComponent(enable[1]!);
            if (!this.installed.has(id)) {
                this.violations.push(`${route}: enabling ${id}, which was not uploaded`);
                return appError(res, 404, 'app.plugin.not_installed.app_error', 'Plugin is not installed.');
            }
            this.enabled.add(id);
            this.startPlugin(id);
            return json(res, 200, {status: 'OK'});
        }
        if (route === 'GET /api/v4/plugins/statuses') {
            const statuses = [];
            for (const [id, manifest] of this.installed) {
                for (const node of this.nodes) {
                    const state = this.states.get(`${node}/${id}`) ?? 0;
                    statuses.push({
                        plugin_id: id,
                        cluster_id: node,
                        plugin_path: `./plugins/${id}`,
                        state,
                        error: this.startErrors.get(`${node}/${id}`) ?? '',
                        name: manifest.name ?? '',
                        description: '',
                        version: manifest.version ?? '',
                    });
                }
            }
            return json(res, 200, statuses);
        }
        this.violations.push(`${route}: not a route deploy should call`);
        return appError(res, 404, 'api.context.404.app_error', 'Sorry, we could not find the page.');
    }

    private get nodes(): string[] {
        return this.options.nodes ?? ['node-1'];
    }

    private get version(): string {
        return this.options.serverVersion ?? '10.11.0';
    }

    /** Starts an installed plugin on every node; returns the start error, if it failed. */
    private startPlugin(id: string): string | undefined {
        const manifest = this.installed.get(id) ?? {};
        const min = typeof manifest.min_server_version === 'string' ? manifest.min_server_version : '';
        let failure: string | undefined;
        if (min && versionBelow(this.version, min)) {
            failure = `plugin requires Mattermost ${min}: ${id}`;
        } else if (this.options.startState === 3) {
            failure = this.options.startError ?? '';
        }
        for (const node of this.nodes) {
            this.states.set(`${node}/${id}`, failure === undefined ? (this.options.startState ?? 2) : 3);
            this.startErrors.set(`${node}/${id}`, failure ?? '');
        }
        return failure;
    }

    private async login(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        if (!String(req.headers['content-type']).startsWith('application/json')) {
            this.violations.push('login: body is not JSON');
        }
        if (req.headers.authorization) {
            this.violations.push('login: sent an Authorization header');
        }
        const body = JSON.parse((await readBody(req)).toString('utf8')) as Record<string, unknown>;
        if (typeof body.login_id !== 'string' || typeof body.password !== 'string') {
            this.violations.push(`login: body has no login_id/password strings: ${JSON.stringify(Object.keys(body))}`);
        }
        if (body.login_id !== (this.options.username ?? 'admin') || body.password !== (this.options.password ?? 'secret')) {
            return appError(res, 401, 'api.user.login.invalid_credentials_email_username', 'Enter a valid email or username and/or password.');
        }
        res.setHeader('Token', sessionToken);
        return json(res, 200, {id: 'a'.repeat(26), username: body.login_id});
    }

    private async upload(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        // The server checks the settings before it reads the body.
        if (this.options.uploadsEnabled === false) {
            req.resume();
            return appError(res, 501, 'app.plugin.upload_disabled.app_error', 'Plugins and/or plugin uploads have been disabled.');
        }
        const contentType = String(req.headers['content-type']);
        if (!contentType.startsWith('multipart/form-data; boundary=')) {
            this.violations.push(`upload: Content-Type is ${contentType}, not multipart/form-data with a boundary`);
        }
        const body = await readBody(req);
        if (this.options.bodyLimit !== undefined && body.length > this.options.bodyLimit) {
            switch (this.options.overLimit ?? 'appError') {
                case 'appError':
                    return appError(res, 413, 'api.plugin.upload.file_too_large.app_error', 'Unable to upload file. File is too large.');
                case 'proxy':
                    res.writeHead(413, {'Content-Type': 'text/html'});
                    res.end('<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n');
                    return;
                case 'legacy400':
                    res.writeHead(400, {'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff'});
                    res.end('multipart: NextPart: http: request body too large\n');
                    return;
            }
        }
        const form = await new Response(new Uint8Array(body), {headers: {'content-type': contentType}}).formData();
        const plugin = form.get('plugin');
        if (!(plugin instanceof Blob)) {
            this.violations.push('upload: no file field `plugin`');
            return appError(res, 400, 'api.plugin.upload.no_file.app_error', 'Missing file in multipart/form request.');
        }
        const filename = (plugin as File).name ?? '';
        if (!filename.endsWith('.tar.gz')) {
            this.violations.push(`upload: file name ${filename} is not a .tar.gz`);
        }
        const force = form.get('force');
        const bytes = Buffer.from(await plugin.arrayBuffer());
        const manifest = manifestOf(bytes);
        if (!manifest || typeof manifest.id !== 'string') {
            this.violations.push('upload: the bundle has no plugin.json with an id');
            return appError(res, 400, 'app.plugin.manifest.missing', 'Unable to find manifest for extracted plugin.');
        }
        this.uploads.push({filename, bytes, force: typeof force === 'string' ? force : null, manifest});
        if (this.installed.has(manifest.id) && force !== 'true') {
            return appError(res, 400, 'app.plugin.install_id.app_error', 'Unable to install plugin. A plugin with the same ID is already installed.');
        }
        this.installed.set(manifest.id, manifest);
        this.states.clear();
        this.startErrors.clear();
        if (this.enabled.has(manifest.id) && this.startPlugin(manifest.id) !== undefined) {
            return appError(res, 500, 'app.plugin.restart.app_error', 'Unable to restart plugin on upgrade.');
        }
        return json(res, 201, manifest);
    }
}

function versionBelow(a: string, b: string): boolean {
    const [x, y] = [a, b].map((v) => v.split('.').map((n) => parseInt(n, 10) || 0));
    for (let i = 0; i < 3; i++) {
        if (x![i] !== y![i]) {
            return (x![i] ?? 0) < (y![i] ?? 0);
        }
    }
    return false;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => resolve(Buffer.concat(chunks)));
        req.on('error', reject);
    });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, {'Content-Type': 'application/json'});
    res.end(JSON.stringify(body));
}

function appError(res: http.ServerResponse, status: number, id: string, message: string): void {
    json(res, status, {id, message, detailed_error: '', request_id: 'r'.repeat(26), status_code: status});
}

/** plugin.json of a .tar.gz bundle, at its root or in its one top-level directory, as the server looks. */
export function manifestOf(tgz: Buffer): Record<string, unknown> | undefined {
    let tar: Buffer;
    try {
        tar = gunzipSync(tgz);
    } catch {
        return undefined;
    }
    for (let off = 0; off + 512 <= tar.length; ) {
        const header = tar.subarray(off, off + 512);
        if (header.every((b) => b === 0)) {
            break;
        }
        const field = (start: number, len: number): string => header.subarray(start, start + len).toString('utf8').replace(/\0.*$/s, '');
        const prefix = field(345, 155);
        const name = (prefix ? `${prefix}/` : '') + field(0, 100);
        const size = parseInt(field(124, 12).trim() || '0', 8);
        const type = field(156, 1);
        if ((type === '0' || type === '') && /^(\.\/)?([^/]+\/)?plugin\.json$/.test(name)) {
            return JSON.parse(tar.subarray(off + 512, off + 512 + size).toString('utf8')) as Record<string, unknown>;
        }
        off += 512 + Math.ceil(size / 512) * 512;
    }
    return undefined;
}

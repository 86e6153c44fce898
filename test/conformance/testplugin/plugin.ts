// The conformance test plugin on our TypeScript runtime: the behaviour in ../CONTRACT.md, mirroring the
// Go reference plugin in ../refplugin. Each hook echoes what it received through the API so the Go side
// can compare it with what it sent.
import {createHash} from 'node:crypto';
import type {IncomingMessage, ServerResponse} from 'node:http';
import type {Readable, Writable} from 'node:stream';

import type {ChannelMembership} from '@mattermost/types/channels';
import type {FileInfo} from '@mattermost/types/files';
import type {Post} from '@mattermost/types/posts';
import type {TeamMembership} from '@mattermost/types/teams';
import express, {type Request, type Response} from 'express';

import {
    AppError,
    MattermostPlugin,
    type CommandArgs,
    type CommandResponse,
    type ConfigurationWillBeSavedResult,
    type FileWillBeUploadedResult,
    type MemberWillBeAddedResult,
    type MessageWillBeUpdatedResult,
    type PluginClusterEvent,
    type PluginContext,
    type ServerConfig,
} from 'mattermost-plugin-node';
import type {PluginAPI} from 'mattermost-plugin-node';

type Json = Record<string, unknown>;

const b64 = (v: Uint8Array | null): string | null => (v ? Buffer.from(v).toString('base64') : null);
const unb64 = (v: unknown): Uint8Array | null => (typeof v === 'string' ? Buffer.from(v, 'base64') : null);

function errorJson(err: unknown): Json {
    if (err instanceof AppError) {
        return {type: 'AppError', id: err.id, message: err.message, detailed_error: err.detailedError, status_code: err.statusCode, where: err.where};
    }
    return {type: 'error', message: err instanceof Error ? err.message : String(err)};
}

/** CONTRACT.md's /api/{Method} table: JSON args in, the API call, JSON result out. */
function apiMethods(api: PluginAPI): Record<string, (args: unknown[]) => Promise<unknown>> {
    const s = (v: unknown): string => String(v ?? '');
    return {
        KVGet: async ([k]) => b64(await api.kvGet(s(k))),
        KVSet: async ([k, v]) => api.kvSet(s(k), unb64(v) ?? new Uint8Array()).then(() => null),
        KVSetWithOptions: async ([k, v, o]) => {
            const opts = (o ?? {}) as Json;
            return api.kvSetWithOptions(s(k), unb64(v), {
                atomic: opts.Atomic === true,
                oldValue: unb64(opts.OldValue),
                expireInSeconds: Number(opts.ExpireInSeconds ?? 0),
            });
        },
        KVCompareAndSet: async ([k, o, n]) => api.kvCompareAndSet(s(k), unb64(o), unb64(n) ?? new Uint8Array()),
        KVCompareAndDelete: async ([k, o]) => api.kvCompareAndDelete(s(k), unb64(o) ?? new Uint8Array()),
        KVDelete: async ([k]) => api.kvDelete(s(k)).then(() => null),
        KVList: async ([page, perPage]) => api.kvList(Number(page), Number(perPage)),
        GetUser: async ([id]) => api.getUser(s(id)),
        GetUserByUsername: async ([name]) => api.getUserByUsername(s(name)),
        GetChannel: async ([id]) => api.getChannel(s(id)),
        GetChannelMember: async ([c, u]) => api.getChannelMember(s(c), s(u)),
        GetDirectChannel: async ([a, b]) => api.getDirectChannel(s(a), s(b)),
        CreatePost: async ([post]) => api.createPost(post as Post),
        GetPost: async ([id]) => api.getPost(s(id)),
        SendEphemeralPost: async ([u, post]) => api.sendEphemeralPost(s(u), post as Post),
        EnsureBotUser: async ([bot]) => api.ensureBotUser(bot as Json),
        GetConfig: async () => api.getConfig(),
        GetPluginConfig: async () => api.getPluginConfig(),
        LoadPluginConfiguration: async () => api.loadPluginConfiguration(),
        PublishPluginClusterEvent: async ([ev, opts]) => {
            const e = (ev ?? {}) as Json;
            const o = (opts ?? {}) as Json;
            await api.publishPluginClusterEvent(
                {id: s(e.Id), data: unb64(e.Data) ?? new Uint8Array()},
                {sendType: o.SendType === 'best_effort' ? 'best_effort' : 'reliable', targetId: s(o.TargetId)},
            );
            return null;
        },
        PublishWebSocketEvent: async ([event, payload, broadcast]) => {
            await api.publishWebSocketEvent(s(event), (payload ?? {}) as Json, (broadcast ?? {}) as Json);
            return null;
        },
        HasPermissionToChannel: async ([u, c, p]) => api.hasPermissionToChannel(s(u), s(c), s(p)),
        RegisterCommand: async ([cmd]) => api.registerCommand(cmd as Json).then(() => null),
        GetServerVersion: async () => api.getServerVersion(),
        LogDebug: async ([msg, ...kv]) => api.logDebug(s(msg), ...kv).then(() => null),
        LogInfo: async ([msg, ...kv]) => api.logInfo(s(msg), ...kv).then(() => null),
        LogWarn: async ([msg, ...kv]) => api.logWarn(s(msg), ...kv).then(() => null),
        LogError: async ([msg, ...kv]) => api.logError(s(msg), ...kv).then(() => null),
    };
}

/** Go's strings.ToUpper maps rune by rune and never expands (ß stays ß), unlike String.toUpperCase. */
function goToUpper(s: string): string {
    let out = '';
    for (const ch of s) {
        const up = ch.toUpperCase();
        out += [...up].length === 1 ? up : ch;
    }
    return out;
}

/** byte i = i % 251, filled by doubling copies: a byte-at-a-time JS loop would dominate the benchmark. */
function bytePattern(n: number): Buffer {
    const body = Buffer.allocUnsafe(n);
    const seed = Math.min(n, 251);
    for (let i = 0; i < seed; i++) {
        body[i] = i;
    }
    for (let filled = seed; filled < n; filled *= 2) {
        body.copyWithin(filled, 0, Math.min(filled, n - filled));
    }
    return body;
}

/** Replacements for the posts whose props ask for one (CONTRACT.md, MessagesWillBeConsumed). */
function consumed(prefix: string, posts: Post[]): Post[] {
    return posts.filter((p) => p.props?.conformance_consume === true).map((p) => ({...p, message: prefix + p.message}));
}

/** The rule both member hooks apply to the member's roles. */
function memberVerdict(roles: string, userId: string): {promote: boolean; reason: string} {
    if (roles.includes('reject-me')) {
        return {promote: false, reason: `rejected: ${userId}`};
    }
    return {promote: roles.includes('promote-me'), reason: ''};
}

const skippedHeaders = new Set(['content-length', 'accept-encoding', 'connection', 'transfer-encoding']);

export class ConformancePlugin extends MattermostPlugin {
    private readonly app = express();

    constructor() {
        super();
        // Go's net/http computes no ETag; express would hash every response body for one.
        this.app.disable('x-powered-by').disable('etag');
        this.app.all('/echo', (req, res) => this.echo(req, res));
        this.app.get('/bytes', (req, res) => {
            res.type('application/octet-stream').send(bytePattern(Number(req.query.n ?? 0)));
        });
        this.app.get('/status/:code', (req, res) => {
            const code = Number(req.params.code);
            res.status(code);
            if (code === 204) {
                res.end();
            } else {
                res.type('text/plain').send(`status ${code}`);
            }
        });
        this.app.get('/throw', () => {
            throw new Error('thrown on purpose');
        });
        this.app.get('/pid', (_req, res) => {
            res.json({pid: process.pid});
        });
        this.app.post('/api/:method', express.json({limit: '8mb'}), async (req, res) => {
            const method = apiMethods(this.api)[String(req.params.method)];
            if (!method) {
                res.status(404).json({error: {type: 'error', message: 'unknown method'}});
                return;
            }
            const args = Array.isArray((req.body as Json | undefined)?.args) ? ((req.body as Json).args as unknown[]) : [];
            try {
                res.json({result: (await method(args)) ?? null, error: null});
            } catch (err) {
                res.json({result: null, error: errorJson(err)});
            }
        });
    }

    private async echo(req: Request, res: Response): Promise<void> {
        const hash = createHash('sha256');
        let length = 0;
        for await (const chunk of req) {
            hash.update(chunk as Buffer);
            length += (chunk as Buffer).length;
        }
        const url = new URL(req.originalUrl, 'http://plugin');
        const query: Record<string, string[]> = {};
        for (const [k, v] of url.searchParams) {
            (query[k] ??= []).push(v);
        }
        const headers: Record<string, string[]> = {};
        for (const [k, v] of Object.entries(req.headersDistinct)) {
            if (!skippedHeaders.has(k) && v) {
                // Node reads header bytes as latin1; give the Go side back the UTF-8 it sent.
                headers[k] = v.map((x) => Buffer.from(x, 'latin1').toString('utf8'));
            }
        }
        res.setHeader('X-Conformance', ['a', 'b']);
        res.json({
            method: req.method,
            path: url.pathname,
            rawQuery: url.search.replace(/^\?/, ''),
            query,
            headers,
            userId: req.get('Mattermost-User-Id') ?? '',
            bodyLength: length,
            bodySha256: hash.digest('hex'),
        });
    }

    override async onActivate(): Promise<void> {
        const config = await this.api.loadPluginConfiguration<Json>();
        if (config.FailActivate === true) {
            throw new Error('activation refused by configuration');
        }
        await this.api.kvSet('activated', await this.api.getServerVersion());
    }

    override async onDeactivate(): Promise<void> {
        await this.api.kvSet('deactivated', 'yes');
    }

    override async onConfigurationChange(): Promise<void> {
        const config = await this.api.loadPluginConfiguration<Json>();
        await this.api.kvSet('config', JSON.stringify(config));
    }

    override async configurationWillBeSaved(config: ServerConfig): Promise<ConfigurationWillBeSavedResult> {
        const pluginSettings = (config.PluginSettings ?? {}) as {Plugins?: Record<string, Json>};
        const settings = pluginSettings.Plugins?.['com.example.conformance'] ?? {};
        const service = (config.ServiceSettings ?? {}) as {SiteURL?: string};
        const siteURL = service.SiteURL ?? '';
        switch (settings.willbesaved) {
            case 'reject-app':
                throw new AppError({
                    id: 'conformance.config_rejected',
                    message: `rejected: ${siteURL}`,
                    detailedError: 'detail',
                    statusCode: 422,
                    where: 'ConfigurationWillBeSaved',
                    skipTranslation: true,
                });
            case 'reject-plain':
                throw new Error(`rejected plainly: ${siteURL}`);
            case 'rewrite':
                return {
                    config: {
                        ...config,
                        ServiceSettings: {...service, SiteURL: `${siteURL}/rewritten`},
                        PluginSettings: {
                            ...pluginSettings,
                            Plugins: {...pluginSettings.Plugins, 'com.example.conformance': {...settings, rewritten: true}},
                        },
                    },
                };
            default:
                await this.api.kvSet('willbesaved', JSON.stringify(config));
                return undefined;
        }
    }

    override async messageHasBeenPosted(c: PluginContext, post: Post): Promise<void> {
        if (post.props?.conformance_noop === true) {
            return;
        }
        const echoed = post.props?.conformance_corrupt === true ? {...post, message: `${post.message}!`} : post;
        await this.api.kvSet(`posted:${post.id}`, JSON.stringify({context: c, post: echoed}));
    }

    override async messageHasBeenUpdated(c: PluginContext, newPost: Post, oldPost: Post): Promise<void> {
        await this.api.kvSet(`updated:${newPost.id}`, JSON.stringify({context: c, new: newPost, old: oldPost}));
    }

    override messageWillBePosted(_c: PluginContext, post: Post): {post?: Post; rejectReason?: string} | undefined {
        if (post.message.includes('reject-me')) {
            return {rejectReason: `rejected: ${post.message}`};
        }
        if (post.message.includes('rewrite-me')) {
            return {post: {...post, message: goToUpper(post.message), props: {...post.props, rewritten: true}}};
        }
        return undefined;
    }

    private async kvGetLoop(key: string, n: number): Promise<CommandResponse> {
        let last = 0;
        for (let i = 0; i < n; i++) {
            last = (await this.api.kvGet(key))?.length ?? 0;
        }
        return {response_type: 'ephemeral', text: String(last)};
    }

    override executeCommand(_c: PluginContext, args: CommandArgs): CommandResponse | Promise<CommandResponse> {
        if (args.command === '/conformance fail') {
            throw new AppError({id: 'conformance.fail', message: 'failed on purpose', detailedError: 'detail', statusCode: 418, where: 'ExecuteCommand'});
        }
        const kvget = /^\/conformance kvget (\S+) (\d+)$/.exec(args.command);
        if (kvget) {
            return this.kvGetLoop(kvget[1] ?? '', Number(kvget[2]));
        }
        return {response_type: 'ephemeral', text: JSON.stringify(args), props: {echo: args.command}};
    }

    override async onPluginClusterEvent(_c: PluginContext, event: PluginClusterEvent): Promise<void> {
        await this.api.kvSet(`cluster:${event.id}`, event.data);
    }

    override serveHTTP(_c: PluginContext, req: IncomingMessage, res: ServerResponse): void {
        this.app(req, res);
    }

    // CONTRACT.md, "Manual-wire hooks".

    override messageWillBeUpdated(_c: PluginContext, newPost: Post, oldPost: Post): MessageWillBeUpdatedResult {
        if (newPost.message.includes('reject-me')) {
            return {rejectReason: `rejected: ${newPost.message} (was: ${oldPost.message})`};
        }
        if (newPost.message.includes('rewrite-me')) {
            return {post: {...newPost, message: goToUpper(newPost.message), props: {...newPost.props, rewritten: true}}};
        }
        return undefined; // the runtime sends the new post back as it came
    }

    override messagesWillBeConsumed(posts: Post[]): Post[] {
        return consumed('consumed: ', posts);
    }

    override messagesWillBeConsumedWithContext(c: {RequestId: string}, posts: Post[]): Post[] {
        return consumed(`consumed for ${c.RequestId}: `, posts);
    }

    override channelMemberWillBeAdded(_c: PluginContext, member: ChannelMembership): MemberWillBeAddedResult<ChannelMembership> {
        const verdict = memberVerdict(member.roles, member.user_id);
        if (verdict.promote) {
            return {member: {...member, roles: `${member.roles} channel_admin`, scheme_admin: true}};
        }
        return verdict.reason ? {rejectReason: verdict.reason} : undefined;
    }

    // The tuple form of the answer, as the generated hook types have it.
    override teamMemberWillBeAdded(_c: PluginContext, member: TeamMembership): MemberWillBeAddedResult<TeamMembership> {
        const verdict = memberVerdict(member.roles, member.user_id);
        if (verdict.promote) {
            return [{...member, roles: `${member.roles} team_admin`, scheme_admin: true}, undefined];
        }
        return [undefined, verdict.reason];
    }

    override async fileWillBeUploaded(c: PluginContext, info: FileInfo, file: Readable, output: Writable): Promise<FileWillBeUploadedResult> {
        const chunks: Buffer[] = [];
        for await (const chunk of file) {
            chunks.push(chunk as Buffer);
        }
        const data = Buffer.concat(chunks);
        const sha256 = createHash('sha256').update(data).digest('hex');
        await this.api.kvSet(`upload:${info.id}`, JSON.stringify({context: c, info, length: data.length, sha256}));
        if (info.name.endsWith('.reject')) {
            return {rejectReason: `rejected: ${info.name}`};
        }
        if (info.name.endsWith('.upper')) {
            const upper = Buffer.from(data.map((b) => (b >= 0x61 && b <= 0x7a ? b - 0x20 : b)));
            await new Promise<void>((resolve, reject) => output.write(upper, (err) => (err ? reject(err) : resolve())));
            return {fileInfo: {...info, name: `upper-${info.name}`, size: upper.length}};
        }
        return undefined;
    }

    override serveMetrics(c: PluginContext, req: IncomingMessage, res: ServerResponse): void {
        const path = new URL(req.url ?? '/', 'http://plugin').pathname;
        res.writeHead(200, {'Content-Type': 'text/plain; version=0.0.4', 'X-Conformance-Session': c.SessionId});
        res.end(`conformance_metric{path=${JSON.stringify(path)}} 1\n`);
    }
}


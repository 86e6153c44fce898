// Deploys a plugin bundle to a running Mattermost server: sign in, check the bundle against the server's
// upload limit, upload it (replacing an installed version), enable it, and wait until every server of the
// cluster runs it. Every failure is a DeployError whose message is one actionable line.
import {existsSync, openAsBlob, readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';

import type {PluginManifest, PluginStatus} from '@mattermost/types/plugins';

import {BundleManifestError, readBundleManifest, type BundleManifest} from './bundle.js';
import {DeployClient, networkErrorOf, oneLine, serverErrorOf, statusOf} from './client.js';
import {meetsMinVersion, versionFromVersionId} from './version.js';

export class DeployError extends Error {
    constructor(
        message: string,
        /** 2: the command was used wrongly; 1: anything else. */
        readonly exitCode: 1 | 2 = 1,
    ) {
        super(message);
        this.name = 'DeployError';
    }
}

/** The platforms a standalone bundle can be built for (`npm run dist`). */
export const platforms = ['linux-amd64', 'linux-arm64', 'darwin-amd64', 'darwin-arm64', 'windows-amd64'] as const;
export type Platform = (typeof platforms)[number];

/**
 * The REST API does not say which OS and architecture the server runs on (only the licensed support packet
 * does), so the bundle defaults to that of the official container images.
 */
export const defaultPlatform: Platform = 'linux-amd64';

/** Mattermost's default FileSettings.MaxFileSize, which also caps plugin uploads. */
export const defaultMaxFileSize = 100 * 1024 * 1024;

export type Credentials = {token: string} | {username: string; password: string};

export interface DeployOptions {
    /** The repository root: plugin.json and dist/ are read from there. */
    root: string;
    /** The server's address (MM_SERVICESETTINGS_SITEURL). */
    siteURL: string;
    credentials: Credentials;
    /** Which bundle: the standalone one for a platform, the portable one, or a file. */
    bundle: {platform: Platform} | {portable: true} | {file: string};
    /** How long to wait for the plugin to run on every server after enabling it. */
    waitMs?: number;
    pollMs?: number;
    /** Progress lines. */
    report?: (line: string) => void;
}

export interface DeployResult {
    pluginId: string;
    version: string;
    bundle: string;
    bytes: number;
    /** The servers (cluster ids) that report the plugin running. */
    running: string[];
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

interface Manifest {
    id: string;
    version: string;
}

export function readManifest(root: string): Manifest {
    const file = path.join(root, 'plugin.json');
    let parsed: unknown;
    try {
        parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
        throw new DeployError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const m = parsed as Partial<Manifest>;
    if (typeof m.id !== 'string' || typeof m.version !== 'string') {
        throw new DeployError(`${file} has no id or version`);
    }
    return {id: m.id, version: m.version};
}

/** The bundle file to upload; a missing one says how to make it. */
export function findBundle(root: string, manifest: Manifest, choice: DeployOptions['bundle']): string {
    const dist = path.join(root, 'dist');
    const stem = `${manifest.id}-${manifest.version}`;
    let candidates: string[];
    if ('file' in choice) {
        candidates = [path.resolve(root, choice.file)];
    } else if ('portable' in choice) {
        candidates = [path.join(dist, `${stem}.tar.gz`)];
    } else {
        // darwin-amd64 is only built unsigned (named so) on machines that cannot sign it
        candidates = [path.join(dist, `${stem}-${choice.platform}.tar.gz`), path.join(dist, `${stem}-${choice.platform}-unsigned.tar.gz`)];
    }
    const found = candidates.find((f) => existsSync(f) && statSync(f).isFile());
    if (found) {
        return found;
    }
    const wanted = path.relative(root, candidates[0]!) || candidates[0]!;
    if ('file' in choice) {
        throw new DeployError(`bundle ${wanted} not found`, 2);
    }
    const present = existsSync(dist) ? readdirSync(dist).filter((f) => f.startsWith(`${manifest.id}-`) && f.endsWith('.tar.gz')) : [];
    const others = present.length > 0 ? ` (dist/ has ${present.join(', ')})` : '';
    throw new DeployError(`bundle ${wanted} not found${others}: run \`npm run dist\` first`);
}

export async function deploy(options: DeployOptions): Promise<DeployResult> {
    const report = options.report ?? (() => undefined);
    const manifest = readManifest(options.root);
    const bundle = findBundle(options.root, manifest, options.bundle);
    const bytes = statSync(bundle).size;
    const siteURL = checkSiteURL(options.siteURL);
    const inBundle = bundleManifestOf(bundle);

    const client = new DeployClient();
    client.setUrl(siteURL);
    client.setUserAgent('trigger-alerts-deploy');
    // Cookies are a browser's business: the token goes in the Authorization header.
    client.setIncludeCookies(false);
    const call = <T>(step: string, fn: () => Promise<T>): Promise<T> => fn().catch((err: unknown) => Promise.reject(explain(err, step, siteURL, options.credentials, bytes)));

    if ('token' in options.credentials) {
        client.setToken(options.credentials.token);
        await call('sign-in', () => client.getMe());
    } else {
        const {username, password} = options.credentials;
        await call('sign-in', () => client.login(username, password));
    }

    await checkServerVersion(client, inBundle, bundle, siteURL, report);

    const server = await readServerSettings(client);
    if (server.pluginsEnabled === false) {
        throw pluginsDisabled('PluginSettings.Enable is false');
    }
    if (server.uploadsEnabled === false) {
        throw uploadsDisabled('PluginSettings.EnableUploads is false');
    }
    if (server.signatureRequired === true) {
        throw uploadsDisabled('PluginSettings.RequirePluginSignature is true');
    }
    const limit = server.maxFileSize;
    if (limit !== undefined && bytes > limit) {
        throw new DeployError(
            `${path.basename(bundle)} is ${mb(bytes)}, over the server's Maximum File Size of ${mb(limit)} (FileSettings.MaxFileSize): raise it in System Console > Environment > File Storage, then deploy again`,
        );
    }
    if (limit === undefined && bytes > defaultMaxFileSize) {
        report(`warning: ${path.basename(bundle)} is ${mb(bytes)}, over Mattermost's default upload limit of ${mb(defaultMaxFileSize)}; the server's own limit could not be read`);
    }

    report(`uploading ${path.relative(options.root, bundle)} (${mb(bytes)}) to ${siteURL}`);
    const file = new File([await openAsBlob(bundle)], path.basename(bundle), {type: 'application/gzip'});
    // A server that cannot start the plugin answers only "Unable to restart plugin on upgrade" (upload over an
    // enabled version) or a generic activation error: the reason is in the plugin's status.
    const startFailure = (step: string, id: string) => (err: unknown) =>
        statusOf(err) !== undefined && statusOf(err)! >= 500 ? startErrorOf(client, id, err, step, options.bundle) : Promise.reject(err);
    const installed = await call<PluginManifest>('upload', () => client.uploadPlugin(file, true).catch(startFailure('upload', inBundle.id)));
    const pluginId = installed.id || inBundle.id;
    const version = installed.version || inBundle.version;

    report(`enabling ${pluginId} ${version}`);
    await call('enable', () => client.enablePlugin(pluginId).catch(startFailure('enable', pluginId)));

    const running = await waitUntilRunning(client, pluginId, options, call);
    return {pluginId, version, bundle, bytes, running};
}

function bundleManifestOf(bundle: string): BundleManifest {
    try {
        return readBundleManifest(bundle);
    } catch (err) {
        if (err instanceof BundleManifestError) {
            throw new DeployError(`${err.message}: not a plugin bundle (build one with \`npm run dist\`)`);
        }
        throw err;
    }
}

/**
 * Refuses, before uploading, a bundle whose min_server_version is above the server's version: the server
 * would install it and then fail to start it (state "failed to start", "plugin requires Mattermost X").
 */
async function checkServerVersion(client: DeployClient, inBundle: BundleManifest, bundle: string, siteURL: string, report: (line: string) => void): Promise<void> {
    const min = inBundle.minServerVersion;
    if (!min) {
        return;
    }
    let version = versionFromVersionId(client.serverVersionId());
    if (!version) {
        // A proxy may drop the header; the client configuration (no permission needed) has it too.
        version = await client
            .getClientConfig()
            .then((c) => (typeof c.Version === 'string' && versionFromVersionId(c.Version)) || undefined)
            .catch(() => undefined);
    }
    if (!version) {
        report(`warning: the server did not tell its version, so ${path.basename(bundle)}'s min_server_version ${min} was not checked`);
        return;
    }
    if (meetsMinVersion(version, min) === false) {
        throw new DeployError(
            `${path.basename(bundle)} needs Mattermost ${min} or newer (its min_server_version), but the server at ${siteURL} runs ${version}: nothing was uploaded; upgrade the server or deploy a build made for ${version}`,
        );
    }
}

/** A failed upload or enable, explained by the plugin's status error when the server has one. */
async function startErrorOf(client: DeployClient, pluginId: string, err: unknown, step: string, bundle: DeployOptions['bundle']): Promise<never> {
    const statuses: Status[] = await client.getPluginStatuses().catch(() => []);
    const failed = statuses.find((s) => s.plugin_id === pluginId && s.error);
    if (!failed?.error) {
        throw err;
    }
    const {id, message} = serverErrorOf(err);
    const detail = `HTTP ${statusOf(err) ?? '?'}${id ? ` ${id}` : ''}${message ? `: ${message}` : ''}`;
    // go-plugin's start errors run long, with the useful part late: keep more than a server message's 160.
    const reason = oneLine(failed.error, 400);
    throw new DeployError(
        `${step} of ${pluginId} failed: the server${failed.cluster_id ? ` ${failed.cluster_id}` : ''} could not start it: ${reason} (${detail}); ${adviceFor(reason, bundle)} (the server log has the details)`,
    );
}

function checkSiteURL(raw: string): string {
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        throw new DeployError(`MM_SERVICESETTINGS_SITEURL is not a URL: ${JSON.stringify(raw)} (expected e.g. https://chat.example.com)`, 2);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new DeployError(`MM_SERVICESETTINGS_SITEURL must be an http:// or https:// URL, not ${url.protocol}`, 2);
    }
    return url.href.replace(/\/+$/, '');
}

interface ServerSettings {
    maxFileSize?: number;
    pluginsEnabled?: boolean;
    uploadsEnabled?: boolean;
    signatureRequired?: boolean;
}

/**
 * The settings that decide whether an upload can succeed, when the account may read the configuration.
 * Checked before uploading: a server that refuses an upload may close the connection while a large
 * bundle is still being sent, and then its answer is lost.
 */
async function readServerSettings(client: DeployClient): Promise<ServerSettings> {
    let config;
    try {
        config = await client.getConfig();
    } catch {
        return {};
    }
    const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
    const max = config.FileSettings?.MaxFileSize;
    return {
        maxFileSize: typeof max === 'number' && max > 0 ? max : undefined,
        pluginsEnabled: bool(config.PluginSettings?.Enable),
        uploadsEnabled: bool(config.PluginSettings?.EnableUploads),
        signatureRequired: bool(config.PluginSettings?.RequirePluginSignature),
    };
}

function uploadsDisabled(detail: string): DeployError {
    return new DeployError(
        `the server does not accept plugin uploads (${detail}): set Plugin Management > Enable Plugin Uploads (PluginSettings.EnableUploads) to true and Require Plugin Signature to false in the System Console`,
    );
}

function pluginsDisabled(detail: string): DeployError {
    return new DeployError(`plugins are disabled on the server (${detail}): set Plugin Management > Enable Plugins (PluginSettings.Enable) to true in the System Console`);
}

function tooLarge(bytes: number, detail: string): DeployError {
    return new DeployError(
        `the server refused the ${mb(bytes)} bundle as too large (${detail}): raise Maximum File Size (FileSettings.MaxFileSize) in System Console > Environment > File Storage, and the upload limit of any proxy in front of the server (e.g. nginx client_max_body_size)`,
    );
}

/** model.PluginStatus; `error` is sent by newer servers. */
type Status = PluginStatus & {error?: string};

const stateNames: Record<number, string> = {0: 'not running', 1: 'starting', 2: 'running', 3: 'failed to start', 4: 'failed to stay running', 5: 'stopping'};
const stateRunning = 2;
const stateFailed = new Set([3, 4]);

async function waitUntilRunning(
    client: DeployClient,
    pluginId: string,
    options: DeployOptions,
    call: <T>(step: string, fn: () => Promise<T>) => Promise<T>,
): Promise<string[]> {
    const deadline = Date.now() + (options.waitMs ?? 30_000);
    for (;;) {
        const statuses: Status[] = await call('status check', () => client.getPluginStatuses());
        const last = statuses.filter((s) => s.plugin_id === pluginId);
        const bad = last.find((s) => stateFailed.has(s.state));
        if (bad) {
            const reason = bad.error ? oneLine(bad.error, 400) : '';
            throw new DeployError(
                `${pluginId} was uploaded and enabled but ${stateNames[bad.state]} on the server${bad.cluster_id ? ` ${bad.cluster_id}` : ''}${reason ? `: ${reason}` : ''}; ${adviceFor(reason, options.bundle)} (the server log has the details)`,
            );
        }
        if (last.length > 0 && last.every((s) => s.state === stateRunning)) {
            return last.map((s) => s.cluster_id);
        }
        if (Date.now() >= deadline) {
            const states = last.length > 0 ? last.map((s) => stateNames[s.state] ?? `state ${s.state}`).join(', ') : 'not listed';
            throw new DeployError(
                `${pluginId} was uploaded and enabled but is not running after ${Math.round((options.waitMs ?? 30_000) / 1000)} s (${states}): see System Console > Plugins and the server log`,
            );
        }
        await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
    }
}

/** What to do about a plugin the server could not start, by the reason the server gave. */
function adviceFor(reason: string, bundle: DeployOptions['bundle']): string {
    // The server's Manifest.MeetMinServerVersion failure: "plugin requires Mattermost <version>: <id>"
    if (/requires Mattermost/i.test(reason)) {
        return 'upgrade the server, or deploy a build whose min_server_version the server meets';
    }
    return platformAdvice(bundle);
}

function platformAdvice(bundle: DeployOptions['bundle']): string {
    if ('platform' in bundle) {
        return `this was the ${bundle.platform} bundle: if the server runs on another platform, deploy again with --platform <os>-<arch> (one of ${platforms.join(', ')})`;
    }
    if ('portable' in bundle) {
        return 'the portable bundle needs Node.js 20+ on the server: deploy the standalone bundle for its platform instead (--platform <os>-<arch>)';
    }
    return 'check that the bundle has an executable for the server platform';
}

/** A failed request as one actionable line. */
function explain(err: unknown, step: string, siteURL: string, credentials: Credentials, bytes: number): DeployError {
    if (err instanceof DeployError) {
        return err;
    }
    const network = networkErrorOf(err);
    if (network && step === 'upload') {
        return tooLarge(bytes, `the connection broke during the upload: ${network}`);
    }
    if (network) {
        return new DeployError(`cannot reach the Mattermost server at ${siteURL} (${network}): check MM_SERVICESETTINGS_SITEURL and that the server is running`);
    }
    const status = statusOf(err);
    const {id, message} = serverErrorOf(err);
    const detail = `HTTP ${status ?? '?'}${id ? ` ${id}` : ''}${message ? `: ${message}` : ''}`;
    if (step === 'sign-in' && status === 404) {
        return new DeployError(`no Mattermost API at ${siteURL} (${detail}): check MM_SERVICESETTINGS_SITEURL`);
    }
    if (status === 401) {
        return 'token' in credentials
            ? new DeployError(`the server refused MM_ADMIN_TOKEN (${detail}): use a valid personal access token of a system admin`)
            : new DeployError(`the server refused MM_ADMIN_USERNAME/MM_ADMIN_PASSWORD (${detail}): check them, or use MM_ADMIN_TOKEN`);
    }
    if (status === 403) {
        return new DeployError(`the account may not manage plugins (${detail}): use a system admin's token or credentials`);
    }
    if (step === 'upload' && status === 501) {
        return uploadsDisabled(detail);
    }
    if (status === 501 && id === 'app.plugin.disabled.app_error') {
        return pluginsDisabled(detail);
    }
    // Newer servers answer 413; older ones (and the multipart parser) a plain-text 400 carrying Go's error.
    if (step === 'upload' && (status === 413 || (status === 400 && /request body too large/i.test(message)))) {
        return tooLarge(bytes, detail);
    }
    return new DeployError(`${step} failed (${detail})`);
}

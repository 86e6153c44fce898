// `npm run deploy` against a local stand-in of the Mattermost REST API (standin.ts): the requests it makes
// (token and login flows, multipart upload with force=true, enable, status) and one actionable line for
// each way it can fail. The last tests run the real command (scripts/deploy.mjs) as a child process.
import {spawn} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {gzipSync as gzip} from 'node:zlib';

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';

import {main, parseOptions, type CliIO} from '../../../tools/deploy/cli.js';
import {DeployError} from '../../../tools/deploy/deploy.js';

import {manifestOf, StandIn, type StandInOptions} from './standin.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

let root = '';
const bundleBytes: Record<string, number> = {};

/** A repository stand-in: plugin.json and dist/ with real .tar.gz bundles (one per platform). */
function makeRoot(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'deploy-test-'));
    writeFileSync(path.join(dir, 'plugin.json'), JSON.stringify({id: 'trigger-alerts', version: '0.1.0'}));
    mkdirSync(path.join(dir, 'dist'));
    for (const platform of ['linux-amd64', 'linux-arm64', '']) {
        const executables = platform ? {[platform]: `server/dist/plugin-${platform}`} : {'linux-amd64': 'server/dist/plugin-linux-amd64', 'darwin-arm64': 'server/dist/plugin-darwin-arm64'};
        const manifest = {id: 'trigger-alerts', name: 'Trigger Word Alerts', version: '0.1.0', server: {executables}};
        const file = platform ? `trigger-alerts-0.1.0-${platform}.tar.gz` : 'trigger-alerts-0.1.0.tar.gz';
        const tgz = tarGz({'trigger-alerts/plugin.json': JSON.stringify(manifest), 'trigger-alerts/server/dist/plugin': `#!/bin/sh\n# ${platform || 'portable'}\n`});
        writeFileSync(path.join(dir, 'dist', file), tgz);
        bundleBytes[platform || 'portable'] = tgz.length;
    }
    return dir;
}

/** A bundle in the test root's dist/ whose manifest has `extra` (e.g. min_server_version); returns its path. */
function bundleWith(name: string, extra: Record<string, unknown>): string {
    const manifest = {id: 'trigger-alerts', name: 'Trigger Word Alerts', version: '0.1.0', server: {executables: {'linux-amd64': 'server/dist/plugin-linux-amd64'}}, ...extra};
    const file = path.join(root, 'dist', name);
    writeFileSync(file, tarGz({'trigger-alerts/plugin.json': JSON.stringify(manifest), 'trigger-alerts/server/dist/plugin-linux-amd64': '#!/bin/sh\n'}));
    return file;
}

/** A gzipped ustar archive of the given files. */
function tarGz(files: Record<string, string>): Buffer {
    const blocks: Buffer[] = [];
    for (const [name, text] of Object.entries(files)) {
        const data = Buffer.from(text);
        const header = Buffer.alloc(512);
        header.write(name, 0, 100);
        header.write('0000644\0', 100);
        header.write('0000000\0', 108);
        header.write('0000000\0', 116);
        header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
        header.write('00000000000\0', 136);
        header.write('        ', 148);
        header.write('0', 156);
        header.write('ustar\0' + '00', 257);
        const sum = header.reduce((a, b) => a + b, 0);
        header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
        blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
    }
    blocks.push(Buffer.alloc(1024));
    return gzip(Buffer.concat(blocks));
}

let standIn: StandIn | undefined;

async function serve(options: StandInOptions = {}): Promise<StandIn> {
    standIn = await new StandIn(options).start();
    return standIn;
}

interface Run {
    code: number;
    out: string[];
    err: string[];
}

async function run(env: Record<string, string | undefined>, argv: string[] = []): Promise<Run> {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIO = {argv: [...argv, '--wait', '2'], env, root, stdout: (l) => out.push(l), stderr: (l) => err.push(l)};
    const code = await main(io);
    return {code, out, err};
}

const tokenEnv = (s: StandIn, token = 'admin-token'): Record<string, string> => ({MM_SERVICESETTINGS_SITEURL: s.url, MM_ADMIN_TOKEN: token});

/** The failure is one line on stderr, says `what`, and the exit code is non-zero. */
function expectOneLineError(r: Run, what: RegExp, code = 1): string {
    expect(r.code).toBe(code);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).not.toContain('\n');
    expect(r.err[0]).toMatch(/^deploy: /);
    expect(r.err[0]).toMatch(what);
    return r.err[0]!;
}

async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as {port: number}).port;
    await new Promise<void>((r) => server.close(() => r()));
    return port;
}

beforeAll(() => {
    root = makeRoot();
});

afterAll(() => rmSync(root, {recursive: true, force: true}));

afterEach(async () => {
    if (standIn) {
        // Whatever the test checked, no request may have broken the API's rules.
        expect(standIn.violations).toEqual([]);
        await standIn.close();
        standIn = undefined;
    }
});

describe('npm run deploy: the requests', () => {
    it('with a token: checks the session, uploads the linux-amd64 bundle with force=true, enables it and waits until it runs', async () => {
        const s = await serve();
        const r = await run(tokenEnv(s));
        expect(r.err).toEqual([]);
        expect(r.code).toBe(0);
        expect(s.calls).toEqual([
            'GET /api/v4/users/me',
            'GET /api/v4/config',
            'POST /api/v4/plugins',
            'POST /api/v4/plugins/trigger-alerts/enable',
            'GET /api/v4/plugins/statuses',
        ]);
        expect(s.requests.every((q) => q.headers.authorization === 'BEARER admin-token')).toBe(true);
        expect(s.uploads).toHaveLength(1);
        const upload = s.uploads[0]!;
        expect(upload.filename).toBe('trigger-alerts-0.1.0-linux-amd64.tar.gz');
        expect(upload.force).toBe('true');
        expect(upload.bytes.length).toBe(bundleBytes['linux-amd64']);
        expect(upload.manifest.server).toEqual({executables: {'linux-amd64': 'server/dist/plugin-linux-amd64'}});
        expect(r.out.at(-1)).toBe(`trigger-alerts 0.1.0 is running on ${s.url} (1 server)`);
    });

    it('with a username and password: signs in, then uses the session token from the Token header', async () => {
        const s = await serve({username: 'sysadmin', password: 'Sys@dmin-123'});
        const r = await run({MM_SERVICESETTINGS_SITEURL: s.url, MM_ADMIN_USERNAME: 'sysadmin', MM_ADMIN_PASSWORD: 'Sys@dmin-123'});
        expect(r.err).toEqual([]);
        expect(r.code).toBe(0);
        expect(s.calls[0]).toBe('POST /api/v4/users/login');
        expect(s.requests[0]!.headers.authorization).toBeUndefined();
        expect(s.requests.slice(1).map((q) => q.headers.authorization)).toEqual(Array(s.requests.length - 1).fill('BEARER session-token-from-login'));
        expect(s.uploads).toHaveLength(1);
    });

    it('replaces an installed version (force=true) on a second deploy', async () => {
        const s = await serve();
        expect((await run(tokenEnv(s))).code).toBe(0);
        expect((await run(tokenEnv(s))).code).toBe(0);
        expect(s.uploads.map((u) => u.force)).toEqual(['true', 'true']);
    });

    it('takes the bundle of --platform, DEPLOY_PLATFORM, or the portable one', async () => {
        const s = await serve();
        expect((await run(tokenEnv(s), ['--platform', 'linux-arm64'])).code).toBe(0);
        expect((await run({...tokenEnv(s), DEPLOY_PLATFORM: 'linux-arm64'})).code).toBe(0);
        expect((await run(tokenEnv(s), ['--portable'])).code).toBe(0);
        expect(s.uploads.map((u) => u.filename)).toEqual(['trigger-alerts-0.1.0-linux-arm64.tar.gz', 'trigger-alerts-0.1.0-linux-arm64.tar.gz', 'trigger-alerts-0.1.0.tar.gz']);
        expect(s.uploads.map((u) => u.bytes.length)).toEqual([bundleBytes['linux-arm64'], bundleBytes['linux-arm64'], bundleBytes.portable]);
    });

    it('waits for every server of a cluster', async () => {
        const s = await serve({nodes: ['node-a', 'node-b', 'node-c']});
        const r = await run(tokenEnv(s));
        expect(r.code).toBe(0);
        expect(r.out.at(-1)).toContain('(3 servers)');
    });
});

describe("npm run deploy: the server's version against the bundle's min_server_version", () => {
    it('refuses, before uploading, a bundle that needs a newer server: one line naming both versions', async () => {
        const s = await serve({serverVersion: '9.10.0'});
        const r = await run(tokenEnv(s), ['--bundle', bundleWith('needs-10.5.tar.gz', {min_server_version: '10.5.0'})]);
        expectOneLineError(r, /needs-10\.5\.tar\.gz needs Mattermost 10\.5\.0 or newer \(its min_server_version\), but the server at http:\/\/127\.0\.0\.1:\d+ runs 9\.10\.0: nothing was uploaded/);
        expect(s.uploads).toEqual([]);
        expect(s.calls).not.toContain('POST /api/v4/plugins');
    });

    it('deploys a bundle whose min_server_version the server meets (equal, and older)', async () => {
        const s = await serve({serverVersion: '10.5.0'});
        expect((await run(tokenEnv(s), ['--bundle', bundleWith('needs-10.5.tar.gz', {min_server_version: '10.5.0'})])).code).toBe(0);
        expect((await run(tokenEnv(s), ['--bundle', bundleWith('needs-9.tar.gz', {min_server_version: '9.0.0'})])).code).toBe(0);
        expect(s.uploads).toHaveLength(2);
    });

    it('compares numerically: 10.11 is newer than 10.5', async () => {
        const s = await serve({serverVersion: '10.5.3'});
        const r = await run(tokenEnv(s), ['--bundle', bundleWith('needs-10.11.tar.gz', {min_server_version: '10.11.0'})]);
        expectOneLineError(r, /needs Mattermost 10\.11\.0 or newer .* runs 10\.5\.3/);
        expect(s.uploads).toEqual([]);
    });

    it('without X-Version-Id (a proxy dropped it) reads the version from the client configuration', async () => {
        const s = await serve({serverVersion: '9.10.0', noVersionHeader: true});
        const r = await run(tokenEnv(s), ['--bundle', bundleWith('needs-10.5.tar.gz', {min_server_version: '10.5.0'})]);
        expectOneLineError(r, /needs Mattermost 10\.5\.0 or newer .* runs 9\.10\.0/);
        expect(s.calls).toContain('GET /api/v4/config/client');
        expect(s.uploads).toEqual([]);
    });

    it("when the server tells no version, warns, and then reports the plugin's start error from its status", async () => {
        const s = await serve({serverVersion: '9.10.0', hideVersion: true});
        const r = await run(tokenEnv(s), ['--bundle', bundleWith('needs-10.5.tar.gz', {min_server_version: '10.5.0'})]);
        expect(r.out.some((l) => /warning: the server did not tell its version, so needs-10\.5\.tar\.gz's min_server_version 10\.5\.0 was not checked/.test(l))).toBe(true);
        expectOneLineError(r, /failed to start on the server node-1: plugin requires Mattermost 10\.5\.0: trigger-alerts; upgrade the server/);
        expect(r.err[0]).not.toContain('--platform');
    });

    it("an upload over an enabled version that cannot start: the plugin's status error, not only HTTP 500", async () => {
        const options: StandInOptions = {};
        const s = await serve(options);
        expect((await run(tokenEnv(s))).code).toBe(0);
        // The next build fails to start: the server's upload restarts the enabled plugin and answers 500.
        options.startState = 3;
        options.startError = 'exec format error';
        const r = await run(tokenEnv(s));
        expectOneLineError(r, /upload of trigger-alerts failed: the server node-1 could not start it: exec format error \(HTTP 500 app\.plugin\.restart\.app_error: Unable to restart plugin on upgrade\.\); this was the linux-amd64 bundle/);
        expect(s.calls.at(-1)).toBe('GET /api/v4/plugins/statuses');
    });

    it('refuses a file that is not a plugin bundle without contacting the server', async () => {
        const s = await serve();
        const file = path.join(root, 'dist', 'not-a-bundle.tar.gz');
        writeFileSync(file, 'plain text');
        expectOneLineError(await run(tokenEnv(s), ['--bundle', file]), /not-a-bundle\.tar\.gz is not a gzip archive .*not a plugin bundle/);
        const empty = path.join(root, 'dist', 'no-manifest.tar.gz');
        writeFileSync(empty, tarGz({'x/readme.txt': 'hi'}));
        expectOneLineError(await run(tokenEnv(s), ['--bundle', empty]), /no-manifest\.tar\.gz has no plugin\.json/);
        expect(s.calls).toEqual([]);
    });
});

describe('npm run deploy: failures are one actionable line', () => {
    it('unreachable server', async () => {
        const r = await run({MM_SERVICESETTINGS_SITEURL: `http://127.0.0.1:${await closedPort()}`, MM_ADMIN_TOKEN: 'admin-token'});
        expectOneLineError(r, /cannot reach the Mattermost server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): check MM_SERVICESETTINGS_SITEURL/);
    });

    it('bad token (401)', async () => {
        const s = await serve();
        const line = expectOneLineError(await run(tokenEnv(s, 'wrong-token')), /the server refused MM_ADMIN_TOKEN \(HTTP 401 api\.context\.session_expired\.app_error/);
        expect(line).toContain('personal access token');
        expect(s.uploads).toHaveLength(0);
    });

    it('bad username or password (401)', async () => {
        const s = await serve();
        const r = await run({MM_SERVICESETTINGS_SITEURL: s.url, MM_ADMIN_USERNAME: 'admin', MM_ADMIN_PASSWORD: 'guess'});
        expectOneLineError(r, /the server refused MM_ADMIN_USERNAME\/MM_ADMIN_PASSWORD \(HTTP 401 api\.user\.login\.invalid_credentials_email_username: Enter a valid email/);
        expect(s.calls).toEqual(['POST /api/v4/users/login']);
    });

    it('plugin uploads disabled, seen in the configuration before uploading', async () => {
        const s = await serve({uploadsEnabled: false});
        expectOneLineError(await run(tokenEnv(s)), /does not accept plugin uploads \(PluginSettings\.EnableUploads is false\): set Plugin Management > Enable Plugin Uploads/);
        expect(s.calls).not.toContain('POST /api/v4/plugins');
    });

    it('plugin uploads disabled, answered by the upload (501 app.plugin.upload_disabled.app_error)', async () => {
        const s = await serve({uploadsEnabled: false, configForbidden: true});
        expectOneLineError(
            await run(tokenEnv(s)),
            /does not accept plugin uploads \(HTTP 501 app\.plugin\.upload_disabled\.app_error: Plugins and\/or plugin uploads have been disabled\.\)/,
        );
        expect(s.calls).toContain('POST /api/v4/plugins');
        expect(s.calls).not.toContain('POST /api/v4/plugins/trigger-alerts/enable');
    });

    it("bundle over the server's MaxFileSize: refused before uploading", async () => {
        const s = await serve({maxFileSize: 100});
        expectOneLineError(await run(tokenEnv(s)), /trigger-alerts-0\.1\.0-linux-amd64\.tar\.gz is 0\.0 MB, over the server's Maximum File Size .*FileSettings\.MaxFileSize/);
        expect(s.calls).not.toContain('POST /api/v4/plugins');
    });

    it('bundle too large, answered by the server (413 api.plugin.upload.file_too_large.app_error)', async () => {
        const s = await serve({configForbidden: true, bodyLimit: 100});
        expectOneLineError(await run(tokenEnv(s)), /refused the 0\.0 MB bundle as too large \(HTTP 413 api\.plugin\.upload\.file_too_large\.app_error: .*\): raise Maximum File Size/);
    });

    it('bundle too large, answered by a proxy (413 HTML page)', async () => {
        const s = await serve({configForbidden: true, bodyLimit: 100, overLimit: 'proxy'});
        const line = expectOneLineError(await run(tokenEnv(s)), /too large \(HTTP 413: 413 Request Entity Too Large.*client_max_body_size/);
        expect(line).not.toContain('<');
    });

    it('bundle too large, answered by an older server (400 "request body too large")', async () => {
        const s = await serve({configForbidden: true, bodyLimit: 100, overLimit: 'legacy400'});
        expectOneLineError(await run(tokenEnv(s)), /too large \(HTTP 400: multipart: NextPart: http: request body too large\)/);
    });

    it('missing bundle: tells to run npm run dist, without contacting the server', async () => {
        const s = await serve();
        const r = await run(tokenEnv(s), ['--platform', 'windows-amd64']);
        expectOneLineError(r, /bundle dist\/trigger-alerts-0\.1\.0-windows-amd64\.tar\.gz not found \(dist\/ has .*trigger-alerts-0\.1\.0-linux-amd64\.tar\.gz.*\): run `npm run dist` first/);
        expect(s.calls).toEqual([]);
    });

    it('the plugin fails to start (wrong platform): says which bundle it was and how to choose another', async () => {
        const s = await serve({startState: 3, startError: 'plugin executable not found for linux-arm64'});
        expectOneLineError(await run(tokenEnv(s)), /uploaded and enabled but failed to start on the server node-1: plugin executable not found for linux-arm64; this was the linux-amd64 bundle: .*--platform <os>-<arch>/);
    });

    it('not a Mattermost server at that address (404)', async () => {
        const s = await serve();
        const r = await run({MM_SERVICESETTINGS_SITEURL: `${s.url}/not-here`, MM_ADMIN_TOKEN: 'admin-token'});
        expectOneLineError(r, /no Mattermost API at http:\/\/127\.0\.0\.1:\d+\/not-here .*check MM_SERVICESETTINGS_SITEURL/);
        s.violations.length = 0; // the stand-in flags the unknown route, which is the point here
    });

    it('usage errors exit 2', async () => {
        expectOneLineError(await run({}), /set MM_SERVICESETTINGS_SITEURL/, 2);
        expectOneLineError(await run({MM_SERVICESETTINGS_SITEURL: 'http://x'}), /set MM_ADMIN_TOKEN/, 2);
        expectOneLineError(await run({MM_SERVICESETTINGS_SITEURL: 'http://x', MM_ADMIN_USERNAME: 'a'}), /set both MM_ADMIN_USERNAME and MM_ADMIN_PASSWORD/, 2);
        expectOneLineError(await run({MM_SERVICESETTINGS_SITEURL: 'chat.example.com', MM_ADMIN_TOKEN: 't'}), /not a URL/, 2);
        expectOneLineError(await run({MM_SERVICESETTINGS_SITEURL: 'http://x', MM_ADMIN_TOKEN: 't'}, ['--platform', 'solaris-sparc']), /unknown platform "solaris-sparc": use one of linux-amd64/, 2);
        expectOneLineError(await run({MM_SERVICESETTINGS_SITEURL: 'http://x', MM_ADMIN_TOKEN: 't'}, ['--portable', '--platform', 'linux-arm64']), /choose one of/, 2);
        expectOneLineError(await run({MM_SERVICESETTINGS_SITEURL: 'http://x', MM_ADMIN_TOKEN: 't'}, ['--bogus']), /unknown argument "--bogus"/, 2);
    });
});

describe('parseOptions', () => {
    it('prefers the token over username and password, and defaults to linux-amd64', () => {
        const o = parseOptions({argv: [], env: {MM_SERVICESETTINGS_SITEURL: 'https://chat.example.com', MM_ADMIN_TOKEN: 't', MM_ADMIN_USERNAME: 'u', MM_ADMIN_PASSWORD: 'p'}, root: '/r'});
        expect(o.credentials).toEqual({token: 't'});
        expect(o.bundle).toEqual({platform: 'linux-amd64'});
    });

    it('throws DeployError for bad input', () => {
        expect(() => parseOptions({argv: ['--wait', 'soon'], env: {}, root: '/r'})).toThrow(DeployError);
    });
});

describe('the stand-in itself', () => {
    it('reads plugin.json from a bundle the way the server looks for it', () => {
        expect(manifestOf(tarGz({'x/plugin.json': '{"id":"x"}'}))).toEqual({id: 'x'});
        expect(manifestOf(tarGz({'plugin.json': '{"id":"y"}'}))).toEqual({id: 'y'});
        expect(manifestOf(tarGz({'x/y/plugin.json': '{"id":"z"}'}))).toBeUndefined();
        expect(manifestOf(Buffer.from('not gzip'))).toBeUndefined();
    });
});

describe('the command (scripts/deploy.mjs, as npm runs it)', () => {
    function command(env: Record<string, string>, argv: string[] = []): Promise<{code: number | null; stdout: string; stderr: string}> {
        return new Promise((resolve, reject) => {
            // The launcher reads plugin.json from the repository; --bundle picks a test bundle.
            const child = spawn(process.execPath, [path.join(repoRoot, 'scripts/deploy.mjs'), ...argv], {
                env: {PATH: process.env.PATH ?? '', ...env},
                stdio: ['ignore', 'pipe', 'pipe'],
            });
            let stdout = '';
            let stderr = '';
            child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
            child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
            child.on('error', reject);
            child.on('close', (code) => resolve({code, stdout, stderr}));
        });
    }

    it('prints usage with --help and exits 0', async () => {
        const r = await command({}, ['--help']);
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('MM_SERVICESETTINGS_SITEURL');
    });

    it('exits non-zero with one line on stderr when the server cannot be reached', async () => {
        const r = await command({MM_SERVICESETTINGS_SITEURL: `http://127.0.0.1:${await closedPort()}`, MM_ADMIN_TOKEN: 't'}, ['--bundle', path.join(root, 'dist/trigger-alerts-0.1.0.tar.gz')]);
        expect(r.code).toBe(1);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(/^deploy: cannot reach the Mattermost server/);
    });

    it('deploys a bundle to the stand-in and exits 0', async () => {
        const s = await serve();
        const r = await command(tokenEnv(s), ['--bundle', path.join(root, 'dist/trigger-alerts-0.1.0-linux-arm64.tar.gz'), '--wait', '5']);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(s.uploads.map((u) => u.filename)).toEqual(['trigger-alerts-0.1.0-linux-arm64.tar.gz']);
        expect(r.stdout).toContain('trigger-alerts 0.1.0 is running on');
    });
});

// Serves the plugin host harness (harness.html) and the plugin bundle, and reverse-proxies the plugin's HTTP
// routes, /plugins/<id>/..., to PLUGIN_HTTP_URL.
//
//   PLUGIN_HTTP_URL  where /plugins/<id>/<rest> goes: PLUGIN_HTTP_URL + <rest>. Point it at the plugin's own
//                    HTTP handler (it gets /api/v1/..., as from Mattermost's ServeHTTP), or at a Mattermost server
//                    as http://host:8065/plugins/<id>.
//   PLUGIN_USER_ID   if set, sent as Mattermost-User-Id (the Mattermost server would set it from the session);
//                    a Mattermost-User-Id sent by the page is always dropped, as Mattermost does.
//   HARNESS_CHANNELS JSON [{id, name, display_name}] for the page's channel list (default: the fake's channels)
//   HARNESS_CSRF     the MMCSRF cookie value the page sets (default: e2e-csrf-token)
//
// The page (harness.html) takes ?react=17|18|19 (default 19): the host React line, see host-react.mjs; and
// ?hostcss=0 to leave out the web app's global CSS (host-global.css). harness.js reads the rest.
//
// CLI: node test/e2e/serve.mjs [--port=8080]
import {createReadStream, existsSync, readFileSync} from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

import * as esbuild from 'esbuild';

import {DEMO_CHANNELS, DEMO_USER} from './fake-backend.mjs';
import {HOST_REACTS, hostReactScript} from './host-react.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'plugin.json'), 'utf8'));
const PLUGIN_ID = manifest.id;

/** The default host React: the newest line. */
export const DEFAULT_REACT = 19;

let reduxGlobal;
function reduxScript() {
    // Redux 5 ships no UMD build. (No React Redux: the plugin does not use it, and its current version needs
    // React 18, so the harness has its own store hook.)
    reduxGlobal ??= esbuild.build({
        stdin: {contents: "window.Redux = require('redux');", resolveDir: root, loader: 'js'},
        bundle: true,
        format: 'iife',
        minify: true,
        write: false,
        define: {'process.env.NODE_ENV': '"production"'},
        logLevel: 'warning',
    }).then((r) => r.outputFiles[0].text);
    return reduxGlobal;
}

/** ?react=N of a URL, checked against the host lines; null if it names none. */
function reactLine(url) {
    const major = Number(url.searchParams.get('react') ?? DEFAULT_REACT);
    return HOST_REACTS.some((h) => h.major === major) ? major : null;
}

function harnessPage(url) {
    const major = reactLine(url);
    if (major === null) {
        return null;
    }
    const hostCss = url.searchParams.get('hostcss') === '0' ? '' : '<link rel="stylesheet" href="/host-global.css">';
    return readFileSync(path.join(here, 'harness.html'), 'utf8')
        .replace('<!--REACT-->', String(major))
        .replace('<!--HOST_CSS-->', hostCss);
}

const TYPES = {'.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.png': 'image/png', '.css': 'text/css; charset=utf-8'};

function sendFile(res, file) {
    if (!existsSync(file)) {
        res.writeHead(404, {'content-type': 'text/plain'}).end(`missing ${path.relative(root, file)}`);
        return;
    }
    res.writeHead(200, {'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store'});
    createReadStream(file).pipe(res);
}

function proxy(req, res, rest, options) {
    if (!options.pluginHttpUrl) {
        res.writeHead(502, {'content-type': 'application/json'}).end(JSON.stringify({error: 'PLUGIN_HTTP_URL is not set'}));
        return;
    }
    const target = new URL(options.pluginHttpUrl);
    const url = new URL(target.pathname.replace(/\/+$/, '') + rest, target);
    const headers = {...req.headers, host: target.host};
    delete headers['mattermost-user-id'];
    if (options.pluginUserId) {
        headers['mattermost-user-id'] = options.pluginUserId;
    }
    const upstream = http.request(url, {method: req.method, headers}, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
    });
    upstream.on('error', (err) => {
        if (!res.headersSent) {
            res.writeHead(502, {'content-type': 'application/json'});
        }
        res.end(JSON.stringify({error: `proxy: ${err.message}`}));
    });
    req.pipe(upstream);
}

/**
 * @param {{port?: number, host?: string, pluginHttpUrl?: string, pluginUserId?: string, bundlePath?: string,
 *   channels?: Array<{id: string, name: string, display_name: string}>, csrfToken?: string}} [options]
 * @returns {Promise<{url: string, close(): Promise<void>}>}
 */
export async function startHarnessServer(options = {}) {
    const opts = {
        pluginHttpUrl: options.pluginHttpUrl ?? process.env.PLUGIN_HTTP_URL,
        pluginUserId: options.pluginUserId ?? process.env.PLUGIN_USER_ID,
        bundlePath: options.bundlePath ?? path.join(root, 'webapp/dist/main.js'),
        channels: options.channels ?? (process.env.HARNESS_CHANNELS ? JSON.parse(process.env.HARNESS_CHANNELS) : DEMO_CHANNELS.filter((c) => c.members.includes(DEMO_USER))),
        csrfToken: options.csrfToken ?? process.env.HARNESS_CSRF ?? 'e2e-csrf-token',
    };
    const pluginPrefix = `/plugins/${PLUGIN_ID}`;
    const server = http.createServer(async (req, res) => {
        try {
            const url = new URL(req.url ?? '/', 'http://harness');
            const p = url.pathname;
            if (p === pluginPrefix || p.startsWith(pluginPrefix + '/')) {
                proxy(req, res, p.slice(pluginPrefix.length) + url.search, opts);
            } else if (p === '/' || p === '/harness.html') {
                const page = harnessPage(url);
                if (page === null) {
                    res.writeHead(400, {'content-type': 'text/plain'}).end(`?react= takes ${HOST_REACTS.map((h) => h.major).join(', ')}`);
                } else {
                    res.writeHead(200, {'content-type': TYPES['.html'], 'cache-control': 'no-store'}).end(page);
                }
            } else if (p === '/harness.js') {
                sendFile(res, path.join(here, 'harness.js'));
            } else if (p === '/host-global.css') {
                sendFile(res, path.join(here, 'host-global.css'));
            } else if (p === '/harness-config.js') {
                const cfg = {
                    channels: opts.channels.map(({id, name, display_name}) => ({id, name, display_name})),
                    userId: opts.pluginUserId ?? DEMO_USER,
                    csrfToken: opts.csrfToken,
                };
                res.writeHead(200, {'content-type': TYPES['.js'], 'cache-control': 'no-store'});
                res.end(`window.HARNESS_CONFIG = ${JSON.stringify(cfg)};\n`);
            } else if (p === '/vendor/host-react.js' && reactLine(url) !== null) {
                const js = await hostReactScript(reactLine(url));
                res.writeHead(200, {'content-type': TYPES['.js']}).end(js);
            } else if (p === '/vendor/redux.js') {
                const js = await reduxScript();
                res.writeHead(200, {'content-type': TYPES['.js']}).end(js);
            } else if (p === `/static/plugins/${PLUGIN_ID}/main.js`) {
                sendFile(res, opts.bundlePath);
            } else if (p === '/favicon.ico') {
                res.writeHead(204).end();
            } else {
                res.writeHead(404, {'content-type': 'text/plain'}).end('not found');
            }
        } catch (err) {
            res.writeHead(500, {'content-type': 'text/plain'}).end(String(err));
        }
    });
    await new Promise((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
    const address = server.address();
    return {
        url: `http://${address.address}:${address.port}`,
        close: () => new Promise((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
    const portArg = process.argv.find((a) => a.startsWith('--port='));
    const s = await startHarnessServer({port: portArg ? Number(portArg.slice(7)) : 8080});
    console.log(`harness: ${s.url}/  (plugin HTTP -> ${process.env.PLUGIN_HTTP_URL ?? 'PLUGIN_HTTP_URL not set'})`);
}

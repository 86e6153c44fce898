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
// CLI: node test/e2e/serve.mjs [--port=8080]
import {createReadStream, existsSync, readFileSync} from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

import * as esbuild from 'esbuild';

import {hostGlobalsPlugin} from '../../scripts/build-webapp.mjs';

import {DEMO_CHANNELS, DEMO_USER} from './fake-backend.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'plugin.json'), 'utf8'));
const PLUGIN_ID = manifest.id;

let reduxGlobals;
async function reduxGlobalsScript() {
    // Redux 5 and React Redux 9 ship no UMD build: bundle them into one script that sets the globals,
    // with React taken from window.React like everything else on the page.
    reduxGlobals ??= esbuild.build({
        stdin: {
            contents: "import * as Redux from 'redux'; import * as ReactRedux from 'react-redux'; window.Redux = Redux; window.ReactRedux = ReactRedux;",
            resolveDir: root,
            loader: 'js',
        },
        bundle: true,
        format: 'iife',
        minify: true,
        write: false,
        define: {'process.env.NODE_ENV': '"production"'},
        plugins: [hostGlobalsPlugin({only: ['react', 'react-dom']})],
        logLevel: 'warning',
    }).then((r) => r.outputFiles[0].text);
    return reduxGlobals;
}

const TYPES = {'.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.png': 'image/png'};

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
                sendFile(res, path.join(here, 'harness.html'));
            } else if (p === '/harness.js') {
                sendFile(res, path.join(here, 'harness.js'));
            } else if (p === '/harness-config.js') {
                const cfg = {
                    channels: opts.channels.map(({id, name, display_name}) => ({id, name, display_name})),
                    userId: opts.pluginUserId ?? DEMO_USER,
                    csrfToken: opts.csrfToken,
                };
                res.writeHead(200, {'content-type': TYPES['.js'], 'cache-control': 'no-store'});
                res.end(`window.HARNESS_CONFIG = ${JSON.stringify(cfg)};\n`);
            } else if (p === '/vendor/react.production.min.js') {
                sendFile(res, path.join(root, 'node_modules/react/umd/react.production.min.js'));
            } else if (p === '/vendor/react-dom.production.min.js') {
                sendFile(res, path.join(root, 'node_modules/react-dom/umd/react-dom.production.min.js'));
            } else if (p === '/vendor/redux-globals.js') {
                const js = await reduxGlobalsScript();
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

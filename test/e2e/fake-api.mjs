// An HTTP stand-in for the plugin's trigger words API (server/alerts/API.md), in memory, for the browser test
// until it runs against the real plugin. It answers the paths the plugin's ServeHTTP sees (/api/v1/...), wants
// Mattermost-User-Id like the plugin, and checks the session's CSRF header on writes like the Mattermost server.
//
// CLI: node test/e2e/fake-api.mjs [--port=8070]
import http from 'node:http';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

import {checkSession, createFakeBackend, DEMO_CHANNELS} from './fake-backend.mjs';

const MAX_BODY = 16 * 1024;

function cookie(header, name) {
    for (const part of (header ?? '').split(';')) {
        const [k, ...v] = part.trim().split('=');
        if (k === name) {
            return decodeURIComponent(v.join('='));
        }
    }
    return undefined;
}

/**
 * @param {{port?: number, host?: string, backend?: ReturnType<typeof createFakeBackend>}} [options]
 * @returns {Promise<{url: string, backend: ReturnType<typeof createFakeBackend>, requests: Array<{method: string, path: string, status: number}>, close(): Promise<void>}>}
 */
export async function startFakeApi(options = {}) {
    const backend = options.backend ?? createFakeBackend({channels: DEMO_CHANNELS});
    const requests = [];
    const server = http.createServer((req, res) => {
        const chunks = [];
        let size = 0;
        let tooBig = false;
        req.on('data', (c) => {
            size += c.length;
            if (size > MAX_BODY) {
                tooBig = true;
            } else {
                chunks.push(c);
            }
        });
        req.on('end', () => {
            const url = new URL(req.url ?? '/', 'http://fake');
            const method = req.method ?? 'GET';
            const headers = /** @type {Record<string, string | undefined>} */ (Object.fromEntries(
                Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v])));
            let answer;
            if (tooBig) {
                answer = {status: 413, headers: {'content-type': 'application/json'}, body: {error: 'request body too large (16 KiB at most)'}};
            } else {
                answer = checkSession({method, headers, csrfToken: cookie(req.headers.cookie, 'MMCSRF') ?? '\u0000none'}) ??
                    backend.handle({method, path: url.pathname, headers, body: chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined});
            }
            requests.push({method, path: url.pathname, status: answer.status});
            res.writeHead(answer.status, answer.headers);
            res.end(JSON.stringify(answer.body));
        });
    });
    await new Promise((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
    const address = server.address();
    return {
        url: `http://${address.address}:${address.port}`,
        backend,
        requests,
        close: () => new Promise((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
    const portArg = process.argv.find((a) => a.startsWith('--port='));
    const s = await startFakeApi({port: portArg ? Number(portArg.slice(7)) : 8070});
    console.log(`fake trigger words API: ${s.url}`);
}

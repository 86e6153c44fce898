// The React a Mattermost web app hands to plugins, one per line, as the window globals it sets before any plugin
// loads. Built with esbuild from the npm packages (React 19 ships no UMD build, so none of them use one):
//
//   17  Mattermost 9.x and 10.x   React 17.0.2, window.React and window.ReactDOM (no createRoot, no JSX runtime)
//   18  Mattermost 11.x           React 18, window.ReactDOM with react-dom/client's createRoot
//   19  Mattermost 12.x           React 19, plus window.ReactJSXRuntime and window.ReactJSXDevRuntime
//
// package.json installs React 17 and 19 under aliases (react-17, react-dom-17, react-19, react-dom-19) next to
// the project's own React 18. Every `react` and `react-dom` import inside a host build, react-dom's own
// included, is rewritten to that line's packages here; that is why package.json's "overrides" may point
// react-dom-17's and react-dom-19's peer `react` at the project's React: nothing resolves it through Node.
//
// CLI (for test environments where esbuild cannot run, such as jsdom's):
//   node test/e2e/host-react.mjs <17|18|19> [--dev] --outfile=PATH
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** @typedef {17 | 18 | 19} HostReact */

/** The host React lines, oldest first, with what each provides on window. */
export const HOST_REACTS = /** @type {const} */ ([
    {major: 17, react: 'react-17', reactDom: 'react-dom-17', client: false, jsxRuntime: false, mattermost: '9.10–10.x'},
    {major: 18, react: 'react', reactDom: 'react-dom', client: true, jsxRuntime: false, mattermost: '11.x'},
    {major: 19, react: 'react-19', reactDom: 'react-dom-19', client: true, jsxRuntime: true, mattermost: '12.x'},
]);

/** @param {number} major */
export function hostReact(major) {
    const host = HOST_REACTS.find((h) => h.major === major);
    if (!host) {
        throw new Error(`no host React ${major} (have ${HOST_REACTS.map((h) => h.major).join(', ')})`);
    }
    return host;
}

/** @param {{react: string, reactDom: string}} host */
function versionedPackages(host) {
    return {
        name: 'host-react-versions',
        setup(build) {
            build.onResolve({filter: /^react(-dom)?(\/.*)?$/}, async (args) => {
                if (args.pluginData === 'versioned') {
                    return undefined;
                }
                const m = /^(react|react-dom)(\/.*)?$/.exec(args.path);
                const target = (m[1] === 'react' ? host.react : host.reactDom) + (m[2] ?? '');
                const resolved = await build.resolve(target, {resolveDir: root, kind: args.kind, pluginData: 'versioned'});
                return resolved.errors.length > 0 ? {errors: resolved.errors} : {path: resolved.path};
            });
        },
    };
}

const cache = new Map();

/**
 * A classic script that sets the globals of one host line.
 * @param {number} major 17, 18 or 19
 * @param {{dev?: boolean}} [options] dev: React's development build (more checks, warnings on the console)
 * @returns {Promise<string>}
 */
export async function hostReactScript(major, options = {}) {
    // Imported here, not at the top, so that the table above can be read where esbuild cannot load (jsdom).
    const esbuild = await import('esbuild');
    const host = hostReact(major);
    const key = `${major}:${options.dev ? 'dev' : 'prod'}`;
    if (!cache.has(key)) {
        const lines = [
            "window.React = require('react');",
            host.client ?
                "window.ReactDOM = Object.assign({}, require('react-dom'), require('react-dom/client'));" :
                "window.ReactDOM = require('react-dom');",
        ];
        if (host.jsxRuntime) {
            lines.push("window.ReactJSXRuntime = require('react/jsx-runtime');");
            lines.push("window.ReactJSXDevRuntime = require('react/jsx-dev-runtime');");
        }
        cache.set(key, esbuild.build({
            stdin: {contents: lines.join('\n'), resolveDir: root, loader: 'js'},
            bundle: true,
            format: 'iife',
            platform: 'browser',
            minify: !options.dev,
            write: false,
            define: {'process.env.NODE_ENV': options.dev ? '"development"' : '"production"'},
            plugins: [versionedPackages(host)],
            logLevel: 'warning',
        }).then((r) => r.outputFiles[0].text));
    }
    return cache.get(key);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
    const major = Number(process.argv[2]);
    const out = process.argv.find((a) => a.startsWith('--outfile='));
    if (!out) {
        console.error('usage: node test/e2e/host-react.mjs <17|18|19> [--dev] --outfile=PATH');
        process.exit(2);
    }
    writeFileSync(out.slice('--outfile='.length), await hostReactScript(major, {dev: process.argv.includes('--dev')}));
}

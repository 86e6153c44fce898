// Builds the webapp half of the plugin: webapp/src/index.tsx -> webapp/dist/main.js (IIFE, minified).
//
// React, ReactDOM, Redux and ReactRedux are not bundled: the Mattermost webapp puts its own copies on window
// (window.React, ...) for plugins, and a second React would break hooks. The automatic JSX runtime
// (react/jsx-runtime) becomes a few lines over window.React.
//
// Usage: node scripts/build-webapp.mjs [--dev] [--outfile=PATH]
//   --dev: not minified, with an inline source map; --outfile: somewhere else than webapp/dist/main.js
import {readFileSync, statSync, mkdirSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {gzipSync} from 'node:zlib';

import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Bare import -> the window global the Mattermost webapp provides to plugins. */
export const HOST_GLOBALS = {
    react: 'React',
    'react-dom': 'ReactDOM',
    redux: 'Redux',
    'react-redux': 'ReactRedux',
};

// jsx() gets one child or a dynamic array (which needs keys); jsxs() gets a static list of children, which
// createElement must receive as separate arguments, or React would treat it as a dynamic list.
const JSX_RUNTIME_SHIM = `
const React = window.React;
export const Fragment = React.Fragment;
function create(type, props, key, isStatic) {
    const config = {};
    let children;
    let hasChildren = false;
    for (const name in props) {
        if (name === 'children') {
            children = props.children;
            hasChildren = true;
        } else if (Object.prototype.hasOwnProperty.call(props, name)) {
            config[name] = props[name];
        }
    }
    if (key !== undefined) {
        config.key = key;
    }
    if (!hasChildren) {
        return React.createElement(type, config);
    }
    return isStatic && Array.isArray(children) ?
        React.createElement(type, config, ...children) : React.createElement(type, config, children);
}
export function jsx(type, props, key) {
    return create(type, props, key, false);
}
export function jsxs(type, props, key) {
    return create(type, props, key, true);
}
export const jsxDEV = (type, props, key, isStatic) => create(type, props, key, Boolean(isStatic));
`;

/**
 * esbuild plugin mapping the host's libraries to its window globals.
 * @param {{only?: string[]}} [options] map only these package names (default: all of HOST_GLOBALS)
 */
export function hostGlobalsPlugin(options = {}) {
    const names = options.only ?? Object.keys(HOST_GLOBALS);
    const escaped = names.map((n) => n.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'));
    const filter = new RegExp(`^(${escaped.join('|')})(/jsx-runtime|/jsx-dev-runtime)?$`);
    return {
        name: 'host-globals',
        setup(build) {
            build.onResolve({filter}, (args) => ({path: args.path, namespace: 'host-global'}));
            build.onLoad({filter: /.*/, namespace: 'host-global'}, (args) => {
                if (/^react\/jsx(-dev)?-runtime$/.test(args.path)) {
                    return {contents: JSX_RUNTIME_SHIM, loader: 'js'};
                }
                const global = HOST_GLOBALS[args.path];
                if (!global) {
                    return {errors: [{text: `no host global for ${args.path}`}]};
                }
                return {
                    contents: `if (!window.${global}) { throw new Error('window.${global} is missing: the host page must provide it'); }\nmodule.exports = window.${global};`,
                    loader: 'js',
                };
            });
        },
    };
}

/**
 * @param {{outfile?: string, minify?: boolean, quiet?: boolean}} [options]
 * @returns {Promise<{outfile: string, bytes: number, gzipBytes: number}>}
 */
export async function buildWebapp(options = {}) {
    const outfile = options.outfile ?? path.join(root, 'webapp/dist/main.js');
    const minify = options.minify ?? true;
    mkdirSync(path.dirname(outfile), {recursive: true});
    const result = await esbuild.build({
        absWorkingDir: root,
        entryPoints: [path.join(root, 'webapp/src/index.tsx')],
        outfile,
        bundle: true,
        format: 'iife',
        platform: 'browser',
        target: ['es2022'],
        jsx: 'automatic',
        minify,
        sourcemap: minify ? false : 'inline',
        define: {'process.env.NODE_ENV': '"production"'},
        plugins: [hostGlobalsPlugin()],
        metafile: true,
        logLevel: 'warning',
    });

    // A copy of React in the bundle would be a second React next to the host's: fail loudly instead.
    const bundled = Object.keys(result.metafile.inputs).filter((p) =>
        /node_modules\/(react|react-dom|redux|react-redux|scheduler)\//.test(p));
    if (bundled.length > 0) {
        throw new Error(`host libraries were bundled instead of taken from window: ${bundled.join(', ')}`);
    }

    const bytes = statSync(outfile).size;
    const gzipBytes = gzipSync(readFileSync(outfile)).length;
    if (!options.quiet) {
        console.log(`${path.relative(root, outfile)}: ${bytes} bytes (${gzipBytes} gzipped)`);
    }
    return {outfile, bytes, gzipBytes};
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
    const dev = process.argv.includes('--dev');
    const out = process.argv.find((a) => a.startsWith('--outfile='));
    buildWebapp({minify: !dev, outfile: out ? path.resolve(out.slice('--outfile='.length)) : undefined}).catch((err) => {
        console.error(err instanceof Error ? err.message : err);
        process.exit(1);
    });
}

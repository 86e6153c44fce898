// Builds a Mattermost plugin's webapp half: its entry (webapp/src/index.tsx) -> one IIFE file (minified).
//
// React, ReactDOM, Redux and ReactRedux are not bundled: the Mattermost webapp puts its own copies on window
// (window.React, ...) for plugins, and a second React would break hooks. That React is 17.0.2 in Mattermost
// 9.x and 10.x, 18 in 11.x and 19 from 12.0, so the plugin may use only what all three have (HOST_API below):
// importing anything else from react, react-dom or react-dom/client fails the build, naming the import.
//
// JSX: the source uses the automatic runtime (react/jsx-runtime). Mattermost 12 provides its runtime as
// window.ReactJSXRuntime and asks plugins to use it; older lines provide none, so the bundle falls back to a
// few lines over window.React.createElement, which makes the same elements on 17, 18 and 19.
//
// build.mjs runs it for a plugin whose plugin.json has a webapp; buildWebapp() is for other callers too.
import {readFileSync, statSync, mkdirSync} from 'node:fs';
import path from 'node:path';
import {gzipSync} from 'node:zlib';

import * as esbuild from 'esbuild';

import {shown} from './bundle.mjs';

/** Bare import -> the window global the Mattermost webapp provides to plugins. */
export const HOST_GLOBALS = {
    react: 'React',
    'react-dom': 'ReactDOM',
    'react-dom/client': 'ReactDOM',
    redux: 'Redux',
    'react-redux': 'ReactRedux',
};

/**
 * What the plugin may import from the host's React, by module: the exports React 17.0.2, 18 and 19 all have
 * (the package repository's test/unit/webapp/host_api.test.ts checks this against the three packages). Not
 * here, because 17 lacks them: useSyncExternalStore, useId, useInsertionEffect, useTransition,
 * useDeferredValue, startTransition, use, createRoot, hydrateRoot; nor createFactory, render or
 * findDOMNode, which 19 dropped.
 */
export const HOST_API = {
    react: [
        'Children', 'Component', 'Fragment', 'Profiler', 'PureComponent', 'StrictMode', 'Suspense',
        'cloneElement', 'createContext', 'createElement', 'createRef', 'forwardRef', 'isValidElement', 'lazy', 'memo',
        'useCallback', 'useContext', 'useDebugValue', 'useEffect', 'useImperativeHandle', 'useLayoutEffect', 'useMemo',
        'useReducer', 'useRef', 'useState', 'version',
    ],
    'react-dom': ['createPortal', 'version'],
    'react-dom/client': [],
};

// react/jsx-runtime (and jsx-dev-runtime, which the build never asks for): the host's runtime where it has one,
// else createElement. jsx() gets one child or a dynamic array (which needs keys); jsxs() gets a static list of
// children, which createElement must receive as separate arguments, or React would treat it as a dynamic list.
const JSX_RUNTIME = `
const React = window.React;
const runtime = window.ReactJSXRuntime;
const host = runtime && typeof runtime.jsx === 'function' && typeof runtime.jsxs === 'function' ? runtime : null;
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
export const jsx = host ? host.jsx : (type, props, key) => create(type, props, key, false);
export const jsxs = host ? host.jsxs : (type, props, key) => create(type, props, key, true);
export const jsxDEV = (type, props, key, isStatic) => create(type, props, key, Boolean(isStatic));
`;

const missing = (global) => `if (!window.${global}) { throw new Error('window.${global} is missing: the host page must provide it'); }`;

/** An ES module exporting exactly the allowed names, so that esbuild itself refuses any other import. */
function hostApiModule(specifier) {
    const global = HOST_GLOBALS[specifier];
    const names = HOST_API[specifier];
    return [
        missing(global),
        `const host = window.${global};`,
        ...names.map((n) => `export const ${n} = host.${n};`),
    ].join('\n');
}

/** esbuild plugin mapping the host's libraries to its window globals. */
export function hostGlobalsPlugin() {
    const escaped = Object.keys(HOST_GLOBALS).map((n) => n.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'));
    const filter = new RegExp(`^((${escaped.join('|')})|react/jsx-runtime|react/jsx-dev-runtime)$`);
    return {
        name: 'host-globals',
        setup(build) {
            build.onResolve({filter}, (args) => ({path: args.path, namespace: 'host-global'}));
            build.onLoad({filter: /.*/, namespace: 'host-global'}, (args) => {
                if (/^react\/jsx(-dev)?-runtime$/.test(args.path)) {
                    return {contents: `${missing('React')}\n${JSX_RUNTIME}`, loader: 'js'};
                }
                if (HOST_API[args.path]) {
                    return {contents: hostApiModule(args.path), loader: 'js'};
                }
                const global = HOST_GLOBALS[args.path];
                return {contents: `${missing(global)}\nmodule.exports = window.${global};`, loader: 'js'};
            });
        },
    };
}

/** esbuild's complaints about an import the host module lacks, said in terms of the host's React. */
function explainHostApiErrors(failure) {
    const lines = (failure.errors ?? []).map((e) => {
        const where = e.location ? `${e.location.file}:${e.location.line}: ` : '';
        // esbuild says it as "No matching export in "host-global:M" for import "N"" (named import), "Import "N"
        // will always be undefined because there is no matching export in "host-global:M"" (namespace import)
        // or "... because the file "host-global:M" has no exports".
        const module = /"host-global:([^"]+)"/.exec(e.text)?.[1];
        const name = /\b[Ii]mport "([^"]+)"/.exec(e.text)?.[1];
        if (!module || !name) {
            return `${where}${e.text}`;
        }
        if (name === 'default') {
            return `${where}import named APIs from ${module}, not its default export, so that the build can check each one`;
        }
        return `${where}${name} from ${module} is not on every host React (Mattermost 9.x and 10.x run React 17.0.2, ` +
            `11.x React 18, 12.x React 19); ${module} may give only: ${HOST_API[module].join(', ') || 'nothing'}`;
    });
    return new Error(lines.length > 0 ? lines.join('\n') : String(failure));
}

/**
 * Builds entry into outfile. dev: not minified, with an inline source map. root: the folder esbuild works
 * in (file names in messages are relative to it; default the working directory). quiet: no output.
 * @param {{entry: string, outfile: string, dev?: boolean, root?: string, quiet?: boolean}} options
 * @returns {Promise<{outfile: string, bytes: number, gzipBytes: number}>}
 */
export async function buildWebapp({entry, outfile, dev = false, root = process.cwd(), quiet = false}) {
    if (!entry || !outfile) {
        throw new Error('buildWebapp needs an entry and an outfile');
    }
    const minify = !dev;
    mkdirSync(path.dirname(outfile), {recursive: true});
    let result;
    try {
        result = await esbuild.build({
            absWorkingDir: root,
            entryPoints: [entry],
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
            // `React.useId()` through a namespace import is as wrong as `import {useId}`: an error, not a warning.
            logOverride: {'import-is-undefined': 'error'},
            logLevel: quiet ? 'silent' : 'warning',
        });
    } catch (failure) {
        throw explainHostApiErrors(failure);
    }

    // A copy of React in the bundle would be a second React next to the host's: fail loudly instead.
    const bundled = Object.keys(result.metafile.inputs).filter((p) =>
        /node_modules\/(react|react-dom|redux|react-redux|scheduler)\//.test(p));
    if (bundled.length > 0) {
        throw new Error(`host libraries were bundled instead of taken from window: ${bundled.join(', ')}`);
    }

    const bytes = statSync(outfile).size;
    const gzipBytes = gzipSync(readFileSync(outfile)).length;
    if (!quiet) {
        console.log(`${shown(outfile)}: ${bytes} bytes (${gzipBytes} gzipped)`);
    }
    return {outfile, bytes, gzipBytes};
}

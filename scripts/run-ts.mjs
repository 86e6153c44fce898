// Runs a TypeScript entry point without a compile step on disk: esbuild bundles it in memory and Node.js
// imports the result as a data: URL. The real-server harness finds the repository and the fixture from its
// own file location (import.meta.url), which a data: URL no longer has, so each of the repository's own
// modules gets its original file URL written in at bundling time.
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

import {build} from 'esbuild';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** @type {import('esbuild').Plugin} */
const keepModuleLocation = {
    name: 'keep-module-location',
    setup(b) {
        b.onLoad({filter: /\.ts$/}, async (args) => {
            if (args.path.includes(`${path.sep}node_modules${path.sep}`)) {
                return undefined;
            }
            const source = await readFile(args.path, 'utf8');
            return {contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts'};
        });
    },
};

/** Bundles `entry` (relative to the repository root) and imports it; returns the module's exports. */
export async function importTypeScript(entry) {
    const {outputFiles} = await build({
        entryPoints: [path.join(root, entry)],
        bundle: true,
        platform: 'node',
        // workspace packages resolve to their TypeScript sources
        conditions: ['development'],
        format: 'esm',
        target: 'node20',
        write: false,
        logLevel: 'error',
        plugins: [keepModuleLocation],
        // Bundled CommonJS dependencies may call require() for Node's own modules.
        banner: {js: `import {createRequire as __createRequire} from 'node:module'; const require = __createRequire(${JSON.stringify(pathToFileURL(path.join(root, 'package.json')).href)});`},
    });
    return import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`);
}

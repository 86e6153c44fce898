// The product's webapp half alone: webapp/src/index.tsx -> webapp/dist/main.js, with the package's webapp
// build (packages/mattermost-plugin-node/tools/webapp.mjs; `npm run build` runs it too). For the tests
// and the browser harness, which need a fresh build somewhere else.
//
// Usage: node scripts/build-webapp.mjs [--dev] [--outfile=PATH]
//   --dev: not minified, with an inline source map; --outfile: somewhere else than webapp/dist/main.js
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {buildWebapp} from '../packages/mattermost-plugin-node/tools/webapp.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv.find((a) => a.startsWith('--outfile='));
buildWebapp({
    entry: path.join(root, 'webapp/src/index.tsx'),
    outfile: out ? path.resolve(out.slice('--outfile='.length)) : path.join(root, 'webapp/dist/main.js'),
    dev: process.argv.includes('--dev'),
    root,
}).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});

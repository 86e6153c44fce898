// The plugin bundle the real web app test installs: dist/'s standalone linux-amd64 bundle, prepared for the
// fixture's server version (test/server/harness/bundle.ts), with the webapp half built from webapp/src now.
// The test is about the panel in the web app, so it must run the panel's current source: dist/ may be older
// than webapp/src (it is built once per `npm test`, and by hand otherwise); the server half is dist's as is.
import {execFileSync} from 'node:child_process';
import {copyFileSync, mkdtempSync, readFileSync} from 'node:fs';
import path from 'node:path';

import {distBundle, prepareBundle, type PreparedBundle} from '../server/harness/bundle.js';
import {repoRoot} from '../server/harness/fixture.js';

export class WebappBundleError extends Error {
    override name = 'WebappBundleError';
}

/** A bundle for the 9.10 fixture whose webapp/dist/main.js is a fresh build of webapp/src, in `scratch`. */
export function bundleWithCurrentWebapp(scratch: string): PreparedBundle & {webappBytes: number} {
    const prepared = prepareBundle(distBundle(), scratch, {minServerVersion: '9.10.0'});
    const built = path.join(mkdtempSync(path.join(scratch, 'webapp-')), 'main.js');
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'build-webapp.mjs'), `--outfile=${built}`], {cwd: repoRoot, stdio: 'pipe'});

    const dir = mkdtempSync(path.join(scratch, 'bundle-webapp-'));
    execFileSync('tar', ['-xzf', prepared.file, '-C', dir]);
    const manifest = JSON.parse(readFileSync(path.join(dir, prepared.id, 'plugin.json'), 'utf8')) as {webapp?: {bundle_path?: string}};
    const bundlePath = manifest.webapp?.bundle_path;
    if (!bundlePath) {
        throw new WebappBundleError(`${prepared.file}: plugin.json names no webapp bundle`);
    }
    copyFileSync(built, path.join(dir, prepared.id, bundlePath));
    const file = path.join(scratch, `${prepared.id}-${prepared.version}-for-${prepared.minServerVersion}-current-webapp.tar.gz`);
    execFileSync('tar', ['-czf', file, '-C', dir, prepared.id]);
    return {...prepared, file, webappBytes: readFileSync(built).length};
}

// Lays out and packs installable plugin bundles (shared by build.mjs for the portable bundle and dist.mjs
// for the standalone ones). A bundle is a .tar.gz with one top-level folder, named after the plugin id,
// holding plugin.json and the files it names, as System Console → Plugins and `mmctl plugin add` expect.
// Mattermost's extractor takes only directories and regular files (it skips symlinks), and creates files
// with the mode stored in the archive, so executables are stored as regular files with mode 0755.
import {execFileSync} from 'node:child_process';
import {chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';

/** A path as the tools print it: relative to the working directory, so that no message names a machine's folders. */
export const shown = (p) => path.relative(process.cwd(), p) || '.';

/** Mattermost's default upload limit (FileSettings.MaxFileSize: 100 MiB). */
export const UPLOAD_LIMIT_BYTES = 100 * 1024 * 1024;

/**
 * Stages a bundle under stagingRoot/<id>/: plugin.json (the given manifest), assets/ if the plugin has one,
 * the webapp's folder if the manifest has a webapp, and the server files. `serverFiles` maps a path inside
 * the bundle to a source file (or to {from, mode}); every executable the manifest names must be among them.
 * `root` is the plugin's directory. Returns the top-level folder.
 */
export function stageBundle({root, stagingRoot, manifest, serverFiles}) {
    const top = path.join(stagingRoot, manifest.id);
    rmSync(stagingRoot, {recursive: true, force: true});
    mkdirSync(top, {recursive: true});
    writeFileSync(path.join(top, 'plugin.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    if (existsSync(path.join(root, 'assets'))) {
        cpSync(path.join(root, 'assets'), path.join(top, 'assets'), {recursive: true});
    }
    if (manifest.webapp?.bundle_path) {
        const webappDir = path.dirname(manifest.webapp.bundle_path);
        cpSync(path.join(root, webappDir), path.join(top, webappDir), {recursive: true});
    }
    for (const [inBundle, source] of Object.entries(serverFiles)) {
        const {from, mode} = typeof source === 'string' ? {from: source, mode: 0o644} : source;
        const dest = path.join(top, inBundle);
        mkdirSync(path.dirname(dest), {recursive: true});
        cpSync(from, dest);
        chmodSync(dest, mode);
    }
    for (const exe of Object.values(manifest.server?.executables ?? {})) {
        const st = statSync(path.join(top, exe), {throwIfNoEntry: false});
        if (!st?.isFile() || (st.mode & 0o111) === 0) {
            throw new Error(`bundle ${manifest.id}: plugin.json names ${exe}, which is not an executable file in the bundle`);
        }
    }
    return top;
}

/** Packs stagingRoot/<id>/ into out (owner and group 0, as the server does not care who packed it). */
export function packBundle(stagingRoot, id, out) {
    mkdirSync(path.dirname(out), {recursive: true});
    rmSync(out, {force: true});
    execFileSync('tar', ['-czf', out, '--owner=0', '--group=0', '-C', stagingRoot, id]);
    return statSync(out).size;
}

/** The manifest a bundle carries: the plugin's plugin.json with exactly the given executables. */
export function bundleManifest(manifest, executables) {
    return {...manifest, server: {...manifest.server, executables}};
}

/**
 * Reads plugin.json in the plugin's directory and checks its version against package.json's there. The build
 * refuses to guess which one is right (writing one from the other would let a forgotten bump ship
 * silently): bump both in one commit.
 */
export function readCheckedManifest(root) {
    const manifest = JSON.parse(readFileSync(path.join(root, 'plugin.json'), 'utf8'));
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    if (manifest.version !== pkg.version) {
        throw new Error(
            `plugin.json has version ${manifest.version} but package.json has ${pkg.version}: set both to the release's version`,
        );
    }
    return manifest;
}

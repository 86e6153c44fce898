// Runs the Go conformance suite (Mattermost's real plugin host code) against the Go reference plugin,
// which proves the tests, and against our TypeScript test plugin, which they exist for; and the
// product's tests (./alerts) against the built plugin, and the round trip of every API method and hook
// (./roundtrip, with both plugins). It does so for every Mattermost release line
// of the matrix below, each with the host code of the server/public version that line shipped with.
//
//   node scripts/conformance.mjs                 every line (the newest first, in full)
//   node scripts/conformance.mjs go|ts           one plugin side (the Go side includes ./alerts)
//   node scripts/conformance.mjs --line 11.7     one line (repeatable; MM_LINE=11.7,newest works too)
//   node scripts/conformance.mjs --list          the matrix, without running anything
import {execFileSync, spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cwd = path.join(root, 'test/conformance');
const publicModule = 'github.com/mattermost/mattermost/server/public';

/**
 * The release lines. `public` is the server/public tag whose plugin host code the line runs (README,
 * "Supported servers", has the evidence); `modfile` pins it, with the go-plugin version that tag
 * requires. `server` is the line's first release: the oldest line's is plugin.json's
 * min_server_version. `full` runs every package (benchmark smoke tests, harness and fakeapi
 * self-tests) rather than only the protocol suite and the product's tests.
 */
const matrix = [
    {line: 'newest', server: '12.1.0', what: 'newest release; newest server/public tag', public: 'v0.4.4', modfile: 'go.mod', full: true},
    {line: '11.7', server: '11.7.0', what: 'oldest supported Extended Support Release', public: 'v0.3.0', modfile: 'go.mm11.7.mod'},
    {line: '10.11', server: '10.11.0', what: 'Extended Support Release, support ended 2026-08-15', public: 'v0.1.16', modfile: 'go.mm10.11.mod'},
    {line: '10.5', server: '10.5.0', what: 'Extended Support Release, ended; ServeHTTP sends *http.Request', public: 'v0.1.10', modfile: 'go.mm10.5.mod'},
];

/**
 * Build tags by the server/public version where the host code changed: `mmpublic_pre<v>` is set
 * for versions older than v (test/conformance/harness/compat_*.go, alerts/compat_*_test.go).
 */
const tagBoundaries = [
    {tag: 'mmpublic_pre04', since: 'v0.4.0'}, // hooks' *WithRPCErr variants, plugin.Context.ConnectionId
    {tag: 'mmpublic_pre03', since: 'v0.3.0'}, // ChannelMemberWillBeAdded, TeamMemberWillBeAdded hooks
    {tag: 'mmpublic_pre021', since: 'v0.2.1'}, // model.SlackAttachment renamed MessageAttachment
];

function semver(v) {
    const m = /^v(\d+)\.(\d+)\.(\d+)$/.exec(v);
    if (!m) {
        throw new Error(`not a release version: ${v}`);
    }
    return m.slice(1).map(Number);
}

function older(a, b) {
    const [x, y] = [semver(a), semver(b)];
    for (let i = 0; i < 3; i++) {
        if (x[i] !== y[i]) {
            return x[i] < y[i];
        }
    }
    return false;
}

function tagsFor(version) {
    return tagBoundaries.filter((b) => older(version, b.since)).map((b) => b.tag);
}

/** The version of server/public that modfile requires; it must be the matrix's. */
function requiredPublic(modfile) {
    const text = readFileSync(path.join(cwd, modfile), 'utf8');
    const m = new RegExp(`^\\s*(?:require\\s+)?${publicModule.replaceAll('.', '\\.')}\\s+(v\\S+)`, 'm').exec(text);
    if (!m) {
        throw new Error(`${modfile} does not require ${publicModule}`);
    }
    return m[1];
}

function parseArgs(argv) {
    const opts = {side: undefined, lines: [], list: false};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === 'go' || a === 'ts') {
            opts.side = a;
        } else if (a === '--line') {
            opts.lines.push(argv[++i] ?? '');
        } else if (a.startsWith('--line=')) {
            opts.lines.push(a.slice('--line='.length));
        } else if (a === '--list') {
            opts.list = true;
        } else {
            throw new Error(`unknown argument ${a} (usage: conformance.mjs [go|ts] [--line <line>]... [--list])`);
        }
    }
    if (opts.lines.length === 0 && process.env.MM_LINE) {
        opts.lines = process.env.MM_LINE.split(',').map((s) => s.trim()).filter(Boolean);
    }
    for (const l of opts.lines) {
        if (!matrix.some((e) => e.line === l)) {
            throw new Error(`unknown line ${l}; the matrix has ${matrix.map((e) => e.line).join(', ')}`);
        }
    }
    return opts;
}

let opts;
try {
    opts = parseArgs(process.argv.slice(2));
} catch (err) {
    console.error(err.message);
    process.exit(2);
}

const selected = matrix.filter((e) => opts.lines.length === 0 || opts.lines.includes(e.line));
for (const e of selected) {
    const pinned = requiredPublic(e.modfile);
    if (pinned !== e.public) {
        console.error(`${e.modfile} requires ${publicModule} ${pinned}, the matrix says ${e.public} for ${e.line}`);
        process.exit(2);
    }
    e.tags = tagsFor(e.public);
}

// plugin.json claims exactly the lines the matrix proves.
const oldest = matrix[matrix.length - 1];
const manifest = JSON.parse(readFileSync(path.join(root, 'plugin.json'), 'utf8'));
if (manifest.min_server_version !== oldest.server) {
    console.error(`plugin.json min_server_version is ${manifest.min_server_version}, the oldest line of the matrix is ${oldest.server}`);
    process.exit(2);
}

if (opts.list) {
    for (const e of selected) {
        console.log(`${e.line.padEnd(6)} ${e.server.padEnd(8)} ${e.public.padEnd(8)} ${e.modfile.padEnd(16)} ${e.tags.join(',') || '-'}  ${e.what}`);
    }
    process.exit(0);
}

// GOFLAGS reaches every go command of the run, including the reference plugin's build inside the
// tests, so plugin and host are built from the same server/public. It replaces the configured
// GOFLAGS, which are therefore carried over.
const baseGoFlags = execFileSync('go', ['env', 'GOFLAGS'], {cwd, encoding: 'utf8'}).trim();

function goFlagsFor(e) {
    const flags = baseGoFlags ? [baseGoFlags] : [];
    if (e.modfile !== 'go.mod') {
        flags.push(`-modfile=${path.join(cwd, e.modfile)}`);
    }
    if (e.tags.length > 0) {
        flags.push(`-tags=${e.tags.join(',')}`);
    }
    return flags.join(' ');
}

const tsPlugin = {CONFORMANCE_PLUGIN_DIR: path.join(cwd, 'build/tsplugin')};
// ./roundtrip drives its Go reference plugin and its TypeScript plugin itself, in the Go pass; the
// TypeScript one is built once here (the same build serves every line).
const roundtripPlugin = {CONFORMANCE_ROUNDTRIP_PLUGIN_DIR: path.join(cwd, 'build/roundtrip-tsplugin')};
if (opts.side !== 'ts') {
    execFileSync(process.execPath, [path.join(root, 'scripts/build-roundtrip-plugin.mjs')], {stdio: 'inherit'});
}
const results = [];
for (const e of selected) {
    // The Go pass runs the protocol suite with the reference plugin and the product's tests (which
    // use the real build either way); the TypeScript pass re-runs the protocol suite with our plugin.
    // Older lines run with -short: the product's flood tests then skip waiting for the wall clock's
    // next minute, which exercises no host code (the newest line still waits).
    const runs = [
        {side: 'go', name: 'Go reference plugin, the product (./alerts), the round trip of every API method and hook (./roundtrip)', pkgs: e.full ? ['./...'] : ['-short', '.', './alerts', './roundtrip'], env: roundtripPlugin},
        {side: 'ts', name: 'TypeScript plugin', pkgs: ['.'], env: tsPlugin},
    ];
    for (const run of runs) {
        if (opts.side && opts.side !== run.side) {
            continue;
        }
        const title = `${e.line} (${e.what}; server/public ${e.public}): ${run.name}`;
        console.log(`\n== conformance ${title}`);
        const started = Date.now();
        const res = spawnSync('go', ['test', '-count=1', '-timeout=15m', ...run.pkgs], {
            cwd,
            stdio: 'inherit',
            env: {...process.env, ...run.env, GOFLAGS: goFlagsFor(e)},
        });
        const seconds = Math.round((Date.now() - started) / 1000);
        results.push({title, ok: res.status === 0, seconds});
        if (res.status !== 0) {
            console.log(`== conformance FAILED: ${title}`);
        }
    }
}

console.log('\n== conformance matrix');
for (const r of results) {
    console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${String(r.seconds).padStart(4)}s  ${r.title}`);
}
process.exit(results.every((r) => r.ok) ? 0 : 1);

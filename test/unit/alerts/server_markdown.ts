// Mattermost's own server-side markdown parser (server/public/shared/markdown: what the server uses to pick
// a post's links for previews and its images for the image proxy), through server_markdown/main.go. The
// program is built once per test process in a temporary module that requires the server/public version
// test/conformance uses, with its go.sum: the modules come from the cache that conformance's
// `go mod download` filled, so nothing is fetched and no dependency is added. (No CommonMark parser for
// JavaScript is installed; this one is the server's and needs none.)
import {execFileSync} from 'node:child_process';
import {copyFileSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const conformance = path.resolve(here, '../../conformance');

export interface ServerMarkdownNode {
    /** Node types from the document down, e.g. "Document/BlockQuote/Paragraph/Text". */
    path: string;
    /** A link's, image's or autolink's destination. */
    dest?: string;
    /** Text and code span contents. */
    text?: string;
}

export interface ServerMarkdown {
    html: string;
    nodes: ServerMarkdownNode[];
}

let binary: string | undefined;

function build(): string {
    if (binary) return binary;
    const version = /github\.com\/mattermost\/mattermost\/server\/public (v[^\s]+)/.exec(readFileSync(path.join(conformance, 'go.mod'), 'utf8'))?.[1];
    if (!version) throw new Error('no server/public requirement in test/conformance/go.mod');
    const dir = mkdtempSync(path.join(tmpdir(), 'server-markdown-'));
    writeFileSync(path.join(dir, 'go.mod'), `module servermarkdown\n\ngo 1.26\n\nrequire github.com/mattermost/mattermost/server/public ${version}\n`);
    copyFileSync(path.join(conformance, 'go.sum'), path.join(dir, 'go.sum'));
    copyFileSync(path.join(here, 'server_markdown/main.go'), path.join(dir, 'main.go'));
    const out = path.join(dir, 'server-markdown');
    execFileSync('go', ['build', '-o', out, '.'], {cwd: dir, stdio: 'pipe', env: {...process.env, GOFLAGS: '-mod=mod', GOWORK: 'off'}});
    binary = out;
    return out;
}

/** What the server's parser finds in each message. */
export function serverMarkdown(messages: readonly string[]): ServerMarkdown[] {
    const out = execFileSync(build(), [], {input: JSON.stringify(messages), maxBuffer: 64 << 20, stdio: ['pipe', 'pipe', 'pipe']});
    return JSON.parse(out.toString()) as ServerMarkdown[];
}

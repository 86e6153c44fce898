// The Go side of the API binding tests: test/conformance/tools/apigen/wirepeer decodes our args into
// Mattermost's plugin.Z_<Method>Args and encodes plugin.Z_<Method>Returns, with the real encoding/gob.
import {execFileSync} from 'node:child_process';
import path from 'node:path';

import {GobDecoder, GobEncoder, type GoType} from '../../src/transport/gob/index.js';
import type {RpcClient} from '../../src/transport/netrpc.js';

const conformance = path.resolve(__dirname, '../../../../test/conformance');
const peer = path.join(conformance, 'build/bin/apiwirepeer');

/** Builds the peer (cached by Go's build cache after the first time). */
export function buildWirePeer(): void {
    execFileSync('go', ['build', '-o', peer, './tools/apigen/wirepeer'], {cwd: conformance, stdio: ['ignore', 'inherit', 'inherit']});
}

interface PeerReply {
    decoded: unknown[];
    encoded: Record<string, string>;
}

function runPeer(request: {decode: Array<{method: string; data: string}>; encode: string[]}): PeerReply {
    const out = execFileSync(peer, [], {input: JSON.stringify(request), maxBuffer: 64 << 20});
    return JSON.parse(out.toString()) as PeerReply;
}

/** What Go decodes from each of our encoded args structs (its JSON: model fields by JSON name). */
export function goDecodeArgs(sent: ReadonlyArray<{method: string; data: Uint8Array}>): unknown[] {
    return runPeer({decode: sent.map((s) => ({method: s.method, data: Buffer.from(s.data).toString('base64')})), encode: []}).decoded;
}

/** Go's gob stream of each named returns case. */
export function goEncodeReturns(names: readonly string[]): Record<string, Uint8Array> {
    const enc = runPeer({decode: [], encode: [...names]}).encoded;
    return Object.fromEntries(Object.entries(enc).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]));
}

/**
 * Stands in for the RPC connection: encodes every call's args with a fresh gob encoder (as the first
 * message on a connection would be) and answers with the next queued Go-encoded reply, or an empty one.
 */
export class RecordingRpc {
    readonly sent: Array<{method: string; data: Uint8Array}> = [];
    private readonly replies: Array<Uint8Array | Error> = [];

    reply(...r: Array<Uint8Array | Error>): this {
        this.replies.push(...r);
        return this;
    }

    call(serviceMethod: string, argsType: GoType, args: unknown): Promise<unknown> {
        const data = new GobEncoder().encode(argsType, args);
        this.sent.push({method: serviceMethod.replace(/^Plugin\./, ''), data});
        const next = this.replies.shift();
        if (next instanceof Error) {
            return Promise.reject(next);
        }
        if (!next) {
            return Promise.resolve({});
        }
        const dec = new GobDecoder();
        dec.push(next);
        return Promise.resolve(dec.next()?.value);
    }

    asClient(): RpcClient {
        return this as unknown as RpcClient;
    }
}

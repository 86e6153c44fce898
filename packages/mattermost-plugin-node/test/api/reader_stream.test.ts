// InstallPlugin (and UploadData, ReceiveSharedChannelAttachmentSyncMsg) hand the server an io.Reader: we
// offer the bytes on a broker id, the server dials it and reads as Go's remoteIOReader does.
import {Duplex} from 'node:stream';

import {describe, expect, it} from 'vitest';

import {PluginAPI} from '../../src/mattermost/api.js';
import {GobDecoder, GobEncoder, type GoType} from '../../src/transport/gob/index.js';
import type {MuxBroker} from '../../src/transport/muxbroker.js';
import type {RpcClient} from '../../src/transport/netrpc.js';

import {buildWirePeer, goDecodeArgs, goEncodeReturns} from './wirepeer.js';
import {pair} from '../support/memory_pair.js';

/** Go's binary.PutVarint. */
function putVarint(x: number): Buffer {
    let ux = x < 0 ? -2 * x - 1 : 2 * x;
    const out: number[] = [];
    while (ux >= 0x80) {
        out.push((ux % 0x80) | 0x80);
        ux = Math.floor(ux / 0x80);
    }
    out.push(ux);
    return Buffer.from(out);
}

/** Go's connectIOReader + io.ReadAll: asks for `size` bytes at a time until EOF. */
function readAllLikeGo(stream: Duplex, size: number): Promise<Buffer> {
    return new Promise((resolve) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => {
            chunks.push(c);
            stream.write(putVarint(size));
        });
        stream.on('end', () => resolve(Buffer.concat(chunks)));
        stream.write(putVarint(size));
    });
}

describe('methods taking an io.Reader', () => {
    it('InstallPlugin serves the whole bundle to the server through the broker stream, then ends it', async () => {
        buildWirePeer();
        const [ours, theirs] = pair();
        const broker = {nextId: () => 7, accept: (id: number) => (id === 7 ? Promise.resolve(ours) : Promise.reject(new Error('wrong id')))};
        const bundle = Buffer.alloc(100_000);
        for (let i = 0; i < bundle.length; i++) bundle[i] = i % 251;
        let received: Buffer | undefined;
        const sent: Array<{method: string; data: Uint8Array}> = [];
        const reply = goEncodeReturns(['InstallPlugin.manifest'])['InstallPlugin.manifest']!;
        const rpc = {
            // the server: read the reader to its end, then answer
            async call(serviceMethod: string, argsType: GoType, args: unknown): Promise<unknown> {
                sent.push({method: serviceMethod.replace('Plugin.', ''), data: new GobEncoder().encode(argsType, args)});
                received = await readAllLikeGo(theirs, 4096);
                const dec = new GobDecoder();
                dec.push(reply);
                return dec.next()?.value;
            },
        };
        const api = new PluginAPI(rpc as unknown as RpcClient, broker as unknown as MuxBroker);
        const manifest = await api.installPlugin(bundle, true);
        expect(manifest).toMatchObject({id: 'com.example.x', version: '1.2.3'});
        expect(received?.equals(bundle)).toBe(true);
        expect(goDecodeArgs(sent)).toEqual([{PluginStreamID: 7, B: true}]);
    });

    it('without a broker, says so instead of hanging', async () => {
        const api = new PluginAPI({} as RpcClient);
        await expect(api.uploadData({id: 'u'}, new Uint8Array(3))).rejects.toThrow(/mux broker/);
    });
});

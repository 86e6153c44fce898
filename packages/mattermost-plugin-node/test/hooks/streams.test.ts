// The hooks that move data through mux-broker streams: FileWillBeUploaded (the file in through the
// host's IO reader, a replacement out through a stream the host copies until we close it) and
// ServeMetrics (ServeHTTP's bridge). The test plays the host's side of each stream.
import type {IncomingMessage, ServerResponse} from 'node:http';
import type {Readable, Writable} from 'node:stream';

import {afterEach, describe, expect, it} from 'vitest';

import {t} from '../../src/transport/gob/index.js';
import {emptyStruct, RpcServer} from '../../src/transport/netrpc.js';

import {collect, serveIOReader, startHooks, type HooksUnderTest} from './harness.js';

const ctxType = t.struct('Context', [['SessionId', t.string], ['RequestId', t.string]]);
const fileInfoType = t.struct('FileInfo', [
    ['Id', t.string],
    ['Name', t.string],
    ['Size', t.int],
    ['MimeType', t.string],
]);
const uploadArgs = t.struct('Z_FileWillBeUploadedArgs', [
    ['A', t.ptr(ctxType)],
    ['B', t.ptr(fileInfoType)],
    ['UploadedFileStream', t.uint],
    ['ReplacementFileStream', t.uint],
]);

let running: HooksUnderTest | undefined;
afterEach(() => {
    running?.close();
    running = undefined;
});

async function readAll(r: Readable): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of r) {
        chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks);
}

describe('FileWillBeUploaded', () => {
    const content = Buffer.from(Array.from({length: 300_000}, (_, i) => i % 251));

    it('streams the file in and the replacement out, and answers changed file info', async () => {
        const out: {data?: Promise<Buffer>} = {};
        let received: Buffer | undefined;
        let info: unknown;
        running = startHooks(
            {
                fileWillBeUploaded: async (_c: unknown, fileInfo: {name: string}, file: Readable, output: Writable) => {
                    info = fileInfo;
                    received = await readAll(file);
                    output.write(received.subarray(0, 1000));
                    output.write('-tail');
                    return {fileInfo: {...fileInfo, name: `clean-${fileInfo.name}`}};
                },
            },
            {7: serveIOReader(content), 8: collect(out)},
        );
        const reply = await running.client.call('Plugin.FileWillBeUploaded', uploadArgs, {
            A: {SessionId: 's'},
            B: {Id: 'f1', Name: 'a.bin', Size: content.length, MimeType: 'application/octet-stream'},
            UploadedFileStream: 7,
            ReplacementFileStream: 8,
        });
        expect(info).toMatchObject({id: 'f1', name: 'a.bin', size: content.length, mime_type: 'application/octet-stream'});
        expect(received?.equals(content)).toBe(true);
        expect(reply).toEqual({A: expect.objectContaining({Id: 'f1', Name: 'clean-a.bin', Size: content.length})});
        const replacement = await out.data;
        expect(replacement?.equals(Buffer.concat([content.subarray(0, 1000), Buffer.from('-tail')]))).toBe(true);
        expect(running.dialled).toEqual([7, 8]);
    });

    it('closes the replacement stream (empty: keep the upload) when the plugin neither reads nor writes, and on a rejection', async () => {
        const out: {data?: Promise<Buffer>} = {};
        running = startHooks({fileWillBeUploaded: () => ({rejectReason: 'no binaries'})}, {3: serveIOReader(content), 4: collect(out)});
        const reply = await running.client.call('Plugin.FileWillBeUploaded', uploadArgs, {A: {}, B: {Id: 'f'}, UploadedFileStream: 3, ReplacementFileStream: 4});
        expect(reply).toEqual({B: 'no binaries'});
        expect((await out.data)?.length).toBe(0);
    });

    it('closes the replacement stream when the hook throws, so the host does not wait for it', async () => {
        const out: {data?: Promise<Buffer>} = {};
        running = startHooks(
            {
                fileWillBeUploaded: (_c: unknown, _i: unknown, _f: Readable, output: Writable) => {
                    output.write('partial');
                    throw new Error('scanner crashed');
                },
            },
            {3: serveIOReader(content), 4: collect(out)},
        );
        await expect(
            running.client.call('Plugin.FileWillBeUploaded', uploadArgs, {A: {}, B: {Id: 'f'}, UploadedFileStream: 3, ReplacementFileStream: 4}),
        ).rejects.toThrow('scanner crashed');
        expect((await out.data)?.toString()).toBe('partial');
        expect(running.logs.some((l) => l.level === 'error' && l.message.includes('FileWillBeUploaded'))).toBe(true);
    });
});

describe('ServeMetrics', () => {
    it('replays the request into a Node handler and writes its response to the host', async () => {
        const response: {header?: Record<string, string[]>; status: number; body: Buffer[]} = {status: 200, body: []};
        const seen: unknown[] = [];
        running = startHooks(
            {
                serveMetrics: (c: unknown, req: IncomingMessage, res: ServerResponse) => {
                    seen.push(c, req.method, req.url);
                    res.statusCode = 202;
                    res.setHeader('Content-Type', 'text/plain');
                    res.end('plugin_up 1\n');
                },
                serveHTTP: () => {
                    throw new Error('ServeMetrics must not reach serveHTTP');
                },
            },
            {
                5: (host) => {
                    new RpcServer(host, (m) => {
                        const ok = {type: emptyStruct, value: {}};
                        switch (m) {
                            case 'Plugin.SyncHeader':
                                return (h) => ((response.header = h as Record<string, string[]>), ok);
                            case 'Plugin.WriteHeader':
                                return (code) => ((response.status = Number(code)), ok);
                            case 'Plugin.Write':
                                return (b) => (response.body.push(Buffer.from(b as Uint8Array)), {type: t.int, value: (b as Uint8Array).length});
                            default:
                                return undefined;
                        }
                    });
                },
            },
        );
        const request = t.struct('HTTPRequestSubset', [
            ['Method', t.string],
            ['URL', t.string],
            ['Header', t.map(t.string, t.slice(t.string))],
            ['Host', t.string],
            ['RequestURI', t.string],
        ]);
        const metricsArgs = t.struct('Z_ServeMetricsArgs', [
            ['ResponseWriterStream', t.uint],
            ['Request', t.ptr(request)],
            ['Context', t.ptr(ctxType)],
            ['RequestBodyStream', t.uint],
        ]);
        await running.client.call('Plugin.ServeMetrics', metricsArgs, {
            ResponseWriterStream: 5,
            Request: {Method: 'GET', URL: '/metrics?x=1', Header: {Accept: ['text/plain']}, Host: 'localhost:8065', RequestURI: '/plugins/p/metrics?x=1'},
            Context: {SessionId: 'm'},
        });
        expect(seen).toEqual([expect.objectContaining({SessionId: 'm'}), 'GET', '/metrics?x=1']);
        expect(response.status).toBe(202);
        expect(response.header?.['Content-Type']).toEqual(['text/plain']);
        expect(Buffer.concat(response.body).toString()).toBe('plugin_up 1\n');
    });
});

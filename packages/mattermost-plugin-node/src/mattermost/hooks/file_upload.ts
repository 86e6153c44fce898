// FileWillBeUploaded: the one hook with streams both ways (client_rpc.go's hand-written glue).
import {Writable} from 'node:stream';

import {t, type GoType} from '../../transport/gob/index.js';
import type {RpcReply} from '../../transport/netrpc.js';
import {openIOReader} from '../io_reader.js';
import {modelToGo, modelType} from '../models.js';

import {argsOf, decodeArg} from './generic.js';
import {callLogged, contextOf, type ManualHook} from './manual_common.js';
import {willBeAnswer} from './will_be.js';

const reply = (type: GoType, value: unknown): RpcReply => ({type, value});

const fileWillBeUploadedReturns = t.struct('Z_FileWillBeUploadedReturns', [
    ['A', t.ptr(modelType('FileInfo'))],
    ['B', t.string],
]);

/**
 * The file arrives as a Readable (the host's IO-reader stream), a replacement goes out through a Writable
 * (a stream the host copies until we close it). The host waits for that close after our reply, so it is
 * closed whatever the hook does; what the hook writes after it has resolved is lost.
 */
export const fileWillBeUploaded: ManualHook = (ctx) => async (body) => {
    const a = argsOf(body);
    const file = openIOReader(ctx.broker, Number(a.UploadedFileStream ?? 0));
    const replacement = ctx.broker.dial(Number(a.ReplacementFileStream ?? 0)).stream;
    replacement.resume(); // only the broker's ack comes this way
    replacement.on('error', () => undefined);
    const output = new Writable({
        write(chunk: Buffer, _enc, cb) {
            replacement.write(chunk, (err) => cb(err ?? null));
        },
        final(cb) {
            replacement.end();
            cb();
        },
    });
    output.on('error', () => undefined);
    try {
        const result = await callLogged(ctx, 'FileWillBeUploaded', 'fileWillBeUploaded', [
            contextOf(a.A),
            decodeArg({struct: 'FileInfo'}, a.B),
            file,
            output,
        ]);
        const [changed, reason] = willBeAnswer(result, 'fileInfo');
        if (reason) {
            return reply(fileWillBeUploadedReturns, {B: reason});
        }
        return reply(fileWillBeUploadedReturns, {A: changed ? modelToGo('FileInfo', changed) : undefined});
    } finally {
        await new Promise<void>((resolve) => {
            if (output.writableFinished || output.destroyed) {
                replacement.end();
                resolve();
                return;
            }
            output.end(() => resolve());
        });
        file.destroy();
    }
};


// A body the host serves through the mux broker as an "IO reader" (client_rpc.go's serveIOReader), read
// as a Node Readable: ServeHTTP request bodies and FileWillBeUploaded's file. Apart from http_bridge, so
// that a plugin without HTTP hooks never loads node:http.
import {Readable} from 'node:stream';

import type {MuxBroker} from '../transport/muxbroker.js';

/** Go's binary.PutVarint: zigzag, then 7-bit groups. */
export function putVarint(n: number): Buffer {
    let ux = BigInt(n) << 1n;
    if (n < 0) {
        ux = ~ux;
    }
    const out: number[] = [];
    while (ux >= 0x80n) {
        out.push(Number(ux & 0x7fn) | 0x80);
        ux >>= 7n;
    }
    out.push(Number(ux));
    return Buffer.from(out);
}

/** We ask the host's body server for up to this much at once; it then streams until the body ends. */
const bodyRequestSize = 2 ** 31;

/**
 * Reads a body the host serves as an "IO reader" (client_rpc.go's serveIOReader: a request body, an
 * uploaded file): ask once for a large amount, then take bytes until the host closes the stream (it does
 * so when the body is exhausted). Destroying the reader early closes the stream, which ends the host's side.
 */
export function openIOReader(broker: MuxBroker, id: number): Readable {
    const {stream, ack} = broker.dial(id);
    stream.write(putVarint(bodyRequestSize));
    let toSkip = ack.length;
    let ended = false;
    const body = new Readable({
        read() {
            stream.resume();
        },
        destroy(err, cb) {
            if (!ended) {
                stream.destroy();
            }
            cb(err);
        },
    });
    stream.on('data', (chunk: Buffer) => {
        if (toSkip > 0) {
            const skip = Math.min(toSkip, chunk.length);
            toSkip -= skip;
            chunk = chunk.subarray(skip);
            if (chunk.length === 0) {
                return;
            }
        }
        if (!body.push(chunk)) {
            stream.pause();
        }
    });
    stream.on('end', () => {
        ended = true;
        body.push(null);
        stream.end();
    });
    stream.on('error', (err: Error) => body.destroy(err));
    return body;
}

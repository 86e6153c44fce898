// The plugin side of Mattermost's remote io.Reader (plugin/io_rpc.go serveIOReader): the server writes the
// size of each Read as a signed varint and we answer with up to that many bytes; a short answer, then
// closing the stream, is its EOF.
import type {Duplex} from 'node:stream';

/** A zigzag varint (Go's binary.ReadVarint) at the start of `buf`, or undefined when incomplete. */
export function readVarint(buf: Uint8Array): {value: number; size: number} | undefined {
    let ux = 0;
    let scale = 1;
    for (let i = 0; i < buf.length && i < 10; i++) {
        const b = buf[i]!;
        ux += (b & 0x7f) * scale;
        scale *= 128;
        if (b < 0x80) {
            const half = Math.floor(ux / 2);
            return {value: ux % 2 === 1 ? -half - 1 : half, size: i + 1};
        }
    }
    return undefined;
}

/** Serves `data` to the server's reads on `stream`; resolves once all of it is out or the stream is gone. */
export function serveReader(stream: Duplex, data: Uint8Array): Promise<void> {
    return new Promise((resolve) => {
        let pos = 0;
        let pending: Buffer = Buffer.alloc(0);
        let done = false;
        const finish = (): void => {
            if (done) {
                return;
            }
            done = true;
            stream.off('data', onData);
            stream.end();
            resolve();
        };
        const onData = (chunk: Buffer): void => {
            pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
            for (;;) {
                const v = readVarint(pending);
                if (!v) {
                    return;
                }
                pending = pending.subarray(v.size);
                const want = Math.max(0, v.value);
                const part = data.subarray(pos, pos + want);
                pos += part.length;
                if (part.length > 0) {
                    stream.write(part);
                }
                if (part.length < want || want === 0) {
                    finish();
                    return;
                }
            }
        };
        stream.on('data', onData);
        stream.once('close', finish);
        stream.once('error', finish);
    });
}

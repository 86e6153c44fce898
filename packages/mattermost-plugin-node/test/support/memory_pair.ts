// Two in-memory streams wired to each other: what one writes, the other reads; ending or destroying one
// ends the other's reading side, as a closed socket would.
import {Duplex} from 'node:stream';

export function pair(): [Duplex, Duplex] {
    let a!: Duplex;
    let b!: Duplex;
    const make = (peer: () => Duplex): Duplex =>
        new Duplex({
            read() {},
            write(chunk: Buffer, _e, cb) {
                peer().push(chunk);
                cb();
            },
            final(cb) {
                peer().push(null);
                cb();
            },
            destroy(err, cb) {
                const p = peer();
                if (!p.destroyed && !p.readableEnded) {
                    p.push(null);
                }
                cb(err);
            },
        });
    a = make(() => b);
    b = make(() => a);
    return [a, b];
}

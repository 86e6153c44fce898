// Reads that must reflect every write answered before they were asked for (the version stamp: "once a write
// has answered, every server's next post sees it"), shared between concurrent callers where that allows.
// A read that is already in flight started too early for a new caller, so the new caller waits for the next
// read, and so does everyone else who arrives before that one starts: a busy key costs about one read per
// round trip instead of one per caller; an idle key, one read per caller as before.

interface Reads<V> {
    inFlight?: Promise<V>;
    next?: Promise<V>;
}

export class FreshReads<V> {
    private readonly keys = new Map<string, Reads<V>>();

    /** The value of `key` from a `read()` started after this call, possibly shared with other callers. */
    get(key: string, read: () => Promise<V>): Promise<V> {
        let reads = this.keys.get(key);
        if (!reads) {
            reads = {};
            this.keys.set(key, reads);
        }
        const inFlight = reads.inFlight;
        if (inFlight === undefined) {
            return this.start(key, reads, read);
        }
        const r = reads;
        r.next ??= inFlight.then(() => undefined, () => undefined).then(() => {
            r.next = undefined;
            return this.start(key, r, read);
        });
        return r.next;
    }

    private start(key: string, reads: Reads<V>, read: () => Promise<V>): Promise<V> {
        const p = read();
        reads.inFlight = p;
        const done = (): void => {
            if (reads.inFlight === p) {
                reads.inFlight = undefined;
                if (reads.next === undefined) {
                    this.keys.delete(key);
                }
            }
        };
        p.then(done, done);
        return p;
    }
}

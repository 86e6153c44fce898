// WireReader.readString takes two paths: strings under 16 bytes are assembled in JS, longer ones go
// through Buffer's native UTF-8 slice. Go strings are arbitrary bytes, so both paths must decode
// exactly as Buffer.toString('utf8') does (WHATWG: each invalid sequence becomes U+FFFD), whatever the
// length and wherever the string sits in the receive buffer.
import {describe, expect, test} from 'vitest';

import {WireReader} from '../../src/transport/gob/wire';

/** A reader over `pad` bytes of junk, then the gob string (length prefix + raw bytes), then junk. */
function readerFor(raw: Uint8Array, pad: number): WireReader {
    const len = raw.length < 0x80 ? [raw.length] : [0xfe, raw.length >> 8, raw.length & 0xff];
    const buf = new Uint8Array(pad + len.length + raw.length + 7).fill(0xaa);
    buf.set(len, pad);
    buf.set(raw, pad + len.length);
    const r = new WireReader();
    r.setBuffer(buf);
    r.pos = pad;
    r.end = pad + len.length + raw.length;
    return r;
}

const cases: Array<[string, number[]]> = [
    ['ASCII id', [...Buffer.from('h8fk3m2x9a7rqwe4tyu1iop0zc')]],
    ['multi-byte message', [...Buffer.from('Deploy done 🚀 — ping @oncall · ' + '·'.repeat(40))]],
    ['invalid: lone continuation byte', [...Buffer.from('abcdefghijklmnop'), 0x80, ...Buffer.from('qrstuvwxyz')]],
    ['invalid: truncated 3-byte sequence at the end', [...Buffer.from('abcdefghijklmnopqrst'), 0xe2, 0x80]],
    ['invalid: overlong encoding and a surrogate', [...Buffer.from('0123456789abcdef'), 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0x41]],
    ['invalid in a short string', [0x61, 0xff, 0x62]],
    ['non-ASCII in a short string', [...Buffer.from('né')]],
];

describe('readString decodes like Buffer.toString("utf8")', () => {
    test.each(cases)('%s', (_name, bytes) => {
        const raw = new Uint8Array(bytes);
        const want = Buffer.from(raw).toString('utf8');
        for (const pad of [0, 3, 1000]) {
            const r = readerFor(raw, pad);
            expect(r.readString()).toBe(want);
            expect(r.pos).toBe(r.end);
        }
    });

    test('the invalid cases really are invalid (replacement characters expected)', () => {
        for (const [name, bytes] of cases.filter(([n]) => n.startsWith('invalid'))) {
            expect(Buffer.from(bytes).toString('utf8'), name).toContain('\ufffd');
        }
    });
});

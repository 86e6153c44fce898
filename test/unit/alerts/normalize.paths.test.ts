// Cases for normalizeText's shortcuts (ASCII runs, emoji chunks, shortcode names found by hash, decoding the
// result at once with a fallback for lone surrogates / U+FFFD); expected values are the ones the
// character-by-character implementation gave. matchText must agree with normalizeText on each.
import {describe, expect, it} from 'vitest';

import {matchText} from '../../../server/alerts/match_text.js';
import {normalizeText} from '../../../server/alerts/normalize.js';

const CASES: Array<[string, string, number[], number[]]> = [
    ['\uFEFFab', ' ab', [0, 1, 2], [1, 2, 3]],
    ['a\uD800b \uDC00', 'a\uD800b \uDC00', [0, 1, 2, 3, 4], [1, 2, 3, 4, 5]],
    ['x \uFFFD y', 'x \uFFFD y', [0, 1, 2, 3, 4], [1, 2, 3, 4, 5]],
    [':rocket: :Rocket: :ROCKET:x', '🚀 🚀 :rocket:x', [0, 0, 8, 9, 9, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26], [8, 8, 9, 17, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27]],
    [':tada::tada:', '🎉🎉', [0, 0, 6, 6], [6, 6, 12, 12]],
    ['ok 👍🏽 ❤️ ✅ 🎉', 'ok 👍 ❤ ✅ 🎉', [0, 1, 2, 3, 3, 7, 8, 10, 11, 12, 13, 13], [1, 2, 3, 7, 7, 8, 10, 11, 12, 13, 15, 15]],
    ['A\u0301BC  def\t:+1:', 'ábc def 👍', [0, 2, 3, 4, 6, 7, 8, 9, 10, 10], [2, 3, 4, 6, 7, 8, 9, 10, 14, 14]],
];

describe('normalizeText shortcuts', () => {
    for (const [input, text, start, end] of CASES) {
        it(JSON.stringify(input), () => {
            // Twice: the second time a shortcode name is found by its hash.
            for (let round = 0; round < 2; round++) {
                const n = normalizeText(input);
                expect(n.text).toBe(text);
                expect([...n.start]).toEqual(start);
                expect([...n.end]).toEqual(end);
                const m = matchText(input);
                expect(m.text).toBe(text);
                expect(text.split('').map((_, k) => [m.start(k), m.end(k)])).toEqual(start.map((s, k) => [s, end[k]]));
            }
        });
    }

    it('a long post (the builder grows past its first capacity)', () => {
        const input = 'ﷺ :rocket: A'.repeat(200);
        const n = normalizeText(input);
        expect(n.text).toBe(normalizeText('ﷺ :rocket: A').text.repeat(200).replace(/ {2,}/g, ' '));
        expect(n.start.length).toBe(n.text.length);
    });

    // matchText builds the map of a text that needed the general path lazily, only as far as asked, and
    // extends it when asked further: every unit must map as normalizeText maps it, whatever the order.
    it('the lazily built map agrees with normalizeText in any order of lookups', () => {
        const inputs = [
            'ﷺ :rocket: A\t\t'.repeat(120), // NFKC spaces merging with white space around the prefix's end
            '👍🏽 ok  '.repeat(300) + ' :tada: ',
            ':+1:'.repeat(500),
        ];
        for (const input of inputs) {
            const n = normalizeText(input);
            const orders = [
                [...n.text].map((_, k) => n.text.length - 1 - k).filter((k) => k >= 0),
                [0, 63, 64, 65, 129, 130, n.text.length - 1, 1, 200],
                Array.from({length: 400}, (_, i) => (i * 7919) % n.text.length),
            ];
            for (const order of orders) {
                const m = matchText(input);
                expect(m.text).toBe(n.text);
                for (const k of order) {
                    if (k >= n.text.length) continue;
                    expect([k, m.start(k), m.end(k)]).toEqual([k, n.start[k], n.end[k]]);
                }
            }
        }
    });
});

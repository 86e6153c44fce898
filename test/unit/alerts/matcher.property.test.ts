import fc from 'fast-check';
import {describe, it} from 'vitest';

import {WordMatcher} from '../../../server/alerts/matcher.js';
import {cpFlags, F_EMOJI, F_IGNORE, F_STRIP, F_WS, foldCase, normalizeText, normalizeWord} from '../../../server/alerts/normalize.js';

// Runs per property; raise it locally (ALERTS_PROPERTY_RUNS=100000) for a deeper search.
const RUNS = Number(process.env['ALERTS_PROPERTY_RUNS'] ?? 1500);

/** Drops the code points normalizeText treats specially (white space, ":", emoji, dropped characters). */
function plainOnly(s: string): string {
    let out = '';
    for (const ch of s) {
        const cp = ch.codePointAt(0)!;
        if (ch === ':' || cpFlags(cp) & (F_WS | F_EMOJI | F_IGNORE | F_STRIP)) continue;
        out += ch;
    }
    return out;
}

// The quotation-mark look-alikes, as the matcher documents them (written out here, not taken from normalize.ts).
const APOSTROPHES = /[\u2018\u2019\u201A\u201B\u02BC\u02BB\u2032\u00B4]/gu;
const DOUBLE_QUOTES = /[\u201C\u201D\u201E\u201F\u2033\u02EE]/gu;
const quotes = (s: string) => s.replace(APOSTROPHES, "'").replace(DOUBLE_QUOTES, '"');

// Characters that compose, reorder, decompose or fold in interesting ways.
const tricky = [
    // quotation marks: NFKC turns "″" into two primes, "´" into a space and an accent, "ŉ" into "ʼn"
    "'", '"', '\u2019', '\u2018', '\u201A', '\u201B', '\u02BC', '\u02BB', '\u2032', '\u2033', '\u2034', '\u2057', '\u00B4', '\u201C',
    '\u201D', '\u201E', '\u02EE', '\u0149', '\uFF07', '\uFF02', '`', '\u2035', '\u2036', '\u00AB',
    'a', 'A', 'e', 'E', 'i', 'I', 'k', 's', 'S', 'o', '\u0301', '\u0316', '\u0308', '\u0307', '\u030C', '\u0345',
    'ß', 'ẞ', 'İ', 'ı', 'ǰ', 'ŉ', 'ΐ', 'Σ', 'ς', 'ᾼ', 'ﬁ', 'ﬀ', '①', '㍿', 'ℌ', 'Ａ', '\u212A',
    '가', '\u1100', '\u1161', '\u11A8', '\u0B47', '\u0B3E', '\u0DD9', '\u0DCF', '\u1025', '\u102E',
    'か', '\u3099', 'ｶ', 'ﾞ', '¨', '´', 'ǅ', 'Ⅻ', '\u0F73', '\u0F71', '\u0F72', '\u0344', 'ᄀ', 'ퟋ',
    'ㄱ', 'ㅏ', 'ㄳ', 'ﾡ', 'ￂ', '\u0E33', 'ก', '\u0EB3', 'ກ', '\u0E4D',
];

describe('normalisation (properties)', () => {
    it('normalising chunk by chunk gives what quotes + NFKC + folding + NFKC + quotes of the whole gives', () => {
        fc.assert(
            fc.property(fc.oneof(fc.string({unit: fc.constantFrom(...tricky), maxLength: 12}), fc.string({unit: 'binary', maxLength: 40})), (raw) => {
                const s = plainOnly(raw);
                const folded = foldCase(quotes(s).normalize('NFKC'));
                return normalizeText(s).text === quotes(folded.normalize('NFKC'));
            }),
            {numRuns: RUNS},
        );
    });

    it('every normalised unit maps to an ordered, non-empty original range', () => {
        fc.assert(
            fc.property(fc.string({unit: 'grapheme', maxLength: 30}), (s) => {
                const n = normalizeText(s);
                for (let k = 0; k < n.text.length; k++) {
                    if (!(n.start[k]! < n.end[k]! && n.end[k]! <= s.length)) return false;
                    if (k > 0 && n.start[k]! < n.start[k - 1]!) return false;
                }
                return true;
            }),
            {numRuns: RUNS},
        );
    });

    it('normalizeWord is idempotent', () => {
        const chars = fc.oneof(fc.constantFrom(...tricky, ' ', '\n', ':', 'rocket', '+1', '👍', '\uFE0F', '🏽', '\u00AD'), fc.string({unit: 'binary', maxLength: 1}));
        fc.assert(
            fc.property(fc.oneof(fc.string({unit: 'grapheme', maxLength: 20}), fc.string({unit: chars, maxLength: 20})), (s) => {
                const once = normalizeWord(s);
                return normalizeWord(once) === once;
            }),
            {numRuns: RUNS},
        );
    });
});

const fragments = [
    'deploy', 'DEPLOY', 'ＤＥＰＬＯＹ', 'Deploy', 'on', 'call', 'ON', ' ', '  ', '\n', '\t', '-', '_', '*', '(', ')', '.',
    ':rocket:', '🚀', '👍🏽', '👍', ':+1:', 'ß', 'ss', 'Straße', 'STRASSE', '部署', 'x', 'ﬁ', 'le', 'file', 'é', 'e\u0301',
];
const words = ['deploy', 'on call', '🚀', 'strasse', '部署', 'x', '👍', 'ss', 'file', 'é', 'call'];

describe('matching (properties)', () => {
    const matcher = new WordMatcher(words.map((word) => ({word, value: word})));

    it('the original range of a hit normalises to the word', () => {
        fc.assert(
            fc.property(fc.array(fc.constantFrom(...fragments), {maxLength: 25}), (parts) => {
                const text = parts.join('');
                return matcher.match(text).every(
                    (hit) =>
                        hit.index >= 0 &&
                        hit.index + hit.length <= text.length &&
                        normalizeWord(text.slice(hit.index, hit.index + hit.length)) === hit.word,
                );
            }),
            {numRuns: RUNS},
        );
    });

    // An independent, naive implementation of the rules for a small alphabet of ASCII, quotation marks and
    // Hangul syllables (where normalisation is lower-casing, folding the quotation marks one for one and
    // collapsing spaces): every occurrence found with indexOf, boundaries checked by hand.
    function oracle(ws: string[], text: string): Array<[string, number, number]> {
        const fold = (x: string) => quotes(x.toLowerCase());
        let norm = '';
        const start: number[] = [];
        const end: number[] = [];
        for (let i = 0; i < text.length; ) {
            let j = i + 1;
            if (text[i] === ' ') while (text[j] === ' ') j++;
            norm += fold(text[i]!);
            start.push(i);
            end.push(j);
            i = j;
        }
        const hangul = (c: string | undefined) => c !== undefined && c >= '가' && c <= '힣';
        const join = (c: string | undefined) => c !== undefined && (/[a-z0-9_-]/.test(c) || hangul(c));
        const result: Array<[string, number, number]> = [];
        for (const w of new Set(ws.map((x) => fold(x).replace(/ +/g, ' ').trim()).filter(Boolean))) {
            for (let s = norm.indexOf(w); s >= 0; s = norm.indexOf(w, s + 1)) {
                const e = s + w.length;
                // Hangul after a hit: its particles.
                let ok = !join(norm[s - 1]) && (!join(norm[e]) || hangul(norm[e]));
                let t = e;
                while (hangul(norm[t])) t++;
                if (!ok && norm[s - 1] === '_' && norm[t] === '_') {
                    let l = 0;
                    while (l < 4 && norm[s - 1 - l] === '_') l++;
                    let r = 0;
                    while (r < 4 && norm[t + r] === '_') r++;
                    ok = l === r && l <= 3 && !join(norm[s - 1 - l]) && !join(norm[t + r]);
                }
                if (ok) {
                    result.push([w, start[s]!, end[e - 1]! - start[s]!]);
                    break;
                }
            }
        }
        return result.sort((a, b) => a[1] - b[1] || b[2] - a[2] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    }

    it('agrees with a naive implementation (Aho–Corasick and boundary rules)', () => {
        const unit = fc.constantFrom('a', 'b', 'A', ' ', '  ', '-', '_', '.', '*', 'ab', 'ba');
        fc.assert(
            fc.property(
                fc.array(fc.string({unit: fc.constantFrom('a', 'b', ' ', 'B'), minLength: 1, maxLength: 5}), {minLength: 1, maxLength: 8}),
                fc.string({unit, maxLength: 40}),
                (ws, text) => {
                    const m = new WordMatcher(ws.map((word) => ({word, value: 0})));
                    return JSON.stringify(m.match(text).map((h) => [h.word, h.index, h.length])) === JSON.stringify(oracle(ws, text));
                },
            ),
            {numRuns: RUNS},
        );
    });

    it('agrees with a naive implementation on quotation marks and Korean particles', () => {
        const letters = ['a', 'b', 'A', "'", '"', '\u2019', '\u2018', '\u02BC', '\u00B4', '\u201C', '\u201D', '\u201E', '\u2033', '서', '버', '가', '웹'];
        const unit = fc.constantFrom(...letters, ' ', '  ', '-', '_', '__', '.', '*', '1', '서버', '서버가');
        fc.assert(
            fc.property(
                fc.array(fc.string({unit: fc.constantFrom(...letters, ' '), minLength: 1, maxLength: 5}), {minLength: 1, maxLength: 8}),
                fc.string({unit, maxLength: 40}),
                (ws, text) => {
                    const m = new WordMatcher(ws.map((word) => ({word, value: 0})));
                    return JSON.stringify(m.match(text).map((h) => [h.word, h.index, h.length])) === JSON.stringify(oracle(ws, text));
                },
            ),
            {numRuns: RUNS},
        );
    });
});

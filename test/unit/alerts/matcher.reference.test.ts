import fc from 'fast-check';
import {describe, expect, it} from 'vitest';

import {findAllOccurrences, WordMatcher} from '../../../server/alerts/matcher.js';
import {matchText} from '../../../server/alerts/match_text.js';
import {normalizeText, normalizeWord} from '../../../server/alerts/normalize.js';
import {ReferenceWordMatcher} from './reference_matcher.js';

// The token-index matcher must find exactly what the previous implementation (one Aho–Corasick automaton
// over all words, kept in reference_matcher.ts) finds: same words, values, ranges and order.
const RUNS = Number(process.env['ALERTS_PROPERTY_RUNS'] ?? 1500);

function both(words: string[], texts: string[]): void {
    const entries = words.map((word, i) => ({word, value: i % 3}));
    const m = new WordMatcher(entries);
    const r = new ReferenceWordMatcher(entries);
    expect(m.size).toBe(r.size);
    for (const text of texts) expect(m.match(text), JSON.stringify({words, text})).toEqual(r.match(text));
}

// Pieces with every boundary situation the rules know about.
const pieces = [
    'a', 'b', 'ab', 'de', 'Deploy', 'deploy', 'ON', 'on', 'call', 'x1', '9', 'é', 'e\u0301', 'ß', 'ss', 'ﬁ', 'Ａ',
    ' ', '  ', '\n', '\t', '\u00A0', '-', '_', '__', '___', '____', '.', ',', '!', '(', ')', '*', '+', '++', '@', '#', '/', ':', "'",
    ':rocket:', ':+1:', '🚀', '👍', '👍🏽', '❤️', '\uFE0F', '\u200D', '👨', '👨\u200D💻', '🇺🇸', '🇬🇧', '🇸', '1️⃣', '1\u20E3', '\u20E3',
    '部署', '今日', 'します', 'を', 'API', 'ไทย', 'ກ', '한국', '\u0301', '\u00AD', '\u200B',
    // Korean particles (syllables, conjoining and compatibility jamo) and quotation-mark look-alikes
    '서버', '가', '를', '웹', 'ㅅㅓ', 'ㄱ', 'ㅏ', '\u1100', '\u1161', '\u11A8', 'ﾡ', '\u2019', '\u2018', '\u02BC', '\u00B4', '"', '“', '”', '„', '″', '‴', 'ŉ', '`',
    '\uD83D', '\uDE80', '𝒳', '𐐀',
];
const text = fc.array(fc.constantFrom(...pieces), {maxLength: 30}).map((p) => p.join(''));
const word = fc.oneof(
    {weight: 3, arbitrary: fc.array(fc.constantFrom(...pieces), {minLength: 1, maxLength: 4}).map((p) => p.join(''))},
    {weight: 1, arbitrary: text.map((t) => t.slice(Math.floor(t.length / 3), Math.floor(t.length / 3) + 6))},
);

describe('WordMatcher agrees with the reference implementation', () => {
    it('random words and texts', () => {
        fc.assert(
            fc.property(fc.array(word, {minLength: 1, maxLength: 12}), fc.array(text, {minLength: 1, maxLength: 4}), (ws, ts) => {
                both(ws, ts);
            }),
            {numRuns: RUNS},
        );
    });

    it('words taken from the text itself (so that most of them occur)', () => {
        fc.assert(
            fc.property(text, fc.array(fc.tuple(fc.nat(), fc.integer({min: 1, max: 12})), {minLength: 1, maxLength: 10}), (t, cuts) => {
                const ws = cuts.map(([at, len]) => t.slice(at % (t.length + 1), (at % (t.length + 1)) + len)).filter((w) => w !== '');
                both(ws.length > 0 ? ws : ['x'], [t, t.toUpperCase(), `_${t}_`, `(${t})`]);
            }),
            {numRuns: RUNS},
        );
    });

    it('ASCII only (underscores, hyphens, punctuation, phrases)', () => {
        const unit = fc.constantFrom('a', 'b', 'A', ' ', '  ', '-', '_', '.', '+', '@', ':', 'ab');
        fc.assert(
            fc.property(fc.array(fc.string({unit, minLength: 1, maxLength: 6}), {minLength: 1, maxLength: 10}), fc.string({unit, maxLength: 50}), (ws, t) => {
                both(ws, [t]);
            }),
            {numRuns: RUNS},
        );
    });

    it('arbitrary strings (full Unicode, lone surrogates)', () => {
        fc.assert(
            fc.property(fc.array(fc.string({unit: 'binary', minLength: 1, maxLength: 4}), {minLength: 1, maxLength: 6}), fc.string({unit: 'binary', maxLength: 40}), (ws, t) => {
                both(ws, [t, `${ws.join(' ')} ${t}`]);
            }),
            {numRuns: RUNS},
        );
    });

    it('the quick ASCII key equals normalizeWord', () => {
        const unit = fc.constantFrom('a', 'Z', ' ', '  ', '\t', ':', '-', '_', '~', '\u007f', 'rocket', '+1');
        fc.assert(
            fc.property(fc.string({unit, maxLength: 12}), (w) => {
                const keys = new WordMatcher([{word: w, value: 0}]).match(normalizeWord(w)).map((h) => h.word);
                return normalizeWord(w) === '' || keys.length === 0 || keys[0] === normalizeWord(w);
            }),
            {numRuns: RUNS},
        );
    });

    it('examples', () => {
        both(
            ['deploy', 'on call', 'c++', 'node.js', '@here', '_x', 'x_', '(deploy)', '部署', '🚀', 'api', '1️⃣', '🇸🇬', '👨', 'x🚀', '🚀x', 'a b c d e', '서버', '“on call”'],
            [
                'We deploy tonight; whoever is ON   CALL, c++ and node.js folks @here',
                '_deploy_ __deploy__ ___deploy___ ____deploy____ _deploy__ __x_ x__ _(deploy)_ a_(deploy)_',
                '今日部署します APIを使う launch🚀now 1️⃣ 🇺🇸🇬🇧 🇸🇬 👨\u200D💻 x🚀x 🚀x_ _🚀x_ a_🚀x_',
                '서버가 다운됐어요 웹서버 _서버가_ __서버를__ _서버_가 api가 "on call”',
                'a b c d e f a  b\nc\td e',
            ],
        );
    });
});

describe('WordMatcher agrees with the reference implementation (paths of the index)', () => {
    it('many words sharing an emoji / no-space first character (looked up by the automaton)', () => {
        const chars = ['部', '署', '監', '🚀', '👍', '1\u20E3'];
        const ws: string[] = [];
        for (const a of chars) for (const b of chars) ws.push(a + b, `${a}${b}x`, `${a} ${b}`);
        const texts = ['今日部署します 部署部署 監部', '🚀🚀 🚀👍x launch🚀👍now', '1\u20E31\u20E3 x1\u20E3部', '部 署 🚀 👍'];
        both(ws, texts);
        both(ws.slice(0, 5), texts);
    });

    it('an emoji word character at the end only ("xℹ"), and at the start', () => {
        both(['xℹ', 'ℹx', 'ℹ', 'aℹb', 'Ⓜ️', '™️x'], [' xℹy xℹ _xℹ_ ℹx yℹx aℹb', 'ℹ️ Ⓜ️ ™️x ™x', 'xℹℹx']);
    });

    it('a very large matcher against its own words', () => {
        const ws = [...Array(3000).keys()].map((i) => (i % 7 === 0 ? `w${i} ${i % 13}` : i % 11 === 0 ? `部${i}` : `w${i}`));
        const text = ws.filter((_, i) => i % 37 === 0).join(' ; ') + ' _w5_ __w12__ (w3) w4-x';
        both(ws, [text, text.toUpperCase()]);
    });
});

describe('matchText (the shortcut for plain text) agrees with normalizeText', () => {
    const plain = [
        'a', 'Z', 'deploy', 'DEPLOY', ' ', '  ', '\n', '\r\n', '\t', '\v', '\f', ':', ':rocket:', ':ROCKET:', 'x:rocket:', ':rocket:s', ':nope:',
        ':+1:', '_', '-', '.', '\u0000', '\u007f', '部署', 'します', '。', 'ｶ', 'ﾞ', '\u3099', 'か', 'ア', 'é', 'e\u0301', 'Ꭰ', 'ꭰ', 'ß', 'Σ',
        '\u00A0', '\u3000', '\u0085', '🚀', '\uD83D', '\uDE80', 'ไทย', '\u0E33', 'ㄱ', 'ㅏ', '한', 'ﬁ', '①', '\u200B', '\u00AD', 'ǅ',
        "'", '"', '`', '\u2019', '\u201C', '\u2033', '\u00B4', '\u02BC', '\uFF07', '서버가',
    ];
    function same(t: string): void {
        const fast = matchText(t);
        const slow = normalizeText(t);
        expect(fast.text, JSON.stringify(t)).toBe(slow.text);
        const ks = [...Array(fast.text.length).keys()];
        expect(ks.map((k) => fast.start(k)), JSON.stringify(t)).toEqual([...slow.start]);
        expect(ks.map((k) => fast.end(k)), JSON.stringify(t)).toEqual([...slow.end]);
    }

    it('on texts made of pieces', () => {
        fc.assert(
            fc.property(fc.array(fc.constantFrom(...plain), {maxLength: 30}), (parts) => same(parts.join(''))),
            {numRuns: RUNS},
        );
    });

    it('on arbitrary strings', () => {
        fc.assert(
            fc.property(fc.oneof(fc.string({unit: 'binary', maxLength: 40}), fc.string({unit: 'grapheme', maxLength: 30}), fc.string({maxLength: 60})), same),
            {numRuns: RUNS},
        );
    });

    it('on every BMP character next to ASCII', () => {
        for (let c = 0x80; c < 0x10000; c += 1) {
            if (c >= 0xd800 && c <= 0xdfff) continue;
            const ch = String.fromCharCode(c);
            const t = `Ab ${ch}x${ch}`;
            const fast = matchText(t).text;
            if (fast !== normalizeText(t).text) expect(fast, `U+${c.toString(16)}`).toBe(normalizeText(t).text);
        }
    });
});

describe('findAllOccurrences (what the excerpt highlights)', () => {
    it('finds every accepted occurrence; the first of each word is the one WordMatcher.match finds', () => {
        fc.assert(
            fc.property(fc.array(word, {minLength: 1, maxLength: 6}), text, (ws, t) => {
                const all = findAllOccurrences(ws, t);
                const first = new WordMatcher(ws.map((w) => ({word: w, value: 0}))).match(t);
                const firstOfEach = first.map((m) => all.find((o) => o.word === m.word));
                expect(firstOfEach.map((o) => o && [o.word, o.index, o.length]), JSON.stringify({ws, t})).toEqual(first.map((m) => [m.word, m.index, m.length]));
                expect(new Set(all.map((o) => o.word))).toEqual(new Set(first.map((m) => m.word)));
                for (let k = 1; k < all.length; k++) expect(all[k]!.index).toBeGreaterThanOrEqual(all[k - 1]!.index);
            }),
            {numRuns: RUNS},
        );
    });

    it('examples', () => {
        expect(findAllOccurrences(['deploy', 'on call'], 'deploy, redeploy, DEPLOY; on\n call (deploy)')).toEqual([
            {word: 'deploy', index: 0, length: 6},
            {word: 'deploy', index: 18, length: 6},
            {word: 'on call', index: 26, length: 8},
            {word: 'deploy', index: 36, length: 6},
        ]);
        expect(findAllOccurrences(['서버'], '서버가 웹서버 서버를')).toEqual([
            {word: '서버', index: 0, length: 2},
            {word: '서버', index: 8, length: 2},
        ]);
        // ‴ normalises to ''' and ´ to ': the hit inside ‴ comes before the one that runs into ´, as in match().
        expect(findAllOccurrences(['‴'], '‴´')).toEqual([
            {word: "'''", index: 0, length: 1},
            {word: "'''", index: 0, length: 2},
        ]);
        expect(findAllOccurrences([], 'x')).toEqual([]);
        expect(findAllOccurrences(['  '], 'x')).toEqual([]);
    });
});

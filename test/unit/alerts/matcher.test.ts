import {execFileSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {describe, expect, it} from 'vitest';

import {emojiForShortcode, MAX_SHORTCODE_LENGTH, systemEmojiNames} from '../../../server/alerts/emoji.js';
import {searchableText, WordMatcher, type MatchEntry} from '../../../server/alerts/matcher.js';
import {cpFlags, cpFlagsUncached, foldCase, isHangul, isQuoteLookalike, normalizeText, normalizeWord} from '../../../server/alerts/normalize.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The normalised words found in text, for a matcher of `words` (each its own value). */
function found(words: string[], text: string): string[] {
    return new WordMatcher(words.map((word) => ({word, value: word}))).match(text).map((m) => m.word);
}

/** [word, text, matches?] */
type Case = [string, string, boolean];

function table(name: string, cases: Case[]): void {
    describe(name, () => {
        it.each(cases)('%j in %j -> %s', (word, text, expected) => {
            const key = normalizeWord(word);
            expect(found([word], text)).toEqual(expected ? [key] : []);
        });
    });
}

describe('normalizeWord', () => {
    it.each([
        ['deploy', 'deploy'],
        ['  DePlOy  ', 'deploy'],
        ['ＤＥＰＬＯＹ', 'deploy'], // NFKC: fullwidth
        ['ﬁle', 'file'], // NFKC: ligature
        ['Straße', 'strasse'], // full case folding
        ['STRAẞE', 'strasse'], // capital sharp s
        ['ΛΟΓΟΣ', 'λογοσ'],
        ['λογος', 'λογοσ'], // final sigma folds to sigma
        ['\u212Aelvin', 'kelvin'], // Kelvin sign
        ['İstanbul', 'i\u0307stanbul'], // full folding, no Turkish tailoring
        ['ı', 'ı'], // dotless i is its own letter
        ['cafe\u0301', 'café'], // NFC composition
        ['ｶﾀｶﾅ', 'カタカナ'], // halfwidth katakana
        ['on   call', 'on call'],
        ['on\n\t call', 'on call'],
        ['on\u00A0call', 'on call'],
        ['on\u3000call', 'on call'],
        [':rocket:', '🚀'],
        [':ROCKET:', '🚀'],
        [':+1:', '👍'],
        [':thumbsup:', '👍'],
        [':thumbsup_dark_skin_tone:', '👍'],
        ['👍🏽', '👍'],
        ['❤️', '❤'],
        [':heart:', '❤'],
        ['ℹ️', 'ℹ'], // emoji are kept out of NFKC ("ℹ" would become "i")
        ['™️', '™'],
        [':partyparrot:', ':partyparrot:'], // not a system emoji: plain text
        ['x:rocket:', 'x:rocket:'], // Mattermost does not render it either
        ['de\u00ADploy', 'deploy'], // soft hyphen
        ['de\u200Bploy', 'deploy'], // zero-width space
        ['Don’t', "don't"], // quotation-mark look-alikes
        ['“On Call”', '"on call"'],
        ['don´t', "don't"], // not NFKC's " \u0301"
        ['5″', '5"'], // not NFKC's two primes
        ['‴', "'''"], // NFKC's three primes, folded after it
        ['\u0149', "'n"], // NFKC's "ʼn", folded after it
        ['＇x＂', '\'x"'],
        ['don`t', 'don`t'], // not a look-alike: markdown's code delimiter
        ['«x» ‹y›', '«x» ‹y›'],
        ['ㅅㅓㅂㅓ', '서버'], // compatibility jamo compose under NFKC
        ['\u1109\u1165\u1107\u1165', '서버'], // conjoining jamo too
        ['', ''],
        ['   ', ''],
        ['\u200B', ''],
        ['\uFE0F', ''],
    ])('%j -> %j', (raw, key) => {
        expect(normalizeWord(raw)).toBe(key);
    });

    it('the same word however it is typed', () => {
        const m = new WordMatcher<string>([
            {word: 'Deploy', value: 'a'},
            {word: ' DEPLOY ', value: 'b'},
            {word: 'ＤＥＰＬＯＹ', value: 'c'},
            {word: 'deploy', value: 'a'},
        ]);
        expect(m.size).toBe(1);
        expect(m.match('deploy')).toEqual([{word: 'deploy', values: ['a', 'b', 'c'], index: 0, length: 6}]);
    });
});

table('case folding and NFKC, both sides', [
    ['deploy', 'We DEPLOY today', true],
    ['DEPLOY', 'we deploy today', true],
    ['deploy', 'ＤＥＰＬＯＹ now', true],
    ['ＤＥＰＬＯＹ', 'deploy now', true],
    ['file', 'the ﬁle is here', true],
    ['ﬁle', 'the file is here', true],
    ['Straße', 'STRASSE', true],
    ['STRASSE', 'in der Straße', true],
    ['strasse', 'STRAẞE', true],
    ['ΛΟΓΟΣ', 'ο λογος', true],
    ['kelvin', '\u212AELVIN', true],
    ['İstanbul', 'i\u0307stanbul', true],
    ['istanbul', 'İSTANBUL', false], // "İ" folds to "i̇", not "i" (no locale)
    ['ı', 'I', false],
    ['café', 'CAFE\u0301', true],
    ['cafe', 'café', false],
    ['カタカナ', 'ｶﾀｶﾅです', true],
    ['deploy', 'dep loy', false],
]);

table('whole words', [
    ['baptiste', 'baptiste', true],
    ['baptiste', 'Baptiste!', true],
    ['baptiste', '(baptiste)', true],
    ['baptiste', 'ask baptiste.', true],
    ['baptiste', "baptiste's desk", true],
    ['baptiste', '@baptiste', true],
    ['baptiste', '"baptiste"', true],
    ['baptiste', 'baptiste/jean', true],
    ['baptiste', 'Jean Baptiste', true],
    ['baptiste', 'jean-baptiste', false],
    ['baptiste', 'baptiste-jean', false],
    ['baptiste', 'baptiste_x', false],
    ['baptiste', 'x_baptiste', false],
    ['baptiste', 'baptistes', false],
    ['baptiste', 'jbaptiste', false],
    ['baptiste', 'baptiste2', false],
    ['baptiste', '２baptiste', false], // fullwidth digit
    ['baptiste', '٣baptiste', false], // Arabic-Indic digit
    ['baptiste', 'ébaptiste', false],
    ['baptiste', 'baptisteé', false],
    ['baptiste', 'baptiste\u0301', false], // combining mark
    ['baptiste', 'jean-baptiste and baptiste', true], // a later whole occurrence counts
    ['deploy', 'deploy!', true],
    ['deploy', '(deploy)', true],
    ['deploy', '**deploy**', true],
    ['deploy', '*deploy*', true],
    ['deploy', '~~deploy~~', true],
    ['deploy', '`deploy`', true],
    ['deploy', '> deploy', true],
    ['deploy', '#deploy', true],
    ['deploy', 'deploy,rollback', true],
    ['deploy', 'deploy\u2014done', true],
    ['deploy', 'redeploy', false],
    ['deploy', 'deployment', false],
    ['deploy', 'deploy-ready', false],
    ['deploy', 'pre-deploy', false],
    // Markdown emphasis with "_": a paired run of 1..3 on both sides is emphasis.
    ['deploy', '_deploy_', true],
    ['deploy', '__deploy__', true],
    ['deploy', '___deploy___', true],
    ['deploy', 'we _deploy_ today', true],
    ['deploy', '**_deploy_**', true],
    ['deploy', '____deploy____', false],
    ['deploy', '_deploy', false],
    ['deploy', 'deploy_', false],
    ['deploy', '__deploy_', false],
    ['deploy', 'x_deploy_', false],
    ['deploy', '_deploy_x', false],
    ['deploy', '-_deploy_', false],
    // Words with punctuation of their own: boundaries are checked at the ends only.
    ['c++', 'I like c++.', true],
    ['c++', 'abc++', false],
    ['node.js', 'use node.js!', true],
    ['node.js', 'node.jsx', false],
    ['@here', 'ping @here now', true],
    ['#incident', 'new #incident opened', true],
    ['_deploy_', 'we _deploy_ now', true],
    ['deploy!', 'deploy!!', true],
]);

table('phrases across white space', [
    ['on call', 'who is on call?', true],
    ['on call', 'on   call', true],
    ['on call', 'on\ncall', true],
    ['on call', 'on\r\n\tcall', true],
    ['on call', 'on\u00A0call', true],
    ['on call', 'on\u3000call', true],
    ['on call', 'on \u2028 call', true],
    ['on   call', 'on call', true],
    ['On\nCall', 'ON CALL', true],
    ['on call', 'oncall', false],
    ['on call', 'on-call', false],
    ['on call', 'won call', false],
    ['on call', 'on calls', false],
]);

table('scripts written without spaces: substrings', [
    ['部署', '今日部署します', true],
    ['部署', '部署', true],
    ['デプロイ', 'デプロイしました', true],
    ['コーヒー', '朝のコーヒーを', true],
    ['ภาษา', 'ภาษาไทย', true],
    ['ພາສາ', 'ພາສາລາວ', true],
    ['ភាសា', 'ភាសាខ្មែរ', true],
    ['မြန်မာ', 'မြန်မာစာ', true],
    ['api', 'APIを使う', true], // a no-space script next to a Latin word does not join it
    ['api', '新API', true],
    ['ก', 'กิน', false], // never half a character: "ก" + combining vowel
]);

table('apostrophes and quotation marks: look-alikes are the same character', [
    ["don't", 'I don’t know', true], // U+2019, what phones type
    ['don’t', "I don't know", true],
    ["don't", 'I don‘t know', true], // U+2018
    ["don't", 'I donʼt know', true], // U+02BC, the apostrophe letter
    ["don't", 'I don′t know', true], // U+2032, prime
    ["don't", 'I don´t know', true], // U+00B4, acute accent
    ["don't", 'I don＇t know', true], // U+FF07, fullwidth (NFKC)
    ["don't", 'I DON’T know', true],
    ["'til", '‘til tomorrow', true],
    ["rock 'n' roll", 'rock ’n’ roll', true],
    ["o'brien", 'ask O’Brien', true],
    ["hawai'i", 'Hawaiʻi', true], // ʻokina
    ['"on call"', 'who is “on call”?', true],
    ['“on call”', 'who is "on call"?', true],
    ['"on call"', 'wer ist „on call“?', true],
    ['"on call"', '″on call″', true],
    ['"on call"', '＂on call＂', true],
    ['12"', 'a 12″ screen', true],
    ["don't", 'don`t', false], // a backtick is markdown, not an apostrophe
    ["'deploy'", '`deploy`', false],
    ["don't", 'dont', false],
    ["don't", 'don"t', false], // single and double stay apart
    ['"on call"', "'on call'", false],
    ['"on call"', '«on call»', false],
    ["12''", 'a 12″ screen', false], // ″ is a double quote, not two primes
    ["don't", 'don’t-care', false],
    ['don', 'don’t', true], // an apostrophe is not a letter, whichever it is
    ['don', 'donʼt', true],
]);

table('Korean: a word at the start of a Hangul run, particles and endings after it', [
    ['서버', '서버가 다운됐어요', true],
    ['서버', '서버를 재시작했습니다', true],
    ['서버', '서버 다운', true],
    ['서버', '새 서버에서', true],
    ['서버', '(서버)', true],
    ['서버', '**서버**가 죽었어요', true],
    ['서버', '_서버가_ 죽었어요', true], // emphasis around the word and its particle
    ['서버', '__서버를__ 재시작', true],
    ['서버', '서버！', true],
    ['서버 다운', '서버 다운됐어요', true],
    ['서', '서버', true], // (a one-syllable word fires on every word it starts)
    ['api', 'API가 응답하지 않아요', true], // particles attach to Latin words too
    ['v2', 'v2를 배포', true],
    ['서버', 'ㅅㅓㅂㅓ가', true], // compatibility jamo: NFKC composes them
    ['ㅅㅓㅂㅓ', '서버가', true],
    ['서버', '\u1109\u1165\u1107\u1165가', true], // conjoining jamo
    ['서버', '웹서버', false], // preceded by Hangul: part of another word
    ['서버', '웹서버가', false],
    ['서버', 'x서버', false],
    ['api', '웹API', false],
    ['서버', '서버x', false], // only Hangul attaches
    ['서버', '서버1', false],
    ['서버', '서버-1', false],
    ['서버', '_서버_가', false], // not emphasis in markdown either
    ['서버', '서벅', false], // another last syllable
    ['서버', '서버\u11A8', false], // a final consonant jamo composes into that syllable ("서벅")
    ['서버', '서버\u1161', false], // never half a character
    ['서버', '서 버', false],
    ['서버가', '서버', false],
    ['ㅅ', '서버', false], // a lone jamo is not the syllable it starts
    ['서버', 'サーバー서버', true], // characters of no-space scripts never join a word, Hangul ones included
    ['서버', '新서버가', true],
    ['部署', '部署가', true],
]);

table('emoji, written either way', [
    [':rocket:', 'launch 🚀', true],
    ['🚀', 'launch :rocket:', true],
    [':rocket:', 'launch :rocket:', true],
    ['🚀', 'launch🚀now', true], // no letter boundaries around emoji
    [':rocket:', '(:rocket:)', true],
    [':rocket:', ':ROCKET:', true],
    [':rocket:', 'x:rocket:', false], // not rendered as an emoji by Mattermost either
    [':rocket:', ':rocket:s', false],
    [':+1:', '👍', true],
    [':thumbsup:', 'ok :+1:', true],
    [':+1:', 'ok :+1::+1:', true],
    [':thumbsup:', '👍🏽 from me', true], // skin tones match the base emoji
    ['👍🏿', '👍', true],
    [':+1:', ':thumbsup_medium_skin_tone:', true],
    [':thumbsup_light_skin_tone:', '👍🏿', true],
    ['❤️', 'I ❤ it', true], // variation selector
    [':heart:', 'I ❤️ it', true],
    ['❤', 'I :heart: it', true],
    ['👨‍💻', 'I am 👨‍💻', true],
    ['👨', '👨‍💻', false], // part of a ZWJ sequence
    ['💻', '👨‍💻', false],
    ['🇬🇧', '🇺🇸🇬🇧', true],
    ['🇸🇬', '🇺🇸🇬🇧', false], // across two flags
    [':flag-gb:', '🇬🇧', true],
    [':one:', 'step 1️⃣', true],
    ['1', 'step 1️⃣', false],
    ['i', 'ℹ️ info', false],
    [':partyparrot:', 'yay :partyparrot:', true], // custom emoji: plain text
    [':partyparrot:', 'yay:partyparrot:', false],
    [':tada:', 'done 🎉🎉', true],
]);

table('links and code are text', [
    ['deploy', 'see https://wiki.example.com/deploy/guide', true],
    ['deploy', 'see https://wiki.example.com/deploy', true],
    ['deploy', 'https://x.example.com/deploy-guide', false],
    ['deploy', '[docs](https://example.com/deploy)', true],
    ['deploy', '[deploy](https://example.com/x)', true],
    ['deploy', '`npm run deploy`', true],
    ['deploy', '```\nnpm run deploy\n```', true],
    ['deploy', '    deploy --now', true],
]);

describe('offsets point into the original text', () => {
    it.each([
        ['deploy', 'We ＤＥＰＬＯＹ now', 3, 6],
        ['deploy', 'deploy x deploy', 0, 6],
        ['deploy', 'redeploy deploy', 9, 6], // the first accepted occurrence, not the first candidate
        [':rocket:', 'go :rocket: now', 3, 8],
        [':rocket:', 'go 🚀 now', 3, 2],
        ['🚀', 'go 🚀\uFE0F now', 3, 3],
        [':+1:', '👍🏽 yes', 0, 4],
        ['on call', 'is on \n  call?', 3, 10],
        ['strasse', 'die Straße', 4, 6],
        ['file', 'a ﬁle', 2, 3],
        ['deploy', '🚀🚀 deploy', 5, 6],
        ['café', 'un cafe\u0301!', 3, 5],
        ['部署', '今日部署します', 2, 2],
        ['deploy', 'de\u00ADploy', 0, 7],
        ['i\u0307stanbul', 'İstanbul', 0, 8],
        ["don't", 'I DON’T', 2, 5],
        ['"on call"', '„on  call“ now', 0, 10],
        ['5"', 'a 5″', 2, 2],
        ['서버', '새 서버가', 2, 2],
        ['서버', 'ㅅㅓㅂㅓ가', 0, 4],
    ])('%j in %j at %i+%i', (word, text, index, length) => {
        const [m] = new WordMatcher([{word, value: 1}]).match(text);
        expect(m).toBeDefined();
        expect({index: m!.index, length: m!.length}).toEqual({index, length});
    });
});

describe('WordMatcher', () => {
    it('many users on one word: every value, in order, once', () => {
        const entries: Array<MatchEntry<string>> = [];
        for (let i = 0; i < 1000; i++) entries.push({word: i % 2 ? 'Deploy' : 'deploy', value: `user${i}`});
        entries.push({word: 'DEPLOY', value: 'user5'});
        const m = new WordMatcher(entries);
        expect(m.size).toBe(1);
        const [hit] = m.match('time to deploy');
        expect(hit!.values).toHaveLength(1000);
        expect(hit!.values.slice(0, 3)).toEqual(['user0', 'user1', 'user2']);
    });

    it('one user, many words: each found word once, in text order', () => {
        const m = new WordMatcher(['outage', 'deploy', 'on call', 'pager', 'rollback'].map((word) => ({word, value: 'u1'})));
        expect(m.size).toBe(5);
        const hits = m.match('Rollback! who is on call? deploy failed, rollback again');
        expect(hits.map((h) => [h.word, h.index, h.values])).toEqual([
            ['rollback', 0, ['u1']],
            ['on call', 17, ['u1']],
            ['deploy', 26, ['u1']],
        ]);
    });

    it('overlapping words all match; longer first at the same offset', () => {
        expect(found(['call', 'on', 'on call', 'on call now'], 'on call')).toEqual(['on call', 'on', 'call']);
        expect(found(['deploy', 'deployment'], 'the deployment')).toEqual(['deployment']);
        expect(found(['he', 'she', 'hers', 'his'], 'ushers she hers his')).toEqual(['she', 'hers', 'his']);
    });

    it('returns copies of the values', () => {
        const m = new WordMatcher([{word: 'x', value: 'a'}]);
        m.match('x')[0]!.values.push('mutated');
        expect(m.match('x')[0]!.values).toEqual(['a']);
    });

    it('ignores words that normalise to nothing; empty matcher and empty text', () => {
        const m = new WordMatcher([
            {word: '', value: 1},
            {word: '  \n', value: 2},
            {word: '\u200B', value: 3},
        ]);
        expect(m.size).toBe(0);
        expect(m.match('anything')).toEqual([]);
        expect(new WordMatcher([{word: 'x', value: 1}]).match('')).toEqual([]);
    });

    it('handles hostile and odd input', () => {
        const m = new WordMatcher(['a', 'x'.repeat(500), '\uD800', '::', 'a b c'].map((word) => ({word, value: word})));
        expect(m.match('\uDFFF\uD800 a').map((h) => h.word)).toEqual(['\uD800', 'a']);
        expect(m.match('x'.repeat(10_000))).toEqual([]);
        expect(m.match('x'.repeat(500)).map((h) => h.word)).toEqual(['x'.repeat(500)]);
        expect(m.match(':: a b  c').map((h) => h.word)).toEqual(['::', 'a b c', 'a']);
    });

    it('matches a big post in attachments too', () => {
        const m = new WordMatcher([{word: 'outage', value: 'u'}]);
        const post = {
            message: 'alert from monitoring',
            props: {attachments: [{title: 'Status', fields: [{title: 'state', value: 'OUTAGE in eu-west'}]}]},
        };
        const text = searchableText(post);
        const [hit] = m.match(text);
        expect(text.slice(hit!.index, hit!.index + hit!.length)).toBe('OUTAGE');
    });
});

describe('searchableText', () => {
    it('joins the message and every attachment text field with newlines', () => {
        const post = {
            message: 'msg',
            props: {
                attachments: [
                    {
                        pretext: 'pre',
                        author_name: 'author',
                        title: 'title',
                        text: 'text',
                        fields: [
                            {title: 'f1', value: 'v1', short: true},
                            {title: 'f2', value: 42},
                        ],
                        footer: 'foot',
                        fallback: 'fallback',
                        color: '#ff0000',
                        title_link: 'https://example.com/not-text',
                        actions: [{name: 'not text'}],
                    },
                    {text: 'second'},
                ],
            },
        };
        expect(searchableText(post)).toBe(
            ['msg', 'pre', 'author', 'title', 'text', 'f1', 'v1', 'f2', '42', 'foot', 'fallback', 'second'].join('\n'),
        );
    });

    it('is just the message without attachments, and survives malformed props', () => {
        expect(searchableText({message: 'hello'})).toBe('hello');
        expect(searchableText({message: 'hello', props: {}})).toBe('hello');
        expect(searchableText({message: '', props: {attachments: [{text: 'only'}]}})).toBe('only');
        expect(
            searchableText({
                message: 'm',
                props: {attachments: [null, 7, 'x', {text: {nested: true}, fields: 'no'}, {fields: [null, {title: ['x']}, {value: 'ok'}]}]},
            }),
        ).toBe('m\nok');
        expect(searchableText({message: 'm', props: {attachments: 'nope'}})).toBe('m');
    });
});

describe('data tables', () => {
    it('system emoji names resolve, within the length the scanner allows', () => {
        const names = systemEmojiNames();
        expect(names.length).toBeGreaterThan(2000);
        for (const name of names) {
            expect(name.length + '_medium_light_skin_tone'.length).toBeLessThanOrEqual(MAX_SHORTCODE_LENGTH);
            expect(normalizeWord(`:${name}:`)).not.toBe(`:${name}:`);
        }
        expect(emojiForShortcode('rocket')).toBe('🚀');
        expect(emojiForShortcode('no_such_emoji')).toBeUndefined();
        expect(emojiForShortcode('rocket_light_skin_tone')).toBeUndefined(); // rockets have no skin tones
        expect(normalizeWord(':handshake_light_skin_tone_dark_skin_tone:')).toBe(normalizeWord('🫱🏻‍🫲🏿'));
    });

    it('case folding covers the special cases', () => {
        expect(foldCase('ß ẞ ŉ ǰ ΐ ﬀ Σσς ᾼ ＡＢＣ ꭰ Ꭰ')).toBe(
            'ss ss \u02BCn j\u030C \u03B9\u0308\u0301 ff σσσ αι ａｂｃ Ꭰ Ꭰ',
        );
    });

    it('isHangul is Script=Hangul, and the quotation-mark look-alikes are the documented ones', () => {
        const lookalikes: string[] = [];
        for (let cp = 0; cp < 0x110000; cp++) {
            if (cp >= 0xd800 && cp <= 0xdfff) continue;
            const ch = String.fromCodePoint(cp);
            if (isHangul(cp) !== /\p{Script=Hangul}/u.test(ch)) expect([cp.toString(16), isHangul(cp)]).toEqual([cp.toString(16), !isHangul(cp)]);
            if (isQuoteLookalike(cp)) lookalikes.push(ch);
        }
        expect(lookalikes.join('')).toBe('´ʻʼˮ‘’‚‛“”„‟′″');
        for (const ch of lookalikes) expect(normalizeWord(ch)).toMatch(/^['"]$/);
    });

    it('the BMP flag table agrees with the per-character definition', () => {
        for (let cp = 0; cp < 0x10000; cp++) {
            if (cpFlags(cp) !== cpFlagsUncached(cp)) expect([cp.toString(16), cpFlags(cp)]).toEqual([cp.toString(16), cpFlagsUncached(cp)]);
        }
    });

    it('normalising chunk by chunk equals normalising the whole text', () => {
        const sample = 'Ａa\u0301\u0316e\u0316\u0301가\u11A8\u1100\u1161\u11A8ﬁ①㍿ℌ\u0B47\u0B3E\u0DD9\u0DCF\u1025\u102E\u304B\u3099ß\u0344ﾞㄱㅏ가ㄳกำ';
        expect(normalizeText(sample).text).toBe(foldCase(sample.normalize('NFKC')).normalize('NFKC'));
    });

    it('generated files are up to date with their source packages', () => {
        execFileSync(process.execPath, [path.join(root, 'scripts/gen-alerts-data.mjs'), '--check'], {cwd: root, stdio: 'pipe'});
    });
});

describe('cost', () => {
    it('stays linear on adversarial posts', () => {
        const flags = new WordMatcher([{word: '🇬🇧', value: 1}]);
        const text = '🇺' + '🇬🇧'.repeat(20_000); // every candidate is half of two flags
        let t = performance.now();
        expect(flags.match(text)).toEqual([]);
        expect(performance.now() - t).toBeLessThan(2000);
        const prefixes = new WordMatcher(Array.from({length: 50}, (_, k) => ({word: 'a'.repeat(k + 1), value: k})));
        t = performance.now();
        expect(prefixes.match('b' + 'a'.repeat(30_000) + 'b')).toEqual([]);
        expect(performance.now() - t).toBeLessThan(2000);
    });
});

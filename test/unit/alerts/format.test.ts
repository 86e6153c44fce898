import fc from 'fast-check';
import {describe, expect, it} from 'vitest';

import {codeSpan, escapeMarkdown, excerptAround, formatAlert, type AlertInput} from '../../../server/alerts/format.js';

const ZWSP = '\u200B';

/**
 * The mentions Mattermost's server would find in a message (its explicit-mention parser: code blocks and
 * inline code removed, then words split on anything but letters, digits and ". - _ : @").
 */
function serverMentions(message: string): string[] {
    let m = message;
    if (m.includes('```') || m.includes('~~~')) m = m.replace(/^[^\S\n]*[`~]{3}.*$[\s\S]+?(^[^\S\n]*[`~]{3}$|(?![\s\S]))/gm, '');
    if (m.includes('`')) m = m.replace(/`+(?:.+?|.*?\n(.*?\S.*?\n)*.*?)`+/gm, ' ');
    const found: string[] = [];
    for (const word of m.split(/[^\p{L}\p{N}:.\-_@]+/u)) {
        if (word === '' || (word.startsWith(':') && word.endsWith(':'))) continue;
        for (const part of [word, ...word.split(/[.\-:]+/)]) {
            if (part.length > 1 && part.startsWith('@')) found.push(part);
        }
    }
    return [...new Set(found)];
}

/** What a reader sees of escaped inline text: escapes and entities resolved, zero-width spaces gone. */
function rendered(md: string): string {
    return md
        .replace(/\\([`*{}[\]()#+\-.!_>|~]|\\(?!\w))/g, '$1') // marked's (GFM) escape rule
        .replace(/&lt;/g, '<')
        .replace(/&amp;/g, '&')
        .replaceAll(ZWSP, '');
}

/** No lone surrogate (a string cut inside a character). */
const wellFormed = (s: string) => !/\p{Cs}/u.test(s);

/** Input as escapeMarkdown promises to show it: controls and bidi overrides removed, one line. */
function oneLine(s: string): string {
    return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu, '').replace(/[\s\u0085]+/gu, ' ');
}

const hostile = [
    '@all',
    '@channel please',
    'hey @here!',
    '@someone',
    '@all.',
    'x@channel',
    '(@here)',
    '[click](http://evil.example.com)',
    '[x]: http://evil.example.com',
    '![img](http://evil.example.com/a.png)',
    'http://evil.example.com/path?q=1',
    'https://evil.example.com',
    'www.evil.example.com',
    'evil.example.com',
    'mail me: someone@evil.example.com',
    '<http://evil.example.com>',
    '<script>alert(1)</script>',
    '<b>bold</b> &amp; &lt;',
    '**bold** _it_ ~~strike~~ `code` ```fence```',
    '# heading',
    '> quote',
    '- list',
    '1. list',
    '| a | b |',
    'line one\nline two\n\n# heading\n> quote\n```\ncode\n```',
    '\\*not escaped\\*',
    '~town-square ~secret',
    '#hashtag',
    ':rocket: :+1:',
    '$x^2$',
    'a\u202Eevil\u202Cb',
    'tab\there\r\nand\u2028sep',
];

describe('escapeMarkdown', () => {
    it.each([
        ['plain words', 'plain words'],
        ['@all', `@${ZWSP}all`],
        ['[x](http://e.com)', `\\[x\\]\\(http:${ZWSP}//e\\.${ZWSP}com\\)`],
        ['**b** _i_', '\\*\\*b\\*\\* \\_i\\_'],
        ['<b>&', '&lt;b\\>&amp;'],
        ['a\n\n  b', 'a b'],
        ['# h', '\\# h'],
        ['#tag', `\\#${ZWSP}tag`],
        ['~chan', `\\~${ZWSP}chan`],
        ['a\u202Eb', 'ab'],
        ['C:\\dir', 'C:\\dir'], // a backslash before a word character is literal anyway
        ['a\\*', 'a\\\\\\*'],
        ['end\\', 'end\\\\'],
        ['note:this mailto:x@y.z', `note:${ZWSP}this mailto:${ZWSP}x@${ZWSP}y\\.${ZWSP}z`],
        ['go :rocket: now', 'go :rocket: now'],
        ['100%', '100%'],
        ['日本語のテキスト', '日本語のテキスト'],
    ])('%j -> %j', (input, expected) => {
        expect(escapeMarkdown(input)).toBe(expected);
    });

    it.each(hostile)('%j is inert', (input) => {
        const out = escapeMarkdown(input);
        expect(out).not.toMatch(/[\n\r\u2028\u2029<]/);
        expect(out).not.toContain('://');
        expect(out).not.toMatch(/www\./i);
        expect(out).not.toMatch(/&(?!lt;|amp;)/);
        // Every markdown-significant character is backslash-escaped.
        const stripped = out.replace(/\\[\\`*_{}[\]()#+\-.!|~>]|\\(?=\w)/g, '');
        expect(stripped).not.toMatch(/[\\`*_{}[\]()#+\-!|~>]/);
        // Nothing the server or the webapp would take for a mention, channel link, hashtag or domain.
        expect(serverMentions(out)).toEqual([]);
        expect(rendered(out)).toBe(oneLine(input));
        expect(out).not.toMatch(/[@~#][\p{L}\p{N}]/u);
        expect(out).not.toMatch(/\.[\p{L}\p{N}]/u);
    });

    it('reads as the same text, for any input', () => {
        fc.assert(
            fc.property(
                fc.oneof(
                    fc.string({unit: 'binary', maxLength: 60}),
                    fc.string({unit: fc.constantFrom(...'\\_*a1@:/. `<&#~[]()!|>-+{}\n'), maxLength: 30}),
                ),
                (s) => rendered(escapeMarkdown(s)) === oneLine(s),
            ),
            {numRuns: 2000},
        );
    });
});

describe('codeSpan', () => {
    it.each([
        ['deploy', '`deploy`'],
        ['on call', '`on call`'],
        ['a`b', '``a`b``'],
        ['`x`', '`` `x` ``'],
        ['``', '``` `` ```'],
        ['x ``` y', '````x ``` y````'],
        ['', '` `'],
        [' a ', '`  a  `'],
        ['a\nb', '`a b`'],
        ['@all', '`@all`'],
        ['[x](http://e.com)', '`[x](http://e.com)`'],
        ['`@all`', `\`\` \`@${ZWSP}all\` \`\``],
    ])('%j -> %j', (input, expected) => {
        expect(codeSpan(input)).toBe(expected);
    });

    it('is one code span whose content is the text, for any input', () => {
        fc.assert(
            fc.property(fc.string({unit: fc.constantFrom('a', ' ', '`', '@', 'b', '\n'), maxLength: 20}), (s) => {
                const out = codeSpan(s);
                const fence = /^`+/.exec(out)![0];
                if (!out.endsWith(fence) || out.length < 2 * fence.length) return false;
                let inner = out.slice(fence.length, out.length - fence.length);
                if (inner.includes(fence) && new RegExp(`(^|[^\`])${fence}($|[^\`])`).test(inner)) return false;
                if (inner.startsWith(' ') && inner.endsWith(' ') && inner.trim() !== '') inner = inner.slice(1, -1);
                return inner.replaceAll(ZWSP, '') === (oneLine(s) === '' ? ' ' : oneLine(s));
            }),
            {numRuns: 2000},
        );
    });

    it('keeps mentions out of reach of the server even with backticks inside', () => {
        for (const w of ['@all', '`@all', '@all`', '`@channel`', '``@here``', 'a`b @all']) {
            expect(serverMentions(`word ${codeSpan(w)} here`)).toEqual([]);
        }
    });
});

describe('excerptAround', () => {
    const long =
        'The quick brown fox jumps over the lazy dog while we deploy the new release to production tonight and then everybody goes home to sleep well.';
    const at = (word: string) => long.indexOf(word);

    it('returns short text whole, on one line', () => {
        expect(excerptAround('a\n\n  b deploy\tc', 7, 6, 200)).toBe('a b deploy c');
        expect(excerptAround('  deploy  ', 2, 6, 200)).toBe('deploy');
    });

    it('cuts long text between words, around the match, within the limit', () => {
        const out = excerptAround(long, at('deploy'), 6, 40);
        expect(out.length).toBeLessThanOrEqual(40);
        expect(out).toContain('deploy');
        expect(out.startsWith('…')).toBe(true);
        expect(out.endsWith('…')).toBe(true);
        const words = new Set(long.split(' '));
        for (const w of out.replace(/…/g, '').split(' ')) expect(words.has(w)).toBe(true);
        expect(out).toBe('…dog while we deploy the new release…');
    });

    it('gives the room one side does not need to the other', () => {
        expect(excerptAround(long, 0, 3, 30)).toBe('The quick brown fox jumps…');
        expect(excerptAround(long, at('well.'), 5, 30)).toBe('…goes home to sleep well.');
    });

    it('keeps the match whole even when it alone is longer than the limit', () => {
        expect(excerptAround(long, at('quick'), 'quick brown fox'.length, 5)).toBe('…quick brown fox…');
        expect(excerptAround('deploy now', 0, 6, 3)).toBe('deploy…');
        expect(excerptAround('deploy', 0, 6, 0)).toBe('deploy');
    });

    it('cuts text without spaces between characters, never inside one', () => {
        const cjk = '今日は新しいバージョンを本番環境に部署します。よろしくお願いします。'.repeat(4);
        const i = cjk.indexOf('部署');
        const out = excerptAround(cjk, i, 2, 20);
        expect(out.length).toBeLessThanOrEqual(20);
        expect(out).toContain('部署');
        const emoji = '🚀👍🏽e\u0301'.repeat(30);
        for (let max = 3; max < 30; max++) {
            const ex = excerptAround(emoji, 64, 2, max); // a 🚀 in the middle
            expect(wellFormed(ex)).toBe(true);
            expect(ex.replace(/^…/, '')).not.toMatch(/^[\u0301\u{1F3FD}]/u);
            expect(ex.replace(/…$/, '')).not.toMatch(/[👍e]$/u); // no base left without its modifier
        }
    });

    it('is within bounds, well formed and contains the match, for any input', () => {
        fc.assert(
            fc.property(
                fc.string({unit: fc.constantFrom('a', 'bc', ' ', '\n', '🚀', 'é', 'e\u0301', '部', '  '), maxLength: 80}),
                fc.nat(100),
                fc.nat(10),
                fc.nat(60),
                (text, i, len, max) => {
                    const index = Math.min(i, text.length);
                    const out = excerptAround(text, index, len, max);
                    return wellFormed(out) && out.length <= Math.max(max, len + 2) + 2;
                },
            ),
            {numRuns: 2000},
        );
    });

    it('survives odd arguments', () => {
        expect(excerptAround('', 0, 0, 10)).toBe('');
        expect(excerptAround('abc', 10, 5, 10)).toBe('abc');
        expect(excerptAround('abc def', -3, 2, 10)).toBe('abc def');
        expect(excerptAround('abc def', 0, 3, Number.NaN)).toBe('abc…');
    });
});

function input(over: Partial<AlertInput> = {}): AlertInput {
    const text = 'Heads up: we will deploy the new release tonight, please stand by.';
    return {
        words: ['deploy'],
        authorUsername: 'alice',
        channel: {name: 'town-square', display_name: 'Town Square', type: 'O', teamName: 'acme'},
        text,
        firstMatch: {index: text.indexOf('deploy'), length: 6},
        excerptLength: 200,
        permalink: 'https://chat.example.com/acme/pl/p1',
        isReply: false,
        ...over,
    };
}

describe('formatAlert', () => {
    it('says which word, who, where, shows an excerpt and links the post', () => {
        expect(formatAlert(input())).toBe(
            [
                ':bell: @alice mentioned `deploy` in **Town Square** (~town-square)',
                '',
                '> Heads up: we will **deploy** the new release tonight, please stand by\\.',
                '',
                '[Open the message](https://chat.example.com/acme/pl/p1)',
            ].join('\n'),
        );
    });

    it.each([
        [{channel: {name: 'secret', display_name: 'Secret Plans', type: 'P'}}, 'in **Secret Plans** (~secret)'],
        [{channel: {name: 'uid1__uid2', display_name: '', type: 'D'}}, 'in a direct message'],
        [{channel: {name: 'abc', display_name: 'alice, bob, carol', type: 'G'}}, 'in a group message'],
        [{channel: {name: 'x', display_name: '', type: 'O'}}, 'in **x** (~x)'],
        [{channel: {name: 'weird name!', display_name: 'Weird', type: 'O'}}, 'in **Weird**'],
        [{isReply: true}, 'mentioned `deploy` in a thread in **Town Square** (~town-square)'],
        [{isReply: true, channel: {name: 'd', display_name: '', type: 'D'}}, 'in a thread in a direct message'],
        [{edited: true}, '@alice edited a message to mention `deploy` in'],
        [{words: ['deploy', 'on call']}, 'mentioned `deploy` and `on call` in'],
        [{words: ['a', 'b', 'c']}, 'mentioned `a`, `b` and `c` in'],
        [{words: ['a', 'b', 'c', 'd', 'e', 'f', 'g']}, 'mentioned `a`, `b`, `c`, `d`, `e` and 2 more in'],
        [{words: ['it`s']}, 'mentioned ``it`s`` in'],
    ] as Array<[Partial<AlertInput>, string]>)('%j', (over, expected) => {
        expect(formatAlert(input(over)).split('\n')[0]).toContain(expected);
    });

    it('links replies to their thread and counts held-back alerts', () => {
        const out = formatAlert(input({isReply: true, suppressedCount: 3}));
        expect(out).toContain('[Open the reply in its thread](https://chat.example.com/acme/pl/p1)\n_(3 more alerts were held back by the rate limit)_');
        expect(formatAlert(input({suppressedCount: 1}))).toMatch(/_\(1 more alert was held back by the rate limit\)_$/);
        expect(formatAlert(input({suppressedCount: 0}))).not.toContain('held back');
    });

    it('drops a permalink that is not an http(s) URL, and escapes parentheses in one that is', () => {
        expect(formatAlert(input({permalink: 'javascript:alert(1)'}))).not.toContain('Open the');
        expect(formatAlert(input({permalink: 'not a url'}))).not.toContain('Open the');
        expect(formatAlert(input({permalink: 'https://chat.example.com/a(b)/pl/x y'}))).toContain(
            '(https://chat.example.com/a%28b%29/pl/x%20y)',
        );
    });

    it('limits the excerpt and cuts it around the first match', () => {
        const text = `${'lorem ipsum dolor sit amet '.repeat(20)}deploy ${'consectetur adipiscing elit '.repeat(20)}`;
        const out = formatAlert(input({text, firstMatch: {index: text.indexOf('deploy'), length: 6}, excerptLength: 60}));
        const quote = out.split('\n').find((l) => l.startsWith('> '))!;
        expect(quote).toContain('**deploy**');
        expect(rendered(quote.slice(2).replace(/\*\*/g, '')).length).toBeLessThanOrEqual(60);
        expect(quote.slice(2).startsWith('…')).toBe(true);
        expect(quote.endsWith('…')).toBe(true);
    });

    it('does not bold where the asterisks would not be read as emphasis', () => {
        const text = 'x(deploy)y';
        const out = formatAlert(input({text, firstMatch: {index: 1, length: 8}, words: ['(deploy)']}));
        expect(out).toContain('> x\\(deploy\\)y');
        const cjk = '今日部署します';
        expect(formatAlert(input({text: cjk, firstMatch: {index: 2, length: 2}}))).toContain('> 今日**部署**します');
    });

    it('makes hostile words, names and excerpts inert', () => {
        const text = [
            'hey @all and @channel and @here, also @someone:',
            '[click me](http://evil.example.com) <http://evil.example.com> https://evil.example.com/x www.evil.example.com',
            '<script>alert(1)</script> **deploy** `code` ~secret-channel #tag',
            '> fake quote',
            '# fake heading',
            '```',
            'fenced @all',
            '```',
        ].join('\n');
        const out = formatAlert({
            words: ['@all', '[x](http://evil.example.com)', 'a`@here`b', '<img src=x>', '**deploy**', 'line\nbreak', '~secret'],
            authorUsername: 'mallory',
            channel: {name: 'town-square', display_name: '@channel [x](http://evil.example.com) <b>', type: 'O'},
            text,
            firstMatch: {index: text.indexOf('deploy'), length: 6},
            excerptLength: 1000,
            permalink: 'https://chat.example.com/acme/pl/p1',
            isReply: false,
        });
        // The only mention is the author; outside code spans, the only link is the permalink.
        expect(serverMentions(out)).toEqual(['@mallory']);
        // (Code spans are only in the first line; the excerpt's backticks are all escaped.)
        const [first, ...rest] = out.split('\n');
        const outsideCode = [first!.replace(/(`+).*?[^`]\1(?!`)/g, ''), ...rest].join('\n');
        expect(outsideCode.match(/\]\(/g)).toHaveLength(1);
        expect(outsideCode.split('://')).toHaveLength(2);
        expect(outsideCode).not.toMatch(/www\./);
        expect(out).not.toMatch(/<(?!img src=x>`)/);
        // Blocks: heading line, one-line blockquote, link line.
        const blocks = out.split('\n\n');
        expect(blocks).toHaveLength(3);
        expect(blocks[1]!.startsWith('> ')).toBe(true);
        expect(blocks[1]).not.toContain('\n');
        expect(blocks[0]).not.toContain('\n');
        // Nothing a mention/channel/hashtag highlighter would pick up, outside code spans.
        expect(outsideCode.replace('@mallory', '').replace('(~town-square)', '')).not.toMatch(/[@~#][\p{L}\p{N}]/u);
        // What the reader sees of the excerpt is the post text, on one line.
        expect(rendered(blocks[1]!.slice(2).replace('**deploy**', 'deploy'))).toBe(oneLine(text).trim());
    });

    it('does not turn an odd author name into markdown or a mention', () => {
        for (const name of ['all', 'here', 'x y', '[x](http://e.com)', '**b**', '']) {
            const out = formatAlert(input({authorUsername: name}));
            expect(serverMentions(out)).toEqual([]);
            expect(out.split('\n')[0]).not.toContain('](');
        }
    });
});

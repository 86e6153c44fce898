import fc from 'fast-check';
import {beforeAll, describe, expect, it} from 'vitest';

import {codeSpan, escapeMarkdown, excerptAround, formatAlert, type AlertInput} from '../../../server/alerts/format.js';
import {findAllOccurrences} from '../../../server/alerts/matcher.js';
import {boldTexts, excerptProblems, serverMentions, serverProblems, splitCode, visible, ZWSP} from './excerpt_checks.js';
import {serverMarkdown} from './server_markdown.js';

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
        ['a\\_', 'a\\\\\\_'], // but before "_", which is escaped in turn, it is escaped
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

    it('bolds a match where "**" alone would not be read as emphasis, with a hair space outside', () => {
        const text = 'x(deploy)y';
        const out = formatAlert(input({text, firstMatch: {index: 1, length: 8}, words: ['(deploy)']}));
        expect(out).toContain('> x\u200A**\\(deploy\\)**\u200Ay');
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
        const [first, ...rest] = out.split('\n');
        const outsideCode = [first!.replace(/(`+).*?[^`]\1(?!`)/g, ''), ...rest.map((l) => splitCode(l).outside)].join('\n');
        expect(outsideCode.match(/\]\(/g)).toHaveLength(1);
        expect(outsideCode.split('://')).toHaveLength(2);
        expect(outsideCode).not.toMatch(/www\./);
        expect(out).not.toMatch(/<(?!img src=x>`)/);
        // Blocks: heading line, the quote (every line of it quoted), link line.
        const blocks = out.split('\n\n');
        expect(blocks).toHaveLength(3);
        expect(blocks[0]).not.toContain('\n');
        const quote = blocks[1]!.split('\n');
        for (const line of quote) expect(line).toMatch(/^> \S|^>$/);
        expect(excerptProblems(quote.map((l) => l.slice(2)))).toEqual([]);
        // Nothing a mention/channel/hashtag highlighter would pick up, outside code spans.
        expect(outsideCode.replace('@mallory', '').replace('(~town-square)', '')).not.toMatch(/[@~#][\p{L}\p{N}]/u);
        // What the reader sees: the post's text, line by line, without its markup; the code block as code.
        expect(quote.map((l) => visible(l.slice(2)))).toEqual([
            'hey @all and @channel and @here, also @someone:',
            'click me http://evil.example.com https://evil.example.com/x www.evil.example.com',
            '<script>alert(1)</script> deploy code ~secret-channel #tag',
            'fake quote',
            'fake heading',
            'fenced @all',
        ]);
    });

    it('does not turn an odd author name into markdown or a mention', () => {
        for (const name of ['all', 'here', 'x y', '[x](http://e.com)', '**b**', '']) {
            const out = formatAlert(input({authorUsername: name}));
            expect(serverMentions(out)).toEqual([]);
            expect(out.split('\n')[0]).not.toContain('](');
        }
    });
});

const PERMALINK = 'https://chat.example.com/acme/pl/p1';

/** The alert for `text`, centred on the first `focus`, for `words`. */
function alert(words: string[], text: string, focus: string, excerptLength = 200): string {
    const index = text.indexOf(focus);
    if (index < 0) throw new Error(`${focus} not in ${text}`);
    return formatAlert({...input(), words, text, firstMatch: {index, length: focus.length}, excerptLength});
}

/** The quoted lines of an alert, without "> " ('' for an empty quoted line). */
function quoteOf(dm: string): string[] {
    const blocks = dm.split('\n\n');
    expect(blocks, dm).toHaveLength(3);
    const lines = blocks[1]!.split('\n');
    for (const line of lines) expect(line, dm).toMatch(/^> \S|^>$/);
    return lines.map((l) => l.slice(2));
}

// [words, post, the match the excerpt is centred on, the quoted lines]
const EXCERPTS: Array<[string[], string, string, string[]]> = [
    // The examples.
    [['canary'], 'the **canary** build is green; see `canary` logs', 'canary', ['the **canary** build is green; see **`canary`** logs']],
    [['deploy', 'release candidate', '東京都'], 'Time to **deploy** the release candidate from 東京都', 'deploy', ['Time to **deploy** the **release candidate** from **東京都**']],
    // Every occurrence, not only the first.
    [['deploy'], 'deploy, then deploy again', 'deploy', ['**deploy**, then **deploy** again']],
    // Formatting as written.
    [['deploy'], 'we *really* _must_ deploy', 'deploy', ['we _really_ _must_ **deploy**']],
    [['deploy'], '~~old~~ deploy', 'deploy', ['~~old~~ **deploy**']],
    [['deploy'], 'please ***deploy*** now', 'deploy', ['please **_deploy_** now']],
    [['deploy'], 'a *we deploy* b', 'deploy', ['a _we **deploy**_ b']],
    [['deploy'], 'a **we deploy** b', 'deploy', ['a **we deploy** b']],
    // Code: a match is bolded as its own code span.
    [['deploy'], 'run `npm run deploy --prod` now', 'deploy', ['run `npm run `**`deploy`**` --prod` now']],
    [['deploy'], 'run `deploy`', 'deploy', ['run **`deploy`**']],
    [['deploy'], 'run ``a `deploy` b``', 'deploy', ['run `` a ` ``**`deploy`**`` ` b ``']],
    [['deploy'], '```sh\nnpm run deploy\n```', 'deploy', ['`npm run `**`deploy`**']],
    [['deploy'], 'text\n\n    deploy --now', 'deploy', ['text', '', '**`deploy`**` --now`']],
    [['deploy'], '`@all` deploy', 'deploy', [`\`@${ZWSP}all\` **deploy**`]],
    // Links and images as text; the destination only when the match is in it.
    [['deploy'], 'see [the deploy guide](https://wiki.example.com/x)', 'deploy', ['see the **deploy** guide']],
    [['deploy'], 'see [docs](https://wiki.example.com/deploy)', 'deploy', [`see docs \\(https:${ZWSP}//wiki\\.${ZWSP}example\\.${ZWSP}com/**deploy**\\)`]],
    [['deploy'], '![deploy diagram](http://evil.example.com/a.png)', 'deploy', ['**deploy** diagram']],
    [['deploy'], 'see [deploy][1]\n\n[1]: http://evil.example.com', 'deploy', ['see **deploy**']],
    [['deploy'], '<https://x.example.com/deploy>', 'deploy', [`https:${ZWSP}//x\\.${ZWSP}example\\.${ZWSP}com/**deploy**`]],
    [['deploy'], 'deploy at http://evil.example.com or www.evil.example.com', 'deploy', [`**deploy** at http:${ZWSP}//evil\\.${ZWSP}example\\.${ZWSP}com or www\\.${ZWSP}evil\\.${ZWSP}example\\.${ZWSP}com`]],
    // Blocks: their text, each line quoted.
    [['deploy'], '# Deploy plan', 'Deploy', ['**Deploy** plan']],
    [['deploy'], '## deploy ##', 'deploy', ['**deploy**']],
    [['deploy'], '- deploy\n- rollback\n\n1. deploy', 'deploy', ['• **deploy**', '• rollback', '', '1\\. **deploy**']],
    [['deploy'], '> deploy now\n> > nested', 'deploy', ['**deploy** now', 'nested']],
    [['deploy'], '| step | deploy |\n|---|:---:|\n| 1 | go |', 'deploy', ['\\| step \\| **deploy** \\|', '\\| 1 \\| go \\|']],
    [['deploy'], 'deploy\n\n---\n\n***\nafter', 'deploy', ['**deploy**', '', 'after']],
    [['deploy'], 'title\n=====\ndeploy', 'deploy', ['title', '**deploy**']],
    [['deploy'], '1) deploy', 'deploy', ['1\\) **deploy**']],
    [['deploy'], 'one\n\n\n\ntwo deploy', 'deploy', ['one', '', 'two **deploy**']],
    // Mentions, channel links, hashtags, HTML, entities, escapes: text.
    [['deploy'], '@all deploy #tag ~town', 'deploy', [`@${ZWSP}all **deploy** \\#${ZWSP}tag \\~${ZWSP}town`]],
    [['deploy'], '<b>deploy</b> &amp; &#64;here', 'deploy', [`&lt;b\\>**deploy**&lt;/b\\> &amp; @${ZWSP}here`]],
    [['deploy'], '\\*deploy\\* \\[x\\]', 'deploy', ['\\***deploy**\\* \\[x\\]']],
    [['deploy'], '**deploy now', 'deploy', ['\\*\\***deploy** now']],
    [['deploy'], '\\\\_ \\a deploy', 'deploy', ['\\\\\\_ \\a **deploy**']], // a backslash before "_" is escaped, not before a letter
    [['deploy'], '=deploy', 'deploy', [`${ZWSP}=**deploy**`]],
    // Where "**" would not be read as emphasis, a hair space outside makes it read.
    [['(deploy)'], 'x(deploy)y', '(deploy)', ['x\u200A**\\(deploy\\)**\u200Ay']],
    [['deploy'], 'run `deploy`s', 'deploy', ['run **`deploy`**\u200As']],
    // Source emphasis that "_" cannot write where it stands (inside a word) is dropped; its text shows.
    [['x'], 'a*b*c x', 'x', ['abc **x**']],
    // Korean particles, quotation-mark look-alikes, no-space scripts.
    [['서버'], '서버가 다운됐어요, 웹서버는 괜찮아요', '서버', ['**서버**가 다운됐어요, 웹서버는 괜찮아요']],
    [["don't"], 'I don’t deploy', 'don’t', ['I **don’t** deploy']],
    [['部署'], '今日部署します', '部署', ['今日**部署**します']],
];

describe('the excerpt: the post as its reader saw it, every match in bold', () => {
    it.each(EXCERPTS)('%j in %j', (words, text, focus, expected) => {
        const quote = quoteOf(alert(words, text, focus));
        expect(quote).toEqual(expected);
        expect(excerptProblems(quote)).toEqual([]);
    });

    it('cuts around the first match, within the length, closing what it cut through', () => {
        const filler = (w: string) => `${w} `.repeat(60);
        const cases: Array<[string, string[]]> = [
            [`*${filler('aa')}deploy ${filler('bb')}end*`, ['…_aa aa aa aa aa aa aa aa **deploy** bb bb bb bb bb bb bb bb_…']],
            [`\`${filler('aa')}deploy ${filler('bb')}\``, ['…`aa aa aa aa aa aa aa aa `**`deploy`**` bb bb bb bb bb bb bb bb`…']],
            [`[${filler('aa')}deploy ${filler('bb')}](http://evil.example.com)`, ['…aa aa aa aa aa aa aa aa **deploy** bb bb bb bb bb bb bb bb…']],
            [`~~${filler('aa')}deploy ${filler('bb')}end~~`, ['…~~aa aa aa aa aa aa aa aa **deploy** bb bb bb bb bb bb bb bb~~…']],
            [`${filler('aa')}\n\n\`\`\`\n${'code line\n'.repeat(3)}deploy\n${'code line\n'.repeat(3)}\`\`\``, ['…`line`', '`code line`', '`code line`', '**`deploy`**', '`code line`', '`code line`', '`code`…']],
        ];
        for (const [text, expected] of cases) {
            const quote = quoteOf(alert(['deploy'], text, 'deploy', 60));
            expect(quote, text).toEqual(expected);
            expect(excerptProblems(quote)).toEqual([]);
            expect(quote.map(visible).join('\n').length).toBeLessThanOrEqual(60);
        }
    });

    it('keeps the match whole, and no more, when it alone is longer than the limit', () => {
        expect(quoteOf(alert(['quick brown fox'], 'the *quick brown fox* jumps', 'quick brown fox', 5))).toEqual(['…**_quick brown fox_**…']);
    });

    it('shows a reference definition or a fence line only when the match is on it', () => {
        expect(quoteOf(alert(['deploy'], 'see [x][1]\n\n[1]: http://evil.example.com/deploy', 'deploy'))).toEqual([
            'see x',
            '',
            `\\[1\\]: http:${ZWSP}//evil\\.${ZWSP}example\\.${ZWSP}com/**deploy**`,
        ]);
        expect(quoteOf(alert(['deploy'], '```deploy\nx\n```', 'deploy'))).toEqual(['\\`\\`\\`**deploy**', '`x`']);
    });
});

describe('the excerpt of any post is inert (checked with the server\'s own markdown parser)', () => {
    beforeAll(() => {
        serverMarkdown([]); // builds the parser's program (a cold Go build cache takes a while)
    });

    // Pieces of hostile and ordinary markdown; posts are made of them, with "deploy" among them.
    const pieces = [
        'deploy', 'deploy', ' ', '  ', '\n', '\n\n', '\t', '*', '**', '***', '_', '__', '~~', '~', '`', '``', '```', '~~~', '[', ']', '(', ')', '![',
        '](http://evil.example.com/x.png)', '](<http://evil.example.com> "t")', '[x][1]', '[1]', '\n[1]: http://evil.example.com\n', '<', '>', '<b>',
        '<http://evil.example.com>', '<x@evil.example.com>', 'http://evil.example.com/deploy', 'www.evil.example.com', 'evil.example.com', 'mailto:x@evil.example.com',
        '@all', '@here', '@channel', '@alice', '#tag', '~town-square', '&amp;', '&#64;all', '&lt;b&gt;', '\\', '\\*', '\\`', '\\[', '#', '\n# ', '\n- ', '\n1. ',
        '\n1) ', '\n> ', '\n>> ', '| a | b |\n|---|---|\n| c | d |', '\n    ', '\n---\n', '\n===\n', ':rocket:', 'a', 'b c', '(a)', 'x.y', '서버가', '東京都', 'é',
        'e\u0301', '\u202E', '\u200B', '\u0000', '\u2028', '$x$', '|', '+', '-', '=', '!', '{', '}',
    ];
    const post = fc.array(fc.constantFrom(...pieces), {maxLength: 40}).map((p) => `${p.join('')} deploy`);

    it('random posts around each match, at random lengths', {timeout: 600_000}, () => {
        const dms: string[] = [];
        fc.assert(
            fc.property(post, fc.nat(), fc.integer({min: 20, max: 160}), (text, pick, excerptLength) => {
                const hits = findAllOccurrences(['deploy'], text);
                const focus = hits[pick % hits.length]!;
                const dm = formatAlert({...input(), text, words: ['deploy'], firstMatch: focus, excerptLength});
                expect(serverMentions(dm), dm).toEqual(['@alice']);
                const quote = quoteOf(dm);
                expect(excerptProblems(quote), dm).toEqual([]);
                // The match the excerpt is centred on is in it, in bold.
                expect(quote.flatMap(boldTexts).some((b) => b.includes('deploy')), dm).toBe(true);
                dms.push(dm);
            }),
            {numRuns: Number(process.env['ALERTS_PROPERTY_RUNS'] ?? 400)},
        );
        const parsed = serverMarkdown(dms);
        for (const [k, dm] of dms.entries()) expect(serverProblems(parsed[k]!, PERMALINK), dm).toEqual([]);
    });

    it('the table\'s posts too', () => {
        const dms = EXCERPTS.map(([words, text, focus]) => alert(words, text, focus));
        const parsed = serverMarkdown(dms);
        for (const [k, dm] of dms.entries()) expect(serverProblems(parsed[k]!, PERMALINK), dm).toEqual([]);
        // And the parser is looking: the same posts quoted raw have links, images and blocks it finds.
        const raw = serverMarkdown(EXCERPTS.map(([, text]) => `x\n\n> ${text.replace(/\n/g, '\n> ')}\n\n[Open the message](${PERMALINK})`));
        expect(raw.flatMap((r) => serverProblems(r, PERMALINK)).length).toBeGreaterThan(5);
    });
});

describe('the excerpt, cost', () => {
    it('stays linear on adversarial posts of the largest size', () => {
        const posts = [
            '['.repeat(16_000), '*a'.repeat(8000), '_a'.repeat(8000), Array.from({length: 178}, (_, k) => '`'.repeat(k + 1)).join('a'), '<'.repeat(16_000),
            '!['.repeat(8000), '[a]('.repeat(4000), '[a](<'.repeat(3000), '&#'.repeat(8000), '> '.repeat(8000), '- '.repeat(8000), `${'a'.repeat(30)}\n`.repeat(500),
            '**a '.repeat(4000), `${'[x]'.repeat(5000)}\n[x]: y`, 'deploy '.repeat(2000), 'a\u0301'.repeat(8000), '\\'.repeat(16_000),
        ];
        for (const p of posts) {
            const text = `${p} deploy`;
            const t = performance.now();
            const dm = formatAlert({...input(), text, firstMatch: {index: text.lastIndexOf('deploy'), length: 6}, excerptLength: 1000});
            expect(performance.now() - t, p.slice(0, 20)).toBeLessThan(1500);
            expect(excerptProblems(quoteOf(dm)), p.slice(0, 20)).toEqual([]);
        }
    });
});

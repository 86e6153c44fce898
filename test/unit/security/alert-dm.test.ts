// Trigger words, and posts, that try to smuggle mentions, links, images, HTML, markdown, code fences or
// line breaks into the alert DM. Each word is set through the HTTP API (which may refuse it: then nothing
// is stored), a post containing it goes through the real Notifier, and the DM the bot would send is
// checked: its only mention is the author, its only link the permalink, its excerpt one quote of text,
// code spans and balanced emphasis, and every word shows literally in its code span. The hostile posts
// go the same way, for a plain word, at the shortest and the longest excerpt length. Links, images,
// autolinks and blocks are also looked for with Mattermost's own server-side markdown parser.
import type {Post} from '@mattermost/types/posts';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';

import {codeSpan} from '../../../server/alerts/format.js';
import type {AlertsHost} from '../../../server/alerts/host.js';
import {Notifier} from '../../../server/alerts/notifier.js';
import {RecipientLedger} from '../../../server/alerts/recipient_ledger.js';
import type {Log} from 'mattermost-plugin-node';
import {boldTexts, CODE_SLOT, excerptProblems, serverMentions, serverProblems, splitCode, ZWSP} from '../alerts/excerpt_checks.js';
import {serverMarkdown} from '../alerts/server_markdown.js';
import {alice, bob, fakeHost, openChannel, startApi, type ApiHarness} from '../fuzz/http_harness.js';

const SITE = 'https://chat.example.com';

const hostileWords = [
    // mentions
    '@all', '@channel', '@here', '@someone', '@alice', '@all.', 'x@channel', '\\@all', '@@here', '  @all  ', 'ping @here now',
    // links
    '[x](http://evil.example.com)', '[x]: http://evil.example.com', '![img](http://evil.example.com/a.png)', '<http://evil.example.com>',
    'http://evil.example.com/p?q=1', 'https://evil.example.com', 'www.evil.example.com', 'evil.example.com', 'mailto:x@evil.example.com', '[x][1]',
    // HTML and entities
    '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<b>bold</b>', '&lt;b&gt;', '&amp;', '&#64;all',
    // code
    '```', '```js', '~~~', '`code`', '``', '`@all`',
    // markdown
    '**bold**', '__bold__', '_it_', '~~strike~~', '# heading', '> quote', '- item', '1. item', '| a | b |', '---', '$x^2$', '\\*', ':rocket:',
    // channel links and hashtags
    '~town-square', '#hashtag',
    // line breaks, controls, bidi (the API refuses these)
    'line\nbreak', 'line\r\nbreak', 'tab\tthere', 'a\u2028b', 'a\u202Eb', 'a\u200Bb', '\u0000x',
];

/** What a word shows as in one line: controls and bidi overrides removed, white space runs as one space. */
function oneLine(s: string): string {
    return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu, '').replace(/[\s\u0085]+/gu, ' ');
}

/** The checks on one alert DM for `word` posted by bob. */
function expectInert(message: string, word: string): void {
    const what = `word ${JSON.stringify(word)} gave:\n${message}`;
    // Mentions: only the author. (The server strips code before looking.)
    expect(serverMentions(message), what).toEqual(['@bob']);
    const blocks = message.split('\n\n');
    expect(blocks.length, what).toBe(3);
    const [head, quote, link] = blocks as [string, string, string];
    // The header: template text, the word in one code span that shows it literally.
    expect(head.startsWith(':bell: @bob mentioned '), what).toBe(true);
    expect(head.endsWith(' in **Town Square** (~town-square)'), what).toBe(true);
    const listed = head.slice(':bell: @bob mentioned '.length, -' in **Town Square** (~town-square)'.length);
    const {spans, outside} = splitCode(listed);
    expect(spans.map((s) => s.replaceAll(ZWSP, '')), what).toEqual([oneLine(word).trim() === '' ? ' ' : oneLine(word.trim())]);
    expect(outside.trim(), what).toBe(CODE_SLOT);
    expect(listed, what).toBe(codeSpan(word.trim()));
    expectInertExcerpt(message, quote, link, what);
}

/** The checks on an alert DM's excerpt (the quote) and link line, whatever the word and the post. */
function expectInertExcerpt(message: string, quote: string, link: string, what: string): void {
    // Every line quoted; outside code spans nothing but text and balanced emphasis: no raw markdown, HTML,
    // links, mentions, channel links, hashtags or domains (excerpt_checks.ts).
    const lines = quote.split('\n');
    for (const line of lines) expect(line, what).toMatch(/^> \S|^>$/);
    expect(excerptProblems(lines.map((l) => l.slice(2))), what).toEqual([]);
    // The one link: the permalink.
    const permalink = /^\[Open the message\]\((.*)\)$/.exec(link)?.[1];
    expect(permalink, what).toMatch(new RegExp(`^${SITE.replace(/\./g, '\\.')}/acme/pl/[a-z0-9]+$`));
    // Nothing outside code spans looks like a link, an autolink or HTML.
    const all = splitCode(message).outside;
    expect(all.split('](').length, what).toBe(2);
    expect(all, what).not.toMatch(/<[a-z/!?]/i);
    // And the server's own parser finds no other link, no image, no autolink, nothing outside the quote.
    expect(serverProblems(serverMarkdown([message])[0]!, permalink!), what).toEqual([]);
}

let api: ApiHarness;
let excerptLength = 200;
const dms: Array<{to: string; message: string}> = [];
let notifier: Notifier;
const noLog: Log = {debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined};

beforeAll(async () => {
    api = await startApi();
    const host: AlertsHost = {
        ...fakeHost,
        createPost: async (post) => {
            dms.push({to: String(post.channel_id).replace(/^dm-/, ''), message: String(post.message)});
            return post as Post;
        },
    };
    notifier = new Notifier({
        host,
        log: noLog,
        store: api.store,
        ledger: new RecipientLedger(api.kv),
        // One DM per word: flood control must not hold any back.
        settings: () => ({...api.settings, alertsPerMinute: 10_000, excerptLength}),
        botUserId: () => 'z'.repeat(26),
        siteURL: () => SITE,
    });
});
afterAll(() => api.close());

let seq = 0;
function post(message: string, props: Record<string, unknown> = {}): Post {
    seq++;
    return {id: `p${seq}`.padEnd(26, 'x'), channel_id: openChannel, user_id: bob, message, type: '', props, root_id: '', edit_at: 0, update_at: seq} as Post;
}

describe('hostile trigger words in the alert DM', () => {
    let viaNotifier = 0;
    let refused = 0;

    test.each(hostileWords)('%j is refused by the API or rendered inert', async (word) => {
        const before = api.kv.keys().map((k) => `${k}=${api.kv.peek(k)}`);
        const reply = await api.request('PUT', `/api/v1/channels/${openChannel}/words`, {'Mattermost-User-Id': alice, 'Content-Type': 'application/json'}, JSON.stringify({words: [word]}));
        if (reply.status === 400) {
            refused++;
            // Only words with line breaks or control/format characters may be refused, and then nothing changed.
            expect(word.replace(/\u200d|\ufe0f/g, ''), reply.text).toMatch(/[\p{Cc}\p{Cf}\u2028\u2029]/u);
            expect(api.kv.keys().map((k) => `${k}=${api.kv.peek(k)}`)).toEqual(before);
            return;
        }
        expect(reply.status, reply.text).toBe(200);
        // A post with the word among more hostile text, through the real notifier.
        const text = `hey ${word} please @channel see [y](http://evil2.example.com) <b>x</b> **now**`;
        dms.length = 0;
        await notifier.onPosted(post(text));
        expect(dms.map((d) => d.to), 'one DM, to alice').toEqual([alice]);
        viaNotifier++;
        const message = dms[0]!.message;
        expectInert(message, word);
    });

    test('every word the API accepted alerted; it refused only the ones with line breaks or controls', () => {
        expect(viaNotifier + refused).toBe(hostileWords.length);
        expect(refused).toBeGreaterThanOrEqual(6);
    });
});

// Posts that try to make the excerpt do something: mentions, links, images, autolinks, HTML, entities, every
// kind of block, code, unbalanced and nested emphasis, controls, and constructs long enough to be cut.
const long = (open: string, close: string) => `${open}${'a '.repeat(150)}deploy @all${' b'.repeat(150)}${close}`;
const hostilePosts: Array<string | {message: string; props: Record<string, unknown>}> = [
    // mentions, channel links, hashtags
    '@all deploy', 'deploy @channel @here @alice', 'deploy ~town-square #hashtag', '@@all deploy', '\\@all deploy', 'deploy&#64;all &#x40;here',
    // links, images, autolinks, previews
    '[deploy](http://evil.example.com)', '[x](http://evil.example.com/deploy)', '![deploy](http://evil.example.com/a.png)', '![x](http://evil.example.com/deploy.png)',
    '[deploy][r]\n\n[r]: http://evil.example.com', '[deploy]\n\n[deploy]: http://evil.example.com "t"', '<http://evil.example.com/deploy>', '<x@evil.example.com> deploy',
    'deploy http://evil.example.com www.evil.example.com evil.example.com x@evil.example.com mailto:x@evil.example.com', '[x](javascript:alert(1)) deploy',
    '[x](<http://evil.example.com/a b> "t") deploy', '[[deploy](http://a.example.com)](http://b.example.com)', '![![deploy](http://a.example.com/i.png)](http://b.example.com)',
    // HTML and entities
    '<script>alert("deploy")</script>', '<img src=x onerror=alert(1)> deploy', '&lt;b&gt;deploy&lt;/b&gt; &amp;amp;', 'deploy <!-- x --> <a href="http://evil.example.com">x</a>',
    // blocks
    '# deploy\n## heading', '> deploy\n> > nested\n>\n> - list', '- deploy\n  - nested\n1. one\n2) two', '| deploy | b |\n|---|---|\n| ![x](http://evil.example.com/a.png) | @all |',
    'deploy\n===', 'deploy\n---', '---\ndeploy\n***', 'deploy\n\n\n\n\n@all', '+ deploy', '* deploy', '1. deploy\n\n    code @all',
    // code
    '```\ndeploy\n@all\n[x](http://evil.example.com)\n```', '~~~\ndeploy\n~~~', '```deploy\nx\n```', 'text\n\n    deploy indented @all', '`deploy` ``@all`` `[x](http://evil.example.com)`',
    '`deploy`` @all `', '``` deploy ```', '`@all` deploy `x`@here', 'deploy\n```\nunclosed @all [x](http://evil.example.com)',
    // emphasis
    '**deploy', 'deploy**', '*deploy _x* y_', '__deploy__ ~~gone', '***deploy***', '\\*deploy\\*', 'deploy\\', '_deploy_', 'x_deploy_y deploy', '~~~deploy~~~', '**a *deploy** b*',
    // controls and separators
    'deploy\u202Eevil\u202C', 'deploy\u0000\u0007x', 'deploy\u2028@all\u2029x', 'deploy\r\n\r\n\r\n@all', 'deploy\u200B@all',
    // long constructs, cut by the excerpt length
    long('*', '*'), long('**', '**'), long('~~', '~~'), long('`', '`'), long('[', '](http://evil.example.com)'), long('![', '](http://evil.example.com/a.png)'), long('```\n', '\n```'),
    `${'x'.repeat(300)} **deploy ${'y'.repeat(300)}** [z](http://evil.example.com)`,
    // the text fields of message attachments are searched and quoted too
    {message: 'see below', props: {attachments: [{title: '[deploy](http://evil.example.com)', text: '![x](http://evil.example.com/a.png) @all', fields: [{title: '# f', value: '> deploy'}]}]}},
];

describe('hostile posts in the alert DM', () => {
    beforeAll(async () => {
        const reply = await api.request('PUT', `/api/v1/channels/${openChannel}/words`, {'Mattermost-User-Id': alice, 'Content-Type': 'application/json'}, JSON.stringify({words: ['deploy']}));
        expect(reply.status, reply.text).toBe(200);
        serverMarkdown([]); // build the parser's program once (a cold Go build cache takes a while)
    });
    afterAll(() => {
        excerptLength = 200;
    });

    describe.each([20, 1000])('excerpt length %i', (length) => {
        test.each(hostilePosts.map((p) => [typeof p === 'string' ? p : JSON.stringify(p), p] as const))('%s', async (_name, p) => {
            excerptLength = length;
            dms.length = 0;
            await notifier.onPosted(typeof p === 'string' ? post(p) : post(p.message, p.props));
            expect(dms.map((d) => d.to), 'one DM, to alice').toEqual([alice]);
            const message = dms[0]!.message;
            const what = `post ${JSON.stringify(p)} gave:\n${message}`;
            expect(serverMentions(message), what).toEqual(['@bob']);
            const blocks = message.split('\n\n');
            expect(blocks.length, what).toBe(3);
            const [head, quote, link] = blocks as [string, string, string];
            expect(head, what).toBe(':bell: @bob mentioned `deploy` in **Town Square** (~town-square)');
            expectInertExcerpt(message, quote, link, what);
            // The word the alert is about shows, in bold.
            expect(quote.split('\n').flatMap((l) => boldTexts(l.slice(2))).some((b) => /deploy/i.test(b)), what).toBe(true);
        });
    });
});

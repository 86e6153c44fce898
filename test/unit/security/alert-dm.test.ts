// Trigger words that try to smuggle mentions, links, HTML, markdown, code fences or line breaks into
// the alert DM. Each word is set through the HTTP API (which may refuse it: then nothing is stored), a
// post containing it goes through the real Notifier, and the DM the bot would send is checked: its only
// mention is the author, its only link the permalink, its only formatting the template's own, and every
// word shows literally in its code span.
import type {Post} from '@mattermost/types/posts';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';

import {FloodControl} from '../../../server/alerts/flood.js';
import {codeSpan} from '../../../server/alerts/format.js';
import type {AlertsHost} from '../../../server/alerts/host.js';
import {Notifier} from '../../../server/alerts/notifier.js';
import {Snooze} from '../../../server/alerts/snooze.js';
import type {Log} from '../../../server/mattermost/logger.js';
import {alice, bob, fakeHost, openChannel, startApi, type ApiHarness} from '../fuzz/http_harness.js';

const ZWSP = '\u200B';
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

/** The mentions Mattermost's server finds in a message: code removed, words split on all but letters, digits and ". - _ : @". */
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

/** What a word shows as in one line: controls and bidi overrides removed, white space runs as one space. */
function oneLine(s: string): string {
    return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu, '').replace(/[\s\u0085]+/gu, ' ');
}

/** Splits `text` into code spans (CommonMark: a backtick run closed by a run of the same length) and the rest. */
function codeSpans(text: string): {spans: string[]; outside: string} {
    const spans: string[] = [];
    let outside = '';
    let i = 0;
    while (i < text.length) {
        if (text[i] !== '`') {
            outside += text[i++];
            continue;
        }
        const fence = /^`+/.exec(text.slice(i))![0];
        let j = i + fence.length;
        let close = -1;
        while (j < text.length) {
            const run = /^`+/.exec(text.slice(j));
            if (run) {
                if (run[0].length === fence.length) {
                    close = j;
                    break;
                }
                j += run[0].length;
            } else j++;
        }
        if (close < 0) {
            outside += fence;
            i += fence.length;
            continue;
        }
        let content = text.slice(i + fence.length, close);
        if (content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '') content = content.slice(1, -1);
        spans.push(content);
        outside += ' ';
        i = close + fence.length;
    }
    return {spans, outside};
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
    const {spans, outside} = codeSpans(listed);
    expect(spans.map((s) => s.replaceAll(ZWSP, '')), what).toEqual([oneLine(word).trim() === '' ? ' ' : oneLine(word.trim())]);
    expect(outside.trim(), what).toBe('');
    expect(listed, what).toBe(codeSpan(word.trim()));
    // The excerpt: one quoted line, escaped: no raw markdown, HTML, links, mentions, channel links, hashtags or domains.
    expect(quote.startsWith('> '), what).toBe(true);
    expect(quote, what).not.toMatch(/[\n\r\u2028\u2029]/);
    // The only unescaped markdown is the one "**" pair around the match.
    const body = quote.slice(2).replace(/(^|[^\\])\*\*(.+?[^\\])\*\*/, '$1$2');
    const unescaped = body.replace(/\\[\\`*_{}[\]()#+\-.!|~>]|\\(?=\w)/g, '');
    expect(unescaped, what).not.toMatch(/[`*_{}[\]()#+\-!|~>]/);
    expect(quote, what).not.toMatch(/</);
    expect(quote, what).not.toMatch(/&(?!lt;|amp;)/);
    expect(quote, what).not.toContain('://');
    expect(quote, what).not.toMatch(/www\./i);
    expect(quote, what).not.toMatch(/[@~#][\p{L}\p{N}]/u);
    expect(quote, what).not.toMatch(/\.[\p{L}\p{N}]/u);
    // The one link: the permalink.
    expect(link, what).toMatch(new RegExp(`^\\[Open the message\\]\\(${SITE.replace(/\./g, '\\.')}/acme/pl/[a-z0-9]+\\)$`));
    // Nothing outside code spans looks like a link, an autolink or HTML.
    const all = codeSpans(message).outside;
    expect(all.split('](').length, what).toBe(2);
    expect(all, what).not.toMatch(/<[a-z/!?]/i);
}

let api: ApiHarness;
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
        kv: api.kv,
        store: api.store,
        flood: new FloodControl(api.kv),
        snooze: new Snooze(api.kv),
        // One DM per word: flood control must not hold any back.
        settings: () => ({...api.settings, alertsPerMinute: 10_000}),
        botUserId: () => 'z'.repeat(26),
        siteURL: () => SITE,
    });
});
afterAll(() => api.close());

let seq = 0;
function post(message: string): Post {
    seq++;
    return {id: `p${seq}`.padEnd(26, 'x'), channel_id: openChannel, user_id: bob, message, type: '', props: {}, root_id: '', edit_at: 0, update_at: seq} as Post;
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

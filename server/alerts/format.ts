// The alert DM's text (Mattermost markdown), with everything user-controlled made inert. The excerpt is
// excerpt.ts's (the post as its reader saw it, every match in bold, written anew from the post's text);
// the rules below are the ones for the rest (the author, the channel, the words) and for excerpt.ts's text.
//
// What "inert" takes in Mattermost (webapp: a marked fork plus its own text formatting; mobile:
// commonmark; server: mention parsing on the raw message):
// - Markdown: the ASCII punctuation marked treats as syntax, and accepts a backslash escape for, is
//   backslash-escaped ("\*", "\[", "\_", ...; CommonMark accepts the same escapes);
//   "<" and "&" become entities (so no HTML and no "<http://...>" autolinks). Output is one line: white
//   space runs (line breaks included) become one space, so nothing can leave a blockquote or start a block.
// - Mentions: the server finds them by splitting the raw message on characters other than letters,
//   digits, ".", "-", "_", ":", "@" (a backslash is a separator, so "\@all" would still notify); the
//   webapp highlights them after markdown. A zero-width space (U+200B, not a letter) after "@" splits
//   "@all" into "@" + "all" for both. The same goes for "~channel" links and "#hashtags".
// - Links: a zero-width space goes after the ":" of "scheme://" and "scheme:x", and after a "." followed by
//   a letter or digit, so neither marked's GFM autolinks ("http://", "mailto:x", "www.", "example.com/")
//   nor a linkifier's bare "example.com" find a URL. (":rocket:" after a space still renders as an emoji.)
// - Not neutralised: "$...$" renders as math where inline LaTeX is enabled (off by default; KaTeX output
//   has no links), and emoticons like ":)" render as emoji. Both are harmless.
// - Code spans (codeSpan) are inert by themselves (the server strips them before looking for mentions);
//   only content with backticks, which confuses that stripping, also gets its "@" broken.
// - Control characters and bidirectional overrides are removed (no visual spoofing).

import {excerptLines} from './excerpt.js';
import {translator, type Translate} from './i18n.js';

export interface AlertInput {
    /** Matched words as the user typed them (every occurrence of each is highlighted in the excerpt). */
    words: string[];
    authorUsername: string;
    channel: {name: string; display_name: string; type: string /* 'O'|'P'|'D'|'G' */; teamName?: string};
    /** The searched text (markdown). */
    text: string;
    /** Where the excerpt is centred. */
    firstMatch: {index: number; length: number};
    /** Max characters of the excerpt. */
    excerptLength: number;
    /** URL of the post. */
    permalink: string;
    isReply: boolean;
    edited?: boolean;
    /** Alerts suppressed by flood control since the last DM. */
    suppressedCount?: number;
    /** The recipient's `user.locale`: the DM's own words are in it (English when absent or unknown). */
    locale?: string;
}

const ZWSP = '\u200B';
const ELLIPSIS = '…';
/** Words listed by name in one alert; the rest are counted. */
const MAX_WORDS_SHOWN = 5;

// C0/C1 controls other than tab/line feed/carriage return, and bidirectional formatting characters.
const UNSAFE_CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;
const WHITESPACE_RUN = /[\s\u0085]+/gu;

/** Controls removed, white space runs as single spaces. */
function oneLine(text: string): string {
    return text.replace(UNSAFE_CONTROLS, '').replace(WHITESPACE_RUN, ' ');
}

// Characters marked (Mattermost's fork, GFM) accepts a backslash escape for.
const BACKSLASH_ESCAPED = new Set('\\`*_{}[]()#+-.!|~>');
const ALNUM = /[\p{L}\p{N}]/u;
const ASCII_ALNUM = /[A-Za-z0-9]/;
// "scheme:x" is a URL to marked's GFM rule; ":rocket:" after a space is not.
const SCHEME_END = /[A-Za-z0-9.+-]/;
const ALNUM_OR_PERCENT = /[\p{L}\p{N}%]/u;

/**
 * `text` as inert inline Mattermost markdown: rendered, it reads as the same text (one line), without
 * formatting, links, HTML or mentions. See the file comment for the rules.
 */
export function escapeMarkdown(text: string): string {
    const s = oneLine(text);
    let out = '';
    for (let i = 0; i < s.length; i++) {
        const ch = s[i]!;
        const next = s[i + 1];
        if (ch === '<') out += '&lt;';
        else if (ch === '&') out += '&amp;';
        // marked reads "\\" as an escaped backslash only when no word character follows, and a backslash
        // before a letter or digit is literal everywhere: leave that one alone. (Not before "_", which is
        // escaped in turn: "\\_" would leave it bare to CommonMark.)
        else if (ch === '\\' && next !== undefined && ASCII_ALNUM.test(next)) out += ch;
        else if (BACKSLASH_ESCAPED.has(ch)) out += '\\' + ch;
        else out += ch;
        if (next === undefined) continue;
        if ((ch === '@' || ch === '~' || ch === '#') && next !== ' ') out += ZWSP;
        else if (ch === ':' && (next === '/' || (SCHEME_END.test(s[i - 1] ?? '') && ALNUM_OR_PERCENT.test(next)))) out += ZWSP;
        else if (ch === '.' && ALNUM.test(next)) out += ZWSP;
    }
    return out;
}

/** `text` in an inline code span, whatever backticks it contains (one line). */
export function codeSpan(text: string): string {
    let s = oneLine(text);
    let longest = 0;
    for (const run of s.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
    if (longest > 0) s = s.replace(/@(?=\S)/g, '@' + ZWSP);
    if (s === '') return '` `';
    const fence = '`'.repeat(longest + 1);
    // CommonMark strips one space from each side when both are there; pad when content touches a fence.
    const pad = s.startsWith('`') || s.endsWith('`') || (s.startsWith(' ') && s.endsWith(' ') && s.trim() !== '') ? ' ' : '';
    return fence + pad + s + pad + fence;
}

// ---- excerpt -------------------------------------------------------------------------------------------

interface ExcerptParts {
    cutStart: boolean;
    before: string;
    match: string;
    after: string;
    cutEnd: boolean;
}

const EXTENDER = /^[\p{M}\u200D\uFE00-\uFE0F\u{1F3FB}-\u{1F3FF}\u{E0020}-\u{E007F}]/u;

function isLowSurrogate(c: number): boolean {
    return c >= 0xdc00 && c <= 0xdfff;
}

/** Moves i forward to a character start that is not an extender (a combining mark, ZWJ, ...). */
function forwardToCluster(s: string, i: number): number {
    while (i < s.length && (isLowSurrogate(s.charCodeAt(i)) || EXTENDER.test(s.slice(i, i + 2)))) i++;
    return i;
}

/** Moves i backward so that s[i] starts a cluster (i itself is an exclusive end). */
function backToCluster(s: string, i: number): number {
    while (i > 0 && i < s.length && (isLowSurrogate(s.charCodeAt(i)) || EXTENDER.test(s.slice(i, i + 2)))) i--;
    return i;
}

function excerptParts(text: string, index: number, length: number, maxLength: number): ExcerptParts {
    let start = Math.min(Math.max(0, Math.trunc(index) || 0), text.length);
    let end = Math.min(text.length, start + Math.max(0, Math.trunc(length) || 0));
    if (start > 0 && isLowSurrogate(text.charCodeAt(start))) start--;
    if (end < text.length && isLowSurrogate(text.charCodeAt(end))) end++;
    const pre = oneLine(text.slice(0, start)).trimStart();
    const match = oneLine(text.slice(start, end));
    const post = oneLine(text.slice(end)).trimEnd();
    const max = Number.isFinite(maxLength) ? Math.max(0, Math.trunc(maxLength)) : 0;

    const room = max - match.length;
    if (pre.length + post.length <= room) return {cutStart: false, before: pre, match, after: post, cutEnd: false};
    if (room <= 0) return {cutStart: pre.length > 0, before: '', match, after: '', cutEnd: post.length > 0};

    // Share the room between both sides (what one side does not need goes to the other), with one
    // character for each "…" that a cut side needs.
    const share = (avail: number): [number, number] => {
        let left = Math.min(pre.length, Math.floor(avail / 2));
        const right = Math.min(post.length, avail - left);
        left = Math.min(pre.length, avail - right);
        return [left, right];
    };
    let [left, right] = share(room);
    const cuts = (left < pre.length ? 1 : 0) + (right < post.length ? 1 : 0);
    [left, right] = share(Math.max(0, room - cuts));
    const cutStart = left < pre.length;
    const cutEnd = right < post.length;

    let before = pre;
    if (cutStart) {
        const from = forwardToCluster(pre, pre.length - left);
        before = pre.slice(from);
        // Cut at a word boundary where there is one: drop the partial first word.
        if (from > 0 && pre[from - 1] !== ' ') {
            const space = before.indexOf(' ');
            if (space >= 0) before = before.slice(space + 1);
        }
        before = before.trimStart();
    }
    let after = post;
    if (cutEnd) {
        const to = backToCluster(post, right);
        after = post.slice(0, to);
        if (to < post.length && post[to] !== ' ') {
            const space = after.lastIndexOf(' ');
            if (space >= 0) after = after.slice(0, space);
        }
        after = after.trimEnd();
    }
    return {cutStart, before, match, after, cutEnd};
}

/**
 * A plain-text excerpt of `text` around [index, index + length): one line (white space runs as single
 * spaces), at most `maxLength` characters including the "…" marking each cut, cut between words where
 * there are spaces (else between characters, never inside one). The match is always kept whole, even when
 * it alone is longer than maxLength.
 */
export function excerptAround(text: string, index: number, length: number, maxLength: number): string {
    const p = excerptParts(text, index, length, maxLength);
    return (p.cutStart ? ELLIPSIS : '') + p.before + p.match + p.after + (p.cutEnd ? ELLIPSIS : '');
}

// ---- the alert --------------------------------------------------------------------------------------------

const USERNAME = /^[a-z0-9][a-z0-9._-]*$/i;
const SPECIAL_MENTIONS = new Set(['all', 'channel', 'here']);
const CHANNEL_NAME = /^[a-z0-9_-]+$/i;

function who(username: string, tr: Translate): string {
    if (USERNAME.test(username) && !SPECIAL_MENTIONS.has(username.toLowerCase())) return '@' + username;
    return escapeMarkdown(username === '' ? tr('dm.someone') : username);
}

function listWords(words: string[], tr: Translate): string {
    const shown = words.slice(0, MAX_WORDS_SHOWN).map(codeSpan);
    const more = words.length - shown.length;
    if (more > 0) return tr('dm.wordsLast', {words: shown.join(tr('dm.wordSeparator')), last: tr('dm.more', {count: more})});
    if (shown.length <= 1) return shown[0] ?? tr('dm.aTriggerWord');
    return tr('dm.wordsLast', {words: shown.slice(0, -1).join(tr('dm.wordSeparator')), last: shown.at(-1)!});
}

function where(channel: AlertInput['channel'], isReply: boolean, tr: Translate): string {
    if (channel.type === 'D') return tr(isReply ? 'dm.inDirectThread' : 'dm.inDirect');
    if (channel.type === 'G') return tr(isReply ? 'dm.inGroupThread' : 'dm.inGroup');
    const display = channel.display_name.trim() || channel.name;
    const name = escapeMarkdown(display);
    const link = CHANNEL_NAME.test(channel.name) ? ` (~${channel.name})` : '';
    return tr(isReply ? 'dm.inChannelThread' : 'dm.inChannel', {channel: `**${name}**${link}`});
}

function safeUrl(raw: string): string | undefined {
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        return undefined;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    return url.href.replace(/\(/g, '%28').replace(/\)/g, '%29');
}

/**
 * The alert DM, e.g.
 *
 *     :bell: @alice mentioned `deploy` in **Town Square** (~town-square)
 *
 *     > we will **deploy** the _new_ release tonight, see `npm run `**`deploy`**…
 *
 *     [Open the message](https://chat.example.com/team/pl/postid)
 *     _(2 more alerts were held back by the rate limit)_
 */
export function formatAlert(a: AlertInput): string {
    const tr = translator(a.locale);
    // One message per sentence, not pieces: word order differs by language ("… in **X** erwähnt").
    const sentence = tr(a.edited ? 'dm.edited' : 'dm.mentioned', {
        author: who(a.authorUsername, tr),
        words: listWords(a.words, tr),
        where: where(a.channel, a.isReply, tr),
    });
    const blocks: string[] = [`:bell: ${sentence}`];

    const excerpt = excerptLines(a.text, a.words, a.firstMatch, a.excerptLength);
    // Every line quoted, the empty ones too: nothing leaves the quote, and paragraphs stay apart.
    if (excerpt.length > 0) blocks.push(excerpt.map((line) => (line === '' ? '>' : `> ${line}`)).join('\n'));

    const lines: string[] = [];
    const url = safeUrl(a.permalink);
    if (url) lines.push(`[${tr(a.isReply ? 'dm.openReply' : 'dm.open')}](${url})`);
    const held = Math.trunc(a.suppressedCount ?? 0);
    if (held > 0) lines.push(`_(${tr('dm.heldBack', {count: held})})_`);
    if (lines.length > 0) blocks.push(lines.join('\n'));
    return blocks.join('\n\n');
}

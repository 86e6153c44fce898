// Checks on an alert DM's excerpt that hold whatever the post was: written from what Mattermost does
// with markdown (the server's mention parser, marked's escapes, CommonMark's code spans), not from
// excerpt.ts. The structural side (links, images, autolinks, blocks) is checked with the server's own
// parser, server_markdown.ts.
import type {ServerMarkdown} from './server_markdown.js';

export const ZWSP = '\u200B';
/** What stands for a code span in splitCode's "outside": neither white space nor a letter, like the span. */
export const CODE_SLOT = '\uFFFC';

/**
 * The mentions Mattermost's server would find in a message (its explicit-mention parser: code blocks and
 * inline code removed with its regular expressions, then words split on anything but letters, digits and
 * ". - _ : @").
 */
export function serverMentions(message: string): string[] {
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

/**
 * Text (a line, or a whole message) split into code spans (CommonMark: a backtick run closed by the next
 * run of the same length, backslash escapes honoured outside them) and the rest, where each span is
 * replaced by CODE_SLOT.
 */
export function splitCode(line: string): {spans: string[]; outside: string} {
    const spans: string[] = [];
    let outside = '';
    let i = 0;
    while (i < line.length) {
        if (line[i] === '\\' && i + 1 < line.length) {
            outside += line.slice(i, i + 2);
            i += 2;
            continue;
        }
        if (line[i] !== '`') {
            outside += line[i++];
            continue;
        }
        const fence = /^`+/.exec(line.slice(i))![0];
        let j = i + fence.length;
        let close = -1;
        while (j < line.length) {
            const run = /^`+/.exec(line.slice(j));
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
        let content = line.slice(i + fence.length, close);
        if (content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '') content = content.slice(1, -1);
        spans.push(content);
        outside += CODE_SLOT;
        i = close + fence.length;
    }
    return {spans, outside};
}

const ESCAPED = /\\[!-/:-@[-`{-~]/g;

/**
 * Problems with one quoted excerpt (the lines after "> "), as messages; [] when it is inert: nothing
 * outside code spans that markdown would read as anything but text and emphasis, emphasis markers in
 * balanced, nested pairs on each line with text right inside each, no mention, channel link, hashtag, URL
 * or domain for the server or the webapp to pick up.
 */
export function excerptProblems(quoteLines: readonly string[]): string[] {
    const problems: string[] = [];
    for (const [n, line] of quoteLines.entries()) {
        const say = (what: string) => problems.push(`line ${n + 1} ${JSON.stringify(line)}: ${what}`);
        if (/[\r\n\u2028\u2029]/.test(line)) say('line break inside a line');
        const {spans, outside} = splitCode(line);
        for (const span of spans) {
            if (/@(?!\u200B|\s|$)/.test(span)) say(`"@" inside code without a zero-width space: ${JSON.stringify(span)}`);
            if (span.includes('://')) say('a URL scheme inside code');
        }
        // Escaped characters are text: each becomes an "x" here (so does a backslash before a word
        // character, which no markdown reads as an escape).
        const text = outside.replace(ESCAPED, 'x').replace(/\\(?=\w)/g, 'x');
        const syntax = /[`[\]()!<>#|{}+\\-]/.exec(text);
        if (syntax) say(`unescaped ${JSON.stringify(syntax[0])}`);
        if (/&(?!lt;|amp;)/.test(outside)) say('an entity other than &lt; and &amp;');
        if (outside.includes('://') || /www\./i.test(outside)) say('a URL');
        // (Markers out, escaped characters as themselves.)
        const unescaped = outside.replace(/\\[!-/:-@[-`{-~]|~~|\*\*|_/g, (e) => (e.length === 2 && e[0] === '\\' ? e[1]! : ''));
        if (/[@~#][\p{L}\p{N}]/u.test(unescaped)) say('a mention, channel link or hashtag');
        if (/\.[\p{L}\p{N}]/u.test(unescaped)) say('a domain');
        // Emphasis: "**", "~~" and "_" only; the same marker closes the innermost open one; text right
        // inside each pair (an opener before a space, or a closer after one, is not emphasis).
        if (/[*~]/.test(text.replace(/\*\*|~~/g, ''))) say('a lone "*" or "~"');
        const stack: string[] = [];
        for (const m of text.matchAll(/\*\*|~~|_/g)) {
            const closing = stack[stack.length - 1] === m[0];
            const inside = closing ? text[m.index - 1] : text[m.index + m[0].length];
            if (inside === undefined || /\s/.test(inside)) say(`${m[0]} at ${m.index} with no text inside`);
            if (closing) stack.pop();
            else stack.push(m[0]);
        }
        if (stack.length > 0) say(`unbalanced emphasis ${JSON.stringify(stack)}`);
    }
    return problems;
}

/** The texts a line shows in bold (code inside them as its content). */
export function boldTexts(line: string): string[] {
    const {spans, outside} = splitCode(line);
    let k = 0;
    const marked = outside.replace(ESCAPED, 'x').replace(new RegExp(CODE_SLOT, 'g'), () => `\u0001${k++}\u0001`);
    return (marked.match(/\*\*.+?\*\*/g) ?? []).map((b) => b.replace(/\u0001(\d+)\u0001/g, (_, n: string) => spans[Number(n)]!.replaceAll(ZWSP, '')));
}

/** What a reader sees of a quoted excerpt line: code as its content; markers, escapes, entities and zero-width spaces resolved. */
export function visible(line: string): string {
    let out = '';
    let i = 0;
    while (i < line.length) {
        const c = line[i]!;
        if (c === '\\' && i + 1 < line.length && /[!-/:-@[-`{-~]/.test(line[i + 1]!)) {
            out += line[i + 1];
            i += 2;
        } else if (c === '`') {
            const {spans} = splitCode(line.slice(i));
            const fence = /^`+/.exec(line.slice(i))![0];
            const close = line.indexOf(fence, i + fence.length);
            if (spans.length > 0 && close > 0 && splitCode(line.slice(i)).outside.startsWith(CODE_SLOT)) {
                out += spans[0]!.replaceAll(ZWSP, '');
                i = close + fence.length;
            } else {
                out += fence;
                i += fence.length;
            }
        } else if (line.startsWith('**', i) || line.startsWith('~~', i)) {
            i += 2;
        } else if (c === '_') {
            i++;
        } else if (line.startsWith('&lt;', i)) {
            out += '<';
            i += 4;
        } else if (line.startsWith('&amp;', i)) {
            out += '&';
            i += 5;
        } else {
            out += c === ZWSP ? '' : c;
            i++;
        }
    }
    return out;
}

/** Problems the server's own parser finds in a whole DM: links other than the permalink, images, autolinks, excerpt text outside the quote. */
export function serverProblems(dm: ServerMarkdown, permalink: string): string[] {
    const problems: string[] = [];
    const top = dm.nodes.filter((n) => n.path.split('/').length === 2).map((n) => n.path);
    if (top.join(',') !== 'Document/Paragraph,Document/BlockQuote,Document/Paragraph') problems.push(`blocks ${JSON.stringify(top)}`);
    for (const n of dm.nodes) {
        const type = n.path.split('/').pop()!;
        if (/Image$/.test(type)) problems.push(`an image ${n.dest}`);
        if (type === 'Autolink') problems.push(`an autolink ${n.dest}`);
        if (type === 'ReferenceLink') problems.push(`a reference link ${n.dest}`);
        if (type === 'InlineLink' && !(n.path === 'Document/Paragraph/InlineLink' && n.dest === permalink)) problems.push(`a link ${n.dest} at ${n.path}`);
        if (n.path.startsWith('Document/BlockQuote/') && !/^Document\/BlockQuote\/Paragraph(\/(Text|CodeSpan|SoftLineBreak|HardLineBreak|Emoji))?$/.test(n.path)) {
            problems.push(`${n.path} inside the quote`);
        }
    }
    if (/<(a|img)\b/i.test(dm.html.replace(/^[\s\S]*?<\/p>/, '').replace(/<p><a href="[^"]*">Open the (message|reply in its thread)<\/a>[\s\S]*$/, ''))) problems.push('a link or an image in the HTML');
    return problems;
}

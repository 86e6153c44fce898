// The alert's excerpt: the part of the post around the first match, shown as its reader saw it (bold,
// italics, strikethrough, inline code, code blocks, the text of links and images, one line per line) with
// every occurrence of the matched words in bold, as Mattermost markdown that can do nothing but show text.
//
// The post is not copied: it is read into characters with a style each (a small reading of CommonMark:
// code fences and indented code, block quotes, lists, headings, tables, thematic breaks; code spans,
// backslash escapes, entities, autolinks, links and images with inline or reference destinations, and
// emphasis by CommonMark's delimiter algorithm), the window is cut from those characters, and the
// markdown is written anew from them. So whatever the post contains, the excerpt's only markdown is its
// own, and every construct in it is opened and closed on the same line: a cut can drop formatting, never
// leave a marker open for what follows.
//
// Written anew, per line, after "> ":
// - text with every character markdown could read as syntax backslash-escaped, "<" and "&" as entities,
//   and a zero-width space after "@", "~" and "#" (no mention, channel link or hashtag), after the ":" of
//   "scheme:" / "://" and after a "." before a letter or digit (no autolinked URL, so no link preview);
// - bold "**", italic "_", strikethrough "~~", each pair checked against CommonMark's flanking rules
//   where it lands (with and without symbols as punctuation, as parsers differ): a bold marker that would
//   not be read gets a hair space outside it, any other pair that would not be read is left out (its
//   text shows plainly; "_" cannot italicise inside a word);
// - code (spans and the lines of code blocks) as code spans, with a zero-width space after "@" and in
//   "://" inside them too: Mattermost's server looks for mentions after removing code with a regular
//   expression that does not know escapes, and this keeps a misjudged span harmless. A matched word
//   inside code is highlighted by closing the span, bolding the word as its own span and reopening:
//   "`npm run `**`deploy`**";
// - link and image texts as plain text (no link, no image, nothing to preview); the destination only when
//   a match is in it (the reader would not find the match otherwise), as inert text in parentheses;
// - headings, list items, quotes and table rows as their text (a list item keeps "•" or its number, a
//   table its escaped "|"); code fences, thematic breaks, table delimiter rows and reference
//   definitions are not shown unless a match is on them (then as plain text).
// Not rendered: HTML (shown as text, as Mattermost shows it), constructs spanning several lines
// (emphasis or a link across a line break: shown as text), nested link semantics, and "$…$" math.

import {findAllOccurrences} from './matcher.js';

const BOLD = 1;
const ITALIC = 2;
const STRIKE = 4;
const CODE = 8;
const EMPHASES = [BOLD, ITALIC, STRIKE] as const;
const MARKER: Record<number, string> = {[BOLD]: '**', [ITALIC]: '_', [STRIKE]: '~~'};

/** One character of the post as shown: a code point (or a line break "\n" between lines). */
interface Atom {
    ch: string;
    /** Where it comes from in the post (for highlighting), -1 for what the excerpt adds ("•"). */
    src: number;
    style: number;
}

interface Range {
    index: number;
    length: number;
}

const ZWSP = '\u200B';
const ELLIPSIS = '…';

// C0/C1 controls other than tab/line feed/carriage return, and bidirectional formatting characters.
const UNSAFE_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
const WHITESPACE = /^[\s\u0085]$/u;
const ASCII_PUNCT = /^[!-/:-@[-`{-~]$/;
const PUNCT_OR_SYMBOL = /^[\p{P}\p{S}]$/u;
const PUNCT_ONLY = /^\p{P}$/u;
const EXTENDER = /^[\p{M}\u200D\uFE00-\uFE0F\u{1F3FB}-\u{1F3FF}\u{E0020}-\u{E007F}]$/u;

// ---- blocks --------------------------------------------------------------------------------------------

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const QUOTE_PREFIX = /^ {0,3}> ?/;
const BULLET = /^ {0,3}[-+*](?:[ \t]+|$)/;
const ORDERED = /^ {0,3}(\d{1,9}[.)])(?:[ \t]+|$)/;
const HEADING = /^ {0,3}#{1,6}(?:[ \t]+|$)/;
const HEADING_CLOSE = /[ \t]+#+[ \t]*$/;
const THEMATIC_OR_SETEXT = /^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){2,}|(?:_[ \t]*){3,}|=+[ \t]*)$/;
const TABLE_DELIMITER = /^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const DEFINITION = /^ {0,3}\[((?:[^\\[\]]|\\.){1,999})\]:/;
const INDENTED = /^(?: {4}|\t)/;

type LineKind = 'text' | 'code' | 'blank' | 'hidden';

interface SourceLine {
    text: string;
    /** The end of the inline content (before a heading's closing "#"s). */
    to: number;
    /** Offset of text[0] in the post. */
    at: number;
    kind: LineKind;
    /** For code lines: where the code starts in text; for text lines: where the inline content starts. */
    from: number;
    /** What the excerpt shows before a list item's text ("• ", "1. "). */
    prefix: string;
}

function splitLines(text: string): Array<{text: string; at: number}> {
    const out: Array<{text: string; at: number}> = [];
    const re = /\r\n|\r|\n/g;
    let at = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        out.push({text: text.slice(at, m.index), at});
        at = m.index + m[0].length;
    }
    out.push({text: text.slice(at), at});
    return out;
}

function normalizeLabel(label: string): string {
    return label.trim().replace(/[\s\u0085]+/gu, ' ').toLowerCase();
}

/** Each line's kind, with the block markup in front of its text (quotes, list markers, headings) skipped. */
function readBlocks(text: string): {lines: SourceLine[]; labels: Set<string>} {
    const labels = new Set<string>();
    const lines: SourceLine[] = [];
    let fence: {ch: string; length: number} | null = null;
    let prev: LineKind = 'blank';
    for (const {text: line, at} of splitLines(text)) {
        const base = {text: line, at, from: 0, to: line.length, prefix: ''};
        if (fence) {
            const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
            if (close && close[1]![0] === fence.ch && close[1]!.length >= fence.length) {
                fence = null;
                lines.push({...base, kind: 'hidden'});
            } else {
                lines.push({...base, kind: 'code'});
            }
            continue;
        }
        const open = FENCE.exec(line);
        if (open && !(open[1]![0] === '`' && open[2]!.includes('`'))) {
            fence = {ch: open[1]![0]!, length: open[1]!.length};
            lines.push({...base, kind: 'hidden'});
            prev = 'hidden';
            continue;
        }
        if (line.trim() === '') {
            lines.push({...base, kind: 'blank'});
            prev = 'blank';
            continue;
        }
        if (INDENTED.test(line) && (prev === 'blank' || prev === 'code')) {
            lines.push({...base, kind: 'code', from: line.startsWith('\t') ? 1 : 4});
            prev = 'code';
            continue;
        }
        const definition = DEFINITION.exec(line);
        if (definition) labels.add(normalizeLabel(definition[1]!));
        if (definition || THEMATIC_OR_SETEXT.test(line) || (line.includes('-') && line.includes('|') && TABLE_DELIMITER.test(line))) {
            lines.push({...base, kind: 'hidden'});
            prev = 'text';
            continue;
        }
        // Container and leaf markers, as deep as they are nested ("> - # x").
        let from = 0;
        let to = line.length;
        let prefix = '';
        for (let round = 0; round < 16; round++) {
            const rest = line.slice(from);
            const quote = QUOTE_PREFIX.exec(rest);
            if (quote) {
                from += quote[0].length;
                continue;
            }
            const bullet = BULLET.exec(rest);
            if (bullet) {
                prefix = '• ';
                from += bullet[0].length;
                continue;
            }
            const ordered = ORDERED.exec(rest);
            if (ordered) {
                prefix = `${ordered[1]} `;
                from += ordered[0].length;
                continue;
            }
            const heading = HEADING.exec(rest);
            if (heading) {
                const close = HEADING_CLOSE.exec(rest);
                if (close && close.index >= heading[0].length) to = from + close.index;
                from += heading[0].length;
            }
            break;
        }
        lines.push({...base, kind: 'text', from, to, prefix});
        prev = 'text';
    }
    return {lines, labels};
}

// ---- inline content ------------------------------------------------------------------------------------

/** A run of "*", "_" or "~~" that may open or close emphasis, while the line is read. */
interface Delimiter {
    kind: 'delim';
    ch: string;
    src: number;
    length: number;
    /** Its characters not used by emphasis: [lo, hi) of the run. */
    lo: number;
    hi: number;
    canOpen: boolean;
    canClose: boolean;
    style: number;
}

type Item = Atom | Delimiter;

function isDelimiter(x: Item): x is Delimiter {
    return (x as Delimiter).kind === 'delim';
}

function isWs(ch: string): boolean {
    return ch === '' || WHITESPACE.test(ch);
}

function isPunct(ch: string, withSymbols: boolean): boolean {
    return ch !== '' && (ASCII_PUNCT.test(ch) || (withSymbols ? PUNCT_OR_SYMBOL : PUNCT_ONLY).test(ch));
}

/** CommonMark's left- and right-flanking, for a delimiter run between prev and next ('' = line edge). */
function flanking(prev: string, next: string, withSymbols: boolean): {left: boolean; right: boolean} {
    const left = !isWs(next) && (!isPunct(next, withSymbols) || isWs(prev) || isPunct(prev, withSymbols));
    const right = !isWs(prev) && (!isPunct(prev, withSymbols) || isWs(next) || isPunct(next, withSymbols));
    return {left, right};
}

function codePointAt(s: string, i: number): string {
    return String.fromCodePoint(s.codePointAt(i)!);
}

function charBefore(s: string, i: number): string {
    if (i <= 0) return '';
    const lo = s.charCodeAt(i - 1);
    if (lo >= 0xdc00 && lo <= 0xdfff && i >= 2) {
        const hi = s.charCodeAt(i - 2);
        if (hi >= 0xd800 && hi <= 0xdbff) return s.slice(i - 2, i);
    }
    return s[i - 1]!;
}

const NAMED_ENTITIES: Record<string, string> = {amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00A0'};
const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos|nbsp));/y;
const AUTOLINK = /<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\u0000-\u0020]*|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)>/y;

/** Where each backtick run that opens a code span closes (CommonMark: at the next run of the same length). */
function codeSpans(s: string, from: number, to: number): Map<number, number> {
    const runs: Array<[number, number]> = [];
    for (let i = from; i < to; ) {
        if (s[i] === '\\' && s[i + 1] === '`' && i + 1 < to) {
            i += 2; // an escaped backtick outside code opens nothing
            continue;
        }
        if (s[i] !== '`') {
            i++;
            continue;
        }
        let j = i;
        while (j < to && s[j] === '`') j++;
        runs.push([i, j - i]);
        i = j;
    }
    // For each run, the next run of the same length (linear: one pass from the end).
    const nextSame = new Int32Array(runs.length).fill(-1);
    const last = new Map<number, number>();
    for (let k = runs.length - 1; k >= 0; k--) {
        nextSame[k] = last.get(runs[k]![1]) ?? -1;
        last.set(runs[k]![1], k);
    }
    const spans = new Map<number, number>();
    for (let k = 0; k < runs.length; ) {
        const close = nextSame[k]!;
        if (close < 0) {
            k++; // no closer: literal backticks; the runs after it may still pair
            continue;
        }
        spans.set(runs[k]![0], runs[close]![0]);
        k = close + 1;
    }
    return spans;
}

/** Where each "[" that has a matching "]" (outside code spans and escapes) closes. */
function brackets(s: string, from: number, to: number, spans: Map<number, number>): Map<number, number> {
    const match = new Map<number, number>();
    const open: number[] = [];
    for (let i = from; i < to; i++) {
        const c = s[i];
        if (c === '\\') i++;
        else if (c === '`' && spans.has(i)) {
            const end = spans.get(i)!;
            let j = end;
            while (j < to && s[j] === '`') j++;
            i = j - 1;
        } else if (c === '[') open.push(i);
        else if (c === ']' && open.length > 0) match.set(open.pop()!, i);
    }
    return match;
}

/** Longest destination plus title read (a longer one is shown as text): keeps "[a](" repeated linear. */
const MAX_DESTINATION = 2048;

/** An inline destination and title after "(" at i: the index after ")" and the destination's range, or null. */
function inlineDestination(s: string, i: number, limit: number): {end: number; dest: [number, number]} | null {
    const to = Math.min(limit, i + MAX_DESTINATION);
    let j = i;
    while (j < to && (s[j] === ' ' || s[j] === '\t')) j++;
    let dest: [number, number];
    if (s[j] === '<') {
        const k = s.indexOf('>', j + 1);
        if (k < 0 || k >= to || s.slice(j + 1, k).includes('<')) return null;
        dest = [j + 1, k];
        j = k + 1;
    } else {
        const start = j;
        let depth = 0;
        while (j < to) {
            const c = s[j]!;
            if (c === '\\' && j + 1 < to) {
                j += 2;
                continue;
            }
            if (c === ' ' || c === '\t' || c.charCodeAt(0) < 0x20) break;
            if (c === '(') depth++;
            else if (c === ')') {
                if (depth === 0) break;
                depth--;
            }
            j++;
        }
        if (depth !== 0) return null;
        dest = [start, j];
    }
    const beforeTitle = j;
    while (j < to && (s[j] === ' ' || s[j] === '\t')) j++;
    const q = s[j];
    if (j > beforeTitle && (q === '"' || q === "'" || q === '(')) {
        const close = q === '(' ? ')' : q;
        let k = j + 1;
        while (k < to && s[k] !== close) k += s[k] === '\\' ? 2 : 1;
        if (k >= to) return null;
        j = k + 1;
        while (j < to && (s[j] === ' ' || s[j] === '\t')) j++;
    }
    if (s[j] !== ')') return null;
    return {end: j + 1, dest};
}

interface InlineContext {
    s: string;
    /** Offset of s[0] in the post. */
    at: number;
    labels: Set<string>;
    marks: Marks;
    spans: Map<number, number>;
    brackets: Map<number, number>;
}

/** For each UTF-16 unit of the post, 1 if a match covers it. */
type Marks = Uint8Array;

function marksOf(ranges: readonly Range[], length: number): Marks {
    const marks = new Uint8Array(length);
    for (const r of ranges) marks.fill(1, Math.max(0, r.index), Math.min(length, r.index + r.length));
    return marks;
}

function marked(marks: Marks, from: number, to: number): boolean {
    for (let k = Math.max(0, from); k < to && k < marks.length; k++) if (marks[k]) return true;
    return false;
}

const MAX_LINK_NESTING = 8;

/** The atoms of s[from, to) as inline markdown (see the file comment for what is read). */
function readInline(cx: InlineContext, from: number, to: number, depth = 0): Atom[] {
    const {s, at} = cx;
    const items: Item[] = [];
    const text = (ch: string, i: number) => items.push({ch, src: at + i, style: 0});
    let i = from;
    while (i < to) {
        const c = s[i]!;
        if (c === '\\' && i + 1 < to && ASCII_PUNCT.test(s[i + 1]!)) {
            text(s[i + 1]!, i + 1);
            i += 2;
            continue;
        }
        if (c === '\\' && i + 1 === to) break; // a hard line break
        if (c === '`') {
            let j = i;
            while (j < to && s[j] === '`') j++;
            const close = cx.spans.get(i);
            if (close === undefined) {
                for (let k = i; k < j; k++) text('`', k);
                i = j;
                continue;
            }
            let content = s.slice(j, close).replace(/[\r\n]/g, ' ');
            let skip = 0;
            if (content.length > 2 && content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '') {
                content = content.slice(1, -1);
                skip = 1;
            }
            for (let k = 0; k < content.length; ) {
                const ch = codePointAt(content, k);
                items.push({ch, src: at + j + skip + k, style: CODE});
                k += ch.length;
            }
            i = close + (j - i);
            continue;
        }
        if (c === '&') {
            ENTITY.lastIndex = i;
            const m = ENTITY.exec(s);
            if (m && m.index + m[0].length <= to) {
                const cp = m[1] !== undefined ? Number(m[1]) : m[2] !== undefined ? parseInt(m[2], 16) : -1;
                const ch = m[3] !== undefined ? NAMED_ENTITIES[m[3]]! : cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '\uFFFD';
                text(ch, i);
                i += m[0].length;
                continue;
            }
        }
        if (c === '<') {
            AUTOLINK.lastIndex = i;
            const m = AUTOLINK.exec(s);
            if (m && m.index + m[0].length <= to) {
                for (let k = 0; k < m[1]!.length; ) {
                    const ch = codePointAt(m[1]!, k);
                    text(ch, i + 1 + k);
                    k += ch.length;
                }
                i += m[0].length;
                continue;
            }
        }
        const image = c === '!' && s[i + 1] === '[';
        if ((c === '[' || image) && depth < MAX_LINK_NESTING) {
            const open = image ? i + 1 : i;
            const close = cx.brackets.get(open);
            if (close !== undefined && close < to) {
                const link = readLink(cx, open, close, to);
                if (link) {
                    for (const a of readInline(cx, open + 1, close, depth + 1)) items.push(a);
                    if (link.dest && marked(cx.marks, at + link.dest[0], at + link.dest[1])) {
                        // The match is in the destination: show it, as text.
                        items.push({ch: ' ', src: -1, style: 0}, {ch: '(', src: -1, style: 0});
                        for (let k = link.dest[0]; k < link.dest[1]; ) {
                            const ch = codePointAt(s, k);
                            text(ch, k);
                            k += ch.length;
                        }
                        items.push({ch: ')', src: -1, style: 0});
                    }
                    i = link.end;
                    continue;
                }
            }
        }
        if (c === '*' || c === '_' || c === '~') {
            let j = i;
            while (j < to && s[j] === c) j++;
            const prev = charBefore(s, i);
            const next = j < to ? codePointAt(s, j) : '';
            const {left, right} = flanking(prev, next, true);
            let canOpen = left;
            let canClose = right;
            if (c === '_') {
                canOpen = left && (!right || isPunct(prev, true));
                canClose = right && (!left || isPunct(next, true));
            }
            if (c === '~' && j - i !== 2) canOpen = canClose = false; // Mattermost strikes through "~~x~~" only
            items.push({kind: 'delim', ch: c, src: at + i, length: j - i, lo: 0, hi: j - i, canOpen, canClose, style: 0});
            i = j;
            continue;
        }
        const ch = codePointAt(s, i);
        text(ch, i);
        i += ch.length;
    }
    processEmphasis(items);
    const atoms: Atom[] = [];
    for (const x of items) {
        if (!isDelimiter(x)) {
            atoms.push(x);
            continue;
        }
        for (let k = x.lo; k < x.hi; k++) atoms.push({ch: x.ch, src: x.src + k, style: x.style});
    }
    return atoms;
}

function readLink(cx: InlineContext, open: number, close: number, to: number): {end: number; dest?: [number, number]} | null {
    const s = cx.s;
    if (s[close + 1] === '(') {
        const d = inlineDestination(s, close + 2, to);
        if (d) return d;
    }
    if (s[close + 1] === '[') {
        const end = s.indexOf(']', close + 2);
        if (end >= 0 && end < to) {
            const label = end === close + 2 ? s.slice(open + 1, close) : s.slice(close + 2, end);
            if (cx.labels.has(normalizeLabel(label))) return {end: end + 1};
        }
    }
    if (cx.labels.has(normalizeLabel(s.slice(open + 1, close)))) return {end: close + 1};
    return null;
}

/** CommonMark's "process emphasis": pairs delimiter runs and styles what lies between each pair. */
function processEmphasis(items: Item[]): void {
    const bottoms = new Map<string, number>();
    for (let ci = 0; ci < items.length; ci++) {
        const closer = items[ci]!;
        if (!isDelimiter(closer) || !closer.canClose) continue;
        while (closer.hi > closer.lo) {
            const key = `${closer.ch}${closer.canOpen ? 1 : 0}${closer.length % 3}`;
            const bottom = bottoms.get(key) ?? -1;
            let oi = ci - 1;
            for (; oi > bottom; oi--) {
                const o = items[oi]!;
                if (!isDelimiter(o) || o.ch !== closer.ch || !o.canOpen || o.hi === o.lo) continue;
                // The rule of 3, for runs that can both open and close.
                if ((o.canClose || closer.canOpen) && (o.length + closer.length) % 3 === 0 && !(o.length % 3 === 0 && closer.length % 3 === 0)) continue;
                break;
            }
            if (oi <= bottom) {
                bottoms.set(key, ci - 1);
                if (!closer.canOpen) closer.canClose = false;
                break;
            }
            const opener = items[oi] as Delimiter;
            const use = closer.ch === '~' ? 2 : opener.hi - opener.lo >= 2 && closer.hi - closer.lo >= 2 ? 2 : 1;
            const bit = closer.ch === '~' ? STRIKE : use === 2 ? BOLD : ITALIC;
            for (let k = oi + 1; k < ci; k++) {
                const x = items[k]!;
                x.style |= bit;
                // Delimiters inside a pair can no longer pair with anything outside it.
                if (isDelimiter(x)) x.canOpen = x.canClose = false;
            }
            opener.hi -= use;
            closer.lo += use;
        }
    }
}

// ---- the window ----------------------------------------------------------------------------------------

/** A line's atoms ([] for a blank line), or null for a line the reader did not see. */
function lineAtoms(line: SourceLine, labels: Set<string>, marks: Marks): Atom[] | null {
    const s = line.text;
    if (line.kind === 'blank') return [];
    if (line.kind === 'hidden' && !marked(marks, line.at, line.at + s.length)) return null;
    if (line.kind === 'code' || line.kind === 'hidden') {
        const style = line.kind === 'code' ? CODE : 0;
        const atoms: Atom[] = [];
        for (let k = line.from; k < s.length; ) {
            const ch = codePointAt(s, k);
            atoms.push({ch: ch === '\t' ? ' ' : ch, src: line.at + k, style});
            k += ch.length;
        }
        return atoms;
    }
    const spans = codeSpans(s, line.from, line.to);
    const cx: InlineContext = {s, at: line.at, labels, marks, spans, brackets: brackets(s, line.from, line.to, spans)};
    const prefix: Atom[] = [...line.prefix].map((ch) => ({ch, src: -1, style: 0}));
    return [...prefix, ...readInline(cx, line.from, line.to)];
}

const NEWLINE = '\n';

function isSpaceAtom(a: Atom | undefined): boolean {
    return a !== undefined && !(a.style & CODE) && (a.ch === ' ' || WHITESPACE.test(a.ch));
}

/** White space or a line break, in code too: where a cut may fall. */
function isGap(a: Atom | undefined): boolean {
    return a !== undefined && (a.ch === NEWLINE || WHITESPACE.test(a.ch));
}

/** The lines' atoms, one after the other, with "\n" atoms between lines (blank lines as one empty line). */
function flatten(lines: Atom[][]): Atom[] {
    const out: Atom[] = [];
    let blank = false;
    for (const atoms of lines) {
        // White space runs in text as one space, none at a line's ends.
        const line: Atom[] = [];
        for (const a of atoms) {
            if (UNSAFE_CONTROL.test(a.ch)) continue;
            if (a.style & CODE) {
                // Code keeps its spaces, but as spaces: no line or paragraph separator inside a line.
                line.push(a.ch !== ' ' && WHITESPACE.test(a.ch) ? {...a, ch: ' '} : a);
                continue;
            }
            const ws = WHITESPACE.test(a.ch);
            if (ws && (line.length === 0 || isSpaceAtom(line[line.length - 1]))) continue;
            line.push(ws ? {...a, ch: ' '} : a);
        }
        while (isSpaceAtom(line[line.length - 1])) line.pop();
        if (line.length === 0) {
            blank = out.length > 0;
            continue;
        }
        if (out.length > 0) {
            out.push({ch: NEWLINE, src: -1, style: 0});
            if (blank) out.push({ch: NEWLINE, src: -1, style: 0});
        }
        blank = false;
        for (const a of line) out.push(a);
    }
    return out;
}

function units(atoms: readonly Atom[], from: number, to: number): number {
    let n = 0;
    for (let k = from; k < to; k++) n += atoms[k]!.ch.length;
    return n;
}

function isExtender(a: Atom | undefined): boolean {
    return a !== undefined && EXTENDER.test(a.ch);
}

/**
 * The atoms to show: the focus whole, then as much on both sides as maxLength allows (in UTF-16 units,
 * a line break as one, with one unit for each "…"), cut between words where there are spaces and never
 * inside a character's cluster.
 */
function window(atoms: Atom[], focus: Range, maxLength: number): {atoms: Atom[]; cutStart: boolean; cutEnd: boolean} {
    const fEnd = focus.index + Math.max(0, focus.length);
    let fs = atoms.findIndex((a) => a.src >= focus.index && a.src < Math.max(fEnd, focus.index + 1));
    let fe = fs;
    if (fs < 0) {
        fs = atoms.findIndex((a) => a.src >= focus.index);
        if (fs < 0) fs = atoms.length;
        fe = fs;
    } else {
        for (let k = fs; k < atoms.length; k++) if (atoms[k]!.src >= focus.index && atoms[k]!.src < fEnd) fe = k + 1;
    }
    while (fe < atoms.length && isExtender(atoms[fe])) fe++;
    while (fs > 0 && isExtender(atoms[fs])) fs--;
    const max = Number.isFinite(maxLength) ? Math.max(0, Math.trunc(maxLength)) : 0;
    const preLen = units(atoms, 0, fs);
    const postLen = units(atoms, fe, atoms.length);
    const room = max - units(atoms, fs, fe);
    if (preLen + postLen <= room) return {atoms, cutStart: false, cutEnd: false};
    if (room <= 0) return {atoms: atoms.slice(fs, fe), cutStart: fs > 0, cutEnd: fe < atoms.length};
    const share = (avail: number): [number, number] => {
        let left = Math.min(preLen, Math.floor(avail / 2));
        const right = Math.min(postLen, avail - left);
        left = Math.min(preLen, avail - right);
        return [left, right];
    };
    let [left, right] = share(room);
    const cuts = (left < preLen ? 1 : 0) + (right < postLen ? 1 : 0);
    [left, right] = share(Math.max(0, room - cuts));
    let start = fs;
    for (let n = 0; start > 0 && n + atoms[start - 1]!.ch.length <= left; start--) n += atoms[start - 1]!.ch.length;
    let end = fe;
    for (let n = 0; end < atoms.length && n + atoms[end]!.ch.length <= right; end++) n += atoms[end]!.ch.length;
    while (start < fs && isExtender(atoms[start])) start++;
    while (end > fe && isExtender(atoms[end])) end--;
    const cutStart = start > 0;
    const cutEnd = end < atoms.length;
    // Between words (in code too) where there is a space or a line break on the cut side.
    if (cutStart && !isGap(atoms[start - 1])) {
        for (let k = start; k < fs; k++) {
            if (isGap(atoms[k])) {
                start = k + 1;
                break;
            }
        }
    }
    if (cutEnd && !isGap(atoms[end])) {
        for (let k = end - 1; k >= fe; k--) {
            if (isGap(atoms[k])) {
                end = k;
                break;
            }
        }
    }
    while (start < fs && isGap(atoms[start])) start++;
    while (end > fe && isGap(atoms[end - 1])) end--;
    return {atoms: atoms.slice(start, end), cutStart, cutEnd};
}

// ---- writing markdown ----------------------------------------------------------------------------------

// Characters Mattermost's markdown (marked, GFM; CommonMark accepts the same) reads as syntax and takes a
// backslash escape for.
const BACKSLASH_ESCAPED = new Set('\\`*_{}[]()#+-.!|~>');
const ALNUM = /^[\p{L}\p{N}]$/u;
const ASCII_ALNUM = /^[A-Za-z0-9]$/;
const SCHEME_END = /^[A-Za-z0-9.+-]$/;
const ALNUM_OR_PERCENT = /^[\p{L}\p{N}%]$/u;

/**
 * A text character as inert markdown, given the characters around it as text (see the file comment) and
 * the character the markdown goes on with (a marker's or a code span's, after the last one of a run).
 */
function escapeChar(ch: string, prev: string, next: string, nextOut = next): string {
    let out: string;
    if (ch === '<') out = '&lt;';
    else if (ch === '&') out = '&amp;';
    // A backslash before a letter or digit is literal everywhere (and "\\" there would show two to some
    // readers); before anything else, "_" included (which is escaped in turn), it is escaped.
    else if (ch === '\\' && ASCII_ALNUM.test(nextOut)) out = ch;
    else if (BACKSLASH_ESCAPED.has(ch)) out = '\\' + ch;
    else out = ch;
    if (next === '' || next === ' ') return out;
    if (ch === '@' || ch === '~' || ch === '#') return out + ZWSP;
    if (ch === ':' && (next === '/' || (SCHEME_END.test(prev) && ALNUM_OR_PERCENT.test(next)))) return out + ZWSP;
    if (ch === '.' && ALNUM.test(next)) return out + ZWSP;
    return out;
}

/** Code as one code span that nothing can end early (see the file comment). */
function codeSpanOf(code: string): string {
    let s = code.replace(/@(?=\S)/g, '@' + ZWSP).replace(/:\/\//g, ':' + ZWSP + '//');
    let longest = 0;
    for (const run of s.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
    if (s === '') s = ' ';
    const fence = '`'.repeat(longest + 1);
    const pad = s.startsWith('`') || s.endsWith('`') || (s.startsWith(' ') && s.endsWith(' ') && s.trim() !== '') ? ' ' : '';
    return fence + pad + s + pad + fence;
}

interface Piece {
    text: string;
    /** For markers: the style bit, and whether it opens. */
    bit?: number;
    open?: boolean;
    /** For markers: the atoms [from, to) the pair encloses. */
    from?: number;
    to?: number;
}

/** The markdown of one line's atoms, with each emphasis as a properly nested pair of markers. */
function writeLine(atoms: readonly Atom[], pad: Pads): Piece[] {
    const pieces: Piece[] = [];
    const stack: Array<{bit: number; from: number; piece: Piece}> = [];
    const runEnd = (k: number, bit: number): number => {
        let j = k;
        while (j < atoms.length && atoms[j]!.style & bit) j++;
        return j;
    };
    const close = (to: number) => {
        const top = stack.pop()!;
        top.piece.to = to;
        pieces.push({text: MARKER[top.bit]!, bit: top.bit, open: false, from: top.from, to});
        if (top.bit === BOLD && pad.after.has(to)) pieces.push({text: HAIR_SPACE});
    };
    let k = 0;
    while (k < atoms.length) {
        const style = atoms[k]!.style;
        // Close down to the first marker this atom does not have (and reopen what is still wanted).
        const keep = stack.findIndex((m) => !(style & m.bit));
        if (keep >= 0) while (stack.length > keep) close(k);
        const opening = EMPHASES.filter((bit) => style & bit && !stack.some((m) => m.bit === bit)).sort((a, b) => runEnd(k, b) - runEnd(k, a));
        for (const bit of opening) {
            if (bit === BOLD && pad.before.has(k)) pieces.push({text: HAIR_SPACE});
            const piece: Piece = {text: MARKER[bit]!, bit, open: true, from: k};
            stack.push({bit, from: k, piece});
            pieces.push(piece);
        }
        if (style & CODE) {
            let j = k;
            let code = '';
            while (j < atoms.length && atoms[j]!.style === style) code += atoms[j++]!.ch;
            pieces.push({text: codeSpanOf(code)});
            k = j;
            continue;
        }
        let j = k;
        let text = '';
        while (j < atoms.length && atoms[j]!.style === style) {
            const next = j + 1 < atoms.length ? atoms[j + 1]!.ch : '';
            // (After a run's last character comes a marker or a code span, or the line's end.)
            const nextOut = j + 1 < atoms.length && atoms[j + 1]!.style !== style ? '*' : next;
            text += escapeChar(atoms[j]!.ch, j > 0 ? atoms[j - 1]!.ch : '', next, nextOut);
            j++;
        }
        pieces.push({text});
        k = j;
    }
    while (stack.length > 0) close(atoms.length);
    return pieces;
}

/** Whether a marker, where it stands, is read as the emphasis it is meant to be (whatever counts as punctuation). */
function markerHolds(piece: Piece, prev: string, next: string): boolean {
    for (const withSymbols of [true, false]) {
        const {left, right} = flanking(prev, next, withSymbols);
        if (piece.bit === ITALIC) {
            if (piece.open ? !(left && (!right || isPunct(prev, withSymbols))) : !(right && (!left || isPunct(next, withSymbols)))) return false;
        } else if (piece.open ? !left : !right) {
            return false;
        }
    }
    return true;
}

/**
 * Where a bold marker gets a hair space outside it, at an atom index: "**" between a letter and
 * punctuation is not read as emphasis ("`deploy`s", "x(deploy)"), and a match must show; a space beside
 * the marker makes it read.
 */
interface Pads {
    before: Set<number>;
    after: Set<number>;
}

const HAIR_SPACE = '\u200A';

/**
 * A line as markdown. A bold marker that would not be read as emphasis gets a hair space outside it; any
 * other pair that would not be read (or a bold one still not) is dropped, its text shown plainly.
 */
function renderLine(input: readonly Atom[], prefix: string, suffix: string): string {
    const atoms = input.map((a) => ({...a}));
    // Emphasis never starts or ends with a space (it would not be read as emphasis).
    for (const bit of EMPHASES) {
        for (let k = 0; k < atoms.length; ) {
            if (!(atoms[k]!.style & bit)) {
                k++;
                continue;
            }
            let j = k;
            while (j < atoms.length && atoms[j]!.style & bit) j++;
            for (let a = k; a < j && isSpaceAtom(atoms[a]); a++) atoms[a]!.style &= ~bit;
            for (let a = j - 1; a >= k && isSpaceAtom(atoms[a]); a--) atoms[a]!.style &= ~bit;
            k = j;
        }
    }
    const pad: Pads = {before: new Set(), after: new Set()};
    for (let round = 0; round <= atoms.length * 5; round++) {
        const pieces = writeLine(atoms, pad);
        let line = prefix + pieces.map((p) => p.text).join('') + suffix;
        let bad: Piece | undefined;
        for (let p = 0, at = prefix.length; p < pieces.length && !bad; at += pieces[p]!.text.length, p++) {
            const piece = pieces[p]!;
            if (piece.bit === undefined) continue;
            const end = at + piece.text.length;
            if (!markerHolds(piece, charBefore(line, at), end < line.length ? codePointAt(line, end) : '')) bad = piece;
        }
        if (!bad) {
            // Nothing at a line's start that would begin a block: a setext underline or a code fence.
            if (/^(?:=|`{3}|~{3})/.test(line)) line = ZWSP + line;
            return line;
        }
        if (bad.bit === BOLD) {
            const [at, set] = bad.open ? [bad.from!, pad.before] : [bad.to!, pad.after];
            if (!set.has(at)) {
                set.add(at);
                continue;
            }
        }
        for (let a = bad.from!; a < bad.to!; a++) atoms[a]!.style &= ~bad.bit!;
    }
    return prefix + atoms.map((a, k) => escapeChar(a.ch, k > 0 ? atoms[k - 1]!.ch : '', atoms[k + 1]?.ch ?? '')).join('') + suffix;
}

// ---- the excerpt ---------------------------------------------------------------------------------------

/** Characters of the post read on each side of the focus, beyond 4 per character the excerpt may show. */
const READ_AROUND = 2048;
/** The excerpt length setting's maximum. */
const MAX_EXCERPT = 1000;

/**
 * The excerpt's lines (each to be quoted with "> "; '' for an empty line between paragraphs) for `text`
 * around `focus`, with `focus` and every occurrence of `words` in bold; [] when nothing is left to show.
 */
export function excerptLines(text: string, words: readonly string[], focus: Range, maxLength: number): string[] {
    const {lines, labels} = readBlocks(text);
    // Only the lines near the focus are read further (the blocks and labels needed all of them): those
    // within READ_AROUND characters of it, which is more than any excerpt shows.
    const reach = READ_AROUND + 4 * (Number.isFinite(maxLength) ? Math.min(Math.max(0, maxLength), MAX_EXCERPT) : 0);
    const near = (l: SourceLine) => l.at + l.text.length >= focus.index - reach && l.at <= focus.index + Math.max(0, focus.length) + reach;
    let first = lines.findIndex(near);
    if (first < 0) first = 0;
    let last = first;
    while (last + 1 < lines.length && near(lines[last + 1]!)) last++;
    const from = lines[first]!.at;
    const to = lines[last]!.at + lines[last]!.text.length;
    // (The focus is a match by definition, whatever the words.)
    const found = findAllOccurrences(words, text.slice(from, to)).map((m) => ({index: m.index + from, length: m.length}));
    const marks = marksOf([...found, focus], text.length);
    const all = flatten(lines.slice(first, last + 1).map((l) => lineAtoms(l, labels, marks)).filter((atoms) => atoms !== null));
    for (const a of all) if (a.src >= 0 && marks[a.src]) a.style |= BOLD;
    const w = window(all, focus, maxLength);
    // Lines left unread count as cut text.
    if (lines.slice(0, first).some((l) => l.kind !== 'blank')) w.cutStart = true;
    if (lines.slice(last + 1).some((l) => l.kind !== 'blank')) w.cutEnd = true;
    const out: string[] = [];
    let line: Atom[] = [];
    const rows: Atom[][] = [];
    for (const a of w.atoms) {
        if (a.ch === NEWLINE) {
            rows.push(line);
            line = [];
        } else {
            line.push(a);
        }
    }
    rows.push(line);
    rows.forEach((row, r) => {
        const prefix = r === 0 && w.cutStart ? ELLIPSIS : '';
        const suffix = r === rows.length - 1 && w.cutEnd ? ELLIPSIS : '';
        out.push(row.length === 0 && prefix === '' && suffix === '' ? '' : renderLine(row, prefix, suffix));
    });
    while (out.length > 0 && out[0] === '') out.shift();
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
    return out;
}

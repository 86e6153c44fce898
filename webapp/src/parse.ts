// Turning what the user types into trigger words.
//
// Commas (outside quotes) separate entries. Inside an entry, text in double quotes is one phrase and the
// unquoted text around it is another; an entry without quotes is taken whole, spaces and all:
//   deploy, release        -> ["deploy", "release"]
//   "on call"              -> ["on call"]
//   "p1, p2" outage        -> ["p1, p2", "outage"]
// Curly quotes (“ ”) count as quotes, since some keyboards type them for ".

export interface Token {
    /** the word or phrase, trimmed, quotes removed */
    text: string;
    /** index in the input where this token's text (or its opening quote) starts */
    start: number;
}

const OPEN_QUOTES = new Set(['"', '\u201c', '\u201d']);

function isQuote(ch: string): boolean {
    return OPEN_QUOTES.has(ch);
}

interface Segment {
    raw: string;
    start: number;
    /** false when a quote opened in this segment was never closed */
    closed: boolean;
}

function segments(value: string): Segment[] {
    const out: Segment[] = [];
    let inQuote = false;
    let segStart = 0;
    for (let i = 0; i < value.length; i++) {
        const ch = value[i]!;
        if (isQuote(ch)) {
            inQuote = !inQuote;
        } else if (ch === ',' && !inQuote) {
            out.push({raw: value.slice(segStart, i), start: segStart, closed: true});
            segStart = i + 1;
        }
    }
    out.push({raw: value.slice(segStart), start: segStart, closed: !inQuote});
    return out;
}

function tokensOf(seg: Segment): Token[] {
    const out: Token[] = [];
    const push = (text: string, start: number) => {
        const trimmed = text.trim();
        if (trimmed) {
            out.push({text: trimmed, start: start + (text.length - text.trimStart().length)});
        }
    };
    let runStart = 0;
    let i = 0;
    const s = seg.raw;
    while (i < s.length) {
        if (isQuote(s[i]!)) {
            push(s.slice(runStart, i), seg.start + runStart);
            let j = i + 1;
            while (j < s.length && !isQuote(s[j]!)) {
                j++;
            }
            const inner = s.slice(i + 1, j);
            const trimmed = inner.trim();
            if (trimmed) {
                out.push({text: trimmed, start: seg.start + i});
            }
            i = j + 1;
            runStart = i;
        } else {
            i++;
        }
    }
    push(s.slice(runStart), seg.start + runStart);
    return out;
}

/** Every token in the input, the last entry included (an unclosed quote runs to the end): used on Enter. */
export function parseAll(value: string): Token[] {
    return segments(value).flatMap(tokensOf);
}

/**
 * Splits off the entries that a comma has finished (used while typing). `doneText` is the input up to the last
 * separating comma (null when there is none), `done` its tokens, and `rest` the unfinished last entry, which
 * stays in the input.
 */
export function splitFinished(value: string): {done: Token[]; doneText: string | null; rest: string} {
    const segs = segments(value);
    const last = segs[segs.length - 1]!;
    if (segs.length === 1) {
        return {done: [], doneText: null, rest: value};
    }
    return {done: segs.slice(0, -1).flatMap(tokensOf), doneText: value.slice(0, last.start - 1), rest: last.raw};
}

/**
 * The key two words are compared by on the client: trimmed, NFC, lower case, runs of white space as one space.
 * The server folds more (NFKC, full case folding, emoji shortcodes); this stays on the safe side of it, so the
 * client never refuses a word the server would take, and the server's 409 catches the rest.
 */
export function normalizeWord(word: string): string {
    return word.trim().normalize('NFC').toLowerCase().replace(/\s+/g, ' ');
}

// Test-only reference: the matcher as it was before the token index (one Aho–Corasick automaton over every
// normalised word, boundary rules checked on candidate hits). The property tests check that
// server/alerts/matcher.ts agrees with it.
// Trigger-word matching: many words (from many users) against one post, in time that does not grow with
// the number of words.
//
// A WordMatcher is built once per set of words (the caller caches it per channel). It normalises every
// word (see normalize.ts), compiles the distinct ones into one Aho–Corasick automaton over UTF-16 code
// units, and per post: normalises the text once (keeping a map back to the original), runs the automaton
// once, and checks the boundary rules on candidate hits only.
//
// Boundary rules, checked on the normalised text at the two ends of a hit (the Korean particle rule is
// matcher.ts's, added to this copy so that the two still agree):
// - Whole words/phrases: the character just outside the hit may not be a letter, digit or combining mark
//   (any script), "-" or "_" ("baptiste" does not fire on "jean-baptiste", "baptiste_x", "baptistes");
//   start/end of text, white space, punctuation and symbols are fine ("deploy!", "(deploy)",
//   "**deploy**", "deploy's", "https://x/deploy/"). The rule applies at the ends only: the word itself may
//   contain anything ("c++", "node.js", "on call").
// - Markdown emphasis with "_": a hit wrapped on both sides by the same number (1 to 3) of "_", with no
//   word character beyond them, counts as whole ("_deploy_", "__deploy__"); an unpaired or uneven "_"
//   still joins ("_deploy", "deploy_", "_deploy__").
// - Scripts written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar): a word edge in
//   such a script has no boundary requirement (substring match), and such characters next to a hit do
//   not join it ("部署" in "今日部署します", "api" in "APIを使う").
// - Emoji: a word edge that is an emoji has no boundary requirement ("🚀" in "launch🚀now").
// - Whole characters only, in every case: a hit may not start or end inside a character's cluster
//   (before a combining mark, ZWJ, ...; after a ZWJ; halfway through a flag's regional-indicator pair),
//   so "👨" does not fire on "👨‍💻" and "🇸🇬" does not fire on "🇺🇸🇬🇧".
import {F_ATTACH, F_EMOJI, F_JOIN, F_NOSPACE, cpFlags, normalizeText, normalizeWord} from '../../../server/alerts/normalize.js';
import {isRegionalIndicator} from '../../../server/alerts/emoji.js';


interface MatchEntry<T> {
    /** The word as the user typed it. */
    word: string;
    /** Whatever the caller wants back for it, e.g. a user id. */
    value: T;
}

interface WordMatch<T> {
    /** The normalised word (normalizeWord). */
    word: string;
    /** Every value registered for the word, in registration order, without repeats. */
    values: T[];
    /** UTF-16 offset of the first occurrence in the original text. */
    index: number;
    /** Its length in the original text (may differ from the word's: ":rocket:", "ＤＥＰＬＯＹ", "on   call"). */
    length: number;
}

// ---- Aho–Corasick over UTF-16 code units ----------------------------------------------------------------
//
// Trie nodes are integers (0 = root). The root's ASCII transitions are a direct table; all others live in
// one open-addressing hash table keyed by (node, code unit), sized to the dictionary (a matcher for a few
// words is a few KiB: the caller may cache thousands). Failure and dictionary-suffix links make the scan
// linear in the text length plus the number of hits.

const EMPTY = -1;

class Automaton {
    private readonly rootAscii: Int32Array;
    private readonly hNode: Int32Array;
    private readonly hUnit: Uint16Array;
    private readonly hNext: Int32Array;
    private readonly mask: number;
    private readonly fail: Int32Array;
    /** Pattern ending at the node, or -1. */
    private readonly out: Int32Array;
    /** Nearest proper suffix node (by failure links) that ends a pattern, or 0. */
    private readonly dict: Int32Array;

    constructor(patterns: readonly string[]) {
        let total = 1;
        for (const p of patterns) total += p.length;
        this.rootAscii = new Int32Array(0x80).fill(EMPTY);
        let cap = 16;
        while (cap < total * 2) cap *= 2;
        this.mask = cap - 1;
        this.hNode = new Int32Array(cap).fill(EMPTY);
        this.hUnit = new Uint16Array(cap);
        this.hNext = new Int32Array(cap);
        const out = new Int32Array(total).fill(EMPTY);
        // Children lists, only for the breadth-first pass below.
        const firstChild = new Int32Array(total).fill(EMPTY);
        const sibling = new Int32Array(total).fill(EMPTY);
        const label = new Uint16Array(total);

        let nodes = 1;
        patterns.forEach((p, id) => {
            let s = 0;
            for (let i = 0; i < p.length; i++) {
                const c = p.charCodeAt(i);
                let t = this.step(s, c);
                if (t === EMPTY) {
                    t = nodes++;
                    this.link(s, c, t);
                    label[t] = c;
                    sibling[t] = firstChild[s]!;
                    firstChild[s] = t;
                }
                s = t;
            }
            out[s] = id;
        });

        const fail = new Int32Array(nodes);
        const dict = new Int32Array(nodes);
        const queue = new Int32Array(nodes);
        let head = 0;
        let tail = 0;
        for (let v = firstChild[0]!; v !== EMPTY; v = sibling[v]!) queue[tail++] = v; // fail = dict = 0
        while (head < tail) {
            const u = queue[head++]!;
            for (let v = firstChild[u]!; v !== EMPTY; v = sibling[v]!) {
                const c = label[v]!;
                let f = fail[u]!;
                let t = this.step(f, c);
                while (t === EMPTY && f !== 0) {
                    f = fail[f]!;
                    t = this.step(f, c);
                }
                const fv = t === EMPTY ? 0 : t;
                fail[v] = fv;
                dict[v] = out[fv] !== EMPTY ? fv : dict[fv]!;
                queue[tail++] = v;
            }
        }
        this.fail = fail;
        this.dict = dict;
        this.out = out.subarray(0, nodes);
    }

    private slot(node: number, unit: number): number {
        return (Math.imul(node, 0x9e3779b1) ^ Math.imul(unit + 1, 0x85ebca77)) & this.mask;
    }

    private link(node: number, unit: number, to: number): void {
        if (node === 0 && unit < 0x80) {
            this.rootAscii[unit] = to;
            return;
        }
        let h = this.slot(node, unit);
        while (this.hNode[h] !== EMPTY) h = (h + 1) & this.mask;
        this.hNode[h] = node;
        this.hUnit[h] = unit;
        this.hNext[h] = to;
    }

    private step(node: number, unit: number): number {
        if (node === 0 && unit < 0x80) return this.rootAscii[unit]!;
        const hNode = this.hNode;
        let h = this.slot(node, unit);
        for (;;) {
            const k = hNode[h]!;
            if (k === EMPTY) return EMPTY;
            if (k === node && this.hUnit[h] === unit) return this.hNext[h]!;
            h = (h + 1) & this.mask;
        }
    }

    /** Calls onHit(pattern, end) for every occurrence (overlaps included), by ascending end; stops when onHit returns true. */
    scan(text: string, onHit: (pattern: number, end: number) => boolean | void): void {
        const {fail, out, dict} = this;
        let s = 0;
        for (let i = 0; i < text.length; i++) {
            const c = text.charCodeAt(i);
            let t = this.step(s, c);
            while (t === EMPTY && s !== 0) {
                s = fail[s]!;
                t = this.step(s, c);
            }
            s = t === EMPTY ? 0 : t;
            for (let o = out[s] !== EMPTY ? s : dict[s]!; o !== 0; o = dict[o]!) {
                if (onHit(out[o]!, i + 1)) return;
            }
        }
    }
}

// ---- boundary checks ----------------------------------------------------------------------------------

/** The code point ending just before index i of s (-1 = none). */
function cpBefore(s: string, i: number): number {
    if (i <= 0) return -1;
    const lo = s.charCodeAt(i - 1);
    if (lo >= 0xdc00 && lo <= 0xdfff && i >= 2) {
        const hi = s.charCodeAt(i - 2);
        if (hi >= 0xd800 && hi <= 0xdbff) return ((hi - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
    }
    return lo;
}

/**
 * For every index i of s, the number of regional indicators in the run ending right before i (computed
 * once per text, only when a flag word is a candidate: counting back per candidate could be quadratic).
 */
function riRuns(s: string): Int32Array {
    const runs = new Int32Array(s.length + 1);
    for (let i = 2; i <= s.length; i++) {
        if (isRegionalIndicator(cpBefore(s, i))) runs[i] = runs[i - 2]! + 1;
    }
    return runs;
}


function isJoin(cp: number): boolean {
    return cp >= 0 && (cpFlags(cp) & F_JOIN) !== 0;
}

interface Pattern {
    word: string;
    /** No boundary requirement at this edge (emoji or a script written without spaces). */
    freeStart: boolean;
    freeEnd: boolean;
    startsRI: boolean;
    endsRI: boolean;
}

interface Candidate {
    text: string;
    riRuns?: Int32Array;
}

function accept(c: Candidate, s: number, e: number, p: Pattern): boolean {
    const text = c.text;
    const n = text.length;
    const before = cpBefore(text, s);
    const after = e < n ? text.codePointAt(e)! : -1;
    // Whole characters.
    if (after >= 0 && cpFlags(after) & F_ATTACH) return false;
    if (before === 0x200d) return false;
    if (s > 0 && cpFlags(text.codePointAt(s)!) & F_ATTACH) return false;
    if (p.startsRI || p.endsRI) {
        const runs = (c.riRuns ??= riRuns(text));
        if (p.startsRI && runs[s]! % 2 === 1) return false;
        if (p.endsRI && after >= 0 && isRegionalIndicator(after) && runs[e]! % 2 === 1) return false;
    }
    // Whole words. (Added with the Korean rule, written apart from matcher.ts: Hangul by its Unicode script
    // property, the particles as a regular expression.) Hangul after a hit is its particles, not more word.
    const joinedBefore = !p.freeStart && isJoin(before);
    const joinedAfter = !p.freeEnd && isJoin(after) && !HANGUL.test(String.fromCodePoint(Math.max(after, 0)));
    if (!joinedBefore && !joinedAfter) return true;
    // "_word_" (or "_word<particles>_"): the same short run of "_" on both sides, nothing word-like beyond.
    const left = /_+$/.exec(text.slice(Math.max(0, s - 4), s))?.[0].length ?? 0;
    const right = /^\p{Script=Hangul}*(_{1,4})/u.exec(text.slice(e))?.[1]!.length ?? 0;
    if (left === 0 || left !== right || left > 3) return false;
    const tail = e + /^\p{Script=Hangul}*/u.exec(text.slice(e))![0].length + right;
    return !isJoin(cpBefore(text, s - left)) && !isJoin(tail < n ? text.codePointAt(tail)! : -1);
}

const HANGUL = /^\p{Script=Hangul}$/u;

function edgeFlags(word: string): Pick<Pattern, 'freeStart' | 'freeEnd' | 'startsRI' | 'endsRI'> {
    const first = word.codePointAt(0)!;
    const last = cpBefore(word, word.length);
    const second = word.length > codeUnits(first) ? word.codePointAt(codeUnits(first))! : -1;
    const free = (cp: number) => (cpFlags(cp) & (F_NOSPACE | F_EMOJI)) !== 0;
    return {
        // A keycap ("1️⃣" -> "1⃣") is an emoji from its first character on.
        freeStart: free(first) || second === 0x20e3,
        freeEnd: free(last),
        startsRI: isRegionalIndicator(first),
        endsRI: isRegionalIndicator(last),
    };
}

function codeUnits(cp: number): number {
    return cp > 0xffff ? 2 : 1;
}

// ---- the matcher ----------------------------------------------------------------------------------------

export class ReferenceWordMatcher<T> {
    private readonly patterns: Pattern[] = [];
    private readonly values: T[][] = [];
    private readonly automaton: Automaton;

    /** Builds the automaton once; entries whose word normalises to '' are ignored. */
    constructor(entries: Iterable<MatchEntry<T>>) {
        const ids = new Map<string, number>();
        for (const {word, value} of entries) {
            const key = normalizeWord(word);
            if (key === '') continue;
            let id = ids.get(key);
            if (id === undefined) {
                id = this.patterns.length;
                ids.set(key, id);
                this.patterns.push({word: key, ...edgeFlags(key)});
                this.values.push([]);
            }
            const vs = this.values[id]!;
            if (!vs.includes(value)) vs.push(value);
        }
        this.automaton = new Automaton(this.patterns.map((p) => p.word));
    }

    /** The number of distinct (normalised) words. */
    get size(): number {
        return this.patterns.length;
    }

    /**
     * Every distinct normalised word that occurs in `text` under the boundary rules, with all values
     * registered for it and the original-text range of its first occurrence; sorted by that offset
     * (then longer first, then by word).
     */
    match(text: string): Array<WordMatch<T>> {
        if (this.patterns.length === 0 || text.length === 0) return [];
        const norm = normalizeText(text);
        const found = new Map<number, number>(); // pattern -> normalised start of its first accepted hit
        const total = this.patterns.length;
        const candidate: Candidate = {text: norm.text};
        this.automaton.scan(norm.text, (id, end) => {
            if (found.has(id)) return false;
            const p = this.patterns[id]!;
            const start = end - p.word.length;
            if (accept(candidate, start, end, p)) {
                found.set(id, start);
                return found.size === total;
            }
            return false;
        });
        const result: Array<WordMatch<T>> = [];
        for (const [id, start] of found) {
            const word = this.patterns[id]!.word;
            const index = norm.start[start]!;
            const end = norm.end[start + word.length - 1]!;
            result.push({word, values: this.values[id]!.slice(), index, length: end - index});
        }
        result.sort((a, b) => a.index - b.index || b.length - a.length || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0));
        return result;
    }
}

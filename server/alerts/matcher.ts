// Trigger-word matching: many words (from many users) against one post, in time that does not grow with
// the number of words.
//
// A WordMatcher is built once per set of words (the caller caches it per channel). It normalises every
// word (see normalize.ts) and files the distinct ones in one of three places:
// - Most words (no emoji / no-space start; an emoji / no-space end only if it is not a word character)
//   go into a hash index (token_index.ts) keyed by their first key: the leading run of word characters
//   (letters, digits, marks, "-", "_"), or the first character when that is not a word character
//   ("deploy" -> "deploy", "on call" -> "on", "c++" -> "c", "@here" -> "@"). Building is normalising plus
//   filling a hash table: no automaton.
// - Words starting with an emoji or a no-space character (or a keycap) go into a second index keyed by
//   that character, looked up wherever such a character is in the post.
// - The rest (a first character shared by more than a few such words, an emoji edge that is a word
//   character at the end only, a lone surrogate; usually none) goes into an Aho–Corasick automaton over
//   UTF-16 code units, which steps over units no such word contains at the cost of a bit test (and, when
//   those words contain ASCII, runs only over the parts of a post near emoji / no-space characters).
// Per post: normalise the text once (match_text.ts: a shortcut for plain text, else normalizeText; the map
// back to the original is built only when something matched); walk it once, and at every place where a
// word of the first index may start (and some first key starts with that unit: a table for ASCII, a bit
// filter for the rest) look up the key that begins there, verifying each word filed under it in place; then the other two; the boundary rules are checked on candidate hits only. A word of the first
// index can only be accepted at a start after a non-word character (or at the start of the text), or
// after 1 to 3 "_" that open a run of word characters (the emphasis rule), and its first key then ends
// where the text's run of word characters ends, or before a Hangul character of that run (the particle
// rule), or, under the emphasis rule, just before 1 to 3 closing "_": so the lookups find every hit the
// rules accept. (A property test checks the matcher against the
// previous implementation, one automaton over all words.)
//
// Boundary rules, checked on the normalised text at the two ends of a hit:
// - Whole words/phrases: the character just outside the hit may not be a letter, digit or combining mark
//   (any script), "-" or "_" ("baptiste" does not fire on "jean-baptiste", "baptiste_x", "baptistes");
//   start/end of text, white space, punctuation and symbols are fine ("deploy!", "(deploy)",
//   "**deploy**", "deploy's", "https://x/deploy/"). The rule applies at the ends only: the word itself may
//   contain anything ("c++", "node.js", "on call").
// - Korean particles: Hangul right after a hit does not join it ("서버" in "서버가 다운됐어요", "api" in
//   "API가"), as Korean attaches particles and endings to the noun; Hangul before it does ("서버" not
//   in "웹서버"). (Hangul is written with spaces between words, so it is not a no-space script.)
// - Markdown emphasis with "_": a hit wrapped on both sides by the same number (1 to 3) of "_", with no
//   word character beyond them, counts as whole ("_deploy_", "__deploy__", and "_서버가_" with the
//   particles inside); an unpaired or uneven "_" still joins ("_deploy", "deploy_", "_deploy__").
// - Scripts written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar): a word edge in
//   such a script has no boundary requirement (substring match), and such characters next to a hit do
//   not join it ("部署" in "今日部署します", "api" in "APIを使う").
// - Emoji: a word edge that is an emoji has no boundary requirement ("🚀" in "launch🚀now").
// - Whole characters only, in every case: a hit may not start or end inside a character's cluster
//   (before a combining mark, ZWJ, ...; after a ZWJ; halfway through a flag's regional-indicator pair),
//   so "👨" does not fire on "👨‍💻" and "🇸🇬" does not fire on "🇺🇸🇬🇧".
import {F_ATTACH, F_EMOJI, F_JOIN, F_NOSPACE, cpFlags, isHangul, normalizeText, normalizeWord} from './normalize.js';
import {matchText} from './match_text.js';
import {isRegionalIndicator} from './emoji.js';
import {HASH_SEED, hashStep, hashUnits, KeyIndex, unitsEqual} from './token_index.js';

export {normalizeWord} from './normalize.js';

export interface MatchEntry<T> {
    /** The word as the user typed it. */
    word: string;
    /** Whatever the caller wants back for it, e.g. a user id. */
    value: T;
}

export interface WordMatch<T> {
    /** The normalised word (normalizeWord). */
    word: string;
    /** Every value registered for the word, in registration order, without repeats. */
    values: T[];
    /** UTF-16 offset of the first occurrence in the original text. */
    index: number;
    /** Its length in the original text (may differ from the word's: ":rocket:", "ＤＥＰＬＯＹ", "on   call"). */
    length: number;
}

// ---- Aho–Corasick over UTF-16 code units (for the emoji / no-space words) ---------------------------------
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
    /** Bit per code unit that occurs in some pattern: any other unit sends the scan back to the root. */
    private readonly alphabet = new Int32Array(0x10000 >>> 5);
    /** Some pattern has an ASCII unit (else hits lie within runs of non-ASCII text only). */
    readonly hasAscii: boolean;

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
        let hasAscii = false;
        patterns.forEach((p, id) => {
            let s = 0;
            for (let i = 0; i < p.length; i++) {
                const c = p.charCodeAt(i);
                this.alphabet[c >>> 5]! |= 1 << (c & 31);
                if (c < 0x80) hasAscii = true;
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
        this.hasAscii = hasAscii;

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

    /** Calls onHit(pattern, end) for every occurrence inside text[from, to) (overlaps included), by ascending end. */
    scan(text: string, from: number, to: number, onHit: (pattern: number, end: number) => void): void {
        const {fail, out, dict, alphabet} = this;
        let s = 0;
        for (let i = from; i < to; i++) {
            const c = text.charCodeAt(i);
            if ((alphabet[c >>> 5]! & (1 << (c & 31))) === 0) {
                s = 0;
                continue;
            }
            let t = this.step(s, c);
            while (t === EMPTY && s !== 0) {
                s = fail[s]!;
                t = this.step(s, c);
            }
            s = t === EMPTY ? 0 : t;
            for (let o = out[s] !== EMPTY ? s : dict[s]!; o !== 0; o = dict[o]!) {
                onHit(out[o]!, i + 1);
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

const UNDERSCORE = 0x5f;

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
    // Whole words; Hangul after a hit is a particle or ending attached to it ("서버가").
    const joinedBefore = !p.freeStart && isJoin(before);
    const joinedAfter = !p.freeEnd && isJoin(after) && !isHangul(after);
    if (!joinedBefore && !joinedAfter) return true;
    if (before !== UNDERSCORE) return false;
    // "_word_": the same short run of "_" on both sides (the closing one after the particles of a
    // Korean word: "_서버가_"), nothing word-like beyond.
    let t = e;
    while (t < n && isHangul(text.charCodeAt(t))) t++;
    let l = 0;
    while (l < 4 && text.charCodeAt(s - 1 - l) === UNDERSCORE) l++;
    let r = 0;
    while (r < 4 && text.charCodeAt(t + r) === UNDERSCORE) r++;
    if (r === 0 || l !== r || l > 3) return false;
    return !isJoin(cpBefore(text, s - l)) && !isJoin(t + r < n ? text.codePointAt(t + r)! : -1);
}

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

/**
 * The words found by one match call, with the normalised start of each one's first accepted hit. Checked
 * for every candidate, so a stamp per word id (reset by bumping the epoch) rather than a Map.
 */
class Found {
    private readonly stamp: Int32Array;
    private readonly starts: Int32Array;
    readonly ids: number[] = [];
    private epoch = 0;

    constructor(words: number) {
        this.stamp = new Int32Array(words);
        this.starts = new Int32Array(words);
    }

    reset(): void {
        this.ids.length = 0;
        if (++this.epoch === 0x7fffffff) {
            this.stamp.fill(0);
            this.epoch = 1;
        }
    }

    has(id: number): boolean {
        return this.stamp[id] === this.epoch;
    }

    set(id: number, start: number): void {
        this.stamp[id] = this.epoch;
        this.starts[id] = start;
        this.ids.push(id);
    }

    start(id: number): number {
        return this.starts[id]!;
    }
}

const UNIT_SPACE = 0x20;

/** cpFlags of the ASCII code points (filled on first use). */
const ASCII_CLASS = new Uint8Array(0x80);
let asciiClassReady = false;

function asciiClass(): void {
    for (let c = 0; c < 0x80; c++) ASCII_CLASS[c] = cpFlags(c);
    asciiClassReady = true;
}
const F_FREE = F_NOSPACE | F_EMOJI;
const KEYCAP = 0x20e3;
/** Words starting with the same emoji / no-space character looked up one by one, at most (see the constructor). */
const MAX_FIRST_BUCKET = 8;
const NON_ASCII = /[^\x00-\x7f]/;

function isLowSurrogate(u: number): boolean {
    return u >= 0xdc00 && u <= 0xdfff;
}

/** Whether s has half a surrogate pair on its own (such a word may match half of a pair in the text). */
function hasLoneSurrogate(s: string): boolean {
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c < 0xd800 || c > 0xdfff) continue;
        if (c <= 0xdbff && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
            i++;
            continue;
        }
        return true;
    }
    return false;
}

/** The code point at i of s, pairing surrogates as codePointAt does. */
function cpAt(s: string, i: number): number {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (isLowSurrogate(d)) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
    }
    return c;
}

/** The end of a word's first key: its leading run of word characters, or its first character. */
function firstKeyEnd(word: string): number {
    const first = cpAt(word, 0);
    if (!(cpFlags(first) & F_JOIN)) return codeUnits(first);
    let j = 0;
    while (j < word.length) {
        const cp = cpAt(word, j);
        if (!(cpFlags(cp) & F_JOIN)) break;
        j += codeUnits(cp);
    }
    return j;
}

/**
 * normalizeWord for the common case of printable ASCII without ":" and with single inner spaces (where it
 * is lower-casing); undefined otherwise.
 */
function quickKey(word: string): string | undefined {
    const n = word.length;
    let upper = false;
    for (let i = 0; i < n; i++) {
        const c = word.charCodeAt(i);
        if (c === UNIT_SPACE) {
            if (i === 0 || i === n - 1 || word.charCodeAt(i - 1) === UNIT_SPACE) return undefined;
            continue;
        }
        if (c < 0x21 || c > 0x7e || c === 0x3a) return undefined;
        if (c >= 0x41 && c <= 0x5a) upper = true;
    }
    return upper ? word.toLowerCase() : word;
}

export class WordMatcher<T> {
    private readonly patterns: Pattern[] = [];
    private readonly values: T[][] = [];
    /** Words with ordinary edges, by first key. */
    private readonly index: KeyIndex;
    /** For each ASCII unit, 1 if some first key starts with it. */
    private readonly firstAscii = new Uint8Array(0x80);
    /** A bit per (first unit & 4095) of the first keys that start with a non-ASCII unit: most runs of
     * non-Latin text (a Korean post's, with a lookup at every Hangul character) start with none of them. */
    private readonly firstOther = new Uint32Array(128);
    /** Words that start with an emoji / no-space character (or a keycap), by that first character. */
    private readonly byFirst: KeyIndex;
    /** A bit per (first character of those & 4095). */
    private readonly firstFilter = new Uint32Array(128);
    /** The rest (an emoji word edge that is a word character at the end only, a lone surrogate, or a first
     * character shared by too many such words), with their pattern ids. */
    private readonly automaton: Automaton | null;
    private readonly special: number[] = [];
    private readonly maxSpecialLength: number = 0;
    /** Some special word has a lone surrogate: scan all of the text, not just windows. */
    private readonly scanAll: boolean = false;
    /** Reused by every match call (match is synchronous). */
    private found: Found | undefined;

    /** Builds the index once; entries whose word normalises to '' are ignored. */
    constructor(entries: Iterable<MatchEntry<T>>) {
        const ids = new Map<string, number>();
        for (const {word, value} of entries) {
            const key = quickKey(word) ?? normalizeWord(word);
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
        if (!asciiClassReady) asciiClass();
        this.index = new KeyIndex(this.patterns.length);
        this.byFirst = new KeyIndex(this.patterns.length);
        const specialIds: number[] = [];
        const byFirstChar = new Map<string, number[]>();
        for (let id = 0; id < this.patterns.length; id++) {
            const p = this.patterns[id]!;
            const lone = hasLoneSurrogate(p.word);
            const lastJoins = (cpFlags(cpBefore(p.word, p.word.length)) & F_JOIN) !== 0;
            if (!lone && !p.freeStart && (!p.freeEnd || !lastJoins)) {
                this.index.add(p.word.slice(0, firstKeyEnd(p.word)), id);
                const u = p.word.charCodeAt(0);
                if (u < 0x80) this.firstAscii[u] = 1;
                else this.firstOther[(u >>> 5) & 127]! |= 1 << (u & 31);
            } else if (!lone && p.freeStart) {
                const first = p.word.slice(0, codeUnits(cpAt(p.word, 0)));
                const list = byFirstChar.get(first);
                if (list) list.push(id);
                else byFirstChar.set(first, [id]);
            } else {
                specialIds.push(id);
                if (lone) this.scanAll = true;
            }
        }
        // A first character shared by many words (a CJK character starting hundreds of words) would make
        // the per-character lookup slow: those words go to the automaton instead, which is linear.
        for (const [first, ids] of byFirstChar) {
            if (ids.length > MAX_FIRST_BUCKET) {
                for (const id of ids) specialIds.push(id);
                continue;
            }
            const cp = cpAt(first, 0);
            this.firstFilter[(cp >>> 5) & 127]! |= 1 << (cp & 31);
            for (const id of ids) this.byFirst.add(first, id);
        }
        specialIds.sort((a, b) => a - b);
        const specialWords: string[] = [];
        for (const id of specialIds) {
            const word = this.patterns[id]!.word;
            this.special.push(id);
            specialWords.push(word);
            this.maxSpecialLength = Math.max(this.maxSpecialLength, word.length);
        }
        this.automaton = specialWords.length > 0 ? new Automaton(specialWords) : null;
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
        const norm = matchText(text);
        const found = (this.found ??= new Found(this.patterns.length));
        found.reset();
        const candidate: Candidate = {text: norm.text};
        if (this.index.size > 0) this.scanIndex(candidate, found);
        // (The other two kinds of words hold a non-ASCII character; the automaton's may hold ASCII too.)
        const nonAscii = NON_ASCII.test(norm.text);
        if (this.byFirst.size > 0 && nonAscii) this.scanFree(candidate, found);
        if (this.automaton && (nonAscii || this.automaton.hasAscii)) this.scanSpecial(this.automaton, candidate, found);
        if (found.ids.length === 0) return [];
        const result: Array<WordMatch<T>> = [];
        for (const id of found.ids) {
            const start = found.start(id);
            const word = this.patterns[id]!.word;
            const index = norm.start(start);
            const end = norm.end(start + word.length - 1);
            result.push({word, values: this.values[id]!.slice(), index, length: end - index});
        }
        result.sort((a, b) => a.index - b.index || b.length - a.length || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0));
        return result;
    }

    /** Walks the text once, looking up the first key at every place an ordinary word may start. */
    private scanIndex(c: Candidate, found: Found): void {
        const text = c.text;
        const n = text.length;
        const ascii = ASCII_CLASS;
        const firstAscii = this.firstAscii;
        const firstOther = this.firstOther;
        let prevJoin = false;
        let i = 0;
        while (i < n) {
            const u0 = text.charCodeAt(i);
            let f: number;
            let len = 1;
            if (u0 < 0x80) {
                f = ascii[u0]!;
            } else {
                const cp = cpAt(text, i);
                len = codeUnits(cp);
                f = cpFlags(cp);
            }
            if (f & F_JOIN) {
                // A run of word characters [i, j), after a non-word character or the start of the text.
                const keyed = u0 < 0x80 ? firstAscii[u0] === 1 : (firstOther[(u0 >>> 5) & 127]! & (1 << (u0 & 31))) !== 0;
                let h = HASH_SEED;
                let j = i;
                for (;;) {
                    h = hashStep(h, text.charCodeAt(j));
                    j++;
                    if (j >= n) break;
                    const u = text.charCodeAt(j);
                    if (u < 0x80) {
                        if (!(ascii[u]! & F_JOIN)) break;
                    } else if (isLowSurrogate(u)) {
                        // the second half of a pair already judged whole (a lone one is not a word character)
                        if (!(cpAt(text, j - 1) > 0xffff)) break;
                    } else {
                        const cp = cpAt(text, j);
                        if (!(cpFlags(cp) & F_JOIN)) break;
                        // A word may end where Hangul particles start: its key is the run so far.
                        if (keyed && isHangul(cp)) this.lookup(c, i, j, h, found);
                    }
                }
                if (keyed) this.lookup(c, i, j, h, found);
                if (u0 === UNDERSCORE) {
                    // "_word_": starts after 1 to 3 opening "_".
                    for (let l = 1; l <= 3 && i + l <= j && text.charCodeAt(i + l - 1) === UNDERSCORE; l++) this.afterUnderscores(c, i + l, j, found);
                }
                prevJoin = true;
                i = j;
                continue;
            }
            if (!prevJoin && (u0 < 0x80 ? firstAscii[u0] === 1 : !(f & F_FREE) && (firstOther[(u0 >>> 5) & 127]! & (1 << (u0 & 31))) !== 0)) this.lookup(c, i, i + len, hashUnits(text, i, i + len), found);
            prevJoin = false;
            i += len;
        }
    }

    /** Candidate starts at s = (a run of word characters [.., runEnd) that opens with "_") + 1 to 3 "_". */
    private afterUnderscores(c: Candidate, s: number, runEnd: number, found: Found): void {
        const text = c.text;
        if (s < runEnd) {
            let h = HASH_SEED;
            for (let p = s; p < runEnd; ) {
                h = hashStep(h, text.charCodeAt(p));
                p++;
                // ("_서버가_": the key ends where the particles start.)
                if (p < runEnd && isHangul(text.charCodeAt(p))) this.lookup(c, s, p, h, found);
            }
            this.lookup(c, s, runEnd, h, found);
            // A word of word characters only, closed by 1 to 3 "_".
            for (let r = 1; r <= 3 && runEnd - r > s && text.charCodeAt(runEnd - r) === UNDERSCORE; r++) {
                this.lookup(c, s, runEnd - r, hashUnits(text, s, runEnd - r), found);
            }
        } else if (s < text.length) {
            const cp = cpAt(text, s);
            if (cp !== UNIT_SPACE && !(cpFlags(cp) & F_FREE)) this.lookup(c, s, s + codeUnits(cp), hashUnits(text, s, s + codeUnits(cp)), found);
        }
    }

    /** Verifies every word filed under the key text[s, keyEnd) at s. */
    private lookup(c: Candidate, s: number, keyEnd: number, h: number, found: Found): void {
        const text = c.text;
        for (let id = this.index.first(text, s, keyEnd, h); id !== -1; id = this.index.nextWord(id)) {
            if (found.has(id)) continue;
            const p = this.patterns[id]!;
            const e = s + p.word.length;
            if (e > text.length) continue;
            if (unitsEqual(text, s, p.word, keyEnd - s) && accept(c, s, e, p)) found.set(id, s);
        }
    }

    /** Looks up the words that start with an emoji / no-space character wherever such a character is. */
    private scanFree(c: Candidate, found: Found): void {
        const text = c.text;
        const n = text.length;
        const filter = this.firstFilter;
        for (let i = 0; i < n; ) {
            const u = text.charCodeAt(i);
            if (u < 0x80 && (i + 1 >= n || text.charCodeAt(i + 1) !== KEYCAP)) {
                i++;
                continue;
            }
            const cp = cpAt(text, i);
            const len = codeUnits(cp);
            if ((filter[(cp >>> 5) & 127]! & (1 << (cp & 31))) !== 0 && ((cpFlags(cp) & F_FREE) !== 0 || (i + len < n && text.charCodeAt(i + len) === KEYCAP))) {
                for (let id = this.byFirst.first(text, i, i + len, hashUnits(text, i, i + len)); id !== -1; id = this.byFirst.nextWord(id)) {
                    if (found.has(id)) continue;
                    const p = this.patterns[id]!;
                    const e = i + p.word.length;
                    if (e <= n && unitsEqual(text, i, p.word, len) && accept(c, i, e, p)) found.set(id, i);
                }
            }
            i += len;
        }
    }

    /** Runs the automaton of emoji / no-space words over the windows of the text where they can occur. */
    private scanSpecial(automaton: Automaton, c: Candidate, found: Found): void {
        const text = c.text;
        const n = text.length;
        const onHit = (k: number, end: number) => {
            const id = this.special[k]!;
            if (found.has(id)) return;
            const p = this.patterns[id]!;
            const start = end - p.word.length;
            if (accept(c, start, end, p)) found.set(id, start);
        };
        if (this.scanAll || !automaton.hasAscii) {
            // (Without ASCII in any word, the automaton's alphabet check skips ASCII text as fast as the
            // window search below would.)
            automaton.scan(text, 0, n, onHit);
            return;
        }
        // Every such word contains an emoji or no-space character q: its hits lie in [q + |q| - M, q + M).
        const m = this.maxSpecialLength;
        let winFrom = -1;
        let winTo = -1;
        for (let i = 0; i < n; ) {
            const u = text.charCodeAt(i);
            if (u < 0x80) {
                i++;
                continue;
            }
            const cp = cpAt(text, i);
            const len = codeUnits(cp);
            if (cpFlags(cp) & F_FREE) {
                const from = Math.max(0, i + len - m);
                const to = Math.min(n, i + m);
                if (from > winTo) {
                    if (winTo > winFrom) automaton.scan(text, winFrom, winTo, onHit);
                    winFrom = from;
                }
                winTo = to;
            }
            i += len;
        }
        if (winTo > winFrom) automaton.scan(text, winFrom, winTo, onHit);
    }
}

/**
 * Every accepted occurrence of `words` in `text` (WordMatcher.match gives only the first of each), as
 * original-text ranges sorted by start, longer first: what an alert's excerpt highlights. One automaton
 * over the few words of one alert, built per call: not for the per-post path.
 */
export function findAllOccurrences(words: readonly string[], text: string): Array<{word: string; index: number; length: number}> {
    const keys = [...new Set(words.map((w) => normalizeWord(w)))].filter((k) => k !== '');
    if (keys.length === 0 || text === '') return [];
    const patterns = keys.map((word) => ({word, ...edgeFlags(word)}));
    const norm = normalizeText(text);
    const candidate: Candidate = {text: norm.text};
    const found: Array<{word: string; index: number; length: number; normStart: number}> = [];
    new Automaton(keys).scan(norm.text, 0, norm.text.length, (k, end) => {
        const p = patterns[k]!;
        const start = end - p.word.length;
        if (!accept(candidate, start, end, p)) return;
        const index = norm.start[start]!;
        found.push({word: p.word, index, length: norm.end[end - 1]! - index, normStart: start});
    });
    // Two overlapping hits of one word can start in the same original character (one character can
    // normalise to several: ‴ is '''); the one that starts first in the normalised text is the one
    // WordMatcher.match reports, so it comes first here too.
    found.sort((a, b) => a.index - b.index || a.normStart - b.normStart || b.length - a.length);
    return found.map(({word, index, length}) => ({word, index, length}));
}

// ---- what is searched ------------------------------------------------------------------------------------

const ATTACHMENT_FIELDS = ['pretext', 'author_name', 'title', 'text'] as const;

function textOf(v: unknown): string | undefined {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    return undefined;
}

/**
 * The text a post is searched in: its message, then for each message attachment (props.attachments[])
 * its pretext, author_name, title, text, fields' titles and values, footer and fallback; non-empty parts
 * joined with "\n". Anything malformed in props is skipped.
 */
export function searchableText(post: {message: string; props?: Record<string, unknown>}): string {
    const parts: string[] = [];
    const add = (v: unknown) => {
        const s = textOf(v);
        if (s !== undefined && s !== '') parts.push(s);
    };
    add(post.message);
    const attachments = post.props?.['attachments'];
    if (Array.isArray(attachments)) {
        for (const a of attachments) {
            if (a === null || typeof a !== 'object') continue;
            const att = a as Record<string, unknown>;
            for (const f of ATTACHMENT_FIELDS) add(att[f]);
            if (Array.isArray(att['fields'])) {
                for (const field of att['fields']) {
                    if (field === null || typeof field !== 'object') continue;
                    add((field as Record<string, unknown>)['title']);
                    add((field as Record<string, unknown>)['value']);
                }
            }
            add(att['footer']);
            add(att['fallback']);
        }
    }
    return parts.join('\n');
}

// Text normalisation for trigger-word matching, with a map back to the original text.
//
// Both the words and the searched text go through normalizeText, so two strings "are the same" exactly
// when their normalised forms are equal. Per "chunk" (a base character plus the combining marks and other
// extenders attached to it, see F_ATTACH), in this order:
//   1. Mattermost emoji shortcodes (":rocket:", ":+1:", any case) become the emoji character, under
//      Mattermost's own rule for when a shortcode renders as an emoji: no ASCII letter, digit or "_" right
//      before the opening ":" or right after the closing one ("a:rocket:" and ":rocket:s" stay text).
//      Unknown names stay as text.
//   2. Variation selectors (U+FE0E/U+FE0F, ...), skin-tone modifiers and a few invisible characters (soft
//      hyphen, zero-width space, zero-width non-joiner, word joiner, combining grapheme joiner) are
//      dropped: "👍🏽" and "👍" and "❤️"/"❤" are the same.
//   3. Emoji (Extended_Pictographic bases) are kept as they are; everything else is NFKC-normalised,
//      fully case-folded (Unicode CaseFolding C + F: "ß" -> "ss", "ﬁ" -> "fi", "Ａ" -> "a"; no locale,
//      so Turkish "ı" stays "ı" and "İ" folds to "i̇") and, where folding changed it, NFKC-normalised
//      again. Emoji skip NFKC so that "ℹ️", "Ⓜ️" and "™️" stay emoji instead of becoming the letters
//      "i", "m", "tm".
//   4. Apostrophe and quotation-mark look-alikes become ASCII "'" and '"' (see QUOTE_FOLDS), before NFKC
//      (which would turn "″" into two primes and "´" into a space and a combining accent) and again
//      after it (case folding turns "ŉ" into "ʼn", NFKC "‴" into three primes).
//   5. Every run of whitespace (any Unicode white space, line breaks included, and spaces NFKC produces)
//      becomes one " ".
// Chunks are cut before every character that is not an extender, which is where NFKC composition cannot
// reach across, so normalising chunk by chunk gives the same text as normalising the whole (a property
// test checks this), while keeping an exact position map.
import {CASE_FOLDING_DATA} from './generated/casefold-data.js';
import {emojiForShortcode, isEmojiEdge, isSkinTone, isVariationSelector, MAX_SHORTCODE_LENGTH} from './emoji.js';

// ---- character classes -------------------------------------------------------------------------------

/** White space (JS \s plus NEL). */
export const F_WS = 1;
/** Attaches to the preceding character (combining marks, ZWJ, variation selectors, skin tones, Hangul
 * vowel/trailing jamo, tags, and characters whose NFKC form starts with one of those): never the start
 * of a chunk, and a match may not start at or end right before one. */
export const F_ATTACH = 2;
/** Invisible characters dropped entirely. */
export const F_IGNORE = 4;
/** A character that, next to a match, makes it part of a longer word: letters, digits, marks, "-", "_"
 * (except characters of scripts written without spaces, see F_NOSPACE). */
export const F_JOIN = 8;
/** Scripts written without spaces between words: Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar. */
export const F_NOSPACE = 16;
/** Emoji: pictographs, regional indicators, keycap, tags. */
export const F_EMOJI = 32;
/** Dropped inside a chunk: variation selectors, skin-tone modifiers, combining grapheme joiner. */
export const F_STRIP = 64;

const RE_WS = /^[\s\u0085]$/u;
const RE_ATTACH =
    /^[\p{M}\u200D\uFE00-\uFE0F\u1160-\u11FF\uD7B0-\uD7FF\u{E0020}-\u{E007F}\u{E0100}-\u{E01EF}\u{1F3FB}-\u{1F3FF}]$/u;
const RE_IGNORE = /^[\u00AD\u200B\u200C\u2060]$/u;
const RE_WORDISH = /^[\p{L}\p{N}\p{M}_-]$/u;
const RE_NOSPACE =
    /^[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}]$/u;

const RE_ATTACHED_START = /^[\p{M}\u1160-\u11FF\uD7B0-\uD7FF]/u;

/** A character whose compatibility decomposition starts with a non-starter that NFKC may reorder or
 * compose with what precedes it: halfwidth "ﾞ" (-> U+3099), Thai/Lao AM, compatibility Hangul vowels and
 * final consonants ("ㅏ" -> U+1161, so "ㄱㅏ" is "가" under NFKC). */
function decomposesToAttached(ch: string): boolean {
    const d = ch.normalize('NFKD');
    return d !== ch && RE_ATTACHED_START.test(d) && !RE_ATTACHED_START.test(ch);
}

/** The F_* flags of a code point, straight from their definitions (cpFlags is the cached form). */
export function cpFlagsUncached(cp: number): number {
    if (cp >= 0xd800 && cp <= 0xdfff) return 0; // a lone surrogate
    const ch = String.fromCodePoint(cp);
    let f = 0;
    if (RE_WS.test(ch)) f |= F_WS;
    if (RE_ATTACH.test(ch) || decomposesToAttached(ch)) f |= F_ATTACH;
    if (RE_IGNORE.test(ch)) f |= F_IGNORE | F_ATTACH; // dropped from inside a chunk, as if never there
    if (RE_NOSPACE.test(ch)) f |= F_NOSPACE;
    if (RE_WORDISH.test(ch) && !(f & F_NOSPACE)) f |= F_JOIN;
    if (isEmojiEdge(cp)) f |= F_EMOJI;
    if (isVariationSelector(cp) || isSkinTone(cp) || cp === 0x34f) f |= F_STRIP;
    return f;
}

let bmp: Uint8Array | undefined;
// Astral code points, filled in as they are met: flags | 0x80 (0 = not yet known). 1 MiB once needed.
let astral: Uint8Array | undefined;

function unanchoredRuns(re: RegExp): RegExp {
    return new RegExp(re.source.slice(1, -1) + '+', 'gu');
}

/** The flags of every BMP code point, computed with one regex pass per class over all of them (~ms). */
function bmpTable(): Uint8Array {
    if (bmp) return bmp;
    const t = new Uint8Array(0x10000);
    // Every BMP code point but the surrogates, in order: index k is code point k (k < 0xD800) or k + 0x800.
    const all = new Uint16Array(0x10000 - 0x800);
    for (let k = 0; k < all.length; k++) all[k] = k < 0xd800 ? k : k + 0x800;
    let text = '';
    for (let k = 0; k < all.length; k += 8192) {
        text += String.fromCharCode.apply(null, all.subarray(k, k + 8192) as unknown as number[]);
    }
    const mark = (re: RegExp, flag: number): void => {
        for (const m of text.matchAll(unanchoredRuns(re))) {
            for (let k = m.index!; k < m.index! + m[0].length; k++) t[k < 0xd800 ? k : k + 0x800] |= flag;
        }
    };
    mark(RE_WS, F_WS);
    mark(RE_ATTACH, F_ATTACH);
    mark(RE_IGNORE, F_IGNORE | F_ATTACH);
    mark(RE_NOSPACE, F_NOSPACE);
    mark(RE_WORDISH, F_JOIN);
    mark(/^\p{Extended_Pictographic}$/u, F_EMOJI);
    for (let cp = 0; cp < 0x10000; cp++) {
        if (t[cp] & F_NOSPACE) t[cp] &= ~F_JOIN;
    }
    // decomposesToAttached, over the only BMP blocks where it holds (a test checks the whole table).
    for (const [from, to] of [[0x0e00, 0x0eff], [0x3130, 0x318f], [0xff00, 0xffef]] as const) {
        for (let cp = from; cp <= to; cp++) if (decomposesToAttached(String.fromCharCode(cp))) t[cp] |= F_ATTACH;
    }
    t[0x20e3] |= F_EMOJI;
    for (let cp = 0xfe00; cp <= 0xfe0f; cp++) t[cp] |= F_STRIP;
    t[0x34f] |= F_STRIP;
    bmp = t;
    return t;
}

/** The F_* flags of a code point. */
export function cpFlags(cp: number): number {
    if (cp < 0x10000) return (bmp ?? bmpTable())[cp]!;
    if (cp > 0x10ffff) return 0;
    astral ??= new Uint8Array(0x110000 - 0x10000);
    let v = astral[cp - 0x10000]!;
    if (v === 0) {
        v = cpFlagsUncached(cp) | 0x80;
        astral[cp - 0x10000] = v;
    }
    return v & 0x7f;
}

// ---- Hangul -------------------------------------------------------------------------------------------

/** Script=Hangul: jamo, compatibility jamo, syllables, halfwidth and enclosed forms, tone marks. */
export function isHangul(cp: number): boolean {
    if (cp >= 0xac00) return cp <= 0xd7a3 || (cp >= 0xd7b0 && cp <= 0xd7fb && (cp <= 0xd7c6 || cp >= 0xd7cb)) || isHalfwidthHangul(cp);
    return (
        (cp >= 0x1100 && cp <= 0x11ff) ||
        (cp >= 0x3131 && (cp <= 0x318e || (cp >= 0x3200 && cp <= 0x321e) || (cp >= 0x3260 && cp <= 0x327e) || (cp >= 0xa960 && cp <= 0xa97c))) ||
        cp === 0x302e ||
        cp === 0x302f
    );
}

function isHalfwidthHangul(cp: number): boolean {
    if (cp < 0xffa0 || cp > 0xffdc) return false;
    return cp <= 0xffbe || (cp >= 0xffc2 && cp <= 0xffc7) || (cp >= 0xffca && cp <= 0xffcf) || (cp >= 0xffd2 && cp <= 0xffd7) || cp >= 0xffda;
}

// ---- quotation marks ----------------------------------------------------------------------------------

/**
 * What phones, smart-punctuation editors and some keyboard layouts put where the writer meant ASCII "'"
 * or '"' (and vice versa): folded so that "don't" and "don’t", "\"on call\"" and "“on call”" are the same.
 * - "'": ’ and ‘ (iOS/macOS/Android smart punctuation; ‘ at a word start: ‘til, ‘90s), ‚ (the German
 *   opening quote those produce), ‛ (their reversed form), ʼ (the apostrophe letter: Ukrainian and other
 *   layouts, and what case folding makes of "ŉ"), ʻ (the ʻokina, written "'" where it is not on the
 *   keyboard: Hawaiʻi/Hawai'i), ′ (prime, drawn the same), ´ (the acute accent that German, Spanish and
 *   French typists use as an apostrophe: don´t).
 * - '"': “ ” „ ‟ (smart quotes, German and English), ″ (double prime, drawn the same; inches are "
 *   too), ˮ (the double apostrophe letter).
 * Fullwidth ＇ and ＂ need nothing here: NFKC maps them. Not folded: "`" (Mattermost's code delimiter, never
 * what a phone types for an apostrophe: "'x'" must not turn into a code span's "`x`"), ‵ and ‶ (the
 * reversed primes, drawn like "`"), and « » ‹ › 「 」 (quotation marks, but not drawn like "'" or '"').
 */
const QUOTE_FOLDS: ReadonlyMap<number, number> = new Map([
    [0x2019, 0x27], [0x2018, 0x27], [0x201a, 0x27], [0x201b, 0x27], [0x02bc, 0x27], [0x02bb, 0x27], [0x2032, 0x27], [0x00b4, 0x27],
    [0x201c, 0x22], [0x201d, 0x22], [0x201e, 0x22], [0x201f, 0x22], [0x2033, 0x22], [0x02ee, 0x22],
]);

/** Whether c is folded by foldQuotes. (All of them are in the BMP, in these three blocks.) */
export function isQuoteLookalike(c: number): boolean {
    return (c >= 0x2018 ? c <= 0x2033 : c === 0xb4 || (c >= 0x2bb && c <= 0x2ee)) && QUOTE_FOLDS.has(c);
}

/** s with the look-alikes of "'" and '"' replaced by them (see QUOTE_FOLDS). */
export function foldQuotes(s: string): string {
    let i = 0;
    while (i < s.length && !isQuoteLookalike(s.charCodeAt(i))) i++;
    if (i === s.length) return s;
    let out = s.slice(0, i);
    for (; i < s.length; i++) {
        const c = s.charCodeAt(i);
        out += isQuoteLookalike(c) ? String.fromCharCode(QUOTE_FOLDS.get(c)!) : s[i];
    }
    return out;
}

// ---- case folding -------------------------------------------------------------------------------------

let foldTable: Map<number, string> | undefined;

function folds(): Map<number, string> {
    if (foldTable) return foldTable;
    const m = new Map<number, string>();
    for (const entry of CASE_FOLDING_DATA.split(';')) {
        const [from, to] = entry.split(':');
        m.set(parseInt(from!, 16), String.fromCodePoint(...to!.split(',').map((h) => parseInt(h, 16))));
    }
    foldTable = m;
    return m;
}

/** Full Unicode case folding (CaseFolding.txt C + F), without locale tailoring. */
export function foldCase(s: string): string {
    const table = foldTable ?? folds();
    let out = '';
    let last = 0;
    for (let i = 0; i < s.length; ) {
        const cp = s.codePointAt(i)!;
        const len = cp > 0xffff ? 2 : 1;
        const f = cp < 0x80 ? (cp >= 0x41 && cp <= 0x5a ? String.fromCharCode(cp + 32) : undefined) : table.get(cp);
        if (f !== undefined) {
            out += s.slice(last, i) + f;
            last = i + len;
        }
        i += len;
    }
    return last === 0 ? s : out + s.slice(last);
}

// ---- normalisation with a position map ----------------------------------------------------------------

/**
 * Normalised text plus, for every UTF-16 unit k of `text`, the original range [start[k], end[k]) it came
 * from (the whole chunk, shortcode or whitespace run). A normalised range [s, e) maps back to
 * [start[s], end[e - 1]).
 */
export interface NormalizedText {
    text: string;
    start: Int32Array;
    end: Int32Array;
}

// One buffer per Builder for its three arrays (allocating array buffers is what costs, not their size).
function arrays(cap: number): {units: Uint16Array; start: Int32Array; end: Int32Array} {
    const buf = new ArrayBuffer(cap * 10);
    return {start: new Int32Array(buf, 0, cap), end: new Int32Array(buf, cap * 4, cap), units: new Uint16Array(buf, cap * 8, cap)};
}

// Decodes code units as they are (no BOM handling); lone surrogates become U+FFFD, which text() detects.
const utf16 = new TextDecoder('utf-16le', {ignoreBOM: true});

class Builder {
    units: Uint16Array;
    start: Int32Array;
    end: Int32Array;
    len = 0;

    constructor(capacity: number) {
        ({units: this.units, start: this.start, end: this.end} = arrays(capacity));
    }

    private grow(need: number): void {
        let cap = this.units.length * 2;
        while (cap < need) cap *= 2;
        const a = arrays(cap);
        a.units.set(this.units);
        a.start.set(this.start);
        a.end.set(this.end);
        this.units = a.units;
        this.start = a.start;
        this.end = a.end;
    }

    push1(unit: number, from: number, to: number): void {
        if (unit === 0x20 && this.len > 0 && this.units[this.len - 1] === 0x20) {
            // Spaces next to each other (white space, or a space NFKC produced, as in "῭" -> " ̈̀") are one.
            this.end[this.len - 1] = to;
            return;
        }
        if (this.len === this.units.length) this.grow(this.len + 1);
        const k = this.len++;
        this.units[k] = unit;
        this.start[k] = from;
        this.end[k] = to;
    }

    /** input[from, to), ASCII without white space, with A-Z lower-cased, one unit per character. */
    pushAscii(input: string, from: number, to: number): void {
        if (this.len + (to - from) > this.units.length) this.grow(this.len + (to - from));
        const units = this.units;
        const start = this.start;
        const end = this.end;
        let k = this.len;
        for (let i = from; i < to; i++, k++) {
            const c = input.charCodeAt(i);
            units[k] = c >= 0x41 && c <= 0x5a ? c + 32 : c;
            start[k] = i;
            end[k] = i + 1;
        }
        this.len = k;
    }

    /** Two units that are not spaces, from the same original range. */
    push2(u0: number, u1: number, from: number, to: number): void {
        if (this.len + 2 > this.units.length) this.grow(this.len + 2);
        const k = this.len;
        this.units[k] = u0;
        this.units[k + 1] = u1;
        this.start[k] = this.start[k + 1] = from;
        this.end[k] = this.end[k + 1] = to;
        this.len = k + 2;
    }

    pushStr(s: string, from: number, to: number): void {
        if (this.len + s.length > this.units.length) this.grow(this.len + s.length);
        for (let i = 0; i < s.length; i++) {
            const c = s.charCodeAt(i);
            if (c === 0x20) {
                this.push1(c, from, to);
                continue;
            }
            const k = this.len++;
            this.units[k] = c;
            this.start[k] = from;
            this.end[k] = to;
        }
    }

    text(): string {
        const units = this.units.subarray(0, this.len);
        const decoded = utf16.decode(units);
        // Exact unless a U+FFFD is in it (a lone surrogate replaced, or a real U+FFFD): then unit by unit.
        if (decoded.length === units.length && !decoded.includes('\uFFFD')) return decoded;
        let text = '';
        for (let i = 0; i < units.length; i += 8192) {
            text += String.fromCharCode.apply(null, units.subarray(i, i + 8192) as unknown as number[]);
        }
        return text;
    }

    finish(): NormalizedText {
        return {text: this.text(), start: this.start.subarray(0, this.len), end: this.end.subarray(0, this.len)};
    }
}

function isAsciiWord(c: number): boolean {
    return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

function isShortcodeNameChar(c: number): boolean {
    return isAsciiWord(c) || c === 0x2b /* + */ || c === 0x2d /* - */;
}

// Known names only (bounded by the emoji table): unknown ":anything:" in posts must not grow it.
const emojiCache = new Map<string, string>();

// Known lower-case names by a hash of their characters (one per hash; bounded like emojiCache).
const knownByHash = new Map<number, {name: string; emoji: string}>();

/** The normalised emoji for a shortcode name, or null. */
function shortcodeEmoji(name: string): string | null {
    let v = emojiCache.get(name);
    if (v === undefined) {
        const raw = emojiForShortcode(name);
        if (raw === undefined) return null;
        v = normalizeText(raw).text;
        emojiCache.set(name, v);
    }
    return v;
}

/** Chunk normalisation: drop F_STRIP/F_IGNORE characters, then (unless an emoji) quote folding, NFKC, case
 * folding and quote folding again. */
function normalizeChunk(chunk: string, baseFlags: number): string {
    let s = '';
    let last = 0;
    for (let i = 0; i < chunk.length; ) {
        const cp = chunk.codePointAt(i)!;
        const len = cp > 0xffff ? 2 : 1;
        if (cpFlags(cp) & (F_STRIP | F_IGNORE)) {
            s += chunk.slice(last, i);
            last = i + len;
        }
        i += len;
    }
    s = last === 0 ? chunk : s + chunk.slice(last);
    if (baseFlags & F_EMOJI) return s;
    const nfkc = foldQuotes(s).normalize('NFKC');
    const folded = foldCase(nfkc);
    // Folding can leave text that is not in NFKC (marks out of canonical order after "İ" -> "i̇", a
    // decomposed "ǰ"); normalising again makes the whole idempotent, as keys must be.
    return foldQuotes(folded === nfkc ? folded : folded.normalize('NFKC'));
}

function codePointLength(cp: number): number {
    return cp > 0xffff ? 2 : 1;
}

// Per BMP code point, lazily: 1 = a character that normalises to itself on its own (no NFKC change, no
// case folding, no special class), 2 = not. Most CJK text is made of those and skips the general path.
const stable = new Uint8Array(0x10000);

function isStable(c: number): boolean {
    let v = stable[c]!;
    if (v === 0) {
        const ch = String.fromCharCode(c);
        const special = F_WS | F_ATTACH | F_IGNORE | F_STRIP | F_EMOJI;
        v = !(cpFlags(c) & special) && ch.normalize('NFKC') === ch && !(foldTable ?? folds()).has(c) && !isQuoteLookalike(c) ? 1 : 2;
        stable[c] = v;
    }
    return v === 1;
}

/** Normalise `input` (see the file comment), keeping a map from normalised to original positions. */
export function normalizeText(input: string): NormalizedText {
    const b = new Builder(input.length + 16);
    normalizeInto(input, b);
    return b.finish();
}

/**
 * normalizeText(input), but only far enough that units [0, minUnits] of the text and their map are final
 * (the text and map may stop there; they may also go on): the map for a few matches near the start of a
 * long post, without normalising all of it again.
 */
export function normalizeTextPrefix(input: string, minUnits: number): NormalizedText {
    const b = new Builder(Math.min(input.length, minUnits + 2) + 16);
    // One unit more than asked: a unit is final once another follows it (spaces merge into the last unit).
    normalizeInto(input, b, minUnits + 1);
    return b.finish();
}

/** normalizeText(input).text, without a map of its own to allocate. */
export function normalizeTextOnly(input: string): string {
    const b = (scratch ??= new Builder(256));
    b.len = 0;
    normalizeInto(input, b);
    const text = b.text();
    // (Not kept for the next post if one huge text made it big.)
    if (b.units.length > SCRATCH_KEEP_UNITS) scratch = undefined;
    return text;
}

const SCRATCH_KEEP_UNITS = 1 << 16;

// Reused by normalizeWord and normalizeTextOnly, which need no position map of their own.
let scratch: Builder | undefined;

/** Normalises input into b, stopping early once b holds more than `stopAfter` units. */
function normalizeInto(input: string, b: Builder, stopAfter = Infinity): void {
    const n = input.length;
    let i = 0;
    while (i < n && b.len <= stopAfter) {
        const c = input.charCodeAt(i);
        if (c < 0x80) {
            if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
                i = whitespaceRun(input, i, b);
                continue;
            }
            if (c === 0x3a /* : */ && (i === 0 || !isAsciiWord(input.charCodeAt(i - 1)))) {
                const j = shortcode(input, i, b);
                if (j > 0) {
                    i = j;
                    continue;
                }
            }
            if (c !== 0x3a) {
                // A run of ASCII other than white space and ":", at once (as the single-character case
                // below, character by character); its last character stays out if something attaches to it.
                let j = i + 1;
                for (; j < n; j++) {
                    const u = input.charCodeAt(j);
                    if (u >= 0x80 || u === 0x20 || (u >= 0x09 && u <= 0x0d) || u === 0x3a) break;
                }
                if (j < n && input.charCodeAt(j) >= 0x80 && cpFlags(input.codePointAt(j)!) & F_ATTACH) j--;
                if (j > i) {
                    b.pushAscii(input, i, j);
                    i = j;
                    continue;
                }
            }
            // ASCII with nothing attached to it: fold A-Z inline.
            const next = i + 1 < n ? input.charCodeAt(i + 1) : 0;
            if (next < 0x80 || !(cpFlags(input.codePointAt(i + 1)!) & F_ATTACH)) {
                b.push1(c >= 0x41 && c <= 0x5a ? c + 32 : c, i, i + 1);
                i++;
                continue;
            }
        } else if ((c < 0xd800 || c > 0xdfff) && isStable(c)) {
            const next = i + 1 < n ? input.charCodeAt(i + 1) : 0;
            if (next < 0x80 || !(cpFlags(input.codePointAt(i + 1)!) & F_ATTACH)) {
                b.push1(c, i, i + 1);
                i++;
                continue;
            }
        }
        const cp = input.codePointAt(i)!;
        const f = cpFlags(cp);
        if (cp > 0xffff && (f & (F_EMOJI | F_STRIP | F_IGNORE)) === F_EMOJI) {
            // An astral emoji: normalizeChunk keeps it as it is; only what is attached to it may change.
            const next = i + 2 < n ? input.charCodeAt(i + 2) : 0;
            if (next < 0x80 || !(cpFlags(input.codePointAt(i + 2)!) & F_ATTACH)) {
                b.push2(c, input.charCodeAt(i + 1), i, i + 2);
                i += 2;
                continue;
            }
        }
        if (f & F_WS) {
            i = whitespaceRun(input, i, b);
            continue;
        }
        let j = i + codePointLength(cp);
        while (j < n) {
            const cp2 = input.codePointAt(j)!;
            if (!(cpFlags(cp2) & F_ATTACH)) break;
            j += codePointLength(cp2);
        }
        if (f & F_EMOJI) {
            // normalizeChunk(input.slice(i, j), f) and pushStr, without the intermediate strings: an
            // emoji's chunk is kept as it is, minus F_STRIP / F_IGNORE characters.
            for (let k = i; k < j; ) {
                const cp2 = input.codePointAt(k)!;
                const len = codePointLength(cp2);
                if (!(cpFlags(cp2) & (F_STRIP | F_IGNORE))) {
                    b.push1(input.charCodeAt(k), i, j);
                    if (len === 2) b.push1(input.charCodeAt(k + 1), i, j);
                }
                k += len;
            }
            i = j;
            continue;
        }
        const out = normalizeChunk(input.slice(i, j), f);
        if (out.length > 0) b.pushStr(out, i, j);
        i = j;
    }
}

function whitespaceRun(input: string, i: number, b: Builder): number {
    const from = i;
    while (i < input.length) {
        const c = input.charCodeAt(i);
        if (c < 0x80) {
            if (c !== 0x20 && (c < 0x09 || c > 0x0d)) break;
            i++;
            continue;
        }
        const cp = input.codePointAt(i)!;
        if (!(cpFlags(cp) & F_WS)) break;
        i += codePointLength(cp);
    }
    b.push1(0x20, from, i);
    return i;
}

/** At a ":" that may open a shortcode: emit the emoji and return the index after the closing ":", or 0. */
function shortcode(input: string, i: number, b: Builder): number {
    const limit = Math.min(input.length, i + 2 + MAX_SHORTCODE_LENGTH);
    let j = i + 1;
    let upper = false;
    let h = 0;
    for (; j < limit; j++) {
        const c = input.charCodeAt(j);
        if (!isShortcodeNameChar(c)) break;
        if (c >= 0x41 && c <= 0x5a) upper = true;
        h = (Math.imul(h, 31) + c) | 0;
    }
    if (j === i + 1 || j >= limit || input.charCodeAt(j) !== 0x3a) return 0;
    if (j + 1 < input.length && isAsciiWord(input.charCodeAt(j + 1))) return 0;
    // A known lower-case name seen before, found by its hash without slicing it out.
    const seen = upper ? undefined : knownByHash.get(h);
    let emoji: string | null;
    if (seen !== undefined && seen.name.length === j - i - 1 && input.startsWith(seen.name, i + 1)) {
        emoji = seen.emoji;
    } else {
        // (toLowerCase is slow on a slice of a string with non-Latin-1 characters, even when nothing changes.)
        const name = input.slice(i + 1, j);
        emoji = shortcodeEmoji(upper ? name.toLowerCase() : name);
        // (A copy: a slice of a long post could keep the whole post alive.)
        if (emoji !== null && !upper) knownByHash.set(h, {name: name.split('').join(''), emoji});
    }
    if (emoji === null) return 0;
    b.pushStr(emoji, i, j + 1);
    return j + 1;
}

/**
 * The key two trigger words are "the same" by: normalised as above, trimmed; '' if nothing is left.
 * ("  ＤＥＰＬＯＹ " -> "deploy", "On\n Call" -> "on call", ":rocket:" -> "🚀", "Straße" -> "strasse").
 */
export function normalizeWord(raw: string): string {
    const b = (scratch ??= new Builder(256));
    b.len = 0;
    normalizeInto(raw, b);
    const word = b.text().trim();
    if (b.units.length > SCRATCH_KEEP_UNITS) scratch = undefined;
    return word;
}

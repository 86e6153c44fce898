// The normalised form of a post for matching: normalizeText's result, computed without its general
// machinery when the text is made only of characters that normalise to themselves on their own (ASCII
// other than white space and "A"-"Z", and "stable" BMP characters such as most CJK and Hangul, but not
// the quotation-mark look-alikes normalizeText folds), ASCII white space and "A"-"Z", with no emoji
// shortcode candidate. Then normalising is lower-casing A-Z and collapsing
// white-space runs to " ", and the map back to the original is built only if asked for (when something
// matched). Anything else goes to normalizeText. A property test checks both agree.
import {cpFlags, F_ATTACH, F_EMOJI, F_IGNORE, F_STRIP, F_WS, foldCase, isQuoteLookalike, normalizeTextOnly, normalizeTextPrefix, type NormalizedText} from './normalize.js';

export interface MatchText {
    text: string;
    /** Where unit k of text came from in the original: [start(k), end(k)) (see NormalizedText). */
    start(k: number): number;
    end(k: number): number;
}

// Per BMP code point, lazily: 1 = normalises to itself on its own and is no special class, 2 = not.
let stable: Uint8Array | undefined;

function isStable(c: number): boolean {
    const table = (stable ??= new Uint8Array(0x10000));
    let v = table[c]!;
    if (v === 0) {
        const ch = String.fromCharCode(c);
        const special = F_WS | F_ATTACH | F_IGNORE | F_STRIP | F_EMOJI;
        v = !(cpFlags(c) & special) && ch.normalize('NFKC') === ch && foldCase(ch) === ch && !isQuoteLookalike(c) ? 1 : 2;
        table[c] = v;
    }
    return v === 1;
}

// Where normalizeText would try a shortcode: ":" not after an ASCII word character, a name, ":" not
// followed by one (a superset: the name's length and whether it is known are not checked).
const SHORTCODE_CANDIDATE = /(?<![A-Za-z0-9_]):[A-Za-z0-9_+-]+:(?![A-Za-z0-9_])/;
const ASCII_WS_TO_COLLAPSE = /[\t-\r ]{2,}|[\t-\r]/g;
const UPPER = /[A-Z]+/g;

function isAsciiWs(c: number): boolean {
    return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

const NON_ASCII = /[^\x00-\x7f]/;
const ASCII_UPPER = /[A-Z]/;
const ASCII_WS_TO_COLLAPSE_TEST = /[\t-\r]| [\t-\r ]/;

export function matchText(input: string): MatchText {
    const n = input.length;
    let ascii: boolean;
    let upper: boolean;
    let collapse: boolean;
    let colon: boolean;
    if (!NON_ASCII.test(input)) {
        ascii = true;
        upper = ASCII_UPPER.test(input);
        collapse = ASCII_WS_TO_COLLAPSE_TEST.test(input);
        colon = input.includes(':');
    } else {
        ascii = upper = collapse = colon = false;
        for (let i = 0; i < n; i++) {
            const c = input.charCodeAt(i);
            if (c < 0x80) {
                if (c >= 0x41 && c <= 0x5a) upper = true;
                else if (c === 0x3a) colon = true;
                else if ((c >= 0x09 && c <= 0x0d) || (c === 0x20 && i + 1 < n && isAsciiWs(input.charCodeAt(i + 1)))) collapse = true;
                continue;
            }
            if ((c >= 0xd800 && c <= 0xdfff) || !isStable(c)) return general(input);
        }
    }
    if (colon && SHORTCODE_CANDIDATE.test(input)) return general(input);
    let text = input;
    if (upper) text = ascii ? text.toLowerCase() : text.replace(UPPER, (s) => s.toLowerCase());
    if (!collapse) return {text, start: (k) => k, end: (k) => k + 1};
    text = text.replace(ASCII_WS_TO_COLLAPSE, ' ');
    let map: {start: Int32Array; end: Int32Array} | undefined;
    return {
        text,
        start: (k) => (map ??= collapsedPositions(input, text.length)).start[k]!,
        end: (k) => (map ??= collapsedPositions(input, text.length)).end[k]!,
    };
}

// The map back to the original costs as much as the text again: built only when something matched, and
// only as far as the matches go (usually a short prefix).
function general(input: string): MatchText {
    const text = normalizeTextOnly(input);
    let map: NormalizedText | undefined;
    let final = 0; // map units [0, final) are final
    const mapFor = (k: number): NormalizedText => {
        if (map === undefined || k >= final) {
            map = normalizeTextPrefix(input, Math.max(k, 2 * final, 64));
            final = map.start.length >= text.length ? text.length : map.start.length - 1;
        }
        return map;
    };
    return {text, start: (k) => mapFor(k).start[k]!, end: (k) => mapFor(k).end[k]!};
}

function collapsedPositions(input: string, length: number): {start: Int32Array; end: Int32Array} {
    const start = new Int32Array(length);
    const end = new Int32Array(length);
    let k = 0;
    for (let i = 0; i < input.length; ) {
        let j = i + 1;
        if (isAsciiWs(input.charCodeAt(i))) while (j < input.length && isAsciiWs(input.charCodeAt(j))) j++;
        start[k] = i;
        end[k] = j;
        k++;
        i = j;
    }
    return {start, end};
}

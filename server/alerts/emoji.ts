// Mattermost system emoji shortcodes (":rocket:", ":+1:", ":thumbsup_light_skin_tone:") and a few emoji
// code point classes the matcher needs. Pure data lookups, no I/O.
//
// The names are emoji-datasource's short_names, which is where Mattermost's own emoji tables come from
// (see scripts/gen-alerts-data.mjs). Not included: the older gemoji-style aliases Mattermost adds on top
// of them, custom emoji, and ":mattermost:" (an image without a Unicode character). A shortcode that is not
// known here is left as plain text, so a word ":partyparrot:" still matches the text ":partyparrot:".
import {EMOJI_DATA, EMOJI_VARIANT_DATA} from './generated/emoji-data.js';

let byName: Map<string, string> | undefined;
let uniformSkins: Set<string> | undefined;

function unifiedToString(unified: string): string {
    return String.fromCodePoint(...unified.split('-').map((h) => parseInt(h, 16)));
}

function load(): Map<string, string> {
    if (byName) return byName;
    const names = new Map<string, string>();
    const uniform = new Set<string>();
    for (const row of EMOJI_DATA.split('\n')) {
        const [unified, list, flag] = row.split('=');
        const emoji = unifiedToString(unified!);
        for (const name of list!.split(',')) {
            names.set(name, emoji);
            if (flag === 'S') uniform.add(name);
        }
    }
    for (const row of EMOJI_VARIANT_DATA.split('\n')) {
        const eq = row.lastIndexOf('=');
        names.set(row.slice(0, eq), unifiedToString(row.slice(eq + 1)));
    }
    uniformSkins = uniform;
    byName = names;
    return names;
}

const SINGLE_TONE = /_(?:light|medium_light|medium|medium_dark|dark)_skin_tone$/;

/**
 * The emoji for a Mattermost system emoji name (without the colons, any case), exactly as
 * emoji-datasource spells it (variation selectors and skin-tone modifiers included); undefined if the
 * name is not a system emoji. Skin-tone names ("thumbsup_medium_skin_tone") resolve too.
 */
export function emojiForShortcode(name: string): string | undefined {
    const names = load();
    const key = name.toLowerCase();
    const direct = names.get(key);
    if (direct !== undefined) return direct;
    const m = SINGLE_TONE.exec(key);
    if (!m) return undefined;
    const base = key.slice(0, m.index);
    if (!uniformSkins!.has(base)) return undefined;
    // The variant is the base emoji plus a skin tone; the matcher drops skin tones, so the base will do.
    return names.get(base);
}

/** An upper bound on system emoji name length (skin-tone suffixes included; a test checks it), so a scan
 * for ":name:" can stop early. */
export const MAX_SHORTCODE_LENGTH = 100;

/** Skin-tone modifiers U+1F3FB..U+1F3FF. */
export function isSkinTone(cp: number): boolean {
    return cp >= 0x1f3fb && cp <= 0x1f3ff;
}

/** Variation selectors (text/emoji presentation U+FE0E/U+FE0F and the others). */
export function isVariationSelector(cp: number): boolean {
    return (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;

/**
 * Code points that make a word's edge an emoji (no letter-boundary rule applies there): pictographs,
 * regional indicators (flags), the keycap mark and tag characters (subdivision flags).
 */
export function isEmojiEdge(cp: number): boolean {
    if (cp < 0xa9) return false;
    if (cp >= 0x1f1e6 && cp <= 0x1f1ff) return true; // regional indicators
    if (cp === 0x20e3) return true; // combining enclosing keycap
    if (cp >= 0xe0020 && cp <= 0xe007f) return true; // tags
    return PICTOGRAPHIC.test(String.fromCodePoint(cp));
}

export function isRegionalIndicator(cp: number): boolean {
    return cp >= 0x1f1e6 && cp <= 0x1f1ff;
}

/** Every system emoji name listed in the table (skin-tone names derived on lookup are not listed). */
export function systemEmojiNames(): string[] {
    return [...load().keys()];
}

// Colour arithmetic for looking at screenshots: WCAG 2 contrast ratios and the pixels of a decoded PNG.
import type {Image} from './png';

export type Rgb = [number, number, number];

function luminance([r, g, b]: Rgb): number {
    const lin = (v: number) => {
        const s = v / 255;
        return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG 2 contrast ratio of two sRGB colours, 1 to 21. */
export function contrast(a: Rgb, b: Rgb): number {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi! + 0.05) / (lo! + 0.05);
}

/** The image's pixels row by row, alpha dropped (screenshots are opaque). */
export function pixels(img: Image): Rgb[] {
    return Array.from({length: img.width * img.height}, (_, i) => [img.data[i * 4]!, img.data[i * 4 + 1]!, img.data[i * 4 + 2]!]);
}

/** The most frequent colour of `px`. */
export function commonest(px: Rgb[]): Rgb {
    const counts = new Map<string, number>();
    for (const p of px) {
        counts.set(p.join(','), (counts.get(p.join(',')) ?? 0) + 1);
    }
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    return top.split(',').map(Number) as Rgb;
}

/** "#1e325c" or "rgb(30, 50, 92)" as numbers. */
export function parseColour(css: string): Rgb {
    const s = css.trim();
    const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(s);
    if (hex) {
        return [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16), parseInt(hex[3]!, 16)];
    }
    const rgb = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(s);
    if (rgb) {
        return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
    }
    throw new Error(`not a colour: ${css}`);
}

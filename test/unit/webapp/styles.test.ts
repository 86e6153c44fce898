import {describe, expect, it} from 'vitest';

import {css} from '../../../webapp/src/styles';

describe('panel CSS', () => {
    it('takes every colour from the theme\'s CSS variables, never a fixed colour', () => {
        const declarations = css.replace(/\/\*[\s\S]*?\*\//g, '').match(/[a-z-]+\s*:[^;{}]+/g) ?? [];
        const colourish = declarations.filter((d) => /^(color|background|background-color|border|border-color|border-top|border-bottom|box-shadow|outline|fill|stroke)\b/.test(d));
        expect(colourish.length).toBeGreaterThan(20);
        for (const d of colourish) {
            expect(d, d).not.toMatch(/#[0-9a-f]{3,8}\b/i);
            expect(d, d).not.toMatch(/rgba?\(\s*\d/);
            expect(d, d).not.toMatch(/hsla?\(/);
            expect(d, d).not.toMatch(/:\s*.*\b(white|black|red|blue|green|gr[ae]y|silver)\b/);
        }
        for (const v of ['--center-channel-bg', '--center-channel-color', '--center-channel-color-rgb', '--button-bg', '--button-color', '--error-text']) {
            expect(css).toContain(`var(${v}`);
        }
    });
});

/** A selector list split at its top-level commas (not those inside :where(...)). */
function splitSelectors(list: string): string[] {
    const out: string[] = [];
    let depth = 0;
    let start = 0;
    for (let i = 0; i < list.length; i++) {
        const ch = list[i];
        if (ch === '(') {
            depth++;
        } else if (ch === ')') {
            depth--;
        } else if (ch === ',' && depth === 0) {
            out.push(list.slice(start, i).trim());
            start = i + 1;
        }
    }
    out.push(list.slice(start).trim());
    return out;
}

/** The stylesheet as [selectors, declarations] pairs (the panel's CSS has no nested blocks). */
function rules(): Array<{selectors: string[]; body: string}> {
    return Array.from(css.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/([^{}]+)\{([^{}]*)\}/g)).map((m) => ({
        selectors: splitSelectors(m[1]!),
        body: m[2]!,
    }));
}

describe('panel CSS inside the web app', () => {
    it('scopes every rule under the panel\'s root class, so nothing leaks out and host element rules are outranked', () => {
        const all = rules();
        expect(all.length).toBeGreaterThan(40);
        for (const {selectors} of all) {
            for (const s of selectors) {
                expect(s, s).toMatch(/^\.tw-backdrop( |$)/);
            }
        }
    });

    it('first reverts every element the panel uses to the browser defaults, dropping the host\'s element styles', () => {
        const all = rules();
        const reset = all.findIndex((r) => /\ball:\s*revert\b/.test(r.body) && r.selectors.some((s) => s.includes(':where(')));
        expect(reset).toBeGreaterThanOrEqual(0);
        const where = all[reset]!.selectors.find((s) => s.includes(':where('))!;
        for (const tag of ['div', 'span', 'p', 'h2', 'h3', 'ul', 'li', 'section', 'label', 'input', 'button', 'fieldset', 'legend']) {
            expect(where, tag).toMatch(new RegExp(`[(,\\s]${tag}[,)]`));
        }
        // the class rules come after it, so that at equal specificity they win
        const title = all.findIndex((r) => r.selectors.includes('.tw-backdrop .tw-title'));
        expect(title).toBeGreaterThan(reset);
    });

    it('pins font size, line height and margins on every text element of the panel', () => {
        const all = rules();
        const body = (cls: string) => all.filter((r) => r.selectors.includes(`.tw-backdrop .${cls}`)).map((r) => r.body).join(';');
        for (const cls of ['tw-title', 'tw-subtitle', 'tw-label', 'tw-hint', 'tw-error', 'tw-button', 'tw-button-secondary',
            'tw-link', 'tw-chip', 'tw-empty-title', 'tw-count', 'tw-snooze-legend', 'tw-snooze-status', 'tw-channel-name', 'tw-input']) {
            const b = body(cls);
            expect(b, cls).toMatch(/font-size:\s*\d+px/);
            expect(b, cls).toMatch(/line-height:\s*\d+px/);
            expect(b, cls).toMatch(/(^|[;\s])margin:/);
        }
    });
});

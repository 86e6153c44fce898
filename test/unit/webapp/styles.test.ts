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

// Flood control's rule on its own (flood.ts); the ledger that stores its counters across servers is tested in
// recipient_ledger.test.ts.
import {describe, expect, it} from 'vitest';

import {floodStep, minuteOf, type FloodWindow} from '../../../server/alerts/flood.js';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const MINUTE = 60_000;

/** Runs `n` alerts through the rule at `now`, as the ledger would (each on the previous one's counters). */
function run(start: FloodWindow, n: number, now: number, limit: number): {state: FloodWindow; decisions: Array<{allowed: boolean; held: number}>} {
    let state = start;
    const decisions: Array<{allowed: boolean; held: number}> = [];
    for (let i = 0; i < n; i++) {
        const d = floodStep(state, now, limit);
        decisions.push({allowed: d.allowed, held: d.held});
        state = d.next;
    }
    return {state, decisions};
}

const fresh: FloodWindow = {minute: 0, count: 0, held: 0};

describe('floodStep', () => {
    it('admits N per minute, holds back and counts the rest, and the next DM reports and resets the count', () => {
        const a = run(fresh, 5, T0, 3);
        expect(a.decisions).toEqual([
            {allowed: true, held: 0}, {allowed: true, held: 0}, {allowed: true, held: 0},
            {allowed: false, held: 1}, {allowed: false, held: 2},
        ]);
        const b = run(a.state, 1, T0 + 30_000, 3); // same minute
        expect(b.decisions).toEqual([{allowed: false, held: 3}]);
        expect(b.state).toEqual({minute: minuteOf(T0), count: 3, held: 3});
        const c = run(b.state, 2, T0 + MINUTE, 3); // next minute
        expect(c.decisions).toEqual([{allowed: true, held: 3}, {allowed: true, held: 0}]);
        expect(c.state).toEqual({minute: minuteOf(T0) + 1, count: 2, held: 0});
    });

    it('counts in wall-clock minutes (a fixed window)', () => {
        const end = T0 + MINUTE - 1;
        const a = run(fresh, 2, end, 2);
        expect(a.decisions.every((d) => d.allowed)).toBe(true);
        expect(run(a.state, 2, end + 1, 2).decisions.every((d) => d.allowed)).toBe(true);
    });

    it('keeps a held-back count across minutes until a DM reports it', () => {
        const a = run(fresh, 2, T0, 0);
        const b = run(a.state, 1, T0 + 5 * MINUTE, 0);
        expect(b.decisions).toEqual([{allowed: false, held: 3}]);
        expect(run(b.state, 1, T0 + 9 * MINUTE, 1).decisions).toEqual([{allowed: true, held: 3}]);
    });

    it('treats a limit below 1 (and NaN) as "hold back all" and Infinity as "no limit"', () => {
        let s = fresh;
        for (const [limit, held] of [[0, 1], [-5, 2], [Number.NaN, 3]] as const) {
            const d = floodStep(s, T0, limit);
            expect(d).toMatchObject({allowed: false, held});
            s = d.next;
        }
        expect(floodStep(s, T0, Infinity)).toMatchObject({allowed: true, held: 3});
        const many = run(floodStep(s, T0, Infinity).next, 100, T0, Infinity);
        expect(many.decisions.every((d) => d.allowed && d.held === 0)).toBe(true);
        expect(run(fresh, 3, T0, 2.9).decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    });
});

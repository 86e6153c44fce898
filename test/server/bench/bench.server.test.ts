// The bench's own correctness: what it counts as expected, delivered, missing, duplicate and unexpected
// (on made-up DMs), and a small real run whose figures must add up (every expected alert arrives, the
// phases without the plugin get none, the JSON line has the reference's keys in its order).
import os from 'node:os';
import path from 'node:path';

import {describe, expect, it} from 'vitest';

import {processesWithExePrefix} from '../harness/processes_by_path.js';

import {tallyAlerts, type ReceivedAlert} from './alerts_received.js';
import {runBench} from './bench.js';
import type {SentPost} from './posting.js';
import {listenerWords, planPosts, recipientsOf} from './workload.js';

describe('bench workload', () => {
    const words = listenerWords(100, 5);
    const owner = new Map(words.flatMap((ws, u) => ws.map((w) => [w, u] as const)));

    it('names 3 listeners in one post of four, nobody otherwise, and the same posts for the same seed', () => {
        const posts = planPosts('match', 400, words, 7);
        expect(posts.filter((p) => p.expected.length === 3)).toHaveLength(100);
        expect(posts.filter((p) => p.expected.length === 0)).toHaveLength(300);
        expect(planPosts('match', 400, words, 7)).toEqual(posts);
        expect(planPosts('nomatch', 400, words, 7).every((p) => p.expected.length === 0)).toBe(true);
        for (const p of posts) {
            expect(p.message.length).toBeGreaterThanOrEqual(300);
            expect(p.message.length).toBeLessThan(760);
        }
    });

    it('finds recipients by whole words only', () => {
        expect(recipientsOf('ship kw3x1 today', owner)).toEqual([3]);
        expect(recipientsOf('ship kw3x1! and (kw12x0)', owner)).toEqual([3, 12]);
        expect(recipientsOf('kw3x12 kw3x1b xkw3x1', owner)).toEqual([]);
    });
});

describe('bench tally', () => {
    const listenerIds = ['a'.repeat(26), 'b'.repeat(26), 'c'.repeat(26)];
    const planned = [{message: '', expected: [0, 1]}, {message: '', expected: []}, {message: '', expected: [2]}];
    const sent: SentPost[] = [
        {index: 0, id: 'p'.repeat(26), createAt: 1000, latencyMs: 5},
        {index: 1, id: 'q'.repeat(26), createAt: 1010, latencyMs: 5},
        {index: 2, id: 'r'.repeat(26), createAt: 1020, latencyMs: 5},
    ];
    const dm = (post: string, to: string, at: number): ReceivedAlert => ({postId: post.repeat(26), recipientId: to.repeat(26), createAt: at});

    it('counts delivered, missing, duplicates and unexpected, with delays from the server timestamps', () => {
        const t = tallyAlerts(sent, planned, listenerIds, [dm('p', 'a', 1100), dm('p', 'a', 1150), dm('q', 'b', 1200), dm('r', 'c', 1520)]);
        expect(t).toEqual({expected: 3, delivered: 2, missing: 1, duplicates: 1, unexpected: 1, delaysMs: [100, 500]});
    });
});

describe('bench on the real server, small', () => {
    it('delivers every expected alert, none without the plugin, and ends with the reference JSON keys', async () => {
        const lines: string[] = [];
        const worldName = `benchtest${process.pid}`;
        const json = await runBench({posts: 24, rounds: 1, phaseWarmup: 8, users: 8, anchor: false, floor: false, maxMinutes: 10, help: false}, {
            out: (l) => lines.push(l),
            signal: new AbortController().signal,
            worldName,
        });
        expect(Object.keys(json)).toEqual(['bench', 'ratio_nomatch', 'ratio_match', 'alert_p50_ms', 'alert_p99_ms', 'missing', 'api_calls_per_nomatch_post', 'api_calls_per_alert']);
        // The plugin's own count (debug/api-calls): one stamp read per post at most, three calls per alert at most.
        expect(json.api_calls_per_nomatch_post).toBeGreaterThan(0);
        expect(json.api_calls_per_nomatch_post).toBeLessThanOrEqual(1.05);
        expect(json.api_calls_per_alert).toBeLessThanOrEqual(5); // cold: each phase is a new plugin process
        expect(json.missing).toBe(0);
        expect(json.alert_p50_ms).toBeGreaterThan(0);
        // 24 match posts, one in four names 3 listeners: 18 alerts, all delivered once.
        expect(lines.find((l) => / match +ours /.test(l) && l.startsWith('  '))).toContain('alerts 18 of 18 delivered, missing 0, duplicates 0, unexpected 0');
        expect(lines.filter((l) => /^phase .* off /.test(l)).every((l) => l.endsWith('no DMs'))).toBe(true);
        expect(lines.find((l) => / nomatch +ours /.test(l) && l.startsWith('  '))).toContain('DMs 0 (none expected)');
        expect(lines.some((l) => l.startsWith('load average at start: ')) && lines.some((l) => l.startsWith('load average at end: '))).toBe(true);
        expect(processesWithExePrefix(path.join(os.tmpdir(), `mm-${worldName}-`))).toEqual([]);
    }, 300_000);
});

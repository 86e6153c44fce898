// How long the fuzz properties run. Short by default so `npm test` stays quick; longer on demand:
//
//   FUZZ_RUNS=20000 npx vitest run packages/mattermost-plugin-node/test/fuzz      more runs for every property
//   FUZZ_SECONDS=300 npx vitest run packages/mattermost-plugin-node/test/fuzz     each property runs until the time is up (runs unlimited)
//   FUZZ_SEED=123 ...                                  replay (fast-check prints the seed and path of a failure)
import type {Parameters as FcParameters} from 'fast-check';

function envNumber(name: string): number | undefined {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
    return n;
}

const runs = envNumber('FUZZ_RUNS');
const seconds = envNumber('FUZZ_SECONDS');
const seed = envNumber('FUZZ_SEED');

/** fast-check parameters: `defaultRuns` unless FUZZ_RUNS / FUZZ_SECONDS say otherwise. */
export function fuzzParams<T>(defaultRuns: number, extra: FcParameters<T> = {}): FcParameters<T> {
    const p: FcParameters<T> = {...extra, numRuns: runs ?? (seconds !== undefined ? Number.MAX_SAFE_INTEGER : defaultRuns)};
    if (seconds !== undefined) p.interruptAfterTimeLimit = seconds * 1000;
    if (seed !== undefined) p.seed = Math.trunc(seed);
    return p;
}

/** Scales a count (inputs per batch, say) like fuzzParams scales runs: FUZZ_RUNS replaces it. */
export function fuzzCount(defaultCount: number): number {
    return runs !== undefined ? Math.trunc(runs) : defaultCount;
}

/** A vitest timeout for a fuzz test: its usual budget, plus FUZZ_SECONDS per property when set. */
export function fuzzTimeout(defaultMs: number, properties = 1): number {
    if (seconds !== undefined) return defaultMs + seconds * 1000 * properties;
    if (runs !== undefined) return Math.max(defaultMs, 3_600_000);
    return defaultMs;
}

/** For loops that are not fast-check properties: keep going until this time (0: one round). */
export function fuzzDeadline(): number {
    return seconds !== undefined ? Date.now() + seconds * 1000 : 0;
}

/** Whether the bounds were raised (longer runs need not meet the default time budget). */
export const longRun = runs !== undefined || seconds !== undefined;

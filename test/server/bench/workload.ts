// The bench's deterministic workload: every listener's trigger words and the posts of each phase. Who is
// expected to be alerted is computed from the words set and each post's text (whole-word, case as set),
// not from how the generator built the post, so a generator mistake shows up as a count mismatch.

/** mulberry32: small, fast and the same on every run for a seed. */
export function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

// Filler in English; no trigger word is made of these letters-only words (every trigger word has digits).
const FILLER = ('the release train leaves at noon and the team checks dashboards before lunch while someone ' +
    'reviews the change log again because last week a config flag was missed during the handover so please ' +
    'read the notes carefully and reply in the thread if anything looks odd or slow or broken today').split(' ');

/** Listener `u`'s word `k`: letters and digits, unique, never a filler word. */
export function triggerWord(u: number, k: number): string {
    return `kw${u}x${k}`;
}

export type WorkloadKind = 'nomatch' | 'match';

export interface PlannedPost {
    message: string;
    /** Indexes into the listeners whose words the message holds. */
    expected: number[];
}

export function listenerWords(count: number, wordsEach: number): string[][] {
    return Array.from({length: count}, (_, u) => Array.from({length: wordsEach}, (_, k) => triggerWord(u, k)));
}

/** A post of 300-700 characters of filler. */
function filler(rand: () => number): string[] {
    const target = 300 + Math.floor(rand() * 400);
    const out: string[] = [];
    let len = 0;
    while (len < target) {
        const w = FILLER[Math.floor(rand() * FILLER.length)];
        out.push(w);
        len += w.length + 1;
    }
    return out;
}

/** Which listeners' words a message names (whole tokens, as the plugins match them). */
export function recipientsOf(message: string, wordOwner: ReadonlyMap<string, number>): number[] {
    const found = new Set<number>();
    for (const token of message.split(/[^\p{L}\p{N}_-]+/u)) {
        const owner = wordOwner.get(token);
        if (owner !== undefined) {
            found.add(owner);
        }
    }
    return [...found].sort((a, b) => a - b);
}

/**
 * `count` posts of `kind`: "nomatch" names nobody's words; "match" names 3 different listeners' words in
 * one post of four (the others name nobody's), at random places.
 */
export function planPosts(kind: WorkloadKind, count: number, words: string[][], seed: number): PlannedPost[] {
    const rand = prng(seed);
    const owner = new Map<string, number>();
    words.forEach((ws, u) => ws.forEach((w) => owner.set(w, u)));
    const posts: PlannedPost[] = [];
    for (let i = 0; i < count; i++) {
        const tokens = filler(rand);
        if (kind === 'match' && i % 4 === 0) {
            const chosen = new Set<number>();
            while (chosen.size < 3) {
                chosen.add(Math.floor(rand() * words.length));
            }
            for (const u of chosen) {
                const w = words[u][Math.floor(rand() * words[u].length)];
                tokens.splice(Math.floor(rand() * (tokens.length + 1)), 0, w);
            }
        }
        const message = tokens.join(' ');
        posts.push({message, expected: recipientsOf(message, owner)});
    }
    return posts;
}

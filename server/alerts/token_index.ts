// A hash index from "first keys" (see matcher.ts) to the words that start with them, looked up by a range
// of the searched text without slicing it: the caller hashes the range with hashUnits (or incrementally
// with the same steps), the index compares hash, length and then the code units in place.

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** The hash of an empty range; extend it one UTF-16 unit at a time with hashStep. */
export const HASH_SEED = FNV_OFFSET;

export function hashStep(h: number, unit: number): number {
    return Math.imul(h ^ unit, FNV_PRIME);
}

/** The hash of s[from, to). */
export function hashUnits(s: string, from: number, to: number): number {
    let h = FNV_OFFSET;
    for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
    return h;
}

/** Whether text[from, from + key.length) equals key (a plain loop: keys are short). */
export function unitsEqual(text: string, from: number, key: string, skip = 0): boolean {
    for (let k = skip; k < key.length; k++) if (text.charCodeAt(from + k) !== key.charCodeAt(k)) return false;
    return true;
}

/**
 * Open addressing over (hash, key id) pairs side by side, so that a probe that misses (the common case:
 * most runs of a post are no one's word) reads one cache line. Each key heads a chain of word ids.
 * Fixed capacity: built once.
 */
export class KeyIndex {
    private readonly slots: Int32Array; // [hash, key id + 1] pairs; key id + 1 = 0: empty
    private readonly mask: number;
    private readonly keyStr: string[] = [];
    private readonly keyHead: number[] = [];
    private readonly keyTail: number[] = [];
    /** word id -> next word id with the same key, or -1 */
    private readonly next: Int32Array;

    /** maxWords: the largest word id + 1 that will be added. */
    constructor(maxWords: number) {
        let cap = 8;
        while (cap < maxWords * 2) cap *= 2;
        this.slots = new Int32Array(cap * 2);
        this.mask = cap - 1;
        this.next = new Int32Array(Math.max(1, maxWords)).fill(-1);
    }

    /** Number of distinct keys. */
    get size(): number {
        return this.keyStr.length;
    }

    add(key: string, wordId: number): void {
        const h = hashUnits(key, 0, key.length);
        const {slots, mask} = this;
        let i = h & mask;
        for (;;) {
            const k = slots[2 * i + 1]!;
            if (k === 0) break;
            if (slots[2 * i] === h && this.keyStr[k - 1] === key) {
                // Append, so that a key's words keep their registration order.
                this.next[this.keyTail[k - 1]!] = wordId;
                this.keyTail[k - 1] = wordId;
                return;
            }
            i = (i + 1) & mask;
        }
        this.keyStr.push(key);
        this.keyHead.push(wordId);
        this.keyTail.push(wordId);
        slots[2 * i] = h;
        slots[2 * i + 1] = this.keyStr.length;
    }

    /** The first word id whose key is text[from, to) (its hash h), or -1. */
    first(text: string, from: number, to: number, h: number): number {
        const {slots, mask} = this;
        const len = to - from;
        let i = h & mask;
        for (;;) {
            const k = slots[2 * i + 1]!;
            if (k === 0) return -1;
            if (slots[2 * i] === h) {
                const key = this.keyStr[k - 1]!;
                if (key.length === len && unitsEqual(text, from, key)) return this.keyHead[k - 1]!;
            }
            i = (i + 1) & mask;
        }
    }

    /** The word id after `wordId` with the same key, or -1. */
    nextWord(wordId: number): number {
        return this.next[wordId]!;
    }
}

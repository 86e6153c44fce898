import {describe, expect, it} from 'vitest';

import {normalizeWord, parseAll, splitFinished} from '../../../webapp/src/parse';

const texts = (value: string) => parseAll(value).map((t) => t.text);

describe('parseAll (Enter)', () => {
    it('takes an unquoted entry whole, spaces and all', () => {
        expect(texts('deploy')).toEqual(['deploy']);
        expect(texts('  on call  ')).toEqual(['on call']);
    });

    it('splits on commas outside quotes and drops empty entries', () => {
        expect(texts('deploy, release')).toEqual(['deploy', 'release']);
        expect(texts(',, deploy ,,release,')).toEqual(['deploy', 'release']);
        expect(texts('')).toEqual([]);
        expect(texts('  ,  ')).toEqual([]);
    });

    it('takes a quoted phrase as one word, commas inside included', () => {
        expect(texts('"on call"')).toEqual(['on call']);
        expect(texts('"p1, p2"')).toEqual(['p1, p2']);
        expect(texts('" spaced "')).toEqual(['spaced']);
        expect(texts('""')).toEqual([]);
    });

    it('splits quoted and unquoted text within an entry', () => {
        expect(texts('"on call" outage')).toEqual(['on call', 'outage']);
        expect(texts('"a" "b", c')).toEqual(['a', 'b', 'c']);
    });

    it('accepts curly quotes and runs an unclosed quote to the end', () => {
        expect(texts('\u201con call\u201d, x')).toEqual(['on call', 'x']);
        expect(texts('"on call, still')).toEqual(['on call, still']);
    });

    it('records where each token starts, so a failed entry and the rest can go back in the input', () => {
        const value = 'alpha, "on call", gamma';
        expect(parseAll(value).map((t) => value.slice(t.start))).toEqual([
            'alpha, "on call", gamma',
            '"on call", gamma',
            'gamma',
        ]);
    });
});

describe('splitFinished (typing)', () => {
    it('does nothing until a comma outside quotes finishes an entry', () => {
        expect(splitFinished('deploy')).toEqual({done: [], doneText: null, rest: 'deploy'});
        expect(splitFinished('"a, b').doneText).toBeNull();
    });

    it('returns the finished entries and leaves the unfinished one', () => {
        const r = splitFinished('deploy, release');
        expect(r.done.map((t) => t.text)).toEqual(['deploy']);
        expect(r.doneText).toBe('deploy');
        expect(r.rest).toBe(' release');
        const q = splitFinished('"a, b", c, d');
        expect(q.done.map((t) => t.text)).toEqual(['a, b', 'c']);
        expect(q.doneText).toBe('"a, b", c');
        expect(q.rest).toBe(' d');
    });
});

describe('normalizeWord', () => {
    it('ignores case and surrounding space, and compares composed forms', () => {
        expect(normalizeWord('  DePloy ')).toBe('deploy');
        expect(normalizeWord('cafe\u0301')).toBe(normalizeWord('café'));
        expect(normalizeWord('on \t  call')).toBe(normalizeWord('On Call'));
    });

    it('does not fold compatibility forms, which the server may keep apart (™ is an emoji there)', () => {
        expect(normalizeWord('\u2122')).not.toBe(normalizeWord('TM'));
    });
});

// The runtime converts Go models to JSON shapes with generated code (one function per model); the generic
// loop remains where code generation is disallowed. Both must give exactly the same objects: same keys, in
// the same order, same values, for every model of the table.
import {describe, expect, it} from 'vitest';

import {GoInterface, GoMarshaled} from '../../src/transport/gob/index.js';
import {timeToGob} from '../../src/mattermost/api/go_time.js';
import {models, type ModelName} from '../../src/mattermost/generated/models.js';
import {CONV_TIER_UP_CALLS, fromGoWith, modelConverter} from '../../src/mattermost/models.js';
import type {TypeExpr} from '../../src/mattermost/model_table.js';

const modelNames = Object.keys(models) as ModelName[];

/** A Go-shaped value of the type, as the gob decoder hands it over; nested structs down to `depth`. */
function sample(expr: TypeExpr, depth: number, seed: {n: number}): unknown {
    seed.n++;
    if (typeof expr === 'string') {
        switch (expr) {
            case 'string':
                return `s${seed.n} ✓`;
            case 'int':
                return -seed.n;
            case 'uint':
                return seed.n;
            case 'float':
                return seed.n + 0.5;
            case 'bool':
                return seed.n % 2 === 0;
            case 'bytes':
                return new Uint8Array([seed.n & 0xff, 0, 255]);
            case 'rawjson':
                return Buffer.from(JSON.stringify({n: seed.n, list: [1, 'two']}));
            case 'interface':
                return new GoInterface('map[string]interface {}', new Map<unknown, unknown>([['k', `v${seed.n}`], ['__proto__', {polluted: true}]]));
            default:
                return undefined; // streams never appear in models
        }
    }
    if ('ptr' in expr) {
        return sample(expr.ptr, depth, seed);
    }
    if ('slice' in expr) {
        return [sample(expr.slice, depth, seed), null];
    }
    if ('array' in expr) {
        return [sample(expr.array, depth, seed)];
    }
    if ('map' in expr) {
        return new Map<unknown, unknown>([
            [`key${seed.n}`, sample(expr.map[1], depth, seed)],
            ['empty', null],
        ]);
    }
    if ('marshaler' in expr) {
        return expr.name === 'time.Time'
            ? new GoMarshaled(expr.marshaler, expr.name, timeToGob('2024-02-29T12:34:56.789Z') ?? new Uint8Array())
            : new GoMarshaled(expr.marshaler, expr.name, Buffer.from(`m${seed.n}`));
    }
    if (depth <= 0) {
        return undefined;
    }
    const rows = models[expr.struct as ModelName] ?? [];
    const out: Record<string, unknown> = {};
    for (const row of rows) {
        const v = sample(row.type, depth - 1, seed);
        if (v !== undefined) {
            out[row.go] = v;
        }
    }
    return out;
}

/** Every key path in insertion order, with the type found there: equal values in another key order differ. */
function keyOrder(v: unknown, at = ''): string[] {
    if (typeof v !== 'object' || v === null) {
        return [`${at}:${typeof v}`];
    }
    if (v instanceof Uint8Array) {
        return [`${at}:bytes`];
    }
    return Reflect.ownKeys(v).flatMap((k) => keyOrder((v as Record<PropertyKey, unknown>)[k], `${at}/${String(k)}`));
}

function expectSameOutput(name: ModelName, value: unknown): unknown {
    // Converters are tiered: the loop until CONV_TIER_UP_CALLS values, generated code after. The same
    // value that often first moves the model and the nested ones in it past that line.
    for (let i = 0; i < CONV_TIER_UP_CALLS; i++) {
        fromGoWith('generated', {struct: name}, value);
    }
    const generated = fromGoWith('generated', {struct: name}, value);
    const loop = fromGoWith('loop', {struct: name}, value);
    expect(generated, name).toStrictEqual(loop);
    expect(keyOrder(generated), name).toEqual(keyOrder(loop));
    return generated;
}

describe('generated model converters', () => {
    it('covers the table, and the runtime really generates code for every model', () => {
        expect(modelNames.length).toBeGreaterThan(100);
        // tiered: a model converted only a few times never costs generated code
        for (let i = 1; i < CONV_TIER_UP_CALLS; i++) {
            fromGoWith('generated', {struct: 'Post'}, {});
        }
        expect(modelConverter('Post', 'generated').name).not.toMatch(/^convert/);
        for (const name of modelNames) {
            for (let i = 0; i < CONV_TIER_UP_CALLS; i++) {
                fromGoWith('generated', {struct: name}, {});
            }
            // (a failed code generation would fall back to the loop silently, and every comparison pass)
            expect(modelConverter(name, 'generated').name, name).toMatch(/^convert/);
            expect(modelConverter(name, 'loop').name, name).not.toMatch(/^convert/);
        }
    });

    it.each(modelNames)('%s: the generated converter and the loop agree on a full value', (name) => {
        const out = expectSameOutput(name, sample({struct: name}, 3, {n: 0}));
        // a real conversion happened (JSON names), not two identical pass-throughs
        const jsonNames = models[name].filter((r) => r.json !== '-' && !r.embedded).map((r) => r.json);
        if (jsonNames.length > 0) {
            expect(Object.keys(out as object)).toEqual(expect.arrayContaining(jsonNames));
        }
    });

    it.each(modelNames)('%s: they agree on an empty value, null fields and a non-struct', (name) => {
        expectSameOutput(name, {});
        expectSameOutput(name, Object.fromEntries(models[name].map((r) => [r.go, null])));
        expectSameOutput(name, ['not a struct', new GoInterface('string', 'but an interface')]);
    });

    it('gives Go\'s zero values for absent non-pointer fields and leaves nil pointers out', () => {
        const post = fromGoWith('generated', {struct: 'Post'}, {Id: 'p1'}) as Record<string, unknown>;
        expect(post).toMatchObject({id: 'p1', create_at: 0, is_pinned: false, message: ''});
        expect(post).not.toHaveProperty('file_ids'); // a nil slice: no zero value stands in
        expect(post).not.toHaveProperty('remote_id');
        expect(post).not.toHaveProperty('metadata');
        expect(post).not.toHaveProperty('filenames');
        expect(Object.getPrototypeOf(post)).toBe(Object.prototype);
    });
});

import {describe, expect, it} from 'vitest';

import {GoInterface, GobDecoder, GobEncoder} from '../../src/transport/gob/index.js';
import {fromGo, modelFromGo, modelToGo, modelType, toGo} from '../../src/mattermost/models.js';

/** Encode with the model's Go type and decode schema-less, as a value crossing the wire would. */
function overTheWire(name: Parameters<typeof modelType>[0], goValue: unknown): unknown {
    const enc = new GobEncoder();
    const dec = new GobDecoder();
    dec.push(enc.encode(modelType(name), goValue));
    const next = dec.next();
    if (!next) {
        throw new Error('nothing decoded');
    }
    return next.value;
}

describe('Go model <-> @mattermost/types mapping', () => {
    it('maps a post to JSON names and back, through gob', () => {
        const post = {
            id: 'p1',
            create_at: 1700000000123,
            user_id: 'u1',
            channel_id: 'c1',
            root_id: '',
            message: 'héllo 👋 مرحبا',
            type: '',
            props: {from_bot: 'true', nested: {n: 1.5, list: ['a', true, null]}},
            file_ids: ['f1', 'f2'],
            metadata: {embeds: [{type: 'opengraph', url: 'https://example.com'}], images: {'https://x/y.png': {width: 10, height: 20, format: 'png'}}},
        };
        const goValue = modelToGo('Post', post) as Record<string, unknown>;
        expect(goValue.UserId).toBe('u1');
        expect(goValue).not.toHaveProperty('user_id');

        const back = modelFromGo<Record<string, unknown>>('Post', overTheWire('Post', goValue));
        expect(back).toMatchObject({
            id: 'p1',
            create_at: 1700000000123,
            user_id: 'u1',
            message: 'héllo 👋 مرحبا',
            props: {from_bot: 'true', nested: {n: 1.5, list: ['a', true, null]}},
            file_ids: ['f1', 'f2'],
        });
        const metadata = back.metadata as Record<string, unknown>;
        expect(metadata.embeds).toEqual([{type: 'opengraph', url: 'https://example.com'}]);
        expect(metadata.images).toEqual({'https://x/y.png': expect.objectContaining({width: 10, height: 20, format: 'png'})});
        // non-omitempty scalars get Go's zero value, as Go's JSON would print them
        expect(back.edit_at).toBe(0);
        expect(back.is_pinned).toBe(false);
        // fields Go's JSON leaves out are not invented
        expect(back).not.toHaveProperty('filenames');
    });

    it('leaves nil pointers out instead of inventing zero values', () => {
        const back = modelFromGo<Record<string, unknown>>('Channel', {Id: 'c1'});
        expect(back.id).toBe('c1');
        expect(back).not.toHaveProperty('policy_id'); // *string
        expect(back).not.toHaveProperty('shared'); // *bool
    });

    it('gives []byte as base64 and json.RawMessage as embedded JSON, like Go\'s JSON', () => {
        expect(fromGo('bytes', new Uint8Array([0, 1, 255]))).toBe('AAH/');
        expect(toGo('bytes', 'AAH/')).toEqual(Buffer.from([0, 1, 255]));
        expect(fromGo('rawjson', Buffer.from('{"a":[1,2]}'))).toEqual({a: [1, 2]});
    });

    it('flattens embedded structs the way Go\'s JSON does', () => {
        const cfg = modelFromGo<Record<string, Record<string, unknown>>>('Config', {
            ContentFlaggingSettings: {ContentFlaggingSettingsBase: {EnableContentFlagging: true}},
        });
        expect(cfg.ContentFlaggingSettings?.EnableContentFlagging).toBe(true);
        expect(cfg.ContentFlaggingSettings).not.toHaveProperty('ContentFlaggingSettingsBase');
        const goCfg = modelToGo('Config', cfg) as Record<string, Record<string, Record<string, unknown>>>;
        expect(goCfg.ContentFlaggingSettings?.ContentFlaggingSettingsBase?.EnableContentFlagging).toBe(true);
    });

    it('unwraps interface values and cannot be prototype-polluted by a map key', () => {
        const props = new GoInterface('map[string]interface {}', JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as unknown);
        const out = fromGo({map: ['string', 'interface']}, {p: props}) as Record<string, Record<string, unknown>>;
        expect(out.p?.ok).toBe(1);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.getPrototypeOf(out.p)).toBe(Object.prototype);
    });

    it('maps registered error types inside interfaces', () => {
        const v = fromGo('interface', new GoInterface('*model.AppError', {Id: 'x.y', Message: 'm', StatusCode: 404}));
        expect(v).toMatchObject({id: 'x.y', message: 'm', status_code: 404});
    });
});

// The generated tables and class cover plugin.API and plugin.Hooks as a whole, callable by name.
import {describe, expect, it} from 'vitest';

import {PluginAPI} from '../../src/mattermost/api.js';
import {apiMethods} from '../../src/mattermost/generated/api_table.js';
import {hookMethods} from '../../src/mattermost/generated/hooks_table.js';
import {GeneratedPluginAPI} from '../../src/mattermost/generated/api.js';
import {goTypeOf} from '../../src/mattermost/models.js';
import {argsTypeOf} from '../../src/mattermost/api/wire_values.js';
import {readVarint} from '../../src/mattermost/api/reader_stream.js';

describe('the API table', () => {
    it('has every method of plugin.API in server/public v0.4.4, each callable on PluginAPI by its ts name', () => {
        expect(apiMethods).toHaveLength(258);
        expect(new Set(apiMethods.map((r) => r.go)).size).toBe(258);
        for (const row of apiMethods) {
            expect(typeof (PluginAPI.prototype as unknown as Record<string, unknown>)[row.ts], row.go).toBe('function');
        }
    });

    it('generates exactly the methods Mattermost generates; the hand-written ones are in PluginAPI', () => {
        const manual = apiMethods.filter((r) => r.wire === 'manual').map((r) => r.go);
        expect(manual.sort()).toEqual(
            [
                'InstallPlugin',
                'LoadPluginConfiguration',
                'LogAuditRec',
                'LogAuditRecWithLevel',
                'LogDebug',
                'LogError',
                'LogInfo',
                'LogWarn',
                'PluginHTTP',
                'ReceiveSharedChannelAttachmentSyncMsg',
                'UploadData',
            ].sort(),
        );
        const generated = GeneratedPluginAPI.prototype as unknown as Record<string, unknown>;
        for (const row of apiMethods) {
            expect(Object.hasOwn(generated, row.ts), row.go).toBe(row.wire === 'generated');
        }
    });

    it('has a gob type for every generated method’s args', () => {
        for (const row of apiMethods.filter((r) => r.wire === 'generated')) {
            expect(() => argsTypeOf(row), row.go).not.toThrow();
            for (const r of row.results) {
                expect(() => goTypeOf(r.type), row.go).not.toThrow();
            }
        }
    });

    it('names methods the TypeScript way', () => {
        const ts = new Map(apiMethods.map((r) => [r.go, r.ts]));
        expect(ts.get('KVGet')).toBe('kvGet');
        expect(ts.get('KVSetWithOptions')).toBe('kvSetWithOptions');
        expect(ts.get('GetLDAPUserAttributes')).toBe('getLDAPUserAttributes');
        expect(ts.get('OpenInteractiveDialog')).toBe('openInteractiveDialog');
        expect(ts.get('IsEnterpriseReady')).toBe('isEnterpriseReady');
    });
});

describe('the hooks table', () => {
    it('has every hook of plugin.Hooks, the hand-written ones marked', () => {
        expect(hookMethods).toHaveLength(52);
        const byGo = new Map(hookMethods.map((r) => [r.go, r]));
        expect(byGo.get('ServeHTTP')).toMatchObject({ts: 'serveHTTP', wire: 'manual'});
        expect(byGo.get('ServeHTTP')!.params.map((p) => p.type)).toEqual([{ptr: {struct: 'PluginContext'}}, 'httpResponseWriter', 'httpRequest']);
        expect(byGo.get('FileWillBeUploaded')!.params.map((p) => p.type)).toContain('reader');
        expect(byGo.get('MessageHasBeenPosted')).toMatchObject({ts: 'messageHasBeenPosted', wire: 'generated'});
        expect(byGo.get('ExecuteCommand')!.results).toEqual([{type: {ptr: {struct: 'CommandResponse'}}}, {type: {ptr: {struct: 'AppError'}}, error: 'app'}]);
        expect(byGo.get('OnActivate')!.results).toEqual([{type: 'interface', error: 'error'}]);
    });
});

describe('the io.Reader stream', () => {
    it('reads the sizes Go writes with binary.PutVarint (zigzag)', () => {
        expect(readVarint(new Uint8Array([0x80, 0x80, 0x04]))).toEqual({value: 32768, size: 3});
        expect(readVarint(new Uint8Array([0x01]))).toEqual({value: -1, size: 1});
        expect(readVarint(new Uint8Array([0x02, 0xff]))).toEqual({value: 1, size: 1});
        expect(readVarint(new Uint8Array([0x80]))).toBeUndefined();
    });
});

// A method the connected server lacks rejects with NotSupportedError naming the method and the server's
// version, over the real net/rpc framing, with the exact replies an older server sends.

import {describe, expect, it} from 'vitest';

import {PluginAPI} from '../../src/mattermost/api.js';
import {NotSupportedError, PluginApiError} from '../../src/mattermost/errors.js';
import {t} from '../../src/transport/gob/index.js';
import {RpcClient, RpcServer, RpcServerError, type RpcMethod} from '../../src/transport/netrpc.js';
import {pair} from '../support/memory_pair.js';

const versionReply = t.struct('Z_GetServerVersionReturns', [['A', t.string]]);
const kvGetReply = t.struct('Z_KVGetReturns', [['A', t.bytes]]);

/** An "older server": answers only the methods given; net/rpc itself answers the rest. */
function olderServer(methods: Record<string, RpcMethod>): {api: PluginAPI; served: string[]; close: () => void} {
    const [c, s] = pair();
    const served: string[] = [];
    const server = new RpcServer(s, (m) => {
        served.push(m);
        return methods[m];
    });
    const client = new RpcClient(c);
    return {
        api: new PluginAPI(client),
        served,
        close: () => {
            client.close();
            server.close();
        },
    };
}

describe('methods the server does not have', () => {
    it('reject with NotSupportedError naming the method and the version, asked once', async () => {
        const {api, served, close} = olderServer({
            'Plugin.GetServerVersion': () => ({type: versionReply, value: {A: '9.10.0'}}),
            'Plugin.KVGet': () => ({type: kvGetReply, value: {A: new Uint8Array([1])}}),
        });
        try {
            const first = await api.getTeamsUnreadForUser('u').catch((e: unknown) => e);
            expect(first).toBeInstanceOf(NotSupportedError);
            expect(first).toMatchObject({method: 'GetTeamsUnreadForUser', serverVersion: '9.10.0'});
            expect((first as Error).message).toContain('GetTeamsUnreadForUser');
            expect((first as Error).message).toContain('9.10.0');
            const second = await api.getGroupsBySource('ldap').catch((e: unknown) => e);
            expect(second).toMatchObject({name: 'NotSupportedError', method: 'GetGroupsBySource', serverVersion: '9.10.0'});
            // the methods it has still work
            expect(await api.kvGet('k')).toEqual(new Uint8Array([1]));
            expect(served.filter((m) => m === 'Plugin.GetServerVersion')).toHaveLength(1);
        } finally {
            close();
        }
    });

    it('"API X called but not implemented." is the same thing', async () => {
        const {api, close} = olderServer({
            'Plugin.GetServerVersion': () => ({type: versionReply, value: {A: '10.5.0'}}),
            'Plugin.GetCloudLimits': () => {
                throw new Error('API GetCloudLimits called but not implemented.');
            },
        });
        try {
            await expect(api.getCloudLimits()).rejects.toMatchObject({name: 'NotSupportedError', method: 'GetCloudLimits', serverVersion: '10.5.0'});
        } finally {
            close();
        }
    });

    it('without GetServerVersion either, says the version is unknown instead of waiting', async () => {
        const {api, close} = olderServer({});
        try {
            const err = await api.getTeamsUnreadForUser('u').catch((e: unknown) => e);
            expect(err).toBeInstanceOf(NotSupportedError);
            expect((err as Error).message).toContain('unknown version');
        } finally {
            close();
        }
    });

    it('any other server error stays what it is', async () => {
        const {api, close} = olderServer({
            'Plugin.KVGet': () => {
                throw new Error('database is down');
            },
        });
        try {
            const err = await api.kvGet('k').catch((e: unknown) => e);
            expect(err).toBeInstanceOf(RpcServerError);
            expect(err).not.toBeInstanceOf(NotSupportedError);
        } finally {
            close();
        }
    });
});

describe('LoadPluginConfiguration', () => {
    const configReply = t.struct('Z_LoadPluginConfigurationArgsReturns', [['A', t.bytes]]);

    it("the server's error (the net/rpc reply's own: the glue has no error result) is a PluginApiError with its message", async () => {
        const {api, close} = olderServer({
            'Plugin.LoadPluginConfiguration': () => {
                throw new Error('json: unsupported value: NaN');
            },
        });
        try {
            const err = await api.loadPluginConfiguration().catch((e: unknown) => e);
            expect(err).toBeInstanceOf(PluginApiError);
            expect(err).toMatchObject({name: 'PluginApiError', message: 'json: unsupported value: NaN'});
        } finally {
            close();
        }
    });

    it('the settings JSON the server sends is the result', async () => {
        const {api, close} = olderServer({
            'Plugin.LoadPluginConfiguration': () => ({type: configReply, value: {A: new Uint8Array(Buffer.from('{"MaxWords":25}'))}}),
        });
        try {
            expect(await api.loadPluginConfiguration()).toEqual({MaxWords: 25});
        } finally {
            close();
        }
    });
});

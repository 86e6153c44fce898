import {describe, expect, it} from 'vitest';

import {t} from '../../src/transport/gob/index.js';
import {RpcClient, RpcConnectionError, RpcServer, RpcServerError, unknownMethodMessage, type RpcMethod} from '../../src/transport/netrpc.js';
import {pair} from '../support/memory_pair.js';

const argsType = t.struct('Args', [['A', t.int], ['B', t.string]]);
const replyType = t.struct('Reply', [['Sum', t.int], ['Echo', t.string]]);

function serve(methods: Record<string, RpcMethod>): RpcClient {
    const [c, s] = pair();
    new RpcServer(s, (m) => methods[m]);
    return new RpcClient(c);
}

describe('net/rpc over gob', () => {
    it('carries arguments and replies', async () => {
        const client = serve({
            'Svc.Add': (args) => {
                const a = args as {A?: number; B?: string};
                return {type: replyType, value: {Sum: (a.A ?? 0) + 1, Echo: `${a.B ?? ''}!`}};
            },
        });
        await expect(client.call('Svc.Add', argsType, {A: 41, B: 'héllo 👋'})).resolves.toEqual({Sum: 42, Echo: 'héllo 👋!'});
        // second call on the same stream: type definitions are not resent, the decoder must still cope
        await expect(client.call('Svc.Add', argsType, {A: -5, B: ''})).resolves.toEqual({Sum: -4, Echo: '!'});
    });

    it('matches replies by sequence number when they come back out of order', async () => {
        const client = serve({
            'Svc.Slow': async (args) => {
                const a = args as {A?: number};
                await new Promise((r) => setTimeout(r, 50 - (a.A ?? 0) * 5));
                return {type: replyType, value: {Sum: a.A ?? 0}};
            },
        });
        const results = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => client.call('Svc.Slow', argsType, {A: i})));
        expect(results.map((r) => (r as {Sum?: number}).Sum ?? 0)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    it('answers an unknown method with Go\'s exact error and keeps serving', async () => {
        const client = serve({'Svc.Ok': () => ({type: replyType, value: {Sum: 1}})});
        await expect(client.call('Plugin.Nope', argsType, {A: 1})).rejects.toThrow(new RpcServerError("rpc: can't find method Plugin.Nope"));
        await expect(client.call('Svc.Ok', argsType, {})).resolves.toEqual({Sum: 1});
        expect(unknownMethodMessage('nodot')).toBe('rpc: service/method request ill-formed: nodot');
    });

    it('turns a throwing or rejecting method into an error reply', async () => {
        const client = serve({
            'Svc.Throw': () => {
                throw new Error('sync boom');
            },
            'Svc.Reject': async () => {
                throw new Error('async boom');
            },
        });
        await expect(client.call('Svc.Throw', argsType, {})).rejects.toThrow('sync boom');
        await expect(client.call('Svc.Reject', argsType, {})).rejects.toThrow('async boom');
    });

    it('fails pending calls when the connection goes away', async () => {
        const [c, s] = pair();
        new RpcServer(s, () => () => new Promise(() => undefined)); // never answers
        const client = new RpcClient(c);
        const pending = client.call('Svc.Hang', argsType, {});
        s.destroy();
        c.push(null);
        await expect(pending).rejects.toBeInstanceOf(RpcConnectionError);
        await expect(client.call('Svc.Hang', argsType, {})).rejects.toBeInstanceOf(RpcConnectionError);
    });

    it('strips and checks the mux broker ack that precedes a dialled stream', async () => {
        const [c, s] = pair();
        new RpcServer(s, () => () => ({type: replyType, value: {Echo: 'acked'}}));
        const ack = Buffer.from([7, 0, 0, 0]);
        // the acceptor writes the ack before anything else
        s.write(ack);
        const client = new RpcClient(c, {expectPrefix: ack});
        await expect(client.call('Svc.X', argsType, {})).resolves.toEqual({Echo: 'acked'});

        const [c2, s2] = pair();
        s2.write(Buffer.from([8, 0, 0, 0]));
        const bad = new RpcClient(c2, {expectPrefix: ack});
        await expect(bad.call('Svc.X', argsType, {})).rejects.toThrow(/bad ack/);
    });
});

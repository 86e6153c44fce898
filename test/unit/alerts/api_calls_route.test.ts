// The API-call figures (packages/mattermost-plugin-node/src/mattermost/api_calls.ts) and the admin-only route that reports them
// (server/alerts/api_calls_route.ts), with a host whose calls go through the same counter as the real API's.
import express from 'express';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

import {alertTimingsRoute, apiCallsRoute, DebugGate, type ApiCallsReport} from '../../../server/alerts/api_calls_route.js';
import {ApiCallCounter} from 'mattermost-plugin-node';

const admin = 'a'.repeat(26);
const user = 'b'.repeat(26);

describe('API call counts', () => {
    const counter = new ApiCallCounter();
    let base = '';
    let server: http.Server;

    beforeAll(async () => {
        const host = {
            getUser: async (id: string) => {
                counter.count('GetUser'); // as PluginAPI counts every call it makes
                return {id, roles: id === admin ? 'system_user system_admin' : 'system_user'} as never;
            },
        };
        const gate = new DebugGate(host);
        const app = express()
            .get('/debug/api-calls', apiCallsRoute(gate, () => counter.snapshot()))
            .get('/debug/alert-timings', alertTimingsRoute(gate, () => ({pid: process.pid, posts: 7, hook_ms_total: 1, cpu_ms: 1, alerts: [], gc: [], event_loop: {p50: 0, p99: 0, max: 0}})));
        server = http.createServer(app);
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    const read = (as?: string, route = 'api-calls') => fetch(`${base}/debug/${route}`, {headers: as ? {'Mattermost-User-Id': as} : {}});

    it('counts every call by method', () => {
        const c = new ApiCallCounter();
        for (const m of ['KVGet', 'CreatePost', 'KVGet']) c.count(m);
        expect(c.snapshot()).toEqual({total: 3, byMethod: {CreatePost: 1, KVGet: 2}});
    });

    it('answers system admins only', async () => {
        expect((await read()).status).toBe(401);
        expect((await read('not-an-id')).status).toBe(401);
        expect((await read(user)).status).toBe(403);
        expect((await read(admin)).status).toBe(200);
        expect((await read(user, 'alert-timings')).status).toBe(403);
        expect((await read(undefined, 'alert-timings')).status).toBe(401);
        expect(((await (await read(admin, 'alert-timings')).json()) as {posts: number}).posts).toBe(7);
    });

    it("reports this process's figures without its own caller checks", async () => {
        for (let i = 0; i < 3; i++) await read(admin);
        await read(admin, 'alert-timings'); // the timings route's check is left out too
        counter.count('KVGet');
        counter.count('KVGet');
        counter.count('GetUser'); // someone else's GetUser stays in
        const a = (await (await read(admin)).json()) as ApiCallsReport;
        expect(a.pid).toBe(process.pid);
        expect(a.by_method).toEqual({KVGet: 2, GetUser: 1});
        expect(a.total).toBe(3);
        const b = (await (await read(admin)).json()) as ApiCallsReport;
        expect(b).toEqual(a);
    });
});

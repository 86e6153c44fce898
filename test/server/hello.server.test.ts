// The example plugin (examples/hello) on real Mattermost 9.10 servers, installed from its standalone bundle
// as an admin would: its setting through the config API, /hello through commands/execute, its filter on real
// posts, its counter over two servers greeting at once, and a refused request. Team Edition has no cluster
// messaging, so the plugin is installed and configured before server 1 starts (it reads both from the
// shared database and file store when it starts); users and the channel exist before it too.
import {ClientError} from '@mattermost/client';
import type {Channel} from '@mattermost/types/channels';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

import {greetingNumber, helloId, installHello, runHello} from './harness/hello_plugin.js';
import {waitRunningOn} from './harness/install_trigger_alerts.js';
import {setPluginSettings} from './harness/plugin_settings.js';
import {eventually, RealMattermost, type RealUser} from './harness/world.js';

const PER_SERVER = 20;

describe('examples/hello on two real servers', () => {
    let world: RealMattermost;
    let alice: RealUser;
    let bob: RealUser;
    let channel: Channel;

    const hello = (u: RealUser, server: number, args = '') => runHello(world.on(u, server), channel.id, world.team.id, args);
    const count = async (server: number): Promise<number> => {
        const text = (await hello(alice, server, 'count')).text ?? '';
        const m = /^(\d+) greetings? so far\.$/.exec(text);
        if (!m) {
            throw new Error(`not a count: ${JSON.stringify(text)}`);
        }
        return Number(m[1]);
    };

    beforeAll(async () => {
        world = await RealMattermost.start({name: 'hello'});
        alice = await world.createUser('alice');
        bob = await world.createUser('bob');
        await world.addToTeam(alice, bob);
        channel = await world.createChannel([alice, bob]);
        await installHello(world);
        // PUT /api/v4/config, as the System Console saves; server 0 calls the plugin's onConfigurationChange.
        await setPluginSettings(world.admin.client, helloId, {Greeting: 'Howdy', MaskedWord: 'darn'});
        await eventually(async () => ((await hello(alice, 0, 'Nobody')).text?.startsWith('Howdy, ') ? true : undefined), 'the greeting setting on server 0');
        await world.addServer();
        await waitRunningOn(world, 1, helloId);
    }, 300_000);

    afterAll(async () => world?.stop());

    it('runs its own plugin process on each server', () => {
        const pids = world.servers.map((s) => s.pluginPids(helloId));
        expect(pids[0]).toHaveLength(1);
        expect(pids[1]).toHaveLength(1);
        expect(pids[0][0]).not.toBe(pids[1][0]);
    });

    it('greets by name or as the caller with the configured greeting, and counts in the shared KV store', async () => {
        const before = await count(0);
        expect((await hello(bob, 0, 'Ann Smith')).text).toBe(`Howdy, Ann Smith! (greeting #${before + 1})`);
        // Server 1 read the setting from the database when it started.
        expect(await hello(bob, 1)).toMatchObject({response_type: 'ephemeral', text: `Howdy, @${bob.user.username}! (greeting #${before + 2})`});
        expect(await count(0)).toBe(before + 2);
        expect(await count(1)).toBe(before + 2);
    });

    it('masks the configured word in real posts on both servers, and follows a settings change', async () => {
        const masked = await world.post(world.on(alice, 0), channel.id, 'Darn it, the build is red');
        expect(masked.message).toBe('**** it, the build is red');
        // What the server stored, read by another user through the other server.
        expect((await world.on(bob, 1).getPostThread(masked.id)).posts[masked.id].message).toBe('**** it, the build is red');
        expect((await world.post(world.on(alice, 1), channel.id, 'darn, through server 1')).message).toBe('****, through server 1');
        expect((await world.post(alice, channel.id, 'darnation is one word')).message).toBe('darnation is one word');

        await setPluginSettings(world.admin.client, helloId, {MaskedWord: 'heck'});
        await eventually(
            async () => ((await world.post(alice, channel.id, 'what the heck')).message === 'what the ****' ? true : undefined),
            'the new masked word on server 0',
        );
        expect((await world.post(alice, channel.id, 'darn is allowed now')).message).toBe('darn is allowed now');
    });

    it(`loses no count when ${PER_SERVER} greetings run at once on each server`, async () => {
        const before = await count(0);
        const replies = await Promise.all(
            Array.from({length: PER_SERVER * 2}, (_, i) => hello(i % 4 < 2 ? alice : bob, i % 2, `guest ${i}`)),
        );
        const numbers = replies.map(greetingNumber).sort((a, b) => a - b);
        // Every greeting got its own number: no two processes wrote the same count.
        expect(numbers).toEqual(Array.from({length: PER_SERVER * 2}, (_, i) => before + 1 + i));
        expect(await count(0)).toBe(before + PER_SERVER * 2);
        expect(await count(1)).toBe(before + PER_SERVER * 2);
    });

    it('refuses a bad request with its own 400 and stays up', async () => {
        const pid = world.servers[0].pluginPids(helloId)[0];
        const before = await count(0);
        const err = await hello(alice, 0, 'x'.repeat(65)).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ClientError);
        expect(err).toMatchObject({status_code: 400, message: 'That name is longer than 64 characters.'});
        expect(await count(0)).toBe(before);
        // The same process answers the next request.
        expect(greetingNumber(await hello(alice, 0, 'again'))).toBe(before + 1);
        expect(world.servers[0].pluginPids(helloId)).toEqual([pid]);
        const statuses = (await world.admin.client.getPluginStatuses()).filter((s) => s.plugin_id === helloId);
        expect(statuses.map((s) => s.state)).toEqual([2]);
    });
});

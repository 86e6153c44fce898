// High availability on real Mattermost servers: two servers on one database and one file store, each
// running its own plugin process, with all the plugin's state in the shared KV store. Team Edition has no
// cluster messaging, so users, channels and memberships are made before server 1 starts (its caches would
// not hear of later ones); the plugin is installed on server 0 and server 1 syncs it from the file store.
import path from 'node:path';

import type {Channel} from '@mattermost/types/channels';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

import {alertsAbout, waitForAlert} from './harness/alert_dms.js';
import {installTriggerAlerts, waitRunningOn, type InstalledPlugin} from './harness/install_trigger_alerts.js';
import {createTeamMembers} from './harness/team_members.js';
import {TriggerWordsApi, type ApiAnswer, type ChannelWords} from './harness/trigger_words_api.js';
import {clientFor, RealMattermost, type RealUser} from './harness/world.js';

const CROWD = 16;

describe('two servers, one database, one file store', () => {
    let world: RealMattermost;
    let plugin: InstalledPlugin;
    let channel: Channel;
    let alice: RealUser; // posts
    let bob: RealUser;
    let carol: RealUser;
    let dave: RealUser; // the one user with 16 concurrent adds
    const crowd: RealUser[] = []; // 16 users adding at once

    const api = (u: RealUser, server: number) => new TriggerWordsApi(world.servers[server].url, u.token);
    const teamId = () => world.team.id;

    beforeAll(async () => {
        world = await RealMattermost.start({name: 'ha'});
        [alice, bob, carol, dave] = await createTeamMembers(world, 'alice', 'bob', 'carol', 'dave');
        crowd.push(...await createTeamMembers(world, ...Array.from({length: CROWD}, () => 'crowd')));
        channel = await world.createChannel([alice, bob, carol, dave, ...crowd]);
        plugin = await installTriggerAlerts(world);
        await world.addServer();
        // Server 1 answers for itself only: its status says its own copy of the plugin runs.
        await waitRunningOn(world, 1, plugin.id);
    }, 300_000);

    afterAll(async () => world?.stop());

    it('each server runs its own plugin process and reports it', async () => {
        for (const [i, srv] of world.servers.entries()) {
            const statuses = (await clientFor(srv.url, world.admin.token).getPluginStatuses()).filter((s) => s.plugin_id === plugin.id);
            expect(statuses, `statuses on server ${i}`).toEqual([expect.objectContaining({state: 2, plugin_path: path.join(srv.pluginDir, plugin.id)})]);
        }
        const p0 = world.servers[0].pluginPids(plugin.id);
        const p1 = world.servers[1].pluginPids(plugin.id);
        expect(p0).toHaveLength(1);
        expect(p1).toHaveLength(1);
        expect(p0[0]).not.toBe(p1[0]);
    });


    it('words set through one server alert on posts through the other, both ways, with no stale cache', async () => {
        // Set through server 0, posted through server 1 (which runs MessageHasBeenPosted for it).
        await api(bob, 0).replace(channel.id, ['falcon']);
        const p1 = await world.post(world.on(alice, 1), channel.id, 'the falcon has landed');
        expect((await waitForAlert(world.on(bob, 1), teamId(), bob.user.id, plugin.botId, p1.id)).words).toEqual(['falcon']);

        // Server 0 handles a post, so its plugin now holds the channel's words in its cache ...
        const p2 = await world.post(alice, channel.id, 'falcon again');
        expect((await waitForAlert(bob.client, teamId(), bob.user.id, plugin.botId, p2.id)).words).toEqual(['falcon']);

        // ... then the words change through server 1, and the very next post through server 0 (no wait in
        // between: the write has answered) matches the new words only. A stale cache would say "falcon".
        await api(bob, 1).replace(channel.id, ['heron']);
        const p3 = await world.post(alice, channel.id, 'a falcon chased a heron');
        expect((await waitForAlert(bob.client, teamId(), bob.user.id, plugin.botId, p3.id)).words).toEqual(['heron']);

        // Both servers read the same list.
        expect(await api(bob, 0).words(channel.id)).toEqual(['heron']);
        expect(await api(bob, 1).words(channel.id)).toEqual(['heron']);
    });

    it('sends exactly one DM per post per user', async () => {
        await api(carol, 0).replace(channel.id, ['kestrel', 'merlin']);
        await api(bob, 1).replace(channel.id, ['heron', 'kestrel']);
        // Carol's two words and Bob's one in one post, through server 1.
        const post = await world.post(world.on(alice, 1), channel.id, 'a kestrel and a merlin over the ridge');
        const carolOn1 = world.on(carol, 1);
        const bobOn1 = world.on(bob, 1);
        expect((await waitForAlert(carolOn1, teamId(), carol.user.id, plugin.botId, post.id)).words.sort()).toEqual(['kestrel', 'merlin']);
        expect((await waitForAlert(bobOn1, teamId(), bob.user.id, plugin.botId, post.id)).words).toEqual(['kestrel']);

        // A later post through the same server alerts both again; once those alerts are there, the first
        // post's hook has long finished, and a second DM about it would be there too.
        const later = await world.post(world.on(alice, 1), channel.id, 'merlin and heron');
        await waitForAlert(carolOn1, teamId(), carol.user.id, plugin.botId, later.id);
        await waitForAlert(bobOn1, teamId(), bob.user.id, plugin.botId, later.id);
        expect(await alertsAbout(carolOn1, teamId(), carol.user.id, plugin.botId, post.id)).toHaveLength(1);
        expect(await alertsAbout(bobOn1, teamId(), bob.user.id, plugin.botId, post.id)).toHaveLength(1);
        // The server that did not receive the post sent nothing of its own either (same DM channel, read there).
        expect(await alertsAbout(carol.client, teamId(), carol.user.id, plugin.botId, post.id)).toHaveLength(1);
    });

    it(`${CROWD} concurrent adds by one user in one channel over both servers: all 2xx, none lost`, async () => {
        const words = Array.from({length: CROWD}, (_, i) => `swift${String(i).padStart(2, '0')}`);
        const answers = await Promise.all(words.map((w, i) => api(dave, i % 2).add(channel.id, w)));
        expect(answers.map((a) => a.status)).toEqual(words.map(() => 201));
        // Each answer already lists its own word (the write it acknowledges is in the state it reports).
        answers.forEach((a, i) => expect(wordsIn(a)).toContain(words[i]));
        expect((await api(dave, 0).words(channel.id)).sort()).toEqual(words);
        expect((await api(dave, 1).words(channel.id)).sort()).toEqual(words);
    });

    it(`${CROWD} users adding at once over both servers: all 2xx, none lost, and every one alerted`, async () => {
        const wordOf = (i: number) => `plover${String(i).padStart(2, '0')}`;
        const answers = await Promise.all(crowd.map((u, i) => api(u, i % 2).add(channel.id, wordOf(i))));
        expect(answers.map((a) => a.status)).toEqual(crowd.map(() => 201));
        for (const [i, u] of crowd.entries()) {
            expect(await api(u, 0).words(channel.id)).toEqual([wordOf(i)]);
            expect(await api(u, 1).words(channel.id)).toEqual([wordOf(i)]);
        }
        // The matcher reads the same document: one post naming all 16 words alerts all 16 users, once each.
        const post = await world.post(alice, channel.id, `roll call: ${crowd.map((_, i) => wordOf(i)).join(', ')}`);
        for (const [i, u] of crowd.entries()) {
            expect((await waitForAlert(u.client, teamId(), u.user.id, plugin.botId, post.id)).words).toEqual([wordOf(i)]);
        }
        for (const u of crowd) {
            expect(await alertsAbout(u.client, teamId(), u.user.id, plugin.botId, post.id)).toHaveLength(1);
        }
    });
});

function wordsIn(a: ApiAnswer): string[] {
    return (a.body as ChannelWords).words;
}

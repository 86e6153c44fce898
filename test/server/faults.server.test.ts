// Faults on a real Mattermost server: the plugin process killed, the plugin disabled and enabled, the server
// restarted, the server killed. The plugin keeps nothing in its process that matters, so each of these must
// lose no acknowledged trigger word and leave alerts working (and the last must leave no process behind).
//
// Mattermost 9.10 restarts a dead plugin from its health check job, which runs every 30 s
// (plugin.HealthCheckInterval, a constant; PluginSettings.EnableHealthCheck can only turn it off), so the
// kill test waits up to one interval plus a restart.
import type {Channel} from '@mattermost/types/channels';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

import {waitForAlert} from './harness/alert_dms.js';
import {installTriggerAlerts, type InstalledPlugin} from './harness/install_trigger_alerts.js';
import {processRuns, processState} from './harness/processes.js';
import {createTeamMembers} from './harness/team_members.js';
import {TriggerWordsApi} from './harness/trigger_words_api.js';
import {eventually, RealMattermost, waitPluginRunning, type RealUser} from './harness/world.js';

/** A user adding words one after another, noting which adds the plugin acknowledged. */
class Writer {
    readonly acked: string[] = [];
    readonly tried: string[] = [];
    /** status (or "error: ...") -> how many answers */
    readonly answers = new Map<string, number>();
    /** status -> the first body answered with it (for the report) */
    readonly samples = new Map<string, string>();
    private stopped = false;
    private readonly done: Promise<void>;

    constructor(api: TriggerWordsApi, channelId: string, prefix: string) {
        this.done = (async () => {
            for (let n = 0; !this.stopped; n++) {
                const word = `${prefix}${String(n).padStart(3, '0')}`;
                this.tried.push(word);
                let outcome: string;
                try {
                    const a = await api.add(channelId, word);
                    outcome = String(a.status);
                    if (!this.samples.has(outcome)) {
                        this.samples.set(outcome, JSON.stringify(a.body).slice(0, 200));
                    }
                    if (a.status === 201) {
                        this.acked.push(word);
                    }
                } catch (e) {
                    outcome = `error: ${(e as Error).name}`;
                }
                this.answers.set(outcome, (this.answers.get(outcome) ?? 0) + 1);
                // Paced, so that the per-channel limit (25) outlasts the outage; not a wait for anything.
                await sleep(outcome === '201' ? 150 : 500);
            }
        })();
    }

    async stop(): Promise<void> {
        this.stopped = true;
        await this.done;
    }
}

describe('faults on a real server', () => {
    let world: RealMattermost;
    let plugin: InstalledPlugin;
    let channel: Channel;
    let alice: RealUser; // posts
    let bob: RealUser;
    let carol: RealUser;
    let dave: RealUser;
    let erin: RealUser;

    const api = (u: RealUser) => new TriggerWordsApi(world.url, u.token, 15_000);
    const server = () => world.servers[0];
    const onlyPluginPid = () => {
        const pids = server().pluginPids(plugin.id);
        expect(pids).toHaveLength(1);
        return pids[0];
    };
    const expectAlert = async (to: RealUser, message: string, words: string[]) => {
        const post = await world.post(alice, channel.id, message);
        const alert = await waitForAlert(to.client, world.team.id, to.user.id, plugin.botId, post.id, 60_000);
        expect(alert.words.sort()).toEqual([...words].sort());
    };

    beforeAll(async () => {
        world = await RealMattermost.start({name: 'faults'});
        [alice, bob, carol, dave, erin] = await createTeamMembers(world, 'alice', 'bob', 'carol', 'dave', 'erin');
        channel = await world.createChannel([alice, bob, carol, dave, erin]);
        plugin = await installTriggerAlerts(world);
    }, 300_000);

    afterAll(async () => world?.stop());

    it('kill -9 of the plugin: the health check restarts it, no acknowledged word is lost, alerts resume', async () => {
        const pid = onlyPluginPid();
        const before = ['ember1', 'ember2', 'ember3'];
        for (const w of before) {
            expect((await api(bob).add(channel.id, w)).status).toBe(201);
        }
        const burstWords = Array.from({length: 6}, (_, i) => `spark${i}`);
        const writer = new Writer(api(bob), channel.id, 'cinder');
        let burstOutcomes: string[];
        let restarted: number;
        let restartMs: number;
        try {
            await eventually(async () => (writer.acked.length >= 3 ? true : undefined), 'adds acknowledged before the kill', 30_000);
            // And a burst of concurrent adds (all on one channel document, so they retry against each other):
            // the kill comes as the first is answered, while the others are most likely still in the plugin.
            const burst = burstWords.map((w) => api(erin).add(channel.id, w).then((a) => String(a.status), (e: Error) => `error: ${e.name}`));
            await Promise.race(burst);
            process.kill(pid, 'SIGKILL');
            const killedAt = Date.now();
            burstOutcomes = await Promise.all(burst);

            restarted = await eventually(async () => {
                const pids = server().pluginPids(plugin.id);
                return pids.length === 1 && pids[0] !== pid ? pids[0] : undefined;
            }, 'the health check to start a new plugin process', 120_000);
            restartMs = Date.now() - killedAt;
            await waitPluginRunning(world.admin.client, plugin.id);
            // Adds go on until three more have been acknowledged by the new process.
            const ackedAtRestart = writer.acked.length;
            await eventually(async () => (writer.acked.length >= ackedAtRestart + 3 ? true : undefined), 'adds acknowledged after the restart', 60_000);
        } finally {
            // Also when something above failed: the writer must not outlive the test.
            await writer.stop();
        }

        console.log(`plugin ${pid} killed; new process ${restarted} after ${restartMs} ms; burst: ${burstOutcomes.join(' ')}; ` +
            `writer's answers: ${JSON.stringify([...writer.answers])}, e.g. ${JSON.stringify([...writer.samples])}`);
        // The writer did run into the outage (else this proves nothing about writes during it).
        expect([...writer.answers.keys()].some((k) => k !== '201')).toBe(true);
        // The server's health check found it dead and restarted it (not something this test did).
        expect(server().logText()).toMatch(/"msg":"Health check failed for plugin"[^\n]*"id":"trigger-alerts"/);

        const stored = await api(bob).words(channel.id);
        for (const w of [...before, ...writer.acked]) {
            expect(stored, `acknowledged word ${w}`).toContain(w);
        }
        // Nothing appears that nobody asked for (an add that failed may or may not have landed).
        expect(stored.filter((w) => !before.includes(w) && !writer.tried.includes(w))).toEqual([]);
        const erinStored = await api(erin).words(channel.id);
        console.log(`burst words stored after the restart: ${erinStored.join(' ')}`);
        for (const [i, w] of burstWords.entries()) {
            if (burstOutcomes[i] === '201') {
                expect(erinStored, `acknowledged burst word ${w}`).toContain(w);
            }
        }
        expect(erinStored.filter((w) => !burstWords.includes(w))).toEqual([]);

        // Alerts resume, for a word from before the kill and one acknowledged by the new process.
        const last = writer.acked.at(-1)!;
        await expectAlert(bob, `ember2 and ${last} after the crash`, ['ember2', last]);
    }, 300_000);

    it('disabling and enabling the plugin keeps the words', async () => {
        await api(carol).replace(channel.id, ['quartz', 'basalt']);
        const pid = onlyPluginPid();
        await world.admin.client.disablePlugin(plugin.id);
        await eventually(async () => (processRuns(pid) ? undefined : true), 'the plugin process to end after disable', 30_000);
        await world.admin.client.enablePlugin(plugin.id);
        await waitPluginRunning(world.admin.client, plugin.id);
        expect(await api(carol).words(channel.id)).toEqual(['quartz', 'basalt']);
        await expectAlert(carol, 'basalt columns', ['basalt']);
    }, 180_000);

    it('restarting the server keeps the words', async () => {
        await api(dave).replace(channel.id, ['granite', 'slate']);
        const pid = onlyPluginPid();
        await server().stop();
        expect(processRuns(pid)).toBe(false);
        await server().start();
        await waitPluginRunning(world.admin.client, plugin.id, {timeoutMs: 120_000});
        expect(await api(dave).words(channel.id)).toEqual(['granite', 'slate']);
        expect(await api(carol).words(channel.id)).toEqual(['quartz', 'basalt']);
        await expectAlert(dave, 'slate roof', ['slate']);
    }, 300_000);

    it('SIGKILL of the server: the plugin process exits by itself, and the words survive', async () => {
        const pid = onlyPluginPid();
        const bobWords = await api(bob).words(channel.id);
        server().kill();
        const killedAt = Date.now();
        // No one else signals the plugin: it must notice that its host is gone (as a Go plugin does).
        await eventually(async () => (processRuns(pid) ? undefined : true), `plugin process ${pid} to exit`, 5_000);
        console.log(`plugin ${pid} gone ${Date.now() - killedAt} ms after the server's SIGKILL (state now: ${processState(pid) ?? 'no such process'})`);

        await server().stop(); // reaps the killed server; nothing else of its group is left to end
        await server().start();
        await waitPluginRunning(world.admin.client, plugin.id, {timeoutMs: 120_000});
        expect(await api(bob).words(channel.id)).toEqual(bobWords);
        expect(await api(dave).words(channel.id)).toEqual(['granite', 'slate']);
        await expectAlert(dave, 'granite steps', ['granite']);
    }, 300_000);
});

// The admin side on a real Mattermost 9.10 (test/server/harness): installing the built bundle the System
// Console's way and with `npm run deploy`, its bot, System Console settings through the config API
// (including a refused invalid save), and disable/enable and an upgrade keeping the words.
import path from 'node:path';

import {afterAll, beforeAll, describe, expect, it} from 'vitest';

import type {UserProfile} from '@mattermost/types/users';

import {readBundleManifest} from '../../tools/deploy/bundle.js';
import {oneLine} from '../../tools/deploy/client.js';
import {meetsMinVersion} from '../../tools/deploy/version.js';

import {alertDms} from './harness/alert_dms.js';
import {brokenBundle} from './harness/broken_bundle.js';
import {distBundle, prepareBundle, type PreparedBundle} from './harness/bundle.js';
import {runDeploy} from './harness/deploy_command.js';
import {queryDatabase} from './harness/postgres.js';
import {bearer, pluginRoute} from './harness/plugin_route.js';
import {putConfig, savePluginSettings, storedPluginSettings} from './harness/server_config.js';
import {eventually, RealMattermost, uploadPlugin, waitPluginRunning, type RealUser} from './harness/world.js';

const ID = 'trigger-alerts';

interface ChannelWords {
    words: string[];
    limits: {max_words: number};
}

describe('admin: install, deploy, settings, upgrade on a real server', () => {
    let world: RealMattermost;
    let alice: RealUser;
    let bob: RealUser;
    let channelId: string;
    let prepared: PreparedBundle;
    let upgrade: PreparedBundle;
    let bot: UserProfile;

    const words = (u: RealUser) => pluginRoute(world.url, ID, 'GET', `/api/v1/channels/${channelId}/words`, {headers: bearer(u.token)});
    const maxWords = async (): Promise<number> => ((await words(alice)).body as ChannelWords).limits.max_words;
    const statusOf = async () => (await world.admin.client.getPluginStatuses()).filter((s) => s.plugin_id === ID);
    /** The posts Alice has been alerted about, oldest first. */
    const alertedPostIds = async (): Promise<string[]> => (await alertDms(alice.client, world.team.id, alice.user.id, bot.id)).map((a) => a.postId);

    beforeAll(async () => {
        world = await RealMattermost.start({name: 'admin'});
        alice = await world.createUser('alice');
        bob = await world.createUser('bob');
        await world.addToTeam(alice, bob);
        channelId = (await world.createChannel([alice, bob])).id;
        // The fixture is 9.10, older than the manifest's min_server_version: see harness/bundle.ts.
        prepared = prepareBundle(distBundle(), world.scratch, {minServerVersion: '9.10.0'});
        upgrade = prepareBundle(distBundle(), world.scratch, {minServerVersion: '9.10.0', version: '0.1.1'});
    });
    afterAll(async () => world?.stop());

    it('npm run deploy refuses the unmodified dist bundle on the 9.10 server before uploading, naming both versions', async () => {
        const min = readBundleManifest(distBundle()).minServerVersion ?? '';
        // The premise: dist/'s manifest asks for a newer server than the fixture.
        expect(meetsMinVersion('9.10.0', min)).toBe(false);
        const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const r = await runDeploy({MM_SERVICESETTINGS_SITEURL: world.url, MM_ADMIN_TOKEN: world.admin.token}, ['--bundle', distBundle()]);
        expect(r.code).toBe(1);
        const lines = r.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(
            new RegExp(`^deploy: ${escape(path.basename(distBundle()))} needs Mattermost ${escape(min)} or newer \\(its min_server_version\\), but the server at ${escape(world.url)} runs 9\\.10\\.0: nothing was uploaded`),
        );
        // Nothing reached the server: no plugin installed, none with a status.
        const plugins = await world.admin.client.getPlugins();
        expect([...plugins.active, ...plugins.inactive].map((p) => p.id)).not.toContain(ID);
        expect(await statusOf()).toEqual([]);
    }, 240_000);

    it('installs through POST /api/v4/plugins and runs; its bot @trigger-alerts has the display name and its own picture', async () => {
        expect(await uploadPlugin(world.admin.client, prepared.file)).toBe(ID);
        await world.admin.client.enablePlugin(ID);
        await waitPluginRunning(world.admin.client, ID, {timeoutMs: 120_000});

        bot = await world.admin.client.getUserByUsername('trigger-alerts');
        expect(bot.is_bot).toBe(true);
        expect((await world.admin.client.getBot(bot.id)).display_name).toBe('Trigger Alerts');
        // The plugin set the icon from its bundle: the picture is not the server's generated default.
        expect(bot.last_picture_update).toBeGreaterThan(0);
        const auth = {headers: {Authorization: `Bearer ${world.admin.token}`}};
        const picture = Buffer.from(await (await fetch(`${world.url}/api/v4/users/${bot.id}/image`, auth)).arrayBuffer());
        const generated = Buffer.from(await (await fetch(`${world.url}/api/v4/users/${bot.id}/image/default`, auth)).arrayBuffer());
        expect(picture.subarray(1, 4).toString()).toBe('PNG');
        expect(picture.equals(generated)).toBe(false);
    }, 240_000);

    it('npm run deploy (username and password) replaces the installed version, enables it and waits until it runs', async () => {
        const before = world.servers[0]!.pluginPids(ID);
        const r = await runDeploy(
            {MM_SERVICESETTINGS_SITEURL: world.url, MM_ADMIN_USERNAME: world.admin.user.username, MM_ADMIN_PASSWORD: world.admin.password},
            ['--bundle', prepared.file, '--wait', '120'],
        );
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/trigger-alerts 0\.1\.0 is running on http:\/\/127\.0\.0\.1:\d+ \(1 server\)/);
        expect((await statusOf()).map((s) => s.state)).toEqual([2]);
        // A new plugin process runs the uploaded copy.
        const after = await eventually(async () => {
            const pids = world.servers[0]!.pluginPids(ID);
            return pids.length === 1 ? pids : undefined;
        }, 'one plugin process');
        expect(after).not.toEqual(before);
    }, 240_000);

    it("npm run deploy of a build the server cannot start, over the running one: the plugin's status error, not only HTTP 500", async () => {
        const env = {MM_SERVICESETTINGS_SITEURL: world.url, MM_ADMIN_TOKEN: world.admin.token};
        const broken = await runDeploy(env, ['--bundle', brokenBundle(prepared, world.scratch), '--wait', '60']);
        expect(broken.code).toBe(1);
        const lines = broken.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        // The server restarts an enabled plugin on upload and answers only 500 app.plugin.restart.app_error;
        // deploy adds why, from GET /api/v4/plugins/statuses.
        expect(lines[0]).toMatch(/^deploy: upload of trigger-alerts failed: the server could not start it: .+ \(HTTP 500 app\.plugin\.restart\.app_error: [^)]*\); check that the bundle has an executable for the server platform/);
        const [status] = await statusOf();
        expect(status?.state).toBe(3);
        expect(lines[0]).toContain(`could not start it: ${oneLine((status as {error?: string}).error ?? '', 400)} (`);

        // The working build deploys over it again.
        const fixed = await runDeploy(env, ['--bundle', prepared.file, '--wait', '120']);
        expect(fixed.stderr).toBe('');
        expect(fixed.code).toBe(0);
        expect((await statusOf()).map((s) => s.state)).toEqual([2]);
    }, 240_000);

    it('System Console settings: BotDisplayName renames the bot, MaxWordsPerChannel limits words (422)', async () => {
        expect((await savePluginSettings(world.url, world.admin.client, world.admin.token, ID, {BotDisplayName: 'Word Watch'})).status).toBe(200);
        await eventually(async () => ((await world.admin.client.getBot(bot.id)).display_name === 'Word Watch' ? true : undefined), 'the bot renamed', 30_000);

        const put = await pluginRoute(world.url, ID, 'PUT', `/api/v1/channels/${channelId}/words`, {headers: bearer(alice.token), json: {words: ['deploy', 'on call']}});
        expect(put.status).toBe(200);
        expect((await savePluginSettings(world.url, world.admin.client, world.admin.token, ID, {MaxWordsPerChannel: 2})).status).toBe(200);
        await eventually(async () => ((await maxWords()) === 2 ? true : undefined), 'max_words 2 applied', 30_000);

        const third = await pluginRoute(world.url, ID, 'POST', `/api/v1/channels/${channelId}/words`, {headers: bearer(alice.token), json: {word: 'rollback'}});
        expect(third.status).toBe(422);
        const three = await pluginRoute(world.url, ID, 'PUT', `/api/v1/channels/${channelId}/words`, {headers: bearer(alice.token), json: {words: ['a', 'b', 'c']}});
        expect(three.status).toBe(422);
        expect(((await words(alice)).body as ChannelWords).words).toEqual(['deploy', 'on call']);
    }, 120_000);

    it('EnableAlerts=false stops alerts; true brings them back', async () => {
        const p1 = await world.post(bob, channelId, 'deploy at noon');
        await eventually(async () => ((await alertedPostIds()).includes(p1.id) ? true : undefined), 'the alert about p1', 30_000);

        // MaxWordsPerChannel changes in the same save: its visible effect shows the plugin applied the save.
        expect((await savePluginSettings(world.url, world.admin.client, world.admin.token, ID, {EnableAlerts: false, MaxWordsPerChannel: 3})).status).toBe(200);
        await eventually(async () => ((await maxWords()) === 3 ? true : undefined), 'the save with alerts off applied', 30_000);
        const p2 = await world.post(bob, channelId, 'deploy while alerts are off');

        expect((await savePluginSettings(world.url, world.admin.client, world.admin.token, ID, {EnableAlerts: true, MaxWordsPerChannel: 2})).status).toBe(200);
        await eventually(async () => ((await maxWords()) === 2 ? true : undefined), 'the save with alerts on applied', 30_000);
        const p3 = await world.post(bob, channelId, 'deploy again');
        await eventually(async () => ((await alertedPostIds()).includes(p3.id) ? true : undefined), 'the alert about p3', 30_000);

        // p2's hook ran while alerts were off (it runs as the post is saved, long before the next config save).
        expect(await alertedPostIds()).toEqual([p1.id, p3.id]);
    }, 180_000);

    it('an invalid value is refused with the plugin\'s message; the stored settings stay and the plugin keeps applying them', async () => {
        const before = await storedPluginSettings(world.admin.client, ID);
        expect(before).toMatchObject({maxwordsperchannel: 2, botdisplayname: 'Word Watch'});
        const cases: [Record<string, unknown>, RegExp][] = [
            [{MaxWordsPerChannel: 0}, /^Trigger Word Alerts: Maximum words per channel must be a whole number from 1 to 200, not 0$/],
            [{MaxWordsPerChannel: 'abc'}, /^Trigger Word Alerts: Maximum words per channel must be a whole number from 1 to 200, not "abc"$/],
            [{ExcerptLength: 5}, /^Trigger Word Alerts: Excerpt length must be a whole number from 20 to 1000, not 5$/],
            [{AlertsPerMinute: 5000, BotDisplayName: 'x'.repeat(80)}, /Bot display name must be at most 64 characters.*; Alerts per user per minute must be a whole number from 1 to 1000, not 5000/],
        ];
        for (const [change, message] of cases) {
            const answer = await savePluginSettings(world.url, world.admin.client, world.admin.token, ID, change);
            expect(answer.status, `${answer.status} ${String(answer.body.message ?? "")}`).toBe(400);
            expect(answer.body.id).toBe('plugin.trigger_alerts.invalid_settings');
            expect(answer.body.message).toMatch(message);
            expect(await storedPluginSettings(world.admin.client, ID)).toEqual(before);
        }
        // Still running, with the previous settings.
        expect((await statusOf()).map((s) => s.state)).toEqual([2]);
        expect(await maxWords()).toBe(2);
        const third = await pluginRoute(world.url, ID, 'POST', `/api/v1/channels/${channelId}/words`, {headers: bearer(alice.token), json: {word: 'rollback'}});
        expect(third.status).toBe(422);
        // Saves elsewhere in the System Console go through while this plugin's settings are valid.
        const config = await world.admin.client.getConfig();
        config.TeamSettings.SiteName = 'Renamed Site';
        expect((await putConfig(world.url, world.admin.token, config)).status).toBe(200);
        expect((await world.admin.client.getConfig()).TeamSettings.SiteName).toBe('Renamed Site');
    }, 120_000);

    it('settings stored invalid behind the API (database edit + reload) are refused by OnConfigurationChange and do not block other saves', async () => {
        const complaint = 'Maximum words per channel must be a whole number from 1 to 200, not 0';
        const complaints = (): number => world.servers[0]!.logText().split(complaint).length - 1;
        const before = complaints();
        // The configuration lives in the database (the server's --config is the DSN); an edit there bypasses
        // ConfigurationWillBeSaved, as a hand-edited config.json would.
        queryDatabase(
            world.db,
            `UPDATE configurations SET value = jsonb_set(value::jsonb, '{PluginSettings,Plugins,${ID},maxwordsperchannel}', '0')::text WHERE active`,
        );
        const reload = await fetch(`${world.url}/api/v4/config/reload`, {method: 'POST', headers: {Authorization: `Bearer ${world.admin.token}`, 'X-Requested-With': 'XMLHttpRequest'}});
        expect(reload.status).toBe(200);
        expect(await storedPluginSettings(world.admin.client, ID)).toMatchObject({maxwordsperchannel: 0});
        // The plugin refused them on OnConfigurationChange (logged) and keeps applying the previous ones.
        await eventually(async () => (complaints() > before ? true : undefined), "the plugin's complaint in the server log", 30_000);
        expect(await maxWords()).toBe(2);
        expect((await statusOf()).map((s) => s.state)).toEqual([2]);

        // An unrelated save is not held hostage by the stored value; fixing the value is accepted.
        const config = await world.admin.client.getConfig();
        config.TeamSettings.SiteName = 'Renamed Again';
        expect((await putConfig(world.url, world.admin.token, config)).status).toBe(200);
        const fix = await savePluginSettings(world.url, world.admin.client, world.admin.token, ID, {MaxWordsPerChannel: 2});
        expect(fix.status).toBe(200);
        expect(await storedPluginSettings(world.admin.client, ID)).toMatchObject({maxwordsperchannel: 2});
    }, 120_000);

    it('disable/enable and an upgrade uploaded with force keep the words; the new version runs', async () => {
        const mine = async () => ((await words(alice)).body as ChannelWords).words;
        expect(await mine()).toEqual(['deploy', 'on call']);

        await world.admin.client.disablePlugin(ID);
        await eventually(async () => ((await statusOf()).every((s) => s.state === 0) ? true : undefined), 'the plugin stopped', 60_000);
        expect((await words(alice)).status).not.toBe(200);
        await world.admin.client.enablePlugin(ID);
        await waitPluginRunning(world.admin.client, ID, {timeoutMs: 120_000});
        expect(await mine()).toEqual(['deploy', 'on call']);

        const before = world.servers[0]!.pluginPids(ID);
        expect(await uploadPlugin(world.admin.client, upgrade.file)).toBe(ID);
        await eventually(async () => {
            const s = await statusOf();
            return s.length === 1 && s[0]!.state === 2 && s[0]!.version === '0.1.1' ? true : undefined;
        }, 'version 0.1.1 running', 120_000);
        const plugins = await world.admin.client.getPlugins();
        expect(plugins.active.find((p) => p.id === ID)?.version).toBe('0.1.1');
        expect(world.servers[0]!.pluginPids(ID)).not.toEqual(before);
        expect(await mine()).toEqual(['deploy', 'on call']);
        // The new process alerts on the stored words.
        const p = await world.post(bob, channelId, 'on   call tonight');
        await eventually(async () => ((await alertedPostIds()).includes(p.id) ? true : undefined), 'an alert from 0.1.1', 30_000);
    }, 240_000);
});

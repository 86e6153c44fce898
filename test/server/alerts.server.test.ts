// Every alert rule of README "How matching works" / "Never alerted", on a real Mattermost 9.10 with the
// standalone linux-amd64 bundle installed the System Console's way. People set words through the plugin's
// HTTP API or /trigger, post through /api/v4/posts, and read the bot's DMs through REST.
//
// Absence is asserted only once the alert about a later post has arrived, so "no DM" means the plugin
// decided against it, not that it had not got round to it yet.
import {setTimeout as sleep} from 'node:timers/promises';

import type {Channel} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

import {createBotAccount, deactivateUser} from './harness/accounts.js';
import {directChannelName, directMessages, waitForDirectMessages} from './harness/alert_dms.js';
import {distBundle, prepareBundle} from './harness/bundle.js';
import {setPluginSettings, type PluginSettingValue} from './harness/plugin_settings.js';
import {queryDatabase} from './harness/postgres.js';
import {runTrigger, TriggerAsUser} from './harness/trigger_as_user.js';
import {eventually, RealMattermost, uploadPlugin, waitPluginRunning, type RealUser} from './harness/world.js';

const PLUGIN_ID = 'trigger-alerts';
const MINUTE_MS = 60_000;

interface Person extends RealUser {
    trigger: TriggerAsUser;
}

/** props.trigger_alert of an alert DM: which post it is about and the words it names. */
interface AlertProps {
    post_id: string;
    channel_id: string;
    words: string[];
}

function alertOf(dm: Post): AlertProps {
    const p = (dm.props as {trigger_alert?: Partial<AlertProps>} | undefined)?.trigger_alert;
    if (!p || typeof p.post_id !== 'string' || typeof p.channel_id !== 'string' || !Array.isArray(p.words)) {
        throw new Error(`not an alert DM: ${JSON.stringify(dm)}`);
    }
    return {post_id: p.post_id, channel_id: p.channel_id, words: p.words.map(String)};
}

const HELD_BACK = /held back by the rate limit/;

describe('trigger alerts on a real Mattermost', () => {
    let world: RealMattermost;
    let botId: string;
    let admin: Person;
    /** A channel the admin is in, to read back the limits the plugin applies (see applySettings). */
    let settingsProbe: Channel;
    let beacon = 30;

    beforeAll(async () => {
        world = await RealMattermost.start({name: 'alerts'});
        // The fixture is 9.10, older than the manifest's min_server_version: see harness/bundle.ts.
        const bundle = prepareBundle(distBundle(), world.scratch, {minServerVersion: '9.10.0'});
        const id = await uploadPlugin(world.admin.client, bundle.file);
        expect(id).toBe(PLUGIN_ID);
        await world.admin.client.enablePlugin(id);
        await waitPluginRunning(world.admin.client, id, {timeoutMs: 120_000});
        botId = (await world.admin.client.getUserByUsername('trigger-alerts')).id;
        admin = {...world.admin, trigger: new TriggerAsUser(world.url, world.admin.token)};
        settingsProbe = await world.createChannel([]);
    });
    afterAll(async () => world?.stop());

    async function people(...prefixes: string[]): Promise<Person[]> {
        const out: Person[] = [];
        for (const prefix of prefixes) {
            const u = await world.createUser(prefix);
            await world.addToTeam(u);
            out.push({...u, trigger: new TriggerAsUser(world.url, u.token)});
        }
        return out;
    }

    const alertsTo = (p: Person): Promise<Post[]> => directMessages(p.client, world.team.id, p.user.id, botId);
    const waitForAlerts = (p: Person, count: number): Promise<Post[]> => waitForDirectMessages(p.client, world.team.id, p.user.id, botId, count);
    const permalink = (post: Post): string => `${world.url}/${world.team.name}/pl/${post.id}`;

    /**
     * Saves plugin settings as the System Console does and waits until the plugin runs with them. The plugin
     * exposes no settings, but every answer of its words API carries limits.max_words (Maximum words per
     * channel): each change also sets that to a new value, and the change is in force once an answer shows it.
     */
    async function applySettings(settings: Record<string, PluginSettingValue>): Promise<void> {
        const maxWords = ++beacon;
        await setPluginSettings(world.admin.client, PLUGIN_ID, {...settings, MaxWordsPerChannel: maxWords});
        await eventually(
            async () => ((await admin.trigger.getWords(settingsProbe.id)).limits.max_words === maxWords ? true : undefined),
            `the plugin to apply ${JSON.stringify(settings)}`,
            30_000,
        );
    }

    it('alerts a member with the word, the author, the channel, an excerpt and a permalink; posts that do not match send nothing', async () => {
        const [watcher, author] = await people('watcher', 'author');
        const channel = await world.createChannel([watcher, author]);
        const set = await watcher.trigger.setWords(channel.id, ['deploy']);
        expect(set.words).toEqual(['deploy']);

        // Whole words only: a letter, digit, "-" or "_" joined to the word makes it no match.
        for (const text of ['we redeploy tomorrow', 'the deployment is done', 'pre-deploy checks', 'deploy_tool is broken', 'nothing to see']) {
            await world.post(author, channel.id, text);
        }
        const post = await world.post(author, channel.id, 'we will deploy the new release tonight');
        const reply = await world.post(author, channel.id, 'the **DEPLOY** starts at 9', {root_id: post.id});

        const dms = await waitForAlerts(watcher, 2);
        expect(dms, 'one alert per matching post, none for the five that do not match').toHaveLength(2);
        for (const dm of dms) {
            expect(dm.user_id).toBe(botId);
        }
        const byPost = new Map(dms.map((dm) => [alertOf(dm).post_id, dm]));
        const where = `in **${channel.display_name}** (~${channel.name})`;
        expect(byPost.get(post.id)?.message).toBe(
            `:bell: @${author.user.username} mentioned \`deploy\` ${where}\n\n` +
            '> we will **deploy** the new release tonight\n\n' +
            `[Open the message](${permalink(post)})`,
        );
        expect(alertOf(byPost.get(post.id)!)).toEqual({post_id: post.id, channel_id: channel.id, words: ['deploy']});
        // A reply is announced as one, shown with its own formatting (its **bold** stays bold), and the link
        // opens it in its thread.
        expect(byPost.get(reply.id)?.message).toBe(
            `:bell: @${author.user.username} mentioned \`deploy\` in a thread ${where}\n\n` +
            '> the **DEPLOY** starts at 9\n\n' +
            `[Open the reply in its thread](${permalink(reply)})`,
        );
        // The permalink's post id is the post the alert is about.
        const linked = /\/pl\/([a-z0-9]{26})\)$/.exec(byPost.get(post.id)!.message)?.[1];
        expect((await watcher.client.getPost(linked!)).message).toBe(post.message);
    });

    it('never alerts the author, a member who was removed, or a deactivated user; someone who was never a member cannot set words', async () => {
        const [author, member, removed, deactivated, outsider] = await people('author', 'member', 'removed', 'deactivated', 'outsider');
        const channel = await world.createChannel([author, member, removed, deactivated]);

        for (const attempt of [
            () => outsider.trigger.request('PUT', `/channels/${channel.id}/words`, {words: ['launch']}),
            () => outsider.trigger.request('POST', `/channels/${channel.id}/words`, {word: 'launch'}),
            () => outsider.trigger.request('GET', `/channels/${channel.id}/words`),
        ]) {
            expect((await attempt()).status, 'a user who never was a member of the channel').toBe(403);
        }
        for (const p of [author, member, removed, deactivated]) {
            await p.trigger.setWords(channel.id, ['launch']);
        }
        await world.admin.client.removeFromChannel(removed.user.id, channel.id);
        await deactivateUser(world.url, world.admin.token, deactivated.user.id);

        // What keeps the last two from an alert is the plugin's own check at post time: the removed member's
        // word is still stored, and deactivation leaves the membership in place.
        const stored = JSON.parse(queryDatabase(world.db,
            `SELECT convert_from(pvalue, 'UTF8') FROM pluginkeyvaluestore WHERE pluginid = '${PLUGIN_ID}' AND pkey = 'tw1:ch:${channel.id}'`)) as {users: Record<string, unknown>};
        expect(Object.keys(stored.users)).toContain(removed.user.id);
        expect((await world.admin.client.getChannelMember(channel.id, deactivated.user.id)).user_id).toBe(deactivated.user.id);

        const byAuthor = await world.post(author, channel.id, 'launch at noon');
        const toMember = await waitForAlerts(member, 1);
        const byMember = await world.post(member, channel.id, 'launch moved to 1pm');
        const toAuthor = await waitForAlerts(author, 1);

        expect(toAuthor.map((dm) => alertOf(dm).post_id), 'the author: only the other post').toEqual([byMember.id]);
        expect((await alertsTo(member)).map((dm) => alertOf(dm).post_id), 'the member: only the other post').toEqual([byAuthor.id]);
        expect(toMember).toHaveLength(1);
        expect(await alertsTo(removed), 'removed from the channel before both posts').toEqual([]);
        // A deactivated user cannot log in; the admin reads their DMs.
        expect(await directMessages(world.admin.client, world.team.id, deactivated.user.id, botId), 'deactivated before both posts').toEqual([]);
    });

    it('does not alert on system messages: header change, join, leave, added by someone', async () => {
        const [watcher, editor, joiner] = await people('watcher', 'editor', 'joiner');
        const channel = await world.createChannel([watcher, editor]);
        await watcher.trigger.setWords(channel.id, ['deploy', joiner.user.username]);

        await editor.client.patchChannel(channel.id, {header: 'deploy freeze until Monday'});
        await joiner.client.addToChannel(joiner.user.id, channel.id);
        await joiner.client.removeFromChannel(joiner.user.id, channel.id);
        await world.admin.client.addToChannel(joiner.user.id, channel.id);

        // The server wrote each as a system post whose text contains one of the watcher's words.
        const list = await watcher.client.getPosts(channel.id, 0, 100);
        const system = list.order.map((id) => list.posts[id]!).filter((p) => p.type.startsWith('system_'));
        const expected: Array<[string, RegExp]> = [
            ['system_header_change', /updated the channel header .*deploy freeze/],
            ['system_join_channel', new RegExp(`^${joiner.user.username} joined the channel`)],
            ['system_leave_channel', new RegExp(`^@?${joiner.user.username} left the channel`)],
            ['system_add_to_channel', new RegExp(`^${joiner.user.username} added to the channel by`)],
        ];
        for (const [type, text] of expected) {
            expect(system.find((p) => p.type === type)?.message, type).toMatch(text);
        }

        const proof = await world.post(editor, channel.id, `deploy is on, welcome ${joiner.user.username}`);
        const dms = await waitForAlerts(watcher, 1);
        expect(dms.map((dm) => alertOf(dm).post_id)).toEqual([proof.id]);
        expect(alertOf(dms[0]!).words).toEqual(['deploy', joiner.user.username]);
    });

    it('alerts on another bot\'s post only with "Alert on posts by bots" on, and never on its own bot\'s posts', async () => {
        const [watcher, human] = await people('watcher', 'human');
        const channel = await world.createChannel([watcher, human]);
        const ci = await createBotAccount(world.admin.client, world.url, 'ci-bot', world.team.id, [channel.id]);
        await watcher.trigger.setWords(channel.id, ['pipeline']);

        const botPostOff = await world.post(ci.client, channel.id, 'pipeline #1 passed');
        expect(botPostOff.props.from_bot, 'the server marks a bot account\'s post').toBe('true');
        const humanPost = await world.post(human, channel.id, 'pipeline #1 looks fine to me');
        let dms = await waitForAlerts(watcher, 1);
        expect(dms.map((dm) => alertOf(dm).post_id), 'default: the bot\'s post alerts nobody').toEqual([humanPost.id]);

        await applySettings({AlertOnBotPosts: true});
        try {
            const botPostOn = await world.post(ci.client, channel.id, 'pipeline #2 passed');
            dms = await waitForAlerts(watcher, 2);
            expect(dms.map((dm) => alertOf(dm).post_id)).toEqual([humanPost.id, botPostOn.id]);
            expect(dms[1]!.message).toMatch(new RegExp(`^:bell: @${ci.bot.username} mentioned \`pipeline\``));

            // Every alert quotes "pipeline" into the watcher's DM with the plugin's bot. With the word set in that
            // DM too, an alert that alerted would alert again, and again: bot posts are on, so only the rule
            // about its own bot stands in the way.
            const dmChannel = dms[0]!.channel_id;
            await watcher.trigger.setWords(dmChannel, ['pipeline']);
            const again = await world.post(human, channel.id, 'pipeline #3 is red');
            await waitForAlerts(watcher, 3);
            const last = await world.post(human, channel.id, 'pipeline #3 fixed');
            dms = await waitForAlerts(watcher, 4);
            expect(dms.map((dm) => alertOf(dm).post_id)).toEqual([humanPost.id, botPostOn.id, again.id, last.id]);
        } finally {
            await applySettings({AlertOnBotPosts: false});
        }
    });

    it('alerts on an edit only for the words the previous version did not have', async () => {
        const [watcher, author] = await people('watcher', 'author');
        const channel = await world.createChannel([watcher, author]);
        await watcher.trigger.setWords(channel.id, ['deploy', 'release', 'hotfix']);
        const post = await world.post(author, channel.id, 'nothing to see here');

        const edit = (message: string) => author.client.patchPost({id: post.id, message});
        await edit('time to deploy');
        await waitForAlerts(watcher, 1);
        await edit('time to deploy the release');
        await waitForAlerts(watcher, 2);
        await edit('time to deploy the release, really'); // no new word
        await edit('deploy the release and a hotfix');
        const dms = await waitForAlerts(watcher, 3);

        expect(dms, 'the edit that added no word sent nothing').toHaveLength(3);
        expect(dms.map((dm) => alertOf(dm).words)).toEqual([['deploy'], ['release'], ['hotfix']]);
        for (const dm of dms) {
            expect(alertOf(dm).post_id).toBe(post.id);
            expect(dm.message).toMatch(new RegExp(`^:bell: @${author.user.username} edited a message to mention \`${alertOf(dm).words[0]}\` in`));
        }
        expect(dms[2]!.message).toContain('> deploy the release and a **hotfix**');
    });

    it('sends one DM per post per user, listing every word it matched', async () => {
        const [alice, carol, author] = await people('alice', 'carol', 'author');
        const channel = await world.createChannel([alice, carol, author]);
        await alice.trigger.setWords(channel.id, ['deploy', 'on call', ':rocket:']);
        await carol.trigger.setWords(channel.id, ['DEPLOY', 'database']);

        const many = await world.post(author, channel.id, 'Who is on   call for the deploy? 🚀 The database is ready. deploy deploy');
        const one = await world.post(author, channel.id, 'deploy done');
        const [toAlice, toCarol] = [await waitForAlerts(alice, 2), await waitForAlerts(carol, 2)];

        for (const dms of [toAlice, toCarol]) {
            expect(dms.map((dm) => alertOf(dm).post_id).sort(), 'one DM for each post').toEqual([many.id, one.id].sort());
        }
        const aboutMany = (dms: Post[]) => dms.find((dm) => alertOf(dm).post_id === many.id)!;
        // The words as each person typed them, in the order the post has them.
        expect(alertOf(aboutMany(toAlice)).words).toEqual(['on call', 'deploy', ':rocket:']);
        expect(aboutMany(toAlice).message).toMatch(/^:bell: @\S+ mentioned `on call`, `deploy` and `:rocket:` in /);
        expect(alertOf(aboutMany(toCarol)).words).toEqual(['DEPLOY', 'database']);
        expect(aboutMany(toCarol).message).toMatch(/^:bell: @\S+ mentioned `DEPLOY` and `database` in /);
    });

    it('holds alerts back above "Alerts per user per minute" and says how many in the next alert', async () => {
        const [watcher, author] = await people('watcher', 'author');
        const channel = await world.createChannel([watcher, author]);
        await watcher.trigger.setWords(channel.id, ['incident']);
        await applySettings({AlertsPerMinute: 2});
        try {
            // The limit counts per wall-clock minute (flood.ts). The burst must fall in one minute: start it
            // with at least 20 s of the minute left.
            if (MINUTE_MS - (Date.now() % MINUTE_MS) < 20_000) {
                await sleep(MINUTE_MS - (Date.now() % MINUTE_MS) + 200);
            }
            const minute = Math.floor(Date.now() / MINUTE_MS);
            const burst: Post[] = [];
            for (let i = 1; i <= 4; i++) {
                burst.push(await world.post(author, channel.id, `incident ${i}`));
            }
            await waitForAlerts(watcher, 2);
            expect(Math.floor(Date.now() / MINUTE_MS), 'the burst and its alerts took less than the rest of a minute').toBe(minute);

            // The held-back count is reported by the next alert that gets through: the next minute's first.
            await sleep((minute + 1) * MINUTE_MS - Date.now() + 500);
            const next = await world.post(author, channel.id, 'incident 5');
            let dms = await waitForAlerts(watcher, 3);
            expect(dms, 'two of the burst, then the next minute\'s first').toHaveLength(3);
            const burstIds = new Set(burst.map((p) => p.id));
            expect(dms.slice(0, 2).filter((dm) => burstIds.has(alertOf(dm).post_id))).toHaveLength(2);
            expect(dms.slice(0, 2).map((dm) => dm.message).join('\n')).not.toMatch(HELD_BACK);
            expect(alertOf(dms[2]!).post_id).toBe(next.id);
            expect(dms[2]!.message.endsWith('\n_(2 more alerts were held back by the rate limit)_'), dms[2]!.message).toBe(true);

            // Reported once: the count starts again from zero.
            const after = await world.post(author, channel.id, 'incident 6');
            dms = await waitForAlerts(watcher, 4);
            expect(alertOf(dms[3]!).post_id).toBe(after.id);
            expect(dms[3]!.message).not.toMatch(HELD_BACK);
        } finally {
            await applySettings({AlertsPerMinute: 10});
        }
    }, 180_000); // up to 20 s to find room in a minute, then the rest of that minute

    it('sends nothing while the channel is snoozed, and alerts again after "off"', async () => {
        const [watcher, author] = await people('watcher', 'author');
        const channel = await world.createChannel([watcher, author]);
        await watcher.trigger.setWords(channel.id, ['outage']);

        const asked = Date.now();
        const snoozed = await watcher.trigger.snooze(channel.id, '1h');
        expect(snoozed.snoozed_until).toBeGreaterThanOrEqual(asked + 60 * MINUTE_MS);
        expect(snoozed.snoozed_until).toBeLessThanOrEqual(Date.now() + 60 * MINUTE_MS);
        await world.post(author, channel.id, 'outage in eu-west');

        expect((await watcher.trigger.snooze(channel.id, 'off')).snoozed_until).toBeNull();
        const afterOff = await world.post(author, channel.id, 'outage over');
        const dms = await waitForAlerts(watcher, 1);
        expect(dms.map((dm) => alertOf(dm).post_id), 'only the post after "off"').toEqual([afterOff.id]);
    });

    it('/trigger add, add "phrase", list, remove and snooze answer ephemerally and change the words that alert', async () => {
        const [user, author] = await people('user', 'author');
        const channel = await world.createChannel([user, author]);
        const trigger = (args: string) => runTrigger(user.client, channel.id, world.team.id, args);
        const words = async () => (await user.trigger.getWords(channel.id)).words;

        // The plugin registered the command on activation (nobody else did).
        const commands = await user.client.getAutocompleteCommandsList(world.team.id);
        expect(commands.find((c) => c.trigger === 'trigger')?.auto_complete_hint).toContain('add <word or "phrase">');

        let r = await trigger('add deploy');
        expect(r.response_type).toBe('ephemeral');
        expect(r.text).toBe('Added `deploy`. You\'ll get a direct message when someone else posts it in this channel.');
        expect(await words()).toEqual(['deploy']);

        r = await trigger('add "on call"');
        expect(r.text).toMatch(/^Added `on call`\./);
        expect(await words()).toEqual(['deploy', 'on call']);
        expect((await trigger('add DEPLOY')).text).toBe('You already have `DEPLOY` here.');

        r = await trigger('list');
        expect(r.response_type).toBe('ephemeral');
        expect(r.text).toBe('Your trigger words here: `deploy`, `on call`');

        expect((await trigger('remove deploy')).text).toBe('Removed `deploy`.');
        expect(await words()).toEqual(['on call']);

        const asked = Date.now();
        r = await trigger('snooze 1h');
        expect(r.text).toMatch(/^Alerts for this channel are snoozed until \d{4}-\d\d-\d\d \d\d:\d\d UTC\.$/);
        const until = (await user.trigger.getWords(channel.id)).snoozed_until;
        expect(until).toBeGreaterThanOrEqual(asked + 60 * MINUTE_MS);
        expect(until).toBeLessThanOrEqual(Date.now() + 60 * MINUTE_MS);
        expect((await trigger('list')).text).toContain('\nAlerts for this channel are snoozed until');
        expect((await trigger('snooze off')).text).toBe('Alerts for this channel are back on.');
        expect((await user.trigger.getWords(channel.id)).snoozed_until).toBeNull();

        // What the commands left is what posts are matched against.
        await world.post(author, channel.id, 'deploy is done');
        const onCall = await world.post(author, channel.id, 'who is on\ncall tonight?');
        const dms = await waitForAlerts(user, 1);
        expect(dms.map((dm) => alertOf(dm)), 'the removed word alerts no more').toEqual([{post_id: onCall.id, channel_id: channel.id, words: ['on call']}]);

        // Ephemeral: none of the replies became a post of the channel.
        const list = await user.client.getPosts(channel.id, 0, 100);
        expect(list.order.map((id) => list.posts[id]!.message).filter((m) => /Added|Your trigger words|snoozed|Removed/.test(m))).toEqual([]);
    });

    it("makes the bot's direct channel when words are set (API and /trigger add); one deleted on the server is replaced and alerts still arrive", async () => {
        const [viaApi, viaCommand, author] = await people('api', 'cmd', 'author');
        const channel = await world.createChannel([viaApi, viaCommand, author]);
        const directChannelOf = (p: Person): string => {
            const name = directChannelName(p.user.id, botId);
            if (!/^[a-z0-9_]+$/.test(name)) {
                throw new Error(`unexpected channel name ${name}`);
            }
            return queryDatabase(world.db, `SELECT id FROM channels WHERE type = 'D' AND name = '${name}'`).trim();
        };
        await viaApi.trigger.replace(channel.id, ['kwdeleted']);
        expect((await runTrigger(viaCommand.client, channel.id, world.team.id, 'add kwcommand')).text).toMatch(/^Added/);
        // Made in the background of those requests, before any post names their words.
        const first = await eventually(async () => directChannelOf(viaApi) || undefined, 'the direct channel after the words API', 30_000);
        await eventually(async () => directChannelOf(viaCommand) || undefined, 'the direct channel after /trigger add', 30_000);
        expect(await alertsTo(viaApi)).toEqual([]);

        // Gone on the server, while the plugin's ledger still names it: the alert asks for the channel again.
        queryDatabase(world.db, `DELETE FROM channelmembers WHERE channelid = '${first}'; DELETE FROM channels WHERE id = '${first}'`);
        await world.admin.client.invalidateCaches();
        const post = await world.post(author, channel.id, 'kwdeleted and kwcommand, both');
        const dms = await waitForAlerts(viaApi, 1);
        expect(dms.map((dm) => alertOf(dm))).toEqual([{post_id: post.id, channel_id: channel.id, words: ['kwdeleted']}]);
        expect(dms[0]!.channel_id).not.toBe(first);
        expect(directChannelOf(viaApi)).toBe(dms[0]!.channel_id);
        expect((await waitForAlerts(viaCommand, 1)).map((dm) => alertOf(dm))).toEqual([{post_id: post.id, channel_id: channel.id, words: ['kwcommand']}]);
        // and the new channel is the one used from then on
        const next = await world.post(author, channel.id, 'kwdeleted again');
        const after = await waitForAlerts(viaApi, 2);
        expect(after.map((dm) => [alertOf(dm).post_id, dm.channel_id])).toEqual([[post.id, dms[0]!.channel_id], [next.id, dms[0]!.channel_id]]);
    });
});

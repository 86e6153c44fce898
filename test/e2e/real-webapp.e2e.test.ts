// The trigger words panel in the REAL Mattermost web app: a 9.10 server from the fixture (Team Edition, its
// own built web app on React 17.0.2, PostgreSQL) with the plugin installed the System Console's way, used by
// a person in Debian's Chromium: sign in, open the panel from the App Bar and from the channel menu, manage
// words, see the server's errors, snooze, all words; then another user posts a word and the alert DM is
// read in the web app. Light and dark theme; screenshots in test/e2e/artifacts/.
//
// The tests run in order on one page and one server (starting them takes most of the time): each leaves the
// state the next one starts from.
import {existsSync} from 'node:fs';

import type {Channel} from '@mattermost/types/channels';
import type {Locator, Page} from 'playwright-core';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';

import {directChannelName, waitForAlert, type AlertDm} from '../server/harness/alert_dms.js';
import {setPluginSettings} from '../server/harness/plugin_settings.js';
import {TriggerWordsApi, type ChannelWords} from '../server/harness/trigger_words_api.js';
import {RealMattermost, type RealUser} from '../server/harness/world.js';

import {commonest, contrast, parseColour, pixels, type Rgb} from './contrast';
import {CHROMIUM, MattermostBrowser, signIn} from './mattermost_browser';
import {ONYX_THEME, saveTheme} from './mattermost_themes';
import {decodePng} from './png';
import {installWithCurrentWebapp, LONG, openChannel, PLUGIN_ID, poll, screenshot} from './real_webapp_setup';

describe.skipIf(!existsSync(CHROMIUM) && process.env.CI !== 'true')('the panel in the real Mattermost web app', () => {
    let world: RealMattermost;
    let mb: MattermostBrowser;
    let page: Page;
    let alice: RealUser;
    let bob: RealUser;
    let opsRoom: Channel;
    let incidents: Channel;
    let aliceApi: TriggerWordsApi;
    let botId: string;

    beforeAll(async () => {
        world = await RealMattermost.start({name: 'realwebapp'});
        botId = (await installWithCurrentWebapp(world)).botId;

        alice = await world.createUser('alice');
        bob = await world.createUser('bob');
        await world.addToTeam(alice, bob);
        opsRoom = await world.createChannel([alice, bob], {name: 'release-ops', displayName: 'Release Ops'});
        incidents = await world.createChannel([alice, bob], {name: 'incidents', displayName: 'Incidents'});
        aliceApi = new TriggerWordsApi(world.url, alice.token);
        // a word elsewhere, for the all-words view
        await aliceApi.replace(incidents.id, ['outage']);

        mb = await MattermostBrowser.launch(world.url, PLUGIN_ID);
        page = mb.page;
    }, 420_000);

    afterEach(() => {
        expect(mb?.takeProblems() ?? []).toEqual([]);
    });

    afterAll(async () => {
        await mb?.close();
        await world?.stop();
    }, 120_000);

    const dialog = () => page.getByRole('dialog');
    const input = () => dialog().getByRole('textbox', {name: 'Add a word or phrase'});
    const chips = () => dialog().getByRole('list', {name: 'Your trigger words in this channel'}).getByRole('listitem').locator('.tw-chip-text');
    const appBarEntry = () => page.locator('.app-bar').getByRole('button', {name: 'Trigger words', exact: true});
    const saved = () => expect.poll(() => dialog().getByRole('status').textContent(), poll).toBe('Saved');
    const wordsOnServer = async (channelId: string): Promise<ChannelWords> => {
        const a = await aliceApi.request('GET', `/channels/${channelId}/words`);
        expect(a.status).toBe(200);
        return a.body as ChannelWords;
    };

    /** The sidebar entry of the user's direct channel with the plugin's bot (named after both user ids). */
    const botDmEntry = () => page.locator(`#sidebarItem_${directChannelName(alice.user.id, botId)}`);

    /** The panel's error text for the input (the second id its aria-describedby names). */
    async function inputError(): Promise<Locator> {
        const ids = (await input().getAttribute('aria-describedby'))!.split(' ');
        return dialog().locator(`[id="${ids[1]}"]`);
    }

    async function addWords(...typed: string[]) {
        for (const text of typed) {
            await input().fill(text);
            await input().press('Enter');
        }
    }

    /** The App Bar's own colour, below its entries, and the icon's pixels. */
    async function appBarIconPixels(): Promise<{bg: Rgb; inside: Rgb[]}> {
        const icon = page.locator('#app-bar-icon-trigger-alerts img');
        await expect.poll(() => icon.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), poll).toBe(true);
        const box = (await icon.boundingBox())!;
        expect([box.width, box.height]).toEqual([24, 24]);
        const bar = (await page.locator('.app-bar').boundingBox())!;
        const bgShot = decodePng(await page.screenshot({clip: {x: bar.x + bar.width / 2 - 2, y: bar.y + bar.height - 40, width: 4, height: 4}}));
        const iconShot = decodePng(await page.screenshot({clip: box}));
        // inside the circle the App Bar clips the icon to
        const inside = pixels(iconShot).filter((_, i) => Math.hypot((i % 24) - 11.5, Math.floor(i / 24) - 11.5) < 10);
        return {bg: commonest(pixels(bgShot)), inside};
    }

    async function expectIconStandsOut(theme: string) {
        const {bg, inside} = await appBarIconPixels();
        const standOut = inside.filter((p) => contrast(p, bg) >= 3).length / inside.length;
        expect(standOut, `${theme}: share of the icon at 3:1 or more against the App Bar (${bg})`).toBeGreaterThan(0.6);
        // the bell on the badge: a tenth of the icon at 4.5:1 against the badge's colour
        const badge = commonest(inside);
        expect(inside.filter((p) => contrast(p, badge) >= 4.5).length / inside.length, `${theme}: the bell on the badge ${badge}`).toBeGreaterThan(0.1);
    }

    /**
     * The web app's global CSS (Bootstrap 3: legend 21px with a rule under it, h2 30px with 20px margins)
     * must not reach the panel: the title is a dialog title, the snooze heading smaller than it.
     */
    async function expectPanelTypography() {
        const font = (selector: string) => dialog().locator(selector).evaluate((e) => {
            const cs = getComputedStyle(e);
            return {size: parseFloat(cs.fontSize), marginTop: cs.marginTop, borderBottom: cs.borderBottomStyle};
        });
        const title = await font('h2.tw-title');
        const legend = await font('legend.tw-snooze-legend');
        expect(title.size, 'title font size').toBeGreaterThanOrEqual(16);
        expect(title.size, 'title font size').toBeLessThanOrEqual(24);
        expect(title.marginTop, 'title margin').toBe('0px');
        expect(legend.size, '"Snooze alerts for this channel" against the title').toBeLessThan(title.size);
        expect(legend.size, '"Snooze alerts for this channel"').toBeGreaterThanOrEqual(12);
        expect(legend.borderBottom, 'rule under "Snooze alerts for this channel"').toBe('none');
    }

    it('signs in through the login page; the App Bar has one named entry with a visible icon and a tooltip', async () => {
        await signIn(page, world.url, alice.user.username, alice.password);
        await openChannel(page, opsRoom);

        // the web app's React is the one 9.x and 10.x hand to plugins
        expect(await page.evaluate(() => (window as unknown as {React: {version: string}}).React.version)).toBe('17.0.2');
        await appBarEntry().waitFor();
        expect(await page.locator('#app-bar-icon-trigger-alerts').count()).toBe(1);
        expect(await appBarEntry().count()).toBe(1);
        // and nothing else on the page by that name: no channel header button besides it
        await page.locator('#channel-header').waitFor();
        expect(await page.getByRole('button', {name: 'Trigger words', exact: true}).count()).toBe(1);

        await appBarEntry().hover();
        await expect.poll(() => page.getByRole('tooltip').textContent(), poll).toBe('Trigger words');
        await page.mouse.move(600, 400);

        await expectIconStandsOut('light');
    }, LONG * 2);

    it('opens the panel from the App Bar: adds a word, a quoted phrase and a CJK word, removes one', async () => {
        await appBarEntry().click();
        await dialog().getByRole('heading', {name: 'Trigger words', exact: true}).waitFor();
        await dialog().getByText('in Release Ops', {exact: true}).waitFor();
        await dialog().getByRole('heading', {name: 'No trigger words here yet'}).waitFor();

        await addWords('deploy', '"on call"', '部署', 'release');
        await expect.poll(() => chips().allTextContents(), poll).toEqual(['deploy', 'on call', '部署', 'release']);
        await saved();
        expect(await input().inputValue()).toBe('');
        // written to the server, the phrase as one word without its quotes
        expect((await wordsOnServer(opsRoom.id)).words).toEqual(['deploy', 'on call', '部署', 'release']);

        await dialog().getByRole('button', {name: 'Remove “release”'}).click();
        await expect.poll(() => chips().allTextContents(), poll).toEqual(['deploy', 'on call', '部署']);
        await saved();
        expect((await wordsOnServer(opsRoom.id)).words).toEqual(['deploy', 'on call', '部署']);

        // Escape closes it and the focus is back on the App Bar entry
        await page.keyboard.press('Escape');
        await expect.poll(() => dialog().count(), poll).toBe(0);
        await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')), poll).toBe('Trigger words');
    }, LONG * 2);

    it('opens the panel from the channel menu, with the words from the server, and the web app\'s CSS does not restyle it', async () => {
        await page.reload();
        await appBarEntry().waitFor(); // the plugin has registered its items
        await page.locator('#channelHeaderDropdownButton').getByRole('button', {name: 'channel menu'}).click();
        // found by what it shows; a screen reader must hear the same (the web app's menu makes its label
        // with text.toString(), so anything but a string reads "[object Object]")
        const item = page.getByRole('menuitem').filter({hasText: /^Trigger words…$/});
        await item.waitFor();
        expect.soft(await item.ariaSnapshot(), 'the accessible name of the menu item').toMatch(/^- menuitem "Trigger words…"/);
        await item.click();
        await dialog().getByText('in Release Ops', {exact: true}).waitFor();
        await expect.poll(() => chips().allTextContents(), poll).toEqual(['deploy', 'on call', '部署']);
        await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('tw-input')), poll).toBe(true);

        await expectPanelTypography();
        await screenshot(page, 'real-panel-light.png');
    }, LONG * 2);

    it('shows the server\'s validation errors next to the input: a word too long, more words than the limit', async () => {
        const long = 'x'.repeat(65);
        mb.expectFailures({path: `/plugins/${PLUGIN_ID}/api/v1/channels/${opsRoom.id}/words`, status: 400});
        await addWords(long);
        const error = await inputError();
        await expect.poll(() => error.textContent(), poll).toBe('must be at most 64 characters');
        await expect.poll(() => input().getAttribute('aria-invalid'), poll).toBe('true');
        expect(await input().inputValue()).toBe(long);
        await screenshot(page, 'real-panel-error-light.png');

        // an admin lowers the limit to the three words there are; the panel reads it when it opens
        await setPluginSettings(world.admin.client, PLUGIN_ID, {MaxWordsPerChannel: 3});
        await expect.poll(async () => (await wordsOnServer(opsRoom.id)).limits.max_words, poll).toBe(3);
        await page.keyboard.press('Escape');
        await appBarEntry().click();
        await dialog().getByText('3 of 3 words', {exact: true}).waitFor();
        mb.expectFailures({path: `/plugins/${PLUGIN_ID}/api/v1/channels/${opsRoom.id}/words`, status: 422});
        await addWords('hotfix');
        const errorAfterReopening = await inputError();
        await expect.poll(() => errorAfterReopening.textContent(), poll).toBe('at most 3 trigger words per channel');
        expect(await input().getAttribute('aria-invalid')).toBe('true');
        expect(await chips().allTextContents()).toEqual(['deploy', 'on call', '部署']);
        expect((await wordsOnServer(opsRoom.id)).words).toEqual(['deploy', 'on call', '部署']);

        await setPluginSettings(world.admin.client, PLUGIN_ID, {MaxWordsPerChannel: 25});
        await expect.poll(async () => (await wordsOnServer(opsRoom.id)).limits.max_words, poll).toBe(25);
        await input().fill('');
    }, LONG * 2);

    it('snoozes the channel for an hour and turns the snooze off', async () => {
        const before = Date.now();
        await dialog().getByRole('button', {name: 'Snooze for 1 hour'}).click();
        await dialog().getByText(/^Snoozed until /).waitFor();
        await saved();
        const until = (await wordsOnServer(opsRoom.id)).snoozed_until;
        expect(until).not.toBeNull();
        expect(until!).toBeGreaterThanOrEqual(before + 59 * 60_000);
        expect(until!).toBeLessThanOrEqual(Date.now() + 61 * 60_000);

        await dialog().getByRole('button', {name: 'Turn snooze off'}).click();
        await dialog().getByText('Alerts are on.', {exact: true}).waitFor();
        await saved();
        expect((await wordsOnServer(opsRoom.id)).snoozed_until).toBeNull();
    }, LONG);

    it('lists all my trigger words across channels and removes one from another channel there', async () => {
        await dialog().getByRole('button', {name: 'All my trigger words'}).click();
        await dialog().getByRole('heading', {name: 'All my trigger words'}).waitFor();
        const listOf = (name: string) => dialog().getByRole('list', {name: `Trigger words in ${name}`}).locator('.tw-chip-text');
        await expect.poll(() => listOf('Release Ops').allTextContents(), poll).toEqual(['deploy', 'on call', '部署']);
        await expect.poll(() => listOf('Incidents').allTextContents(), poll).toEqual(['outage']);
        await screenshot(page, 'real-panel-all-light.png');

        await dialog().getByRole('button', {name: 'Remove “outage” from Incidents'}).click();
        await expect.poll(() => listOf('Incidents').count(), poll).toBe(0);
        expect((await wordsOnServer(incidents.id)).words).toEqual([]);

        await dialog().getByRole('button', {name: 'Back to this channel'}).click();
        await expect.poll(() => chips().allTextContents(), poll).toEqual(['deploy', 'on call', '部署']);
        await dialog().getByRole('button', {name: 'Close'}).click();
        await expect.poll(() => dialog().count(), poll).toBe(0);
    }, LONG);

    let alert: AlertDm;

    it('alerts: another user posts the words, and the DM from the bot reads right in the web app', async () => {
        const post = await world.post(bob, opsRoom.id, 'Heads-up: the 部署 of the hotfix starts at 5 pm, and the deploy window is short.');
        alert = await waitForAlert(alice.client, world.team.id, alice.user.id, botId, post.id, LONG);

        // the web app learns of the new direct channel as it happens and shows it as an unread mention
        await expect.poll(() => botDmEntry().getAttribute('aria-label'), poll).toBe('trigger-alerts 1 mention');
        await botDmEntry().click();
        await expect.poll(() => page.locator('#channelHeaderTitle').textContent(), poll).toMatch(/^trigger-alerts\b/);
        const dm = page.locator(`#post_${alert.id}`);
        await dm.waitFor();
        // from the bot
        expect(await dm.locator('.post__header').innerText()).toMatch(/trigger-alerts\s*BOT/);
        const body = dm.locator('.post-message__text');
        const text = await body.innerText();
        // who, which words, where, and the post itself
        expect(text).toContain(`@${bob.user.username} mentioned`);
        expect(await body.locator('code').allTextContents()).toEqual(expect.arrayContaining(['部署', 'deploy']));
        expect(await body.locator('strong').allTextContents()).toContain('Release Ops');
        expect(await body.getByRole('link', {name: '~Release Ops'}).count()).toBe(1);
        expect(text).toContain('the hotfix starts at 5 pm');
        const link = body.getByRole('link', {name: 'Open the message'});
        expect(await link.getAttribute('href')).toBe(`${world.url}/${world.team.name}/pl/${post.id}`);
        await screenshot(page, 'real-alert-dm-light.png');

        // the permalink opens the post in its channel
        await link.click();
        await expect.poll(() => page.locator('#channelHeaderTitle').textContent(), poll).toBe('Release Ops');
        await page.locator(`#post_${post.id}`).getByText('the hotfix starts at 5 pm', {exact: false}).waitFor();
    }, LONG * 2);

    it('follows a switch to the dark theme while open; the App Bar icon stands out there too', async () => {
        // back to the channel the ordinary way (the permalink left its post highlighted)
        await botDmEntry().click();
        await openChannel(page, opsRoom);
        await appBarEntry().click();
        await expect.poll(() => chips().allTextContents(), poll).toEqual(['deploy', 'on call', '部署']);
        const colours = () => dialog().evaluate((e) => ({bg: getComputedStyle(e).backgroundColor, fg: getComputedStyle(e).color}));
        expect(parseColour((await colours()).bg)).toEqual([255, 255, 255]);

        // the theme the user picks in Settings > Display reaches the open web app over its websocket
        await saveTheme(alice.client, alice.user.id, ONYX_THEME);
        await expect.poll(async () => parseColour((await colours()).bg), poll).toEqual(parseColour(ONYX_THEME.centerChannelBg));
        expect(contrast(parseColour((await colours()).fg), parseColour(ONYX_THEME.centerChannelBg))).toBeGreaterThan(7);
        await screenshot(page, 'real-panel-dark.png');
        await page.keyboard.press('Escape');
        await expect.poll(() => dialog().count(), poll).toBe(0);

        await expectIconStandsOut('dark');
        await botDmEntry().click();
        await page.locator(`#post_${alert.id}`).getByRole('link', {name: 'Open the message'}).waitFor();
        await screenshot(page, 'real-alert-dm-dark.png');
    }, LONG * 2);
});

// The plugin's translations in the REAL Mattermost web app: the 9.10 fixture server (its own web app on React
// 17.0.2) with the plugin installed the System Console's way, used in Debian's Chromium by a user whose
// language is German: the App Bar entry and its tooltip, the panel, a validation error the server writes in
// his language, the word count's plural, the channel menu item by its accessible name, and an alert DM read
// in the web app. Then he switches to Japanese in his settings (over the REST API, as the web app's own
// Settings does) and the open web app follows without a reload: App Bar, panel and menu item in Japanese,
// nothing German left. Screenshots in test/e2e/artifacts/.
//
// The tests run in order on one page and one server: each leaves the state the next one starts from.
import {existsSync} from 'node:fs';

import type {Channel} from '@mattermost/types/channels';
import type {Locator, Page} from 'playwright-core';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';

import {directChannelName, waitForAlert} from '../server/harness/alert_dms.js';
import {TriggerWordsApi} from '../server/harness/trigger_words_api.js';
import {RealMattermost, type RealUser} from '../server/harness/world.js';

import {CHROMIUM, MattermostBrowser, signIn} from './mattermost_browser';
import {installWithCurrentWebapp, LONG, openChannel, PLUGIN_ID, poll, screenshot} from './real_webapp_setup';

/**
 * What the web app itself logs when the user's language changes while it is open, from one of its own
 * chunks: its performance reporter is torn down and set up again. Nothing of the plugin's. Signing in is such
 * a change too here (the login page is in the browser's English, the user's web app in German).
 */
function isLanguageSwitchNoise(problem: string, serverUrl: string): boolean {
    const origin = serverUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`^console\\.error: PerformanceReporterController - Component unmounted or store changed \\(at ${origin}/static/[\\w.]+\\.js\\)$`).test(problem);
}

describe.skipIf(!existsSync(CHROMIUM) && process.env.CI !== 'true')('the translations in the real Mattermost web app', () => {
    let world: RealMattermost;
    let mb: MattermostBrowser;
    let page: Page;
    let hans: RealUser;
    let bob: RealUser;
    let opsRoom: Channel;
    let hansApi: TriggerWordsApi;
    let botId: string;
    /** Set by a test that changes the web app's language: the web app's one known complaint about it is allowed then. */
    let languageChanges = false;

    beforeAll(async () => {
        world = await RealMattermost.start({name: 'realwebapp-i18n'});
        botId = (await installWithCurrentWebapp(world)).botId;

        hans = await world.createUser('hans', {locale: 'de'});
        bob = await world.createUser('bob');
        await world.addToTeam(hans, bob);
        opsRoom = await world.createChannel([hans, bob], {name: 'release-ops', displayName: 'Release Ops'});
        hansApi = new TriggerWordsApi(world.url, hans.token);

        mb = await MattermostBrowser.launch(world.url, PLUGIN_ID);
        page = mb.page;
    }, 420_000);

    afterEach(() => {
        const problems = mb?.takeProblems() ?? [];
        expect(languageChanges ? problems.filter((p) => !isLanguageSwitchNoise(p, world.url)) : problems).toEqual([]);
        languageChanges = false;
    });

    afterAll(async () => {
        await mb?.close();
        await world?.stop();
    }, 120_000);

    const dialog = () => page.getByRole('dialog');
    const appBarEntry = (name: string) => page.locator('.app-bar').getByRole('button', {name, exact: true});
    const heading = (name: string) => dialog().getByRole('heading', {name, exact: true});

    /** Opens the channel menu: a click on the channel's name in its header. */
    const openChannelMenu = () => page.locator('#channelHeaderTitle').click();

    /** The panel's error text for the input (the second id its aria-describedby names). */
    async function inputError(input: Locator): Promise<Locator> {
        const ids = (await input.getAttribute('aria-describedby'))!.split(' ');
        return dialog().locator(`[id="${ids[1]}"]`);
    }

    async function addWords(input: Locator, ...typed: string[]) {
        for (const text of typed) {
            await input.fill(text);
            await input.press('Enter');
        }
    }

    it('German: the App Bar entry and its tooltip, the panel, the server\'s error and the word count', async () => {
        languageChanges = true;
        await signIn(page, world.url, hans.user.username, hans.password);
        await openChannel(page, opsRoom);
        // the web app itself is in German for him
        await page.getByText('Kanäle hinzufügen', {exact: true}).waitFor();

        const entry = appBarEntry('Triggerwörter');
        await entry.waitFor();
        expect(await page.locator('#app-bar-icon-trigger-alerts').count()).toBe(1);
        await entry.hover();
        await expect.poll(() => page.getByRole('tooltip').textContent(), poll).toBe('Triggerwörter');

        await entry.click();
        await heading('Triggerwörter').waitFor();
        await dialog().getByText('in Release Ops', {exact: true}).waitFor();
        await heading('Hier gibt es noch keine Triggerwörter').waitFor();
        const input = dialog().getByRole('textbox', {name: 'Wort oder Wendung hinzufügen', exact: true});
        await addWords(input, 'deploy', '"on call"');
        const chips = dialog().getByRole('list', {name: 'Deine Triggerwörter in diesem Kanal'}).getByRole('listitem').locator('.tw-chip-text');
        await expect.poll(() => chips.allTextContents(), poll).toEqual(['deploy', 'on call']);
        await dialog().getByText('2 von 25 Wörtern', {exact: true}).waitFor();
        await expect.poll(async () => (await hansApi.request('GET', `/channels/${opsRoom.id}/words`)).body, poll)
            .toMatchObject({words: ['deploy', 'on call']});

        // the server refuses a word over 64 characters; its message is in his language
        const long = 'x'.repeat(65);
        mb.expectFailures({path: `/plugins/${PLUGIN_ID}/api/v1/channels/${opsRoom.id}/words`, status: 400});
        await addWords(input, long);
        const error = await inputError(input);
        await expect.poll(() => error.textContent(), poll).toBe('darf höchstens 64 Zeichen lang sein');
        expect(await input.getAttribute('aria-invalid')).toBe('true');
        expect(await input.inputValue()).toBe(long);
        expect(await chips.allTextContents()).toEqual(['deploy', 'on call']);
        await dialog().getByText('2 von 25 Wörtern', {exact: true}).waitFor();
        await screenshot(page, 'real-panel-de.png');

        await input.fill('');
        await page.keyboard.press('Escape');
        await expect.poll(() => dialog().count(), poll).toBe(0);
    }, LONG * 2);

    it('German: the channel menu item, found by its accessible name, opens the panel', async () => {
        await openChannelMenu();
        // by its accessible name: the web app makes the item's aria-label of its text, so anything but a string
        // would read "[object Object]"
        const item = page.getByRole('menuitem', {name: 'Triggerwörter…', exact: true});
        await item.waitFor();
        expect(await item.count()).toBe(1);
        expect(await page.getByRole('menuitem', {name: '[object Object]'}).count()).toBe(0);
        await item.click();
        await heading('Triggerwörter').waitFor();
        await dialog().getByText('2 von 25 Wörtern', {exact: true}).waitFor();
        await page.keyboard.press('Escape');
        await expect.poll(() => dialog().count(), poll).toBe(0);
    }, LONG);

    it('German: the alert DM from the bot, read in the web app', async () => {
        const post = await world.post(bob, opsRoom.id, 'Heads-up: the deploy starts at 5 pm, ping whoever is on call.');
        const alert = await waitForAlert(hans.client, world.team.id, hans.user.id, botId, post.id, LONG);

        await page.locator(`#sidebarItem_${directChannelName(hans.user.id, botId)}`).click();
        await expect.poll(() => page.locator('#channelHeaderTitle').textContent(), poll).toMatch(/^trigger-alerts\b/);
        const body = page.locator(`#post_${alert.id} .post-message__text`);
        await body.waitFor();
        const text = await body.innerText();
        // "@bob hat deploy und on call in Release Ops (~Release Ops) erwähnt": the verb wraps the rest
        expect(text).toMatch(new RegExp(`@${bob.user.username} hat .* erwähnt`));
        expect(await body.locator('code').allTextContents()).toEqual(expect.arrayContaining(['deploy', 'on call']));
        const link = body.getByRole('link', {name: 'Nachricht öffnen', exact: true});
        expect(await link.getAttribute('href')).toBe(`${world.url}/${world.team.name}/pl/${post.id}`);
        await screenshot(page, 'real-alert-dm-de.png');
    }, LONG * 2);

    it('switches to Japanese while the web app is open: App Bar, panel and menu item follow, no reload', async () => {
        // a mark on the page: a reload would lose it
        await page.evaluate(() => Object.assign(window, {beforeTheSwitch: true}));
        languageChanges = true;
        await hans.client.patchMe({locale: 'ja'});

        const entry = appBarEntry('トリガーワード');
        await entry.waitFor();
        expect(await appBarEntry('Triggerwörter').count()).toBe(0);
        expect(await page.locator('#app-bar-icon-trigger-alerts').count()).toBe(1);

        await openChannel(page, opsRoom);
        await entry.click();
        await heading('トリガーワード').waitFor();
        await dialog().getByText('2 / 25 語', {exact: true}).waitFor();
        expect(await dialog().getByRole('textbox', {name: '単語またはフレーズを追加', exact: true}).count()).toBe(1);
        await screenshot(page, 'real-panel-ja.png');
        await page.keyboard.press('Escape');
        await expect.poll(() => dialog().count(), poll).toBe(0);

        await openChannelMenu();
        const item = page.getByRole('menuitem', {name: 'トリガーワード…', exact: true});
        await item.waitFor();
        expect(await item.count()).toBe(1);
        // the German item was removed, not left beside the new one (by name, and by what it shows)
        expect(await page.getByRole('menuitem', {name: 'Triggerwörter…'}).count()).toBe(0);
        expect(await page.getByRole('menuitem').filter({hasText: 'Triggerwörter'}).count()).toBe(0);
        expect(await page.getByRole('menuitem', {name: '[object Object]'}).count()).toBe(0);
        await item.click();
        await heading('トリガーワード').waitFor();
        await page.keyboard.press('Escape');

        expect(await page.evaluate(() => (window as unknown as {beforeTheSwitch?: boolean}).beforeTheSwitch)).toBe(true);
    }, LONG * 2);
});

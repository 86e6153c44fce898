// The built webapp bundle in a real browser (Debian's Chromium through playwright-core), on the host harness,
// talking HTTP to the plugin API through the harness's reverse proxy.
//
// By default the API is the REAL plugin: the built bundle (npm run build) running under Mattermost's own
// plugin host code in test/conformance/cmd/devserver, with an in-memory fake of the server's API behind
// it. E2E_FAKE_API=1 uses the in-memory HTTP stand-in (fake-api.mjs) instead, for working on the panel
// without Go; PLUGIN_HTTP_URL (+ PLUGIN_USER_ID, HARNESS_CHANNELS) points at any other plugin.
// Screenshots go to test/e2e/artifacts/.
import {execFileSync, spawn, type ChildProcess} from 'node:child_process';
import {createInterface} from 'node:readline';
import {existsSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {chromium, type BrowserContext, type Page} from 'playwright-core';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

import {startFakeApi} from './fake-api.mjs';
import {DEMO_USER} from './fake-backend.mjs';
import {startHarnessServer} from './serve.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const repo = path.resolve(__dirname, '../..');
const artifacts = path.join(__dirname, 'artifacts');
const useFake = process.env.E2E_FAKE_API === '1';
const realPlugin = !useFake;

interface DevServer {
    url: string;
    plugin_id: string;
    channels: Record<string, string>;
    users: Record<string, string>;
}

/** Builds and starts the devserver on the built bundle; resolves with the ids it seeded. */
async function startDevServer(): Promise<{info: DevServer; proc: ChildProcess}> {
    const conformance = path.join(repo, 'test/conformance');
    const bin = path.join(conformance, 'build/bin/devserver');
    execFileSync('go', ['build', '-o', bin, './cmd/devserver'], {cwd: conformance, stdio: 'inherit'});
    const proc = spawn(bin, ['-bundle', repo], {stdio: ['ignore', 'pipe', 'pipe']});
    let log = '';
    proc.stderr?.on('data', (c: Buffer) => {
        log = (log + c.toString()).slice(-8000);
    });
    const line = await new Promise<string>((resolve, reject) => {
        const rl = createInterface({input: proc.stdout!});
        rl.once('line', resolve);
        proc.once('exit', (code) => reject(new Error(`devserver exited (${code}):\n${log}`)));
    });
    return {info: JSON.parse(line) as DevServer, proc};
}

let context: BrowserContext;
let page: Page;
let harnessUrl = '';
let userDataDir = '';
const cleanups: Array<() => Promise<void>> = [];

// Against an outside plugin (PLUGIN_HTTP_URL), fresh words per run, so leftovers from an earlier run
// cannot make the adds fail; the devserver starts empty every time.
const run = process.env.PLUGIN_HTTP_URL ? ` ${Date.now().toString(36)}` : '';
const WORD = `deploy${run.replace(' ', '-')}`;
const PHRASE = `on call${run}`;

// Skipped only outside CI when there is no Chromium; CI installs it (.ci/run), so there it must run.
describe.skipIf(!existsSync(CHROMIUM) && process.env.CI !== 'true')('trigger words panel in Chromium', () => {
    beforeAll(async () => {
        execFileSync(process.execPath, ['scripts/build-webapp.mjs'], {cwd: repo, stdio: 'inherit'});
        mkdirSync(artifacts, {recursive: true});

        let pluginHttpUrl = process.env.PLUGIN_HTTP_URL;
        let pluginUserId = process.env.PLUGIN_USER_ID;
        let channels: Array<{id: string; name: string; display_name: string}> | undefined;
        if (useFake) {
            const api = await startFakeApi();
            cleanups.push(api.close);
            pluginHttpUrl = api.url;
            pluginUserId = DEMO_USER;
        } else if (!pluginHttpUrl) {
            const dev = await startDevServer();
            cleanups.push(async () => {
                dev.proc.kill();
            });
            pluginHttpUrl = `${dev.info.url}/plugins/${dev.info.plugin_id}`;
            pluginUserId = dev.info.users.alice;
            channels = [
                {id: dev.info.channels['town-square']!, name: 'town-square', display_name: 'Town Square'},
                {id: dev.info.channels['private-ops']!, name: 'private-ops', display_name: 'Private Ops'},
            ];
        }
        const harness = await startHarnessServer({pluginHttpUrl, pluginUserId, channels});
        cleanups.push(harness.close);
        harnessUrl = harness.url;

        userDataDir = mkdtempSync(path.join(tmpdir(), 'e2e-chromium-'));
        context = await chromium.launchPersistentContext(userDataDir, {
            executablePath: CHROMIUM,
            headless: true,
            args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                '--disable-component-update', '--disable-sync', '--no-first-run'],
            viewport: {width: 1100, height: 760},
        });
        page = context.pages()[0] ?? await context.newPage();
        page.on('pageerror', (err) => {
            throw err;
        });
    }, 120_000);

    afterAll(async () => {
        await context?.close();
        for (const c of cleanups.reverse()) {
            await c();
        }
        if (userDataDir) {
            rmSync(userDataDir, {recursive: true, force: true});
        }
    });

    const dialog = () => page.getByRole('dialog');
    const chip = (word: string) => dialog().getByRole('list', {name: 'Your trigger words in this channel'})
        .getByRole('listitem').filter({hasText: word});
    const input = () => dialog().getByRole('textbox', {name: 'Add a word or phrase'});

    async function openFromHeaderButton(theme: 'light' | 'dark') {
        await page.goto(`${harnessUrl}/?theme=${theme}`);
        await page.getByRole('button', {name: 'Trigger words', exact: true}).click();
        await expect.poll(() => dialog().isVisible()).toBe(true);
        await input().waitFor();
    }

    it('adds a word and a phrase, keeps them over a reload, shows a server error, removes a word', async () => {
        await openFromHeaderButton('light');
        expect(await dialog().getByRole('heading', {name: 'Trigger words', exact: true}).isVisible()).toBe(true);
        // focus starts in the input
        await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.id)).toBe(
            await input().getAttribute('id'));

        await input().fill(WORD);
        await input().press('Enter');
        await chip(WORD).waitFor();
        await input().fill(`"${PHRASE}"`);
        await input().press('Enter');
        await chip(PHRASE).waitFor();
        await expect.poll(() => dialog().getByRole('status').textContent()).toBe('Saved');
        expect(await input().inputValue()).toBe('');
        await page.screenshot({path: path.join(artifacts, 'panel-light.png')});

        // Escape closes and gives the focus back to the header button
        await page.keyboard.press('Escape');
        await expect.poll(() => dialog().count()).toBe(0);
        expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Trigger words');

        // reload: the words come back from the server; open from the channel header menu this time
        await page.reload();
        await page.getByRole('button', {name: 'Channel menu'}).click();
        await page.getByRole('menuitem', {name: 'Trigger words…'}).click();
        await chip(WORD).waitFor();
        await chip(PHRASE).waitFor();

        // a word over the server's length limit: the server's 400 is shown next to the input
        const long = 'x'.repeat(65);
        await input().fill(long);
        await input().press('Enter');
        const alert = page.locator(`[id="${(await input().getAttribute('aria-describedby'))!.split(' ')[1]}"]`);
        await expect.poll(() => alert.textContent()).not.toBe('');
        const message = await alert.textContent();
        if (!realPlugin) {
            expect(message).toBe('must be at most 64 characters');
        }
        expect(await input().getAttribute('aria-invalid')).toBe('true');
        expect(await input().inputValue()).toBe(long);
        await page.screenshot({path: path.join(artifacts, 'panel-error-light.png')});

        // remove the word, by keyboard
        await dialog().getByRole('button', {name: `Remove “${WORD}”`}).focus();
        await page.keyboard.press('Enter');
        await expect.poll(() => chip(WORD).count()).toBe(0);
        await page.reload();
        await page.getByRole('button', {name: 'Trigger words', exact: true}).click();
        await chip(PHRASE).waitFor();
        expect(await chip(WORD).count()).toBe(0);
    });

    it('looks right in the dark theme, with a snooze on and the all-words list', async () => {
        await openFromHeaderButton('dark');
        await input().fill(`${WORD}, release`);
        await input().press('Enter');
        await chip('release').waitFor();
        await dialog().getByRole('button', {name: 'Snooze for 1 hour'}).click();
        await dialog().getByText(/^Snoozed until /).waitFor();
        await expect.poll(() => dialog().getByRole('status').textContent()).toBe('Saved');
        await page.screenshot({path: path.join(artifacts, 'panel-dark.png')});

        const channelName = (await page.locator('.host-header h2').textContent())!;
        await dialog().getByRole('button', {name: 'All my trigger words'}).click();
        const list = dialog().getByRole('list', {name: /^Trigger words in /}).first();
        await list.waitFor();
        expect(await dialog().getByRole('button', {name: `Remove “release” from ${channelName}`}).isVisible()).toBe(true);
        await page.screenshot({path: path.join(artifacts, 'panel-all-dark.png')});

        // clean up what the tests added, through the list
        for (const w of [WORD, 'release', PHRASE]) {
            const remove = dialog().getByRole('button', {name: `Remove “${w}” from ${channelName}`});
            if (await remove.count() > 0) {
                await remove.click();
                await expect.poll(() => remove.count()).toBe(0);
            }
        }
        await dialog().getByRole('button', {name: 'Back to this channel'}).click();
        await dialog().getByRole('heading', {name: 'No trigger words here yet'}).waitFor();
        await dialog().getByRole('button', {name: 'Turn snooze off'}).click();
        await dialog().getByText('Alerts are on.').waitFor();
        await page.screenshot({path: path.join(artifacts, 'panel-empty-dark.png')});
    });
});

// The built webapp bundle in a real browser (Debian's Chromium through playwright-core), on the host harness,
// talking HTTP to the plugin API through the harness's reverse proxy. The harness runs on each React the
// Mattermost web app hands to plugins (17.0.2 in 9.x/10.x, 18 in 11.x, 19 in 12.x; see host-react.mjs), with an
// App Bar drawn as the web app draws it and an approximation of the web app's global CSS (host-global.css).
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
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';

import {startFakeApi} from './fake-api.mjs';
import {DEMO_CHANNELS, DEMO_USER} from './fake-backend.mjs';
import {HOST_REACTS} from './host-react.mjs';
import {decodePng, type Image} from './png';
import {DEFAULT_REACT, startHarnessServer} from './serve.mjs';

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
let channelIds: string[] = [];
const cleanups: Array<() => Promise<void>> = [];
/** Uncaught exceptions and console errors of the page; each test must end with none. */
const pageErrors: string[] = [];

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
        // the harness's channels (as serve.mjs picks them), for tests that want a channel of their own
        channelIds = (channels ?? JSON.parse(process.env.HARNESS_CHANNELS ?? 'null') ??
            DEMO_CHANNELS.filter((c) => c.members.includes(DEMO_USER))).map((c: {id: string}) => c.id);

        userDataDir = mkdtempSync(path.join(tmpdir(), 'e2e-chromium-'));
        context = await chromium.launchPersistentContext(userDataDir, {
            executablePath: CHROMIUM,
            headless: true,
            args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                '--disable-component-update', '--disable-sync', '--no-first-run'],
            viewport: {width: 1100, height: 760},
        });
        page = context.pages()[0] ?? await context.newPage();
        page.on('pageerror', (err) => pageErrors.push(`uncaught: ${err.message}`));
        page.on('console', (m) => {
            // Chromium logs every 4xx answer as an error; some tests ask for those on purpose.
            if (m.type() === 'error' && !m.text().startsWith('Failed to load resource: the server responded with a status of 4')) {
                pageErrors.push(`console.error: ${m.text()}`);
            }
        });
    }, 120_000);

    afterEach(() => {
        const errors = pageErrors.splice(0);
        expect(errors).toEqual([]);
    });

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
    /** The plugin's App Bar entry, found by its accessible name. */
    const appBarEntry = () => page.locator('.app-bar').getByRole('button', {name: 'Trigger words', exact: true});

    interface HarnessOptions {
        theme?: 'light' | 'dark';
        react?: number;
        appbar?: 'bare' | 'role-button' | 'none';
        hostcss?: boolean;
        channel?: string;
    }

    async function gotoHarness(o: HarnessOptions = {}) {
        const q = new URLSearchParams({theme: o.theme ?? 'light', react: String(o.react ?? DEFAULT_REACT)});
        if (o.appbar) {
            q.set('appbar', o.appbar);
        }
        if (o.hostcss === false) {
            q.set('hostcss', '0');
        }
        if (o.channel) {
            q.set('channel', o.channel);
        }
        await page.goto(`${harnessUrl}/?${q}`);
        await page.locator('.host-header').waitFor();
    }

    async function openFromAppBar(theme: 'light' | 'dark') {
        await gotoHarness({theme});
        await appBarEntry().click();
        await expect.poll(() => dialog().isVisible()).toBe(true);
        await input().waitFor();
    }

    async function openFromChannelMenu() {
        await page.getByRole('button', {name: 'Channel menu'}).click();
        await page.getByRole('menuitem', {name: 'Trigger words…'}).click();
        await input().waitFor();
    }

    it('adds a word and a phrase, keeps them over a reload, shows a server error, removes a word', async () => {
        await openFromAppBar('light');
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

        // Escape closes and gives the focus back to the App Bar entry
        await page.keyboard.press('Escape');
        await expect.poll(() => dialog().count()).toBe(0);
        expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Trigger words');

        // reload: the words come back from the server; open from the channel header menu this time
        await page.reload();
        await openFromChannelMenu();
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
        await appBarEntry().click();
        await chip(PHRASE).waitFor();
        expect(await chip(WORD).count()).toBe(0);
    });

    it('looks right in the dark theme, with a snooze on and the all-words list', async () => {
        await openFromAppBar('dark');
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

    // Every host React, in every run: the panel's whole round trip to the real plugin, opened the two ways a
    // user opens it, by keyboard and by mouse.
    describe.each(HOST_REACTS)('on the host React $major (Mattermost $mattermost)', (host) => {
        const word = `react ${host.major}${run}`;

        it('has one named App Bar entry with a tooltip that opens the panel by keyboard; the channel menu opens it too', async () => {
            await gotoHarness({react: host.major});
            const globals = await page.evaluate(() => {
                const w = window as unknown as {React: {version: string}; ReactJSXRuntime?: unknown};
                return {version: w.React.version, jsxRuntime: w.ReactJSXRuntime !== undefined};
            });
            expect(globals.version.split('.')[0]).toBe(String(host.major));
            expect(globals.jsxRuntime).toBe(host.jsxRuntime);

            // one entry, in the App Bar only: an <img> of the plugin's icon, named, with a tooltip
            expect(await page.locator('#app-bar-icon-trigger-alerts').count()).toBe(1);
            expect(await page.locator('.host-header-button').count()).toBe(0);
            expect(await page.locator('#app-bar-icon-trigger-alerts img').getAttribute('src')).toMatch(/^data:image\/svg\+xml,/);
            const entry = appBarEntry();
            expect(await entry.count()).toBe(1);
            await entry.hover();
            await expect.poll(() => page.getByRole('tooltip').textContent()).toBe('Trigger words');
            await page.mouse.move(500, 700);

            // keyboard: focus, Enter, add a word, Escape, and the focus is back on the entry
            await entry.focus();
            await page.keyboard.press('Enter');
            await input().waitFor();
            await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(await input().getAttribute('id'));
            await page.keyboard.type(`"${word}"`);
            await page.keyboard.press('Enter');
            await chip(word).waitFor();
            await expect.poll(() => dialog().getByRole('status').textContent()).toBe('Saved');
            await page.screenshot({path: path.join(artifacts, `panel-react${host.major}.png`)});
            await page.keyboard.press('Escape');
            await expect.poll(() => dialog().count()).toBe(0);
            expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Trigger words');

            // the channel menu, after a reload: the word came back from the plugin; remove it
            await page.reload();
            await openFromChannelMenu();
            await chip(word).waitFor();
            await dialog().getByRole('button', {name: `Remove “${word}”`}).click();
            await expect.poll(() => chip(word).count()).toBe(0);
            await dialog().getByRole('button', {name: 'Close'}).click();
            await expect.poll(() => dialog().count()).toBe(0);
        });
    });

    it('uses the channel header button where the registry has no App Bar', async () => {
        await gotoHarness({react: 17, appbar: 'none'});
        expect(await page.locator('.app-bar').count()).toBe(0);
        const button = page.locator('.host-header').getByRole('button', {name: 'Trigger words', exact: true});
        await button.click();
        await input().waitFor();
        await page.keyboard.press('Escape');
        await expect.poll(() => dialog().count()).toBe(0);
        expect(await page.evaluate(() => document.activeElement?.className)).toBe('host-header-button');
    });

    /** Computed styles of every element of the dialog, in document order. */
    async function dialogStyles(): Promise<string[]> {
        return page.evaluate(() => {
            const props = ['display', 'box-sizing', 'width', 'height', 'margin-top', 'margin-right', 'margin-bottom', 'margin-left',
                'padding-top', 'padding-right', 'padding-bottom', 'padding-left', 'border-top-width', 'border-top-style',
                'border-bottom-width', 'border-bottom-style', 'border-left-width', 'border-radius', 'font-family', 'font-size',
                'font-weight', 'line-height', 'letter-spacing', 'text-transform', 'color', 'background-color', 'list-style-type'];
            const dialogEl = document.querySelector('[role="dialog"]')!;
            return [dialogEl, ...Array.from(dialogEl.querySelectorAll('*'))].filter((e) => e.tagName !== 'STYLE').map((e) => {
                const cs = getComputedStyle(e);
                const name = `${e.tagName.toLowerCase()}${e.className ? '.' + String(e.className).split(' ').join('.') : ''}`;
                return `${name} ${props.map((p) => `${p}=${cs.getPropertyValue(p)}`).join(' ')}`;
            });
        });
    }

    /** The same steps with and without the host's CSS: the panel's states, as computed styles. */
    async function panelStates(react: number, hostcss: boolean): Promise<Record<string, string[]>> {
        const channel = channelIds[1];
        await gotoHarness({react, hostcss, channel});
        await openFromChannelMenu();
        const states: Record<string, string[]> = {};
        await dialog().getByRole('heading', {name: 'No trigger words here yet'}).waitFor();
        states.empty = await dialogStyles();
        await input().fill(`styles${run.replace(' ', '-')}`);
        await input().press('Enter');
        await expect.poll(() => dialog().getByRole('status').textContent()).toBe('Saved');
        await input().fill('y'.repeat(65));
        await input().press('Enter');
        await expect.poll(() => input().getAttribute('aria-invalid')).toBe('true');
        await page.mouse.move(1, 1);
        states.wordsAndError = await dialogStyles();
        await page.screenshot({path: path.join(artifacts, `panel-hostcss-${hostcss ? 'on' : 'off'}-react${react}.png`)});
        await dialog().getByRole('button', {name: 'All my trigger words'}).click();
        const remove = dialog().getByRole('button', {name: new RegExp(`^Remove “styles${run.replace(' ', '-')}”`)});
        await remove.waitFor();
        await page.mouse.move(1, 1);
        states.all = await dialogStyles();
        await remove.click();
        await expect.poll(() => remove.count()).toBe(0);
        return states;
    }

    it.each([17, 19])('looks the same inside the web app\'s global CSS as without it (React %i)', async (react) => {
        const off = await panelStates(react, false);
        const on = await panelStates(react, true);
        for (const state of Object.keys(off)) {
            expect(on[state]!.length, state).toBe(off[state]!.length);
            const differences = on[state]!.map((line, i) => (line === off[state]![i] ? null : `with: ${line}\nwithout: ${off[state]![i]}`))
                .filter((d) => d !== null);
            expect(differences, state).toEqual([]);
        }
        // and it is the panel's own look, not the host's: e.g. the snooze legend's 21px and rule under it
        const legend = on.empty!.find((l) => l.startsWith('legend.tw-snooze-legend '))!;
        expect(legend).toContain('font-size=14px');
        expect(legend).toContain('border-bottom-style=none');
        const title = on.empty!.find((l) => l.startsWith('h2.tw-title '))!;
        expect(title).toContain('font-size=20px');
        expect(title).toContain('margin-top=0px');
    });

    /** WCAG contrast of two sRGB colours. */
    function contrast(a: number[], b: number[]): number {
        const lum = (c: number[]) => {
            const [r, g, bl] = c.slice(0, 3).map((v) => {
                const s = v / 255;
                return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
            });
            return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
        };
        const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
        return (hi! + 0.05) / (lo! + 0.05);
    }

    const pixels = (img: Image) => Array.from({length: img.width * img.height}, (_, i) => Array.from(img.data.subarray(i * 4, i * 4 + 3)));

    it.each(['light', 'dark'] as const)('has an App Bar icon that stands out from the App Bar in the %s theme', async (theme) => {
        await gotoHarness({theme});
        const icon = page.locator('#app-bar-icon-trigger-alerts img');
        await expect.poll(() => icon.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
        const box = (await icon.boundingBox())!;
        expect([box.width, box.height]).toEqual([24, 24]);
        const shot = decodePng(await page.screenshot({clip: box}));
        // the App Bar's own background, just left of the icon
        const bg = pixels(decodePng(await page.screenshot({clip: {x: box.x - 10, y: box.y + 10, width: 4, height: 4}})))[0]!;
        await page.screenshot({path: path.join(artifacts, `app-bar-${theme}.png`), clip: {x: box.x - 12, y: box.y - 12, width: 48, height: 48}});
        // inside the round icon (the App Bar clips it to a circle)
        const inside = pixels(shot).filter((_, i) => Math.hypot((i % 24) - 11.5, Math.floor(i / 24) - 11.5) < 10);
        const standOut = inside.filter((p) => contrast(p, bg) >= 3).length / inside.length;
        expect(standOut, `share of the icon with 3:1 contrast against the App Bar (${bg})`).toBeGreaterThan(0.6);
        // and the glyph on the badge: the most common colour, and at least a tenth of the icon at 4.5:1 to it
        const counts = new Map<string, number>();
        for (const p of inside) {
            counts.set(p.join(','), (counts.get(p.join(',')) ?? 0) + 1);
        }
        const badge = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0].split(',').map(Number);
        expect(inside.filter((p) => contrast(p, badge) >= 4.5).length / inside.length).toBeGreaterThan(0.1);
    });
});

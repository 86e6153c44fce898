// What the tests of the REAL Mattermost web app share: the plugin installed with the web app built from
// webapp/src now, their waits, and how they open a channel and take a picture of the window.
import {mkdirSync} from 'node:fs';
import path from 'node:path';

import type {Channel} from '@mattermost/types/channels';
import type {Page} from 'playwright-core';
import {expect} from 'vitest';

import {installTriggerAlerts, type InstalledPlugin} from '../server/harness/install_trigger_alerts.js';
import type {RealMattermost} from '../server/harness/world.js';

import {bundleWithCurrentWebapp} from './current_webapp_bundle';

export const PLUGIN_ID = 'trigger-alerts';
export const ARTIFACTS = path.join(__dirname, 'artifacts');
/** Generous: two cores, shared with other test servers. */
export const LONG = 60_000;
export const poll = {timeout: 30_000, interval: 200};

// The fixture shows a "Preview Mode: Email notifications have not been configured" bar (the test servers
// send no e-mail); it has nothing to do with the plugin, so the pictures leave it out.
const SCREENSHOT_STYLE = '.announcement-bar { display: none !important; }';

/** Installs the plugin the System Console's way, its web app half built from webapp/src (the code under test). */
export async function installWithCurrentWebapp(world: RealMattermost): Promise<InstalledPlugin> {
    mkdirSync(ARTIFACTS, {recursive: true});
    const plugin = await installTriggerAlerts(world, {bundle: bundleWithCurrentWebapp(world.scratch).file, timeoutMs: 180_000});
    expect(plugin.id).toBe(PLUGIN_ID);
    return plugin;
}

/** Opens a channel by its entry in the web app's sidebar, as a person does. */
export async function openChannel(page: Page, channel: Channel): Promise<void> {
    await page.locator(`#sidebarItem_${channel.name}`).click();
    await expect.poll(() => page.locator('#channelHeaderTitle').textContent(), poll).toBe(channel.display_name);
}

/** The whole window into ARTIFACTS, with the pointer parked on the global header so that nothing shows a hover state. */
export async function screenshot(page: Page, name: string): Promise<void> {
    await page.mouse.move(1, 1);
    await page.screenshot({path: path.join(ARTIFACTS, name), style: SCREENSHOT_STYLE});
}

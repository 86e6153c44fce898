// Debian's Chromium on the real Mattermost web app: a fresh profile that can reach only loopback, a record of
// everything that went wrong on the page, and signing in the way a person does.
import {chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page} from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A failed request the web app makes on its own in this setup, which says nothing about the plugin. */
interface KnownNoise {
    path: RegExp;
    status: number;
    why: string;
}

/**
 * Every failed request the fixture's web app makes by itself (seen on every page load here, with no plugin
 * involved); anything else that fails is a problem.
 */
const WEB_APP_NOISE: KnownNoise[] = [
    {path: /^\/api\/v4\/trial-license\/prev$/, status: 403, why: 'Team Edition refuses a regular user the previous trial licence'},
    {path: /^\/plugins\/com\.mattermost\.apps\/api\/v1\/bindings$/, status: 404, why: 'the Apps framework plugin is not installed'},
    {
        path: /^\/api\/v4\/users\/[a-z0-9]{26}\/teams\/channels\/categories$/,
        status: 404,
        why: 'right after signing in, the web app may ask for the sidebar categories before it knows the team (no team id in the path)',
    },
];

export interface ExpectedFailure {
    /** Path of the request (no query). */
    path: string;
    status: number;
}

export class MattermostBrowser {
    /** What went wrong so far: uncaught exceptions, console errors, failed plugin requests, blocked requests. */
    readonly problems: string[] = [];
    /** Requests the page tried to send beyond loopback (blocked). */
    readonly blocked: string[] = [];
    private expected: ExpectedFailure[] = [];

    private constructor(readonly browser: Browser, readonly context: BrowserContext, readonly page: Page, readonly serverUrl: string, readonly pluginId: string) {}

    static async launch(serverUrl: string, pluginId: string): Promise<MattermostBrowser> {
        const browser = await chromium.launch({
            executablePath: CHROMIUM,
            headless: true,
            args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                '--disable-sync', '--no-first-run', '--disable-domain-reliability', '--no-pings'],
        });
        try {
            // Service workers would fetch past context.route; the web app does not need one.
            const context = await browser.newContext({
                viewport: {width: 1280, height: 800}, locale: 'en-US', timezoneId: 'UTC', serviceWorkers: 'block',
            });
            context.setDefaultTimeout(45_000);
            context.setDefaultNavigationTimeout(90_000);
            const page = await context.newPage();
            const mb = new MattermostBrowser(browser, context, page, serverUrl, pluginId);
            await mb.watch();
            return mb;
        } catch (e) {
            await browser.close();
            throw e;
        }
    }

    /** Lets each of `failures` happen once without counting as a problem (until the next takeProblems). */
    expectFailures(...failures: ExpectedFailure[]): void {
        this.expected.push(...failures);
    }

    /** The problems since the last call, and forgets the expectations. */
    takeProblems(): string[] {
        this.expected = [];
        return this.problems.splice(0);
    }

    async close(): Promise<void> {
        await this.browser.close();
    }

    private isLoopback(url: string): boolean {
        const u = new URL(url);
        if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') {
            return true;
        }
        return u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
    }

    /** Whether a failed request is known or expected; an expected one is used up. */
    private excused(url: string, status: number): boolean {
        const u = new URL(url);
        if (u.origin !== new URL(this.serverUrl).origin) {
            return false;
        }
        if (WEB_APP_NOISE.some((n) => n.status === status && n.path.test(u.pathname))) {
            return true;
        }
        const i = this.expected.findIndex((e) => e.status === status && e.path === u.pathname);
        if (i >= 0) {
            this.expected.splice(i, 1);
            return true;
        }
        return false;
    }

    private async watch(): Promise<void> {
        // Nothing leaves this machine: every request to another host is refused before it is sent.
        await this.context.route('**/*', async (route) => {
            const url = route.request().url();
            if (this.isLoopback(url)) {
                await route.continue();
            } else {
                this.blocked.push(url);
                this.problems.push(`request to a host outside loopback (blocked): ${url}`);
                await route.abort('blockedbyclient');
            }
        });
        const page = this.page;
        page.on('pageerror', (err) => this.problems.push(`uncaught in the page: ${err.stack ?? err.message}`));
        page.on('console', (m) => this.onConsole(m));
        // A failed answer of the plugin's own routes is a problem even if the panel handled it quietly.
        page.on('response', (res) => {
            const u = new URL(res.url());
            if (res.status() >= 400 && u.pathname.startsWith(`/plugins/${this.pluginId}/`) && !this.excused(res.url(), res.status())) {
                this.problems.push(`plugin request failed: ${res.request().method()} ${u.pathname} ${res.status()}`);
            }
        });
    }

    private onConsole(m: ConsoleMessage): void {
        const where = m.location().url ?? '';
        const fromPlugin = where.includes(`/static/plugins/${this.pluginId}/`);
        if (m.type() === 'warning' && fromPlugin) {
            this.problems.push(`console.warn from the plugin: ${m.text()}`);
            return;
        }
        if (m.type() !== 'error') {
            return;
        }
        // Chromium reports every failed answer as a console error located at the request's URL; the
        // response handler above judges the plugin's, this one the rest.
        const failed = /^Failed to load resource: the server responded with a status of (\d+)/.exec(m.text());
        if (failed && where) {
            const u = new URL(where);
            if (u.pathname.startsWith(`/plugins/${this.pluginId}/`) || this.excused(where, Number(failed[1]))) {
                return;
            }
        }
        if (/^Failed to load resource: net::ERR_BLOCKED_BY_CLIENT/.test(m.text())) {
            return; // already counted when it was blocked
        }
        this.problems.push(`console.error${fromPlugin ? ' from the plugin' : ''}: ${m.text()}${where ? ` (at ${where})` : ''}`);
    }
}

/**
 * Signs in through the web app's own login page. A new profile first gets the landing page that offers
 * the desktop app ("View in Browser"); then the login form.
 */
export async function signIn(page: Page, serverUrl: string, loginId: string, password: string): Promise<void> {
    await page.goto(`${serverUrl}/login`);
    const viewInBrowser = page.getByText('View in Browser', {exact: true});
    const loginField = page.locator('#input_loginId');
    await loginField.or(viewInBrowser).first().waitFor();
    if (await viewInBrowser.isVisible()) {
        await viewInBrowser.click();
    }
    await loginField.fill(loginId);
    await page.locator('#input_password-input').fill(password);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/channels\//);
}

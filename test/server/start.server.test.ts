// `npm start` as a person uses it: started in the background, signed into (REST and the real web app in
// Chromium), stopped with Ctrl-C (SIGINT), started again to find what was done before. Its own state
// folder and database, so a developer's `npm start` state is never touched.
import {spawn, type ChildProcess} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';

import {chromium} from 'playwright-core';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

import {dropNamedDatabase} from '../../tools/start/database.js';
import {processesUnder} from './harness/processes_by_path.js';
import {BOT_USERNAME, seedPost, seedUsers, seedWords, waitingAlert} from '../../tools/start/seed.js';
import {repoRoot} from './harness/fixture.js';
import {clientFor} from './harness/world.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const password = (username: string) => seedUsers.find((u) => u.username === username)!.password;

class StartRun {
    output = '';
    readonly exited: Promise<number | null>;
    private readonly proc: ChildProcess;

    constructor(args: string[]) {
        this.proc = spawn(process.execPath, [path.join(repoRoot, 'scripts/start.mjs'), ...args], {cwd: repoRoot, env: process.env, stdio: ['ignore', 'pipe', 'pipe']});
        this.proc.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
        this.proc.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
        this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
    }

    /** The address it prints once everything runs. */
    async url(timeoutMs = 300_000): Promise<string> {
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
            const found = /Open (http:\/\/127\.0\.0\.1:\d+)\//.exec(this.output)?.[1];
            if (found) {
                return found;
            }
            if (!this.running) {
                throw new Error(`npm start exited (${this.proc.exitCode ?? this.proc.signalCode}):\n${this.output}`);
            }
            await sleep(250);
        }
        throw new Error(`npm start printed no "Open <url>" line within ${timeoutMs} ms:\n${this.output}`);
    }

    signal(s: NodeJS.Signals): void {
        this.proc.kill(s);
    }

    get running(): boolean {
        return this.proc.exitCode === null && this.proc.signalCode === null;
    }
}

function portAnswers(url: string): Promise<boolean> {
    const {hostname, port} = new URL(url);
    return new Promise((resolve) => {
        const socket = net.connect(Number(port), hostname);
        socket.once('connect', () => {
            socket.destroy();
            resolve(true);
        });
        socket.once('error', () => resolve(false));
    });
}

describe('npm start', () => {
    const state = mkdtempSync(path.join(os.tmpdir(), 'start-test-'));
    const database = `trigger_alerts_starttest_${randomBytes(3).toString('hex')}`;
    const args = ['--state', state, '--database', database, '--port', '0'];
    let run: StartRun | undefined;
    let url = '';
    let examplePostId = '';

    afterAll(async () => {
        if (run?.running) {
            run.signal('SIGINT');
            await run.exited;
        }
        for (const p of processesUnder(state)) {
            process.kill(p.pid, 'SIGKILL');
        }
        dropNamedDatabase(database);
        rmSync(state, {recursive: true, force: true});
    });

    describe('first run', () => {
        beforeAll(async () => {
            run = new StartRun(['--fresh', ...args]);
            url = await run.url();
        }, 330_000);

        it('says what it installs and why, and whom to sign in as', () => {
            expect(run!.output).toMatch(/installing trigger-alerts-[\d.]+-linux-amd64\.tar\.gz .*min_server_version 9\.10\.0 instead of 10\.5\.0/);
            for (const u of seedUsers) {
                expect(run!.output).toMatch(new RegExp(`${u.username} +${u.password.replace(/[-]/g, '\\-')}`));
            }
            expect(run!.output).toMatch(/seeded: admin sysadmin, team acme/);
        });

        it('runs the plugin, and a seeded user signs in over REST to an alert that is waiting', async () => {
            const alice = clientFor(url);
            await alice.login(seedWords.user, password(seedWords.user));
            const deployments = await alice.getChannelByNameAndTeamName('acme', seedPost.channel);
            const posts = await alice.getPosts(deployments.id, 0, 50);
            const example = Object.values(posts.posts).find((p) => p.message === seedPost.message);
            expect(example).toBeDefined();
            examplePostId = example!.id;
            const alert = await waitingAlert(alice, examplePostId);
            expect(alert.message).toContain('deploy');
            expect(alert.message).toContain('rollback');

            const admin = clientFor(url);
            await admin.login('sysadmin', 'Sysadmin-1234');
            const mine = (await admin.getPluginStatuses()).filter((s) => s.plugin_id === 'trigger-alerts');
            expect(mine.map((s) => s.state)).toEqual([2]);
            expect(processesUnder(state).map((p) => path.basename(p.exe)).sort()).toEqual(['mattermost', 'plugin-linux-amd64']);
        });

        it.skipIf(!existsSync(CHROMIUM) && process.env.CI !== 'true')('signs in through the real web app and lists the bot\'s DM', async () => {
            const browser = await chromium.launch({executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']});
            try {
                const page = await browser.newPage();
                await page.goto(`${url}/login`);
                // A new profile may first see a "View in Browser" landing page.
                const form = page.locator('#input_loginId').or(page.getByText('View in Browser'));
                await form.first().waitFor({timeout: 60_000});
                if (await page.getByText('View in Browser').count()) {
                    await page.getByText('View in Browser').first().click();
                }
                await page.fill('#input_loginId', seedWords.user);
                await page.fill('#input_password-input', password(seedWords.user));
                await page.keyboard.press('Enter');
                await page.waitForURL(/\/acme\/channels\//, {timeout: 60_000});
                await page.getByRole('link', {name: new RegExp(BOT_USERNAME)}).first().waitFor({timeout: 30_000});
            } finally {
                await browser.close();
            }
        });

        it('keeps a change a person makes: alice adds a word', async () => {
            const alice = clientFor(url);
            await alice.login(seedWords.user, password(seedWords.user));
            const deployments = await alice.getChannelByNameAndTeamName('acme', seedPost.channel);
            const res = await fetch(`${url}/plugins/trigger-alerts/api/v1/channels/${deployments.id}/words`, {
                method: 'POST',
                headers: {'Authorization': `Bearer ${alice.getToken()}`, 'Content-Type': 'application/json'},
                body: JSON.stringify({word: 'hotfix'}),
            });
            expect(res.status).toBe(201);
        });

        it('Ctrl-C stops the server and the plugin and frees the port', async () => {
            run!.signal('SIGINT');
            expect(await run!.exited).toBe(0);
            expect(run!.output).toContain('stopped the Mattermost server');
            expect(run!.output).toContain('everything it started is stopped');
            expect(processesUnder(state)).toEqual([]);
            expect(await portAnswers(url)).toBe(false);
        });
    });

    describe('second run', () => {
        beforeAll(async () => {
            run = new StartRun(args);
            url = await run.url();
        }, 330_000);

        it('finds the earlier data instead of seeding again, with the word alice added', async () => {
            expect(run!.output).toContain('found the team, channels and users of an earlier run');
            expect(run!.output).toContain('plugin: trigger-alerts 0.1.0 is installed already');
            expect(run!.output).toMatch(/trigger words in ~deployments now: "deploy", "rollback", "on call", "hotfix"/);
            const alice = clientFor(url);
            await alice.login(seedWords.user, password(seedWords.user));
            const deployments = await alice.getChannelByNameAndTeamName('acme', seedPost.channel);
            const posts = Object.values((await alice.getPosts(deployments.id, 0, 50)).posts);
            expect(posts.filter((p) => p.message === seedPost.message).map((p) => p.id)).toEqual([examplePostId]);
        });

        it('SIGTERM stops everything too', async () => {
            run!.signal('SIGTERM');
            expect(await run!.exited).toBe(0);
            expect(processesUnder(state)).toEqual([]);
            expect(await portAnswers(url)).toBe(false);
        });
    });
});

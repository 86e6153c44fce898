// @vitest-environment jsdom
import {cleanup, render, screen, waitFor, within} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';

import {createApi} from '../../../webapp/src/api';
import {TriggerWordsPanel} from '../../../webapp/src/components/panel';
import {defaultMessages, formatSnoozeUntil, setMessages, type MessageKey} from '../../../webapp/src/i18n';
import {HOUR} from '../../e2e/fake-backend.mjs';

import {CSRF_TOKEN, INCIDENTS, installFakeApi, PLUGIN_PREFIX, SECRET, SITE_URL, TOWN, USER, type FakeApi} from './fake_fetch';

const BASE = `${SITE_URL.replace(/\/mm$/, '')}${PLUGIN_PREFIX}/api/v1`;

let fake: FakeApi;

beforeEach(() => {
    fake = installFakeApi();
});

afterEach(() => {
    cleanup();
    setMessages({});
    vi.unstubAllGlobals();
});

async function openPanel(opts: {words?: string[]; snoozedUntil?: number | null; channelId?: string} = {}) {
    const channelId = opts.channelId ?? TOWN;
    if (opts.words || opts.snoozedUntil) {
        fake.backend.seed(USER, channelId, opts.words ?? [], opts.snoozedUntil ?? null);
    }
    const onClose = vi.fn();
    const user = userEvent.setup();
    const api = createApi(() => SITE_URL);
    render(<TriggerWordsPanel api={api} channelId={channelId} channelName='Town Square' onClose={onClose}/>);
    const input = await screen.findByRole('textbox', {name: 'Add a word or phrase'});
    return {user, onClose, input: input as HTMLInputElement, dialog: screen.getByRole('dialog')};
}

function chips(): string[] {
    const list = screen.queryByRole('list', {name: 'Your trigger words in this channel'});
    if (!list) {
        return [];
    }
    return within(list).getAllByRole('listitem').map((li) => li.querySelector('.tw-chip-text')!.textContent!);
}

function inputError(input: HTMLInputElement): HTMLElement {
    const ids = input.getAttribute('aria-describedby')!.split(' ');
    const el = ids.map((id) => document.getElementById(id)).find((e) => e?.getAttribute('role') === 'alert');
    expect(el, 'the input is described by an alert region').toBeTruthy();
    return el!;
}

function status(): HTMLElement {
    return screen.getByRole('status');
}

describe('loading and the empty state', () => {
    it('loads the words with a GET carrying the Mattermost headers, and shows them as chips', async () => {
        const {input, dialog} = await openPanel({words: ['deploy', 'on call']});
        expect(chips()).toEqual(['deploy', 'on call']);
        expect(fake.requests).toHaveLength(1);
        const [get] = fake.requests;
        expect(get!.method).toBe('GET');
        expect(get!.url).toBe(`${BASE}/channels/${TOWN}/words`);
        expect(get!.headers['x-requested-with']).toBe('XMLHttpRequest');
        expect(get!.credentials).toBe('include');
        expect(get!.headers['x-csrf-token']).toBeUndefined(); // Client4 sends it on writes only
        expect(dialog.getAttribute('aria-modal')).toBe('true');
        expect(screen.getByRole('heading', {name: 'Trigger words'}).id).toBe(dialog.getAttribute('aria-labelledby'));
        expect(screen.getByText('in Town Square')).toBeTruthy();
        expect(screen.getByText('2 of 5 words')).toBeTruthy();
        await waitFor(() => expect(document.activeElement).toBe(input));
    });

    it('explains what trigger words do when there are none, and drops the explanation once one is added', async () => {
        const {user, input} = await openPanel();
        expect(screen.getByRole('heading', {name: 'No trigger words here yet'})).toBeTruthy();
        expect(screen.getByText(/you get a direct message/i)).toBeTruthy();
        expect(chips()).toEqual([]);
        await user.type(input, 'deploy{Enter}');
        await waitFor(() => expect(chips()).toEqual(['deploy']));
        expect(screen.queryByRole('heading', {name: 'No trigger words here yet'})).toBeNull();
    });

    it('shows a load failure with a retry button', async () => {
        fake.backend.failNext('GET', /\/words$/, 503, {error: 'kv store failed'});
        const api = createApi(() => SITE_URL);
        const user = userEvent.setup();
        render(<TriggerWordsPanel api={api} channelId={TOWN} channelName='Town Square' onClose={() => {}}/>);
        expect((await screen.findByRole('alert')).textContent).toBe('The server is busy right now. Try again in a moment.');
        await user.click(screen.getByRole('button', {name: 'Try again'}));
        expect(await screen.findByRole('textbox', {name: 'Add a word or phrase'})).toBeTruthy();
    });
});

describe('adding words', () => {
    it('adds a word on Enter with a POST carrying the CSRF token, and clears the input', async () => {
        const {user, input} = await openPanel();
        await user.type(input, '  deploy {Enter}');
        await waitFor(() => expect(chips()).toEqual(['deploy']));
        expect(input.value).toBe('');
        const [post] = fake.writes();
        expect(post!.method).toBe('POST');
        expect(post!.url).toBe(`${BASE}/channels/${TOWN}/words`);
        expect(post!.body).toEqual({word: 'deploy'});
        expect(post!.headers['x-csrf-token']).toBe(CSRF_TOKEN);
        expect(post!.headers['content-type']).toBe('application/json');
        expect(post!.headers['x-requested-with']).toBe('XMLHttpRequest');
        expect(post!.credentials).toBe('include');
        expect(post!.status).toBe(201);
        expect(fake.backend.words(USER, TOWN)).toEqual(['deploy']);
    });

    it('adds on a comma while typing, and the rest on Enter: "deploy, release" adds two', async () => {
        const {user, input} = await openPanel();
        await user.type(input, 'deploy,');
        await waitFor(() => expect(chips()).toEqual(['deploy']));
        expect(input.value).toBe('');
        await user.type(input, ' release{Enter}');
        await waitFor(() => expect(chips()).toEqual(['deploy', 'release']));
        expect(fake.writes().map((r) => r.body)).toEqual([{word: 'deploy'}, {word: 'release'}]);
        expect(input.value).toBe('');
    });

    it('adds a quoted phrase as one word, commas inside quotes included', async () => {
        const {user, input} = await openPanel();
        await user.type(input, '"on call"{Enter}');
        await waitFor(() => expect(chips()).toEqual(['on call']));
        await user.type(input, '"p1, p2" outage{Enter}');
        await waitFor(() => expect(chips()).toEqual(['on call', 'p1, p2', 'outage']));
        expect(fake.writes().map((r) => r.body)).toEqual([{word: 'on call'}, {word: 'p1, p2'}, {word: 'outage'}]);
    });

    it('adds on the Add button too', async () => {
        const {user, input} = await openPanel();
        await user.type(input, 'hotfix');
        await user.click(screen.getByRole('button', {name: 'Add'}));
        await waitFor(() => expect(chips()).toEqual(['hotfix']));
    });

    it('ignores Enter on an empty or blank input', async () => {
        const {user, input} = await openPanel();
        await user.type(input, '   {Enter}');
        await user.type(input, ',,{Enter}');
        expect(fake.writes()).toEqual([]);
        expect(inputError(input).textContent).toBe('');
    });
});

describe('duplicates and errors', () => {
    it('rejects a duplicate on the client (any case) without a request, and keeps it in the input', async () => {
        const {user, input} = await openPanel({words: ['Deploy']});
        await user.type(input, 'deploy{Enter}');
        const alert = inputError(input);
        await waitFor(() => expect(alert.textContent).toBe('“deploy” is already one of your trigger words here.'));
        expect(fake.writes()).toEqual([]);
        expect(input.value).toBe('deploy');
        expect(input.getAttribute('aria-invalid')).toBe('true');
        // fixing the input clears the error on the next add
        await user.clear(input);
        await user.type(input, 'release{Enter}');
        await waitFor(() => expect(chips()).toEqual(['Deploy', 'release']));
        expect(alert.textContent).toBe('');
        expect(input.getAttribute('aria-invalid')).toBe('false');
    });

    it('explains a server 409 (added elsewhere since the panel loaded, or equal only under the server\'s folding)', async () => {
        const {user, input} = await openPanel({words: ['alpha']});
        fake.backend.seed(USER, TOWN, ['alpha', 'beta']); // another tab
        await user.type(input, 'BETA{Enter}');
        await waitFor(() => expect(inputError(input).textContent).toBe('“BETA” is already one of your trigger words here.'));
        expect(fake.writes()[0]!.status).toBe(409);
        expect(input.value).toBe('BETA');

        // "ﬁx" (ligature) is "fix" to the server (NFKC), not to the client's looser check: the server says 409
        fake.backend.seed(USER, TOWN, ['alpha', 'beta', 'fix']);
        await user.clear(input);
        await user.type(input, '\ufb01x{Enter}');
        await waitFor(() => expect(fake.writes()).toHaveLength(2));
        expect(fake.writes()[1]!.status).toBe(409);
        await waitFor(() => expect(inputError(input).textContent).toBe('“\ufb01x” is already one of your trigger words here.'));
    });

    it('shows each of a 400\'s details next to the input', async () => {
        const {user, input} = await openPanel();
        const long = 'x'.repeat(65);
        await user.type(input, `${long}{Enter}`);
        const alert = inputError(input);
        await waitFor(() => expect(alert.textContent).toBe('must be at most 64 characters'));
        expect(fake.writes()[0]!.status).toBe(400);
        expect(input.value).toBe(long);
        expect(chips()).toEqual([]);

        fake.backend.failNext('POST', /\/words$/, 400, {
            error: 'invalid body',
            details: [{path: ['word'], message: 'first problem'}, {path: ['word'], message: 'second problem'}],
        });
        await user.clear(input);
        await user.type(input, 'ok{Enter}');
        await waitFor(() => expect(Array.from(alert.querySelectorAll('p')).map((p) => p.textContent)).toEqual(['first problem', 'second problem']));
    });

    it('shows the server\'s error text when a 400 has no details, and the 422 over the limit', async () => {
        const {user, input} = await openPanel({words: ['a', 'b', 'c', 'd', 'e']});
        await user.type(input, 'f{Enter}');
        await waitFor(() => expect(inputError(input).textContent).toBe('at most 5 trigger words per channel'));
        expect(fake.writes()[0]!.status).toBe(422);

        fake.backend.failNext('POST', /\/words$/, 400, {error: 'malformed JSON'});
        await user.clear(input);
        await user.type(input, 'g{Enter}');
        await waitFor(() => expect(inputError(input).textContent).toBe('malformed JSON'));
    });

    it('says so when the server is unreachable or busy', async () => {
        const {user, input} = await openPanel();
        fake.backend.failNext('POST', /\/words$/, 503, {error: 'kv'});
        await user.type(input, 'a{Enter}');
        await waitFor(() => expect(inputError(input).textContent).toBe('The server is busy right now. Try again in a moment.'));
        vi.mocked(fetch).mockRejectedValueOnce(new TypeError('Failed to fetch'));
        await user.clear(input);
        await user.type(input, 'b{Enter}');
        await waitFor(() => expect(inputError(input).textContent).toBe('Could not reach the server. Check your connection and try again.'));
    });

    it('stops a batch at the first failure and keeps the failed entry and the rest in the input', async () => {
        const {user, input} = await openPanel({words: ['deploy']});
        await user.click(input);
        await user.paste('alpha, deploy, "on call", gamma');
        await waitFor(() => expect(inputError(input).textContent).toBe('“deploy” is already one of your trigger words here.'));
        expect(chips()).toEqual(['deploy', 'alpha']);
        expect(input.value).toBe('deploy, "on call", gamma');
    });
});

describe('saving indicator', () => {
    it('says Saving… while a write is in flight and Saved after, politely', async () => {
        const {user, input} = await openPanel();
        const live = status();
        expect(live.getAttribute('aria-live')).toBe('polite');
        expect(live.textContent).toBe('');
        const release = fake.hold();
        await user.type(input, 'deploy{Enter}');
        await waitFor(() => expect(live.textContent).toBe('Saving…'));
        expect(chips()).toEqual([]);
        release();
        await waitFor(() => expect(live.textContent).toBe('Saved'));
        expect(chips()).toEqual(['deploy']);
    });

    it('does not say Saved when the write failed', async () => {
        const {user, input} = await openPanel({words: ['a']});
        fake.backend.failNext('POST', /\/words$/, 400, {error: 'nope'});
        await user.type(input, 'b{Enter}');
        await waitFor(() => expect(inputError(input).textContent).toBe('nope'));
        expect(status().textContent).toBe('');
    });
});

describe('removing words', () => {
    it('removes a word with a DELETE of the URL-encoded word and moves focus to the next chip', async () => {
        const {user} = await openPanel({words: ['deploy', 'on call', 'a/b']});
        await user.click(screen.getByRole('button', {name: 'Remove “on call”'}));
        await waitFor(() => expect(chips()).toEqual(['deploy', 'a/b']));
        const del = fake.writes()[0]!;
        expect(del.method).toBe('DELETE');
        expect(del.url).toBe(`${BASE}/channels/${TOWN}/words/on%20call`);
        expect(del.headers['x-csrf-token']).toBe(CSRF_TOKEN);
        expect(document.activeElement).toBe(screen.getByRole('button', {name: 'Remove “a/b”'}));

        await user.keyboard('{Enter}'); // the focused remove button
        await waitFor(() => expect(chips()).toEqual(['deploy']));
        expect(fake.writes()[1]!.url).toBe(`${BASE}/channels/${TOWN}/words/a%2Fb`);
        expect(document.activeElement).toBe(screen.getByRole('button', {name: 'Remove “deploy”'}));
        expect(fake.backend.words(USER, TOWN)).toEqual(['deploy']);
    });

    it('removing the last word brings back the empty state and focuses the input', async () => {
        const {user, input} = await openPanel({words: ['deploy']});
        await user.click(screen.getByRole('button', {name: 'Remove “deploy”'}));
        await waitFor(() => expect(screen.getByRole('heading', {name: 'No trigger words here yet'})).toBeTruthy());
        expect(document.activeElement).toBe(input);
    });

    it('a 404 on remove (already gone) says so and reloads the list', async () => {
        const {user, input} = await openPanel({words: ['deploy', 'x']});
        fake.backend.seed(USER, TOWN, ['x']); // removed in another tab
        await user.click(screen.getByRole('button', {name: 'Remove “deploy”'}));
        await waitFor(() => expect(inputError(input).textContent).toBe('Not found: it may have been removed already.'));
        await waitFor(() => expect(chips()).toEqual(['x']));
    });
});

describe('snooze', () => {
    it('shows alerts on, snoozes for an hour with a PUT, shows until when, and turns it off', async () => {
        const {user} = await openPanel({words: ['deploy']});
        const group = screen.getByRole('group', {name: 'Snooze alerts for this channel'});
        expect(within(group).getByText('Alerts are on.')).toBeTruthy();

        const before = Date.now();
        await user.click(within(group).getByRole('button', {name: 'Snooze for 1 hour'}));
        await waitFor(() => expect(fake.writes()).toHaveLength(1));
        const put = fake.writes()[0]!;
        expect(put.method).toBe('PUT');
        expect(put.url).toBe(`${BASE}/channels/${TOWN}/snooze`);
        expect(put.body).toEqual({duration: '1h'});
        expect(put.headers['x-csrf-token']).toBe(CSRF_TOKEN);
        const until = (put.response as {snoozed_until: number}).snoozed_until;
        expect(until).toBeGreaterThanOrEqual(before + HOUR);
        await waitFor(() => expect(within(group).getByText(`Snoozed until ${formatSnoozeUntil(until)}.`)).toBeTruthy());
        await waitFor(() => expect(status().textContent).toBe('Saved'));

        await user.click(within(group).getByRole('button', {name: 'Snooze for 8 hours'}));
        await waitFor(() => expect(fake.writes()[1]!.body).toEqual({duration: '8h'}));
        await user.click(within(group).getByRole('button', {name: 'Snooze until tomorrow morning'}));
        await waitFor(() => expect(fake.writes()[2]!.response).toBeTruthy());
        const tomorrow = (fake.writes()[2]!.response as {snoozed_until: number}).snoozed_until;
        expect(fake.writes()[2]!.body).toEqual({duration: 'tomorrow'});
        await waitFor(() => expect(within(group).getByText(`Snoozed until ${formatSnoozeUntil(tomorrow)}.`)).toBeTruthy());

        await user.click(within(group).getByRole('button', {name: 'Turn snooze off'}));
        await waitFor(() => expect(within(group).getByText('Alerts are on.')).toBeTruthy());
        expect(fake.writes()[3]!.body).toEqual({duration: 'off'});
    });

    it('shows a snooze that is already on when the panel opens', async () => {
        const until = Date.now() + 3 * HOUR;
        await openPanel({words: ['x'], snoozedUntil: until});
        expect(screen.getByText(`Snoozed until ${formatSnoozeUntil(until)}.`)).toBeTruthy();
    });

    it('shows a snooze failure next to the snooze buttons', async () => {
        const {user, input} = await openPanel();
        fake.backend.failNext('PUT', /\/snooze$/, 400, {error: 'invalid body', details: [{path: ['duration'], message: 'bad duration'}]});
        const group = screen.getByRole('group', {name: 'Snooze alerts for this channel'});
        await user.click(within(group).getByRole('button', {name: 'Snooze for 1 hour'}));
        await waitFor(() => expect(within(group).getByRole('alert').textContent).toBe('bad duration'));
        expect(inputError(input).textContent).toBe('');
    });
});

describe('all my trigger words', () => {
    it('lists every channel with words, removes from another channel, and goes back', async () => {
        fake.backend.seed(USER, INCIDENTS, ['sev1', 'outage']);
        fake.backend.seed(USER, SECRET, ['hidden']); // not a member any more: not listed
        const {user, input} = await openPanel({words: ['deploy']});
        await user.click(screen.getByRole('button', {name: 'All my trigger words'}));
        expect(await screen.findByRole('heading', {name: 'All my trigger words'})).toBeTruthy();
        const town = await screen.findByRole('list', {name: 'Trigger words in Town Square'});
        const incidents = screen.getByRole('list', {name: 'Trigger words in Incidents'});
        expect(within(town).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['deploy×']);
        expect(within(incidents).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['sev1×', 'outage×']);
        expect(screen.queryByText('hidden')).toBeNull();
        expect(screen.getByRole('region', {name: /Incidents/}).textContent).toContain('acme');
        expect(fake.requests.at(-1)!.url).toBe(`${BASE}/words`);
        const back = screen.getByRole('button', {name: 'Back to this channel'});
        expect(document.activeElement).toBe(back);

        await user.click(within(incidents).getByRole('button', {name: 'Remove “sev1” from Incidents'}));
        await waitFor(() => expect(within(incidents).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['outage×']));
        expect(fake.writes()[0]!.url).toBe(`${BASE}/channels/${INCIDENTS}/words/sev1`);
        expect(fake.backend.words(USER, INCIDENTS)).toEqual(['outage']);
        expect(document.activeElement).toBe(within(incidents).getByRole('button', {name: 'Remove “outage” from Incidents'}));

        // removing a channel's last word drops its section; removing from this channel updates the channel view
        await user.click(within(incidents).getByRole('button', {name: 'Remove “outage” from Incidents'}));
        await waitFor(() => expect(screen.queryByRole('list', {name: 'Trigger words in Incidents'})).toBeNull());
        await user.click(within(town).getByRole('button', {name: 'Remove “deploy” from Town Square'}));
        await waitFor(() => expect(screen.getByText('You have no trigger words in any channel yet.')).toBeTruthy());
        expect(document.activeElement).toBe(back);

        await user.click(back);
        expect(screen.getByRole('heading', {name: 'Trigger words'})).toBeTruthy();
        expect(screen.getByRole('heading', {name: 'No trigger words here yet'})).toBeTruthy();
        expect(document.activeElement).toBe(screen.getByRole('textbox', {name: 'Add a word or phrase'}));
        expect(input.isConnected).toBe(false); // the view was rebuilt
    });

    it('shows a removal failure in the list view', async () => {
        fake.backend.seed(USER, INCIDENTS, ['sev1']);
        const {user} = await openPanel();
        await user.click(screen.getByRole('button', {name: 'All my trigger words'}));
        const list = await screen.findByRole('list', {name: 'Trigger words in Incidents'});
        fake.backend.failNext('DELETE', /\/words\//, 503, {error: 'kv'});
        await user.click(within(list).getByRole('button', {name: 'Remove “sev1” from Incidents'}));
        await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('The server is busy right now. Try again in a moment.'));
        expect(within(list).getAllByRole('listitem')).toHaveLength(1);
    });
});

describe('keyboard and dialog behaviour', () => {
    it('Escape closes, from the input and from a button', async () => {
        const {user, onClose} = await openPanel({words: ['a']});
        await user.keyboard('{Escape}');
        expect(onClose).toHaveBeenCalledTimes(1);
        screen.getByRole('button', {name: 'Remove “a”'}).focus();
        await user.keyboard('{Escape}');
        expect(onClose).toHaveBeenCalledTimes(2);
    });

    it('the close button and a click on the backdrop close; a click inside does not', async () => {
        const {user, onClose, dialog} = await openPanel();
        await user.click(dialog);
        expect(onClose).not.toHaveBeenCalled();
        await user.click(screen.getByRole('button', {name: 'Close'}));
        expect(onClose).toHaveBeenCalledTimes(1);
        await user.click(dialog.parentElement!);
        expect(onClose).toHaveBeenCalledTimes(2);
    });

    it('Tab walks the controls in order and wraps around inside the dialog, both ways', async () => {
        const {user, input} = await openPanel({words: ['a', 'b']});
        await waitFor(() => expect(document.activeElement).toBe(input));
        const order: string[] = [];
        for (let i = 0; i < 11; i++) {
            await user.tab();
            const el = document.activeElement as HTMLElement;
            order.push(el.tagName === 'INPUT' ? 'INPUT' : el.getAttribute('aria-label') ?? el.textContent ?? el.tagName);
        }
        expect(order).toEqual([
            'Add',
            'Remove “a”',
            'Remove “b”',
            'Snooze for 1 hour',
            'Snooze for 8 hours',
            'Snooze until tomorrow morning',
            'Turn snooze off',
            'All my trigger words',
            'Close', // wrapped to the first control
            'INPUT',
            'Add',
        ]);
        screen.getByRole('button', {name: 'Close'}).focus();
        await user.tab({shift: true});
        expect(document.activeElement).toBe(screen.getByRole('button', {name: 'All my trigger words'}));
    });

    it('pulls focus back when it lands outside the dialog', async () => {
        const outside = document.createElement('button');
        outside.textContent = 'behind';
        document.body.appendChild(outside);
        const {dialog} = await openPanel();
        outside.focus();
        expect(dialog.contains(document.activeElement)).toBe(true);
        outside.remove();
    });
});

describe('translation', () => {
    it('takes every visible and spoken string from i18n.ts', async () => {
        const marked = Object.fromEntries(Object.entries(defaultMessages).map(([k, v]) => [k, `⟦${v}⟧`])) as Record<MessageKey, string>;
        setMessages(marked);
        fake.backend.seed(USER, INCIDENTS, ['sev1']);
        const user = userEvent.setup();
        render(<TriggerWordsPanel api={createApi(() => SITE_URL)} channelId={TOWN} channelName='Town Square' onClose={() => {}}/>);
        const input = await screen.findByRole('textbox', {name: '⟦Add a word or phrase⟧'});
        await user.type(input, 'deploy{Enter}');
        await waitFor(() => expect(screen.getByRole('status').textContent).toBe('⟦Saved⟧'));
        await user.type(input, 'deploy{Enter}');
        await waitFor(() => expect(screen.getAllByRole('alert')[0]!.textContent).not.toBe(''));

        const userData = new Set(['deploy', 'sev1', 'Town Square', 'Incidents', 'acme', '×', '← ']);
        const check = () => {
            const dialog = screen.getByRole('dialog');
            const walker = document.createTreeWalker(dialog, NodeFilter.SHOW_TEXT);
            const bad: string[] = [];
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                const text = n.textContent!;
                if (n.parentElement!.tagName === 'STYLE' || !text.trim() || userData.has(text)) {
                    continue;
                }
                if (!text.startsWith('⟦') || !text.endsWith('⟧')) {
                    bad.push(text);
                }
            }
            for (const el of Array.from(dialog.querySelectorAll('[aria-label], [placeholder]'))) {
                for (const attr of ['aria-label', 'placeholder']) {
                    const v = el.getAttribute(attr);
                    if (v !== null && (!v.startsWith('⟦') || !v.endsWith('⟧'))) {
                        bad.push(`${attr}=${v}`);
                    }
                }
            }
            expect(bad).toEqual([]);
        };
        check();
        await user.click(screen.getByRole('button', {name: '⟦All my trigger words⟧'}));
        await screen.findByRole('list', {name: '⟦Trigger words in Incidents⟧'});
        check();
    });
});

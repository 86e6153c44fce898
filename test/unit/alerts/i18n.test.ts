// The server's strings in the reader's language: /trigger replies and HTTP API errors in the caller's
// `locale`, English for a locale without a catalog or a user the server cannot give back; the subcommands
// stay English; a successful API call asks for no user to learn a language it does not need.
import http from 'node:http';
import type {AddressInfo} from 'node:net';

import express from 'express';
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';

import type {UserProfile} from '@mattermost/types/users';

import {executeTrigger, type CommandDeps} from '../../../server/alerts/command.js';
import {formatAlert, type AlertInput} from '../../../server/alerts/format.js';
import type {AlertsHost} from '../../../server/alerts/host.js';
import {alertsRouter} from '../../../server/alerts/http.js';
import {english, translator} from '../../../server/alerts/i18n.js';
import {defaultSettings, type Settings} from '../../../server/alerts/settings.js';
import type {SnoozeDuration} from '../../../server/alerts/snooze.js';
import type {StoredWord} from '../../../server/alerts/store.js';
import {AppError, type Log} from 'mattermost-plugin-node';

import {serverMentions} from './excerpt_checks.js';

const hans = 'h'.repeat(26); // de
const yuki = 'y'.repeat(26); // ja
const ivan = 'i'.repeat(26); // ru
const nora = 'n'.repeat(26); // nl: no catalog
const ghost = 'g'.repeat(26); // the server cannot give this user back
const channel = 'c'.repeat(26);
const elsewhere = 'e'.repeat(26);

const locales: Record<string, string> = {[hans]: 'de', [yuki]: 'ja', [ivan]: 'ru', [nora]: 'nl'};
const notFound = (what: string) => new AppError({id: `app.${what}.missing`, message: `${what} not found`, statusCode: 404});

let userLookups: string[] = [];
// What the command and the API ask of the server; the rest of AlertsHost (the notifier's) is not theirs.
const host = {
    getUser: async (id) => {
        userLookups.push(id);
        if (!(id in locales)) {
            throw notFound('user');
        }
        return {id, username: id.slice(0, 4), locale: locales[id], delete_at: 0, timezone: {useAutomaticTimezone: 'false', manualTimezone: 'UTC', automaticTimezone: ''}} as unknown as UserProfile;
    },
    getChannel: async (id) => {
        if (id !== channel && id !== elsewhere) {
            throw notFound('channel');
        }
        return {id, name: 'town-square', display_name: 'Town Square', team_id: 't'.repeat(26), type: 'O'} as never;
    },
    getChannelMember: async (channelId, userId) => {
        if (channelId !== channel) {
            throw notFound('member');
        }
        return {channel_id: channelId, user_id: userId} as never;
    },
    getTeam: async (id) => ({id, name: 'acme'}) as never,
} satisfies Pick<AlertsHost, 'getUser' | 'getChannel' | 'getChannelMember' | 'getTeam'> as unknown as AlertsHost;

/** The words and snoozes, in memory: the methods the command and the API call, nothing of the KV layout. */
class MemoryWords {
    readonly words = new Map<string, StoredWord[]>();
    readonly snoozes = new Map<string, number>();

    async getUserWords(channelId: string, userId: string): Promise<StoredWord[]> {
        return this.words.get(`${channelId}:${userId}`) ?? [];
    }

    async updateUserWords(channelId: string, userId: string, fn: (current: StoredWord[]) => StoredWord[]): Promise<StoredWord[]> {
        const next = fn(await this.getUserWords(channelId, userId));
        this.words.set(`${channelId}:${userId}`, next);
        return next;
    }

    async listUserChannels(userId: string): Promise<Array<{channelId: string; words: StoredWord[]}>> {
        return [...this.words].filter(([k]) => k.endsWith(`:${userId}`)).map(([k, words]) => ({channelId: k.split(':')[0]!, words}));
    }

    async until(userId: string, channelId: string): Promise<number | null> {
        return this.snoozes.get(`${userId}:${channelId}`) ?? null;
    }

    async set(userId: string, channelId: string, duration: SnoozeDuration): Promise<number | null> {
        if (duration === 'off') {
            this.snoozes.delete(`${userId}:${channelId}`);
            return null;
        }
        const until = Date.UTC(2030, 0, 2, duration === '1h' ? 9 : 16, 30);
        this.snoozes.set(`${userId}:${channelId}`, until);
        return until;
    }
}

let memory: MemoryWords;
let settings: Settings;

beforeEach(() => {
    memory = new MemoryWords();
    settings = {...defaultSettings};
    userLookups = [];
});

function deps(): CommandDeps {
    return {host, store: memory as never, snooze: memory as never, settings: () => settings};
}

async function trigger(userId: string, command: string, channelId = channel): Promise<string> {
    const r = await executeTrigger(deps(), {user_id: userId, channel_id: channelId, team_id: '', root_id: '', parent_id: '', trigger_id: '', command});
    expect(r.response_type).toBe('ephemeral');
    return r.text ?? '';
}

describe('/trigger replies in the caller’s language', () => {
    it('German', async () => {
        expect(await trigger(hans, '/trigger add deploy')).toBe(
            '`deploy` hinzugefügt. Du erhältst eine Direktnachricht, wenn jemand anderes es in diesem Kanal schreibt.');
        expect(await trigger(hans, '/trigger add Deploy')).toBe('Du hast `Deploy` hier bereits.');
        await trigger(hans, '/trigger add "on call"');
        expect(await trigger(hans, '/trigger list')).toBe('Deine Triggerwörter hier: `deploy`, `on call`');
        expect(await trigger(hans, '/trigger snooze 1h')).toBe('Benachrichtigungen für diesen Kanal sind bis 2030-01-02 09:30 UTC pausiert.');
        expect(await trigger(hans, '/trigger snooze lange')).toBe('Pausieren mit `1h`, `8h` oder bis morgen mit `tomorrow`; `off` beendet die Pause.');
        expect(await trigger(hans, '/trigger remove nichts')).toBe('Du hast hier kein Triggerwort `nichts`.');
        expect(await trigger(hans, '/trigger list', elsewhere)).toBe('Du bist kein Mitglied dieses Kanals.');
    });

    it('Japanese, with its own list separator', async () => {
        expect(await trigger(yuki, '/trigger list')).toBe('このチャンネルにはトリガーワードがありません。`/trigger add <単語>` で追加できます。');
        await trigger(yuki, '/trigger add デプロイ');
        await trigger(yuki, '/trigger add 障害');
        expect(await trigger(yuki, '/trigger list')).toBe('このチャンネルのトリガーワード: `デプロイ`、`障害`');
        expect(await trigger(yuki, '/trigger remove デプロイ')).toBe('`デプロイ` を削除しました。');
    });

    it('Russian plural forms of the limit', async () => {
        settings = {...settings, maxWordsPerChannel: 1};
        await trigger(ivan, '/trigger add a');
        expect(await trigger(ivan, '/trigger add b')).toBe('В одном канале можно иметь не более 1 слова-триггера.');
        settings = {...settings, maxWordsPerChannel: 2};
        await trigger(ivan, '/trigger add b');
        expect(await trigger(ivan, '/trigger add c')).toBe('В одном канале можно иметь не более 2 слов-триггеров.');
    });

    it('the subcommands are English in every language: a translated one is not a command', async () => {
        const help = await trigger(hans, '/trigger hinzufügen deploy');
        expect(help).toBe(translator('de')('command.help'));
        expect(help).toContain('`/trigger add deploy`');
        expect(memory.words.size).toBe(0);
        expect(await trigger(yuki, '/trigger 追加 デプロイ')).toBe(translator('ja')('command.help'));
        expect(memory.words.size).toBe(0);
        expect(await trigger(hans, '/trigger snooze morgen')).toContain('`tomorrow`');
        expect(memory.snoozes.size).toBe(0);
    });

    it('English for a locale without a catalog, and for a user the server cannot give back', async () => {
        expect(await trigger(nora, '/trigger add deploy')).toBe("Added `deploy`. You'll get a direct message when someone else posts it in this channel.");
        expect(await trigger(ghost, '/trigger list')).toBe('You have no trigger words in this channel. Add one with `/trigger add <word>`.');
    });

    it('one user lookup per command, snooze included', async () => {
        await trigger(hans, '/trigger snooze 8h');
        await trigger(hans, '/trigger add deploy');
        expect(userLookups).toEqual([hans, hans]);
    });
});

describe('HTTP API errors in the caller’s language', () => {
    let server: http.Server;
    let base = '';
    const log: Log = {debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined};

    beforeAll(async () => {
        const app = express();
        app.use('/api/v1', (req, res, next) => alertsRouter({host, log, store: memory as never, snooze: memory as never, settings: () => settings})(req, res, next));
        server = http.createServer(app);
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    async function call(user: string | null, method: string, path: string, body?: unknown) {
        const headers: Record<string, string> = {'Content-Type': 'application/json'};
        if (user) {
            headers['Mattermost-User-Id'] = user;
        }
        const res = await fetch(`${base}/api/v1${path}`, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
        return {status: res.status, json: (await res.json()) as {error?: string; details?: Array<{path: unknown[]; message: string}>}};
    }

    it('German: error and the details the panel shows', async () => {
        expect(await call(hans, 'GET', `/channels/${elsewhere}/words`)).toEqual({status: 403, json: {error: 'du bist kein Mitglied dieses Kanals'}});
        expect(await call(hans, 'DELETE', `/channels/${channel}/words/nope`)).toEqual({status: 404, json: {error: 'du hast hier kein solches Triggerwort'}});
        expect((await call(hans, 'POST', `/channels/${channel}/words`, {word: 'deploy'})).status).toBe(201);
        expect(await call(hans, 'POST', `/channels/${channel}/words`, {word: 'Deploy'})).toEqual({
            status: 409, json: {error: 'du hast dieses Triggerwort hier bereits', details: [{path: ['word'], message: 'bereits in deiner Liste'}]},
        });
        expect(await call(hans, 'POST', `/channels/${channel}/words`, {word: 'x'.repeat(65)})).toEqual({
            status: 400, json: {error: 'ungültiger Anfrageinhalt', details: [{path: ['word'], message: 'darf höchstens 64 Zeichen lang sein'}]},
        });
        expect(await call(hans, 'GET', '/channels/not-an-id/words')).toEqual({
            status: 400,
            json: {error: 'ungültige Kanal-ID', details: [{path: ['channelId'], message: 'muss eine Mattermost-Kanal-ID sein (26 Kleinbuchstaben und Ziffern)'}]},
        });
        settings = {...settings, maxWordsPerChannel: 1};
        expect(await call(hans, 'POST', `/channels/${channel}/words`, {word: 'release'})).toEqual({
            status: 422, json: {error: 'höchstens 1 Triggerwort pro Kanal', details: [{path: ['word'], message: 'höchstens 1 Triggerwort pro Kanal'}]},
        });
        expect((await call(hans, 'GET', '/nowhere')).json.error).toBe('unbekannter Pfad');
    });

    it('Japanese', async () => {
        expect((await call(yuki, 'GET', `/channels/${elsewhere}/words`)).json.error).toBe('このチャンネルのメンバーではありません');
        expect((await call(yuki, 'POST', `/channels/${channel}/words`, {word: ' '})).json).toEqual({
            error: 'リクエストの本文が無効です', details: [{path: ['word'], message: '空にはできません'}],
        });
        settings = {...settings, maxWordsPerChannel: 5};
        expect((await call(yuki, 'PUT', `/channels/${channel}/words`, {words: ['a', 'b', 'c', 'd', 'e', 'f']})).json.error)
            .toBe('トリガーワードは 1 チャンネルにつき 5 個までです');
    });

    it('English for a locale without a catalog, for a user the server cannot give back, and without a session', async () => {
        expect((await call(nora, 'GET', `/channels/${elsewhere}/words`)).json.error).toBe('you are not a member of this channel');
        expect((await call(ghost, 'GET', `/channels/${elsewhere}/words`)).json.error).toBe('you are not a member of this channel');
        expect(await call(null, 'GET', '/words')).toEqual({status: 401, json: {error: 'not logged in'}});
    });

    it('a successful call looks no user up; a failed one looks the caller up once (snooze reuses its own)', async () => {
        expect((await call(hans, 'POST', `/channels/${channel}/words`, {word: 'deploy'})).status).toBe(201);
        expect((await call(hans, 'GET', `/channels/${channel}/words`)).status).toBe(200);
        expect((await call(hans, 'GET', '/words')).status).toBe(200);
        expect(userLookups).toEqual([]);
        expect((await call(hans, 'GET', `/channels/${elsewhere}/words`)).status).toBe(403);
        expect(userLookups).toEqual([hans]);
        userLookups = [];
        expect((await call(hans, 'PUT', `/channels/${channel}/snooze`, {duration: '1h'})).status).toBe(200);
        expect(userLookups).toEqual([hans]);
    });
});

describe('the alert DM in the recipient’s language', () => {
    const text = 'we will deploy the release tonight';
    const alert = (over: Partial<AlertInput>): string => formatAlert({
        words: ['deploy'],
        authorUsername: 'alice',
        channel: {name: 'town-square', display_name: 'Town Square', type: 'O', teamName: 'acme'},
        text,
        firstMatch: {index: text.indexOf('deploy'), length: 6},
        excerptLength: 200,
        permalink: 'https://chat.example.com/acme/pl/p1',
        isReply: false,
        ...over,
    });

    it('German: the sentence in German word order, the link, the held-back count; the excerpt is the post’s own', () => {
        expect(alert({locale: 'de', suppressedCount: 2})).toBe([
            ':bell: @alice hat `deploy` in **Town Square** (~town-square) erwähnt',
            '',
            '> we will **deploy** the release tonight',
            '',
            '[Nachricht öffnen](https://chat.example.com/acme/pl/p1)',
            '_(2 weitere Benachrichtigungen wurden durch das Ratenlimit zurückgehalten)_',
        ].join('\n'));
        expect(alert({locale: 'de', isReply: true, edited: true, words: ['deploy', 'release'], suppressedCount: 1})).toBe([
            ':bell: @alice hat eine Nachricht in einer Unterhaltung in **Town Square** (~town-square) bearbeitet und darin `deploy` und `release` erwähnt',
            '',
            '> we will **deploy** the **release** tonight',
            '',
            '[Antwort in der Unterhaltung öffnen](https://chat.example.com/acme/pl/p1)',
            '_(1 weitere Benachrichtigung wurde durch das Ratenlimit zurückgehalten)_',
        ].join('\n'));
    });

    it('Japanese: direct and group messages, the word list and an unknown author', () => {
        expect(alert({locale: 'ja', channel: {name: 'a__b', display_name: '', type: 'D'}}).split('\n')[0])
            .toBe(':bell: @alice が ダイレクトメッセージで `deploy` に言及しました');
        const many = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
        expect(alert({locale: 'ja', authorUsername: '', words: many, channel: {name: 'x', display_name: '', type: 'G'}, isReply: true}).split('\n')[0])
            .toBe(':bell: 誰か が グループメッセージのスレッドで `a`、`b`、`c`、`d`、`e`、ほか 2 件 に言及しました');
        expect(alert({locale: 'ja'}).split('\n').at(-1)).toBe('[メッセージを開く](https://chat.example.com/acme/pl/p1)');
    });

    it('Russian: plural forms of the held-back count', () => {
        const held = (n: number) => alert({locale: 'ru', suppressedCount: n}).split('\n').at(-1);
        expect([1, 3, 5, 21].map(held)).toEqual([
            '_(Из-за ограничения частоты не отправлено ещё 1 оповещение)_',
            '_(Из-за ограничения частоты не отправлено ещё 3 оповещения)_',
            '_(Из-за ограничения частоты не отправлено ещё 5 оповещений)_',
            '_(Из-за ограничения частоты не отправлено ещё 21 оповещение)_',
        ]);
    });

    it('English, word for word as before, without a locale and for one without a catalog', () => {
        const english = [
            ':bell: @alice mentioned `deploy` in **Town Square** (~town-square)',
            '',
            '> we will **deploy** the release tonight',
            '',
            '[Open the message](https://chat.example.com/acme/pl/p1)',
        ].join('\n');
        expect(alert({})).toBe(english);
        expect(alert({locale: 'nl'})).toBe(english);
        expect(alert({locale: ''})).toBe(english);
        expect(alert({locale: 'en', words: ['a', 'b', 'c', 'd', 'e', 'f'], suppressedCount: 1}).split('\n').filter((l) => !l.startsWith('>'))).toEqual([
            ':bell: @alice mentioned `a`, `b`, `c`, `d`, `e` and 1 more in **Town Square** (~town-square)',
            '',
            '',
            '[Open the message](https://chat.example.com/acme/pl/p1)',
            '_(1 more alert was held back by the rate limit)_',
        ]);
    });

    it.each(['de', 'es', 'fr', 'ja', 'ko', 'pt-BR', 'ru', 'zh-CN'])('%s: as inert as in English (hostile channel name, author and words)', (locale) => {
        const dm = alert({
            locale,
            authorUsername: 'all',
            words: ['@here', '[x](http://evil.example.com)'],
            channel: {name: 'town-square', display_name: '@channel <b>', type: 'O'},
            isReply: true,
            suppressedCount: 3,
        });
        expect(serverMentions(dm), dm).toEqual([]);
        // outside code spans (where the word's link is text), the only link is the permalink
        const outsideCode = dm.replace(/(`+).*?[^`]\1(?!`)/g, '');
        expect(outsideCode.match(/\]\(/g), dm).toHaveLength(1);
        expect(dm).not.toContain('<b>');
        expect(dm.split('\n\n')).toHaveLength(3);
    });
});

describe('the translator', () => {
    it('English is the fallback for a key a catalog lacks, and for any unknown locale', () => {
        expect(translator('xx-YY')('api.internal')).toBe('internal error');
        expect(translator(undefined)('api.internal')).toBe(english('api.internal'));
        expect(translator('de')('api.internal')).toBe('interner Fehler');
    });
});

import {setImmediate as tick} from 'node:timers/promises';

import type {Post} from '@mattermost/types/posts';
import type {UserProfile} from '@mattermost/types/users';
import {AppError, type CommandArgs, type PluginAPI, type PluginContext} from 'mattermost-plugin-node';
import {describe, expect, it} from 'vitest';

import {CounterContentionError, incrementCounter, readCounter, type CounterStore} from '../server/counter.js';
import {maskWord} from '../server/mask.js';
import {HelloPlugin} from '../server/plugin.js';
import {parseSettings} from '../server/settings.js';

/** The server's KV store as seen by concurrent plugin processes: every call yields, so calls interleave. */
class MemoryKV implements CounterStore {
    readonly values = new Map<string, Uint8Array>();

    async kvGet(key: string): Promise<Uint8Array | null> {
        await tick();
        return this.values.get(key) ?? null;
    }

    async kvCompareAndSet(key: string, oldValue: Uint8Array | string | null, newValue: Uint8Array | string): Promise<boolean> {
        await tick();
        const current = this.values.get(key);
        const same = oldValue === null ? current === undefined : current !== undefined && Buffer.from(current).equals(Buffer.from(oldValue));
        if (same) {
            this.values.set(key, Buffer.from(newValue));
        }
        return same;
    }
}

describe('incrementCounter', () => {
    it('loses no count and hands out every number once when increments race', async () => {
        const kv = new MemoryKV();
        const got = await Promise.all(Array.from({length: 40}, () => incrementCounter(kv, 'greetings')));
        expect([...got].sort((a, b) => a - b)).toEqual(Array.from({length: 40}, (_, i) => i + 1));
        expect(await readCounter(kv, 'greetings')).toBe(40);
    });

    it('gives up with its own error when every compare-and-set fails', async () => {
        const kv = new MemoryKV();
        kv.kvCompareAndSet = async () => false;
        await expect(incrementCounter(kv, 'greetings')).rejects.toBeInstanceOf(CounterContentionError);
    });

    it('reads 0 before the first increment and for a value that is not a count', async () => {
        const kv = new MemoryKV();
        expect(await readCounter(kv, 'greetings')).toBe(0);
        kv.values.set('greetings', Buffer.from('garbage'));
        expect(await incrementCounter(kv, 'greetings')).toBe(1);
    });
});

describe('maskWord', () => {
    it('masks the word in any case, as a whole word only', () => {
        expect(maskWord('Darn it, DARN! darnation undarn', 'darn')).toBe('**** it, ****! darnation undarn');
        expect(maskWord('ädarn', 'darn')).toBeUndefined();
        expect(maskWord('cafés and café', 'café')).toBe('cafés and ****');
        expect(maskWord('nothing here', 'darn')).toBeUndefined();
    });

    it('takes the word literally, not as a pattern', () => {
        expect(maskWord('a+b equals a+b', 'a+b')).toBe('*** equals ***');
        expect(maskWord('aab', 'a+b')).toBeUndefined();
    });

    it('masks nothing when no word is set', () => {
        expect(maskWord('anything', '')).toBeUndefined();
    });
});

describe('parseSettings', () => {
    it('reads the keys as the System Console stores them (lower case) or as written', () => {
        expect(parseSettings({greeting: 'Hi', maskedword: ' darn '})).toEqual({greeting: 'Hi', maskedWord: 'darn'});
        expect(parseSettings({Greeting: 'Hey', MaskedWord: 'heck'})).toEqual({greeting: 'Hey', maskedWord: 'heck'});
    });

    it('falls back to the defaults for missing or empty values', () => {
        expect(parseSettings({})).toEqual({greeting: 'Hello', maskedWord: ''});
        expect(parseSettings({greeting: '  ', maskedword: 7})).toEqual({greeting: 'Hello', maskedWord: ''});
    });
});

describe('HelloPlugin', () => {
    const context = {} as PluginContext;
    const args = (command: string): CommandArgs => ({user_id: 'u1', channel_id: 'c1', team_id: 't1', root_id: '', parent_id: '', trigger_id: '', command});

    async function activated(settings: Record<string, unknown>): Promise<{plugin: HelloPlugin; kv: MemoryKV}> {
        const kv = new MemoryKV();
        const api = {
            kvGet: (k: string) => kv.kvGet(k),
            kvCompareAndSet: (k: string, o: Uint8Array | string | null, n: Uint8Array | string) => kv.kvCompareAndSet(k, o, n),
            loadPluginConfiguration: async () => settings,
            getUser: async (id: string) => ({id, username: 'alice'}) as UserProfile,
            registerCommand: async () => undefined,
        };
        const plugin = new HelloPlugin();
        // Only the methods this plugin calls: a call to any other fails the test.
        plugin.setAPI(api as unknown as PluginAPI);
        await plugin.onConfigurationChange();
        await plugin.onActivate();
        return {plugin, kv};
    }

    it('greets by the given name or the caller, counts, and reports the count', async () => {
        const {plugin} = await activated({greeting: 'Howdy'});
        expect((await plugin.executeCommand(context, args('/hello Ann Smith'))).text).toBe('Howdy, Ann Smith! (greeting #1)');
        expect((await plugin.executeCommand(context, args('/hello'))).text).toBe('Howdy, @alice! (greeting #2)');
        expect(await plugin.executeCommand(context, args('/hello count'))).toEqual({response_type: 'ephemeral', text: '2 greetings so far.'});
    });

    it('refuses a name over 64 characters with a 400 the server shows as written, counting nothing', async () => {
        const {plugin, kv} = await activated({});
        const err = await plugin.executeCommand(context, args(`/hello ${'x'.repeat(65)}`)).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AppError);
        expect(err).toMatchObject({statusCode: 400, skipTranslation: true});
        expect(kv.values.size).toBe(0);
        expect((await plugin.executeCommand(context, args(`/hello ${'x'.repeat(64)}`))).text).toMatch(/#1\)$/);
    });

    it('masks the configured word in a post and leaves other posts alone', async () => {
        const {plugin} = await activated({maskedword: 'darn'});
        const post = {id: '', message: 'darn it', channel_id: 'c1'} as Post;
        expect(await plugin.messageWillBePosted(context, post)).toEqual({post: {...post, message: '**** it'}});
        expect(await plugin.messageWillBePosted(context, {...post, message: 'fine'})).toBeUndefined();
    });
});

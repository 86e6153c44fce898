// /trigger: the same features as the panel, for clients that do not run webapp plugins (mobile, desktop
// without plugins). Replies are ephemeral; they act on the channel the command was typed in.
import type {CommandArgs, CommandResponse} from 'mattermost-plugin-node';

import {codeSpan} from './format.js';
import {isChannelMember, userTimeZone, type AlertsHost} from './host.js';
import {english, translator, type Translate} from './i18n.js';
import {normalizeWord} from './matcher.js';
import {maxWordLength, type Settings} from './settings.js';
import type {Snooze, SnoozeDuration} from './snooze.js';
import {StoreUnavailableError, type WordStore} from './store.js';

export const trigger = 'trigger';

export const commandDefinition = {
    trigger,
    auto_complete: true,
    auto_complete_desc: 'Get a direct message when someone posts your trigger words in this channel',
    auto_complete_hint: 'add <word or "phrase"> | remove <word> | list | snooze 1h|8h|tomorrow|off',
    display_name: 'Trigger words',
    description: 'Manage your trigger words for the current channel',
};

export interface CommandDeps {
    host: AlertsHost;
    store: WordStore;
    snooze: Snooze;
    settings: () => Settings;
    /** As HttpDeps.wordsSet: the user now has words (called without waiting; must not throw). */
    wordsSet?: (userId: string) => void;
}

/** Splits the argument text: a quoted phrase is one argument. */
export function splitArgs(text: string): string[] {
    const out: string[] = [];
    const re = /"([^"]*)"|“([^”]*)”|(\S+)/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
        out.push(m[1] ?? m[2] ?? m[3] ?? '');
    }
    return out;
}

const reply = (text: string): CommandResponse => ({response_type: 'ephemeral', text});

/** A word shown back to the user: inside a code span, so it can't render as markdown or mention anyone. */
const shown = codeSpan;

function utc(ms: number): string {
    return `${new Date(ms).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}

/**
 * Runs a /trigger command. Replies are in the caller's language (`user.locale`); the subcommands (add,
 * remove, list, snooze and the snooze durations) are English in every language, so that a command works
 * the same whoever types it and whatever their setting.
 */
export async function executeTrigger(deps: CommandDeps, args: CommandArgs): Promise<CommandResponse> {
    const {host, store, snooze, settings} = deps;
    const rest = args.command.trim().replace(/^\/\S+\s*/, '');
    const [sub = '', ...params] = splitArgs(rest);
    const channelId = args.channel_id;
    const userId = args.user_id;
    // CommandArgs carries no locale: one user lookup, next to the membership check, which snooze reuses.
    // A user the server cannot give back still gets an answer, in English.
    const [member, user] = await Promise.all([
        isChannelMember(host, channelId, userId),
        host.getUser(userId).catch(() => undefined),
    ]);
    const tr: Translate = user ? translator(user.locale) : english;

    try {
        if (!member) {
            return reply(tr('command.notMember'));
        }
        switch (sub.toLowerCase()) {
            case 'add': {
                const word = (params.length === 1 ? params[0] : params.join(' '))?.trim() ?? '';
                const key = normalizeWord(word);
                // eslint-disable-next-line no-control-regex
                if (!key || [...key].length > maxWordLength || /[\p{Cc}]/u.test(word)) {
                    return reply(tr('command.badWord', {max: maxWordLength}));
                }
                const limit = settings().maxWordsPerChannel;
                let already = false;
                let full = false;
                await store.updateUserWords(channelId, userId, (current) => {
                    already = current.some((w) => w.key === key);
                    full = current.length >= limit;
                    return already || full ? current : [...current, {word, key}];
                });
                if (already) {
                    return reply(tr('command.already', {word: shown(word)}));
                }
                if (full) {
                    return reply(tr('command.full', {limit}));
                }
                deps.wordsSet?.(userId);
                return reply(tr('command.added', {word: shown(word)}));
            }
            case 'remove': {
                const key = normalizeWord(params.join(' '));
                let found = false;
                await store.updateUserWords(channelId, userId, (current) => {
                    found = current.some((w) => w.key === key);
                    return current.filter((w) => w.key !== key);
                });
                const word = shown(params.join(' '));
                return reply(found ? tr('command.removed', {word}) : tr('command.notFound', {word}));
            }
            case 'list': {
                const words = await store.getUserWords(channelId, userId);
                const until = await snooze.until(userId, channelId);
                const snoozed = until ? `\n${tr('command.snoozedUntil', {time: utc(until)})}` : '';
                return reply(
                    (words.length === 0
                        ? tr('command.listEmpty')
                        : tr('command.list', {words: words.map((w) => shown(w.word)).join(tr('command.listSeparator'))})) + snoozed,
                );
            }
            case 'snooze': {
                const duration = (params[0] ?? '').toLowerCase();
                if (!['1h', '8h', 'tomorrow', 'off'].includes(duration)) {
                    return reply(tr('command.snoozeUsage'));
                }
                // "tomorrow" is in the user's timezone, which needs the user: fetch it again if it failed above.
                const until = await snooze.set(userId, channelId, duration as SnoozeDuration, userTimeZone(user ?? (await host.getUser(userId))));
                return reply(until === null ? tr('command.snoozeOff') : tr('command.snoozedUntil', {time: utc(until)}));
            }
            default:
                return reply(tr('command.help'));
        }
    } catch (err) {
        if (err instanceof StoreUnavailableError) {
            return reply(tr('command.busy'));
        }
        throw err;
    }
}

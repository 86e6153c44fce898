// /trigger: the same features as the panel, for clients that do not run webapp plugins (mobile, desktop
// without plugins). Replies are ephemeral; they act on the channel the command was typed in.
import type {CommandArgs, CommandResponse} from '../mattermost/plugin.js';

import {codeSpan} from './format.js';
import {isChannelMember, userTimeZone, type AlertsHost} from './host.js';
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
}

const help = [
    '**/trigger** manages your trigger words for this channel:',
    '- `/trigger add deploy` or `/trigger add "on call"`: alert me when someone posts it here',
    '- `/trigger remove deploy`',
    '- `/trigger list`',
    '- `/trigger snooze 1h` (or `8h`, `tomorrow`, `off`)',
].join('\n');

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

export async function executeTrigger(deps: CommandDeps, args: CommandArgs): Promise<CommandResponse> {
    const {host, store, snooze, settings} = deps;
    const rest = args.command.trim().replace(/^\/\S+\s*/, '');
    const [sub = '', ...params] = splitArgs(rest);
    const channelId = args.channel_id;
    const userId = args.user_id;

    try {
        if (!(await isChannelMember(host, channelId, userId))) {
            return reply('You are not a member of this channel.');
        }
        switch (sub.toLowerCase()) {
            case 'add': {
                const word = (params.length === 1 ? params[0] : params.join(' '))?.trim() ?? '';
                const key = normalizeWord(word);
                // eslint-disable-next-line no-control-regex
                if (!key || [...key].length > maxWordLength || /[\p{Cc}]/u.test(word)) {
                    return reply(`A trigger word must be 1 to ${maxWordLength} characters, on one line.`);
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
                    return reply(`You already have ${shown(word)} here.`);
                }
                if (full) {
                    return reply(`You can have at most ${limit} trigger words per channel.`);
                }
                return reply(`Added ${shown(word)}. You'll get a direct message when someone else posts it in this channel.`);
            }
            case 'remove': {
                const key = normalizeWord(params.join(' '));
                let found = false;
                await store.updateUserWords(channelId, userId, (current) => {
                    found = current.some((w) => w.key === key);
                    return current.filter((w) => w.key !== key);
                });
                return reply(found ? `Removed ${shown(params.join(' '))}.` : `You have no trigger word ${shown(params.join(' '))} here.`);
            }
            case 'list': {
                const words = await store.getUserWords(channelId, userId);
                const until = await snooze.until(userId, channelId);
                const snoozed = until ? `\nAlerts for this channel are snoozed until ${utc(until)}.` : '';
                return reply(
                    words.length === 0
                        ? `You have no trigger words in this channel. Add one with \`/trigger add <word>\`.${snoozed}`
                        : `Your trigger words here: ${words.map((w) => shown(w.word)).join(', ')}${snoozed}`,
                );
            }
            case 'snooze': {
                const duration = (params[0] ?? '').toLowerCase();
                if (!['1h', '8h', 'tomorrow', 'off'].includes(duration)) {
                    return reply('Snooze for `1h`, `8h`, until `tomorrow`, or `off`.');
                }
                const user = await host.getUser(userId);
                const until = await snooze.set(userId, channelId, duration as SnoozeDuration, userTimeZone(user));
                return reply(until === null ? 'Alerts for this channel are back on.' : `Alerts for this channel are snoozed until ${utc(until)}.`);
            }
            default:
                return reply(help);
        }
    } catch (err) {
        if (err instanceof StoreUnavailableError) {
            return reply('The trigger words store is busy right now. Please try again in a moment.');
        }
        throw err;
    }
}

// Every string the webapp shows or announces, in one place so it can be translated.
// `t(key, values)` fills `{name}` placeholders; `setMessages` swaps in a translation.

const en = {
    // Channel header and App Bar (the tooltip is also the entry's accessible name)
    'header.tooltip': 'Trigger words',
    'header.dropdown': 'Trigger words',
    'header.menu': 'Trigger words…',

    // Dialog chrome
    'dialog.title': 'Trigger words',
    'dialog.titleAll': 'All my trigger words',
    'dialog.subtitle': 'in {channel}',
    'dialog.close': 'Close',
    'dialog.loading': 'Loading…',
    'dialog.retry': 'Try again',

    // Channel view
    'words.listLabel': 'Your trigger words in this channel',
    'words.remove': 'Remove “{word}”',
    'words.empty.title': 'No trigger words here yet',
    'words.empty.body':
        'Trigger words are words or phrases you want to hear about. When someone posts one of them in this channel, ' +
        'you get a direct message with a link to the post. Matching ignores upper and lower case.',
    'words.count': '{count} of {max} words',

    // Input
    'input.label': 'Add a word or phrase',
    'input.placeholder': 'e.g. deploy, "on call"',
    'input.hint': 'Press Enter or type a comma to add. Put a phrase in quotes to keep commas in it.',
    'input.add': 'Add',

    // Client-side checks
    'error.duplicate': '“{word}” is already one of your trigger words here.',

    // Server and network errors
    'error.network': 'Could not reach the server. Check your connection and try again.',
    'error.unavailable': 'The server is busy right now. Try again in a moment.',
    'error.forbidden': 'You are not a member of this channel.',
    'error.notFound': 'Not found: it may have been removed already.',
    'error.unexpected': 'Something went wrong (HTTP {status}).',

    // Save status (announced politely)
    'status.saving': 'Saving…',
    'status.saved': 'Saved',

    // Snooze
    'snooze.legend': 'Snooze alerts for this channel',
    'snooze.off.status': 'Alerts are on.',
    'snooze.on.status': 'Snoozed until {time}.',
    'snooze.1h': '1 hour',
    'snooze.8h': '8 hours',
    'snooze.tomorrow': 'Until tomorrow',
    'snooze.off': 'Off',
    'snooze.1h.label': 'Snooze for 1 hour',
    'snooze.8h.label': 'Snooze for 8 hours',
    'snooze.tomorrow.label': 'Snooze until tomorrow morning',
    'snooze.off.label': 'Turn snooze off',

    // All words
    'all.link': 'All my trigger words',
    'all.back': 'Back to this channel',
    'all.empty': 'You have no trigger words in any channel yet.',
    'all.channelLabel': 'Trigger words in {channel}',
    'all.team': '{team}',
    'all.remove': 'Remove “{word}” from {channel}',
} as const;

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;

let current: Messages = en;

/** Replaces the strings in use (missing keys fall back to English). */
export function setMessages(messages: Partial<Messages>): void {
    current = {...en, ...messages};
}

export const defaultMessages: Readonly<Messages> = en;

export function t(key: MessageKey, values?: Record<string, string | number>): string {
    const template = current[key] ?? en[key];
    if (!values) {
        return template;
    }
    return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
        Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole);
}

/** How a snooze end time is shown: weekday and time in the user's locale and timezone. */
export function formatSnoozeUntil(epochMs: number): string {
    return new Intl.DateTimeFormat(undefined, {weekday: 'short', hour: 'numeric', minute: '2-digit'}).format(new Date(epochMs));
}

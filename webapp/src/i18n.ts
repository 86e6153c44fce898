// Every string the webapp shows or announces comes from the catalogs in webapp/i18n/<locale>.json (English is
// the source; the syntax is ICU's, see i18n/message_format.ts). `t(key, values)` picks the catalog of the
// locale the web app itself is in (the user's language setting, else the server's default client locale);
// the same catalogs are handed to the web app with registerTranslations, so its react-intl has them too.
//
// All locales are bundled (≈ 4 kB each): loading one on demand would need a second request and a moment with
// English text, to save less than the size of one icon.
import {useEffect, useState} from 'react';

import {formatMessage, resolveLocale, type Locale, type MessageValues} from '../../i18n/message_format';
import de from '../i18n/de.json';
import en from '../i18n/en.json';
import es from '../i18n/es.json';
import fr from '../i18n/fr.json';
import ja from '../i18n/ja.json';
import ko from '../i18n/ko.json';
import ptBR from '../i18n/pt-BR.json';
import ru from '../i18n/ru.json';
import zhCN from '../i18n/zh-CN.json';

import {PLUGIN_ID} from './plugin_id';

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;

/** Every catalog by locale; a key missing from one falls back to English (the catalog test forbids that). */
export const catalogs: Readonly<Record<Locale, Partial<Messages>>> = {
    en, de, es, fr, ja, ko, 'pt-BR': ptBR, ru, 'zh-CN': zhCN,
};

export const defaultMessages: Readonly<Messages> = en;

/** Where the current locale comes from: the host's store once the plugin is initialised. */
export interface LocaleSource {
    /** The host's locale code ("de", "pt-BR", …), or nothing yet. */
    get(): string | undefined;
    /** Calls back on any change that may have changed it; returns the unsubscribe function. */
    subscribe(onChange: () => void): () => void;
}

const englishOnly: LocaleSource = {get: () => undefined, subscribe: () => () => undefined};
let source: LocaleSource = englishOnly;
let overrides: Messages | null = null;

export function setLocaleSource(next: LocaleSource | null): void {
    source = next ?? englishOnly;
}

/** The catalog in use. */
export function currentLocale(): Locale {
    return resolveLocale(source.get());
}

/**
 * Replaces every string whatever the locale (missing keys fall back to English); null goes back to the
 * catalogs. For tests that check that no string bypasses t().
 */
export function setMessages(messages: Partial<Messages> | null): void {
    overrides = messages ? {...en, ...messages} : null;
}

export function t(key: MessageKey, values?: MessageValues): string {
    const locale = currentLocale();
    const template = overrides?.[key] ?? catalogs[locale][key] ?? en[key];
    return formatMessage(template, values, locale);
}

/**
 * What the plugin hands to registry.registerTranslations: the catalog of a locale with the keys under the
 * plugin's id, since the web app keeps every plugin's strings and its own in one table.
 */
export function translationsForLocale(locale: string): Record<string, string> {
    const catalog = {...en, ...catalogs[resolveLocale(locale)]};
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(catalog)) {
        out[`${PLUGIN_ID}.${key}`] = value;
    }
    return out;
}

/**
 * The current locale, re-rendering the component when it changes. The web app re-mounts its whole tree
 * when the user switches language (its IntlProvider is keyed by locale), but strings handed to the registry
 * once and a panel open in another tab's change are not part of that, so the component listens itself.
 */
export function useLocale(): Locale {
    const [locale, setLocale] = useState(currentLocale);
    useEffect(() => {
        const update = () => setLocale(currentLocale());
        update(); // a change between the first render and this effect
        return source.subscribe(update);
    }, []);
    return locale;
}

/** How a snooze end time is shown: weekday and time in the user's language, in the browser's timezone. */
export function formatSnoozeUntil(epochMs: number): string {
    return new Intl.DateTimeFormat(currentLocale(), {weekday: 'short', hour: 'numeric', minute: '2-digit'}).format(new Date(epochMs));
}

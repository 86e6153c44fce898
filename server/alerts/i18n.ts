// The server's strings (the alert DM, /trigger replies, the HTTP API's errors) in the reader's language: the
// catalogs in i18n/<locale>.json, English the source and the fallback. The syntax is ICU's subset in
// i18n/message_format.ts, shared with the webapp's catalogs. Mattermost gives each user one `locale`; the
// alert DM is in its recipient's, a reply or an API error in its caller's.
import {formatMessage, resolveLocale, type Locale, type MessageValues} from '../../i18n/message_format.js';

import de from './i18n/de.json';
import en from './i18n/en.json';
import es from './i18n/es.json';
import fr from './i18n/fr.json';
import ja from './i18n/ja.json';
import ko from './i18n/ko.json';
import ptBR from './i18n/pt-BR.json';
import ru from './i18n/ru.json';
import zhCN from './i18n/zh-CN.json';

export type ServerMessageKey = keyof typeof en;

export const serverCatalogs: Readonly<Record<Locale, Partial<Record<ServerMessageKey, string>>>> = {
    en, de, es, fr, ja, ko, 'pt-BR': ptBR, ru, 'zh-CN': zhCN,
};

/** A message to be put in the reader's words later, when the reader is known. */
export interface Text {
    key: ServerMessageKey;
    values?: MessageValues;
}

export type Translate = (key: ServerMessageKey, values?: MessageValues) => string;

export function isServerMessageKey(key: string): key is ServerMessageKey {
    return Object.prototype.hasOwnProperty.call(en, key);
}

/** The strings of a user's locale (`user.locale`; anything unknown or empty is English). */
export function translator(locale: string | null | undefined): Translate {
    const resolved = resolveLocale(locale);
    const catalog = serverCatalogs[resolved];
    return (key, values) => formatMessage(catalog[key] ?? en[key], values, resolved);
}

export const english: Translate = translator('en');

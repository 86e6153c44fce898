// The message syntax of both catalogs (server/alerts/i18n, webapp/i18n) and the choice of a catalog for a
// Mattermost locale. The syntax is the part of ICU MessageFormat that the strings need: `{name}`, and
// `{name, plural, one {…} other {…}}` with `#` for the number. It is ICU's and not a home-made one because the
// webapp's strings are also handed to the web app (registerTranslations), whose react-intl reads them as ICU;
// the same text must mean the same in both places. No dependency: intl-messageformat would add ~40 kB to a
// ~110 kB bundle for two constructs.

export const LOCALES = ['en', 'de', 'es', 'fr', 'ja', 'ko', 'pt-BR', 'ru', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

/**
 * The catalog for a locale as Mattermost stores it in `user.locale` ("de", "pt-BR", "zh-CN", …): the same
 * one in any case or with "_", else the one of the same language ("de-CH" → de, "pt" → pt-BR), else English.
 * Traditional Chinese is not given Simplified: a reader of zh-TW gets English, as in the web app where the
 * plugin has no zh-TW strings.
 */
export function resolveLocale(requested: string | null | undefined): Locale {
    if (!requested) {
        return DEFAULT_LOCALE;
    }
    const wanted = requested.trim().replace(/_/g, '-').toLowerCase();
    const exact = LOCALES.find((l) => l.toLowerCase() === wanted);
    if (exact) {
        return exact;
    }
    const [language = '', ...rest] = wanted.split('-');
    if (language === 'zh') {
        return rest.length === 0 || rest.some((s) => s === 'hans' || s === 'cn' || s === 'sg') ? 'zh-CN' : DEFAULT_LOCALE;
    }
    return LOCALES.find((l) => l.toLowerCase().split('-')[0] === language) ?? DEFAULT_LOCALE;
}

export type MessageValues = Record<string, string | number>;

type Part =
    | {kind: 'text'; text: string}
    | {kind: 'arg'; name: string}
    | {kind: 'pound'}
    | {kind: 'plural'; name: string; branches: Map<string, Part[]>};

export class MessageSyntaxError extends Error {
    override name = 'MessageSyntaxError';
}

const PLURAL_SELECTOR = /^(=\d+|zero|one|two|few|many|other)$/;

/** Parses a message; throws MessageSyntaxError, naming the message, on anything outside the subset. */
export function parseMessage(message: string): Part[] {
    let i = 0;
    const fail = (why: string): never => {
        throw new MessageSyntaxError(`${why} at ${i} in ${JSON.stringify(message)}`);
    };
    const skipSpace = () => {
        while (i < message.length && /\s/.test(message[i]!)) {
            i++;
        }
    };
    const word = (): string => {
        skipSpace();
        const m = /^[=\w]+/.exec(message.slice(i));
        if (!m) {
            fail('expected a name');
        }
        i += m![0].length;
        skipSpace();
        return m![0];
    };

    // inPlural: `#` is the number, and ICU lets an apostrophe quote it there
    const parts = (inPlural: boolean, nested: boolean): Part[] => {
        const out: Part[] = [];
        let text = '';
        const flush = () => {
            if (text) {
                out.push({kind: 'text', text});
                text = '';
            }
        };
        while (i < message.length) {
            const ch = message[i]!;
            if (ch === "'") {
                // ICU quoting: '' is one apostrophe; an apostrophe before { } (or # in a plural) quotes up to
                // the next single one; any other apostrophe is just an apostrophe (so "l'alerte" needs nothing).
                const next = message[i + 1];
                if (next === "'") {
                    text += "'";
                    i += 2;
                } else if (next === '{' || next === '}' || (inPlural && next === '#')) {
                    i++;
                    while (i < message.length) {
                        if (message[i] === "'") {
                            if (message[i + 1] === "'") {
                                text += "'";
                                i += 2;
                                continue;
                            }
                            break;
                        }
                        text += message[i++];
                    }
                    if (i >= message.length) {
                        fail('unterminated quote');
                    }
                    i++;
                } else {
                    text += ch;
                    i++;
                }
            } else if (ch === '{') {
                flush();
                i++;
                const name = word();
                if (message[i] === '}') {
                    i++;
                    out.push({kind: 'arg', name});
                    continue;
                }
                if (message[i] !== ',') {
                    fail('expected "}" or ","');
                }
                i++;
                const type = word();
                if (type !== 'plural') {
                    fail(`unsupported argument type "${type}"`);
                }
                if (message[i] !== ',') {
                    fail('expected ","');
                }
                i++;
                const branches = new Map<string, Part[]>();
                skipSpace();
                while (message[i] !== '}') {
                    const selector = word();
                    if (!PLURAL_SELECTOR.test(selector)) {
                        fail(`unknown plural selector "${selector}"`);
                    }
                    if (branches.has(selector)) {
                        fail(`duplicate plural selector "${selector}"`);
                    }
                    if (message[i] !== '{') {
                        fail('expected "{"');
                    }
                    i++;
                    branches.set(selector, parts(true, true));
                    i++; // the branch's "}"
                    skipSpace();
                    if (i >= message.length) {
                        fail('unterminated plural');
                    }
                }
                i++;
                if (!branches.has('other')) {
                    fail('a plural needs an "other" branch');
                }
                out.push({kind: 'plural', name, branches});
            } else if (ch === '}') {
                if (!nested) {
                    fail('unbalanced "}"');
                }
                flush();
                return out;
            } else if (ch === '#' && inPlural) {
                flush();
                out.push({kind: 'pound'});
                i++;
            } else {
                text += ch;
                i++;
            }
        }
        if (nested) {
            fail('unterminated "{"');
        }
        flush();
        return out;
    };
    return parts(false, false);
}

/** The arguments a message uses: name → "arg" or "plural" (a name used both ways is "plural"). */
export function messageArguments(message: string): Map<string, 'arg' | 'plural'> {
    const found = new Map<string, 'arg' | 'plural'>();
    const walk = (list: Part[]) => {
        for (const p of list) {
            if (p.kind === 'arg' && !found.has(p.name)) {
                found.set(p.name, 'arg');
            } else if (p.kind === 'plural') {
                found.set(p.name, 'plural');
                p.branches.forEach(walk);
            }
        }
    };
    walk(parseMessage(message));
    return found;
}

/** The plural selectors of every plural argument in a message. */
export function pluralSelectors(message: string): Map<string, string[]> {
    const found = new Map<string, string[]>();
    const walk = (list: Part[]) => {
        for (const p of list) {
            if (p.kind === 'plural') {
                found.set(p.name, [...p.branches.keys()]);
                p.branches.forEach(walk);
            }
        }
    };
    walk(parseMessage(message));
    return found;
}

// Messages are few and used over and over (every render of the panel, every DM); parse each once.
const parsed = new Map<string, Part[]>();
const pluralRules = new Map<string, Intl.PluralRules>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function cached<T>(map: Map<string, T>, key: string, make: () => T): T {
    let v = map.get(key);
    if (v === undefined) {
        v = make();
        map.set(key, v);
    }
    return v;
}

/**
 * Fills a message. A value that is missing leaves its `{name}` as written, so a wrong call shows up in the
 * text instead of vanishing; a plural's value is read as a number.
 */
export function formatMessage(message: string, values: MessageValues | undefined, locale: string): string {
    const list = cached(parsed, message, () => parseMessage(message));
    const render = (parts: Part[], count: number | undefined): string => {
        let out = '';
        for (const p of parts) {
            switch (p.kind) {
            case 'text':
                out += p.text;
                break;
            case 'arg':
                out += values && Object.prototype.hasOwnProperty.call(values, p.name) ? String(values[p.name]) : `{${p.name}}`;
                break;
            case 'pound':
                out += count === undefined ? '#' : cached(numberFormats, locale, () => new Intl.NumberFormat(locale)).format(count);
                break;
            case 'plural': {
                const raw = values && Object.prototype.hasOwnProperty.call(values, p.name) ? values[p.name] : undefined;
                const n = Number(raw);
                if (raw === undefined || !Number.isFinite(n)) {
                    out += `{${p.name}}`;
                    break;
                }
                const category = cached(pluralRules, locale, () => new Intl.PluralRules(locale)).select(n);
                const branch = p.branches.get(`=${n}`) ?? p.branches.get(category) ?? p.branches.get('other')!;
                out += render(branch, n);
                break;
            }
            }
        }
        return out;
    };
    return render(list, undefined);
}

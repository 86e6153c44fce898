// The translation catalogs (server/alerts/i18n/*.json, webapp/i18n/*.json) against English: every key, the
// same placeholders, plural forms for every number the language tells apart, nothing that would make a DM
// less inert; and the message syntax itself (i18n/message_format.ts).
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {describe, expect, it} from 'vitest';

import {formatMessage, LOCALES, messageArguments, MessageSyntaxError, parseMessage, pluralSelectors, resolveLocale} from '../../../i18n/message_format';
import {serverCatalogs} from '../../../server/alerts/i18n';
import {catalogs as webappCatalogs} from '../../../webapp/src/i18n';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

type Catalog = Record<string, string>;

function readCatalogs(dir: string): Map<string, Catalog> {
    const out = new Map<string, Catalog>();
    for (const file of readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.json')).sort()) {
        out.set(file.slice(0, -'.json'.length), JSON.parse(readFileSync(path.join(root, dir, file), 'utf8')) as Catalog);
    }
    return out;
}

/** The plural categories a language uses for whole numbers up to 1000 (what counts and limits can be). */
function integerCategories(locale: string): Set<string> {
    const rules = new Intl.PluralRules(locale);
    const found = new Set<string>();
    for (let n = 0; n <= 1000; n++) {
        found.add(rules.select(n));
    }
    return found;
}

/** Problems of one translation against English; empty when it is complete and consistent. */
function problems(locale: string, catalog: Catalog, english: Catalog): string[] {
    const out: string[] = [];
    for (const key of Object.keys(english)) {
        if (!Object.prototype.hasOwnProperty.call(catalog, key)) {
            out.push(`${key}: missing`);
        }
    }
    for (const [key, message] of Object.entries(catalog)) {
        const source = english[key];
        if (source === undefined) {
            out.push(`${key}: not in English (a stale or misspelt key)`);
            continue;
        }
        if (typeof message !== 'string' || message.trim() === '') {
            out.push(`${key}: empty`);
            continue;
        }
        let args: Map<string, string>;
        try {
            args = messageArguments(message);
        } catch (e) {
            out.push(`${key}: ${(e as Error).message}`);
            continue;
        }
        // A translation may turn a plain {n} into a plural (Russian needs it where English does not): the
        // names must match, the kind may differ.
        const want = [...messageArguments(source).keys()].sort();
        const have = [...args.keys()].sort();
        if (JSON.stringify(want) !== JSON.stringify(have)) {
            out.push(`${key}: placeholders {${have.join('}, {')}} but English has {${want.join('}, {')}}`);
        }
        for (const [name, selectors] of pluralSelectors(message)) {
            for (const category of integerCategories(locale)) {
                if (!selectors.includes(category)) {
                    out.push(`${key}: the plural of {${name}} has no "${category}" form, which ${locale} uses`);
                }
            }
        }
    }
    return out;
}

const sides = [
    {name: 'server', dir: 'server/alerts/i18n', imported: serverCatalogs as Record<string, Catalog>},
    {name: 'webapp', dir: 'webapp/i18n', imported: webappCatalogs as Record<string, Catalog>},
];

describe.each(sides)('$name catalogs ($dir)', ({dir, imported}) => {
    const files = readCatalogs(dir);
    const english = files.get('en')!;

    it('one file per supported locale, each of them bundled', () => {
        expect([...files.keys()].sort()).toEqual([...LOCALES].sort());
        for (const [locale, catalog] of files) {
            expect(imported[locale], `${locale} is imported`).toEqual(catalog);
        }
    });

    it('English parses and has no placeholder-free plural', () => {
        expect(problems('en', english, english)).toEqual([]);
    });

    it.each(LOCALES.filter((l) => l !== 'en'))('%s: every key, the same placeholders, every plural form', (locale) => {
        expect(problems(locale, files.get(locale)!, english)).toEqual([]);
    });
});

describe('the checks themselves', () => {
    const english = {'a': 'Hi {name}', 'b': '{count, plural, one {# word} other {# words}}'};
    it('catch a missing key, a stray key, a renamed placeholder, a missing plural form and a syntax error', () => {
        expect(problems('de', {a: 'Hallo {name}'}, english)).toEqual(['b: missing']);
        expect(problems('de', {...english, c: 'x'}, english)).toEqual(['c: not in English (a stale or misspelt key)']);
        expect(problems('de', {a: 'Hallo {nom}', b: english.b}, english)).toEqual(['a: placeholders {nom} but English has {name}']);
        expect(problems('de', {a: 'Hallo', b: english.b}, english)).toEqual(['a: placeholders {} but English has {name}']);
        expect(problems('ru', {a: 'Привет, {name}', b: '{count, plural, one {# слово} other {# слова}}'}, english).sort()).toEqual([
            'b: the plural of {count} has no "few" form, which ru uses',
            'b: the plural of {count} has no "many" form, which ru uses',
        ]);
        expect(problems('de', {a: 'Hallo {name', b: english.b}, english)[0]).toMatch(/^a: expected "}" or "," at 11/);
    });
});

describe('server strings', () => {
    const server = readCatalogs('server/alerts/i18n');

    it.each([...server.keys()])('%s: /trigger keeps its English subcommands in the help and the snooze usage', (locale) => {
        const c = server.get(locale)!;
        for (const command of ['`/trigger add ', '`/trigger remove ', '`/trigger list`', '`/trigger snooze 1h`']) {
            expect(c['command.help'], command).toContain(command);
        }
        for (const duration of ['`1h`', '`8h`', '`tomorrow`', '`off`']) {
            expect(c['command.snoozeUsage'], duration).toContain(duration);
        }
        expect(c['command.listEmpty']).toContain('`/trigger add <');
    });

    it.each([...server.keys()])('%s: the DM\'s own words are plain text: no markdown, mention, link or line break of their own', (locale) => {
        const c = server.get(locale)!;
        for (const [key, message] of Object.entries(c).filter(([k]) => k.startsWith('dm.'))) {
            const own = message.replace(/\{\w+\}/g, '').replace(/\{\w+, plural,|[{}#]/g, '');
            expect(own, `${locale} ${key}`).not.toMatch(/[*_`[\]<>@~|\\\n]|:\/\/|www\./);
        }
    });
});

describe('webapp strings', () => {
    it.each([...readCatalogs('webapp/i18n')])('%s: nothing react-intl would read as a tag', (_locale, catalog) => {
        // The web app's react-intl formats registered strings as ICU with rich text: "<b>" would be a tag.
        for (const [key, message] of Object.entries(catalog)) {
            expect(message, key).not.toMatch(/</);
        }
    });
});

describe('message syntax', () => {
    it('fills placeholders and leaves a missing one as written', () => {
        expect(formatMessage('Hi {name}, {name}!', {name: 'Ann'}, 'en')).toBe('Hi Ann, Ann!');
        expect(formatMessage('Hi {name}', {}, 'en')).toBe('Hi {name}');
        expect(formatMessage('Hi {name}', undefined, 'en')).toBe('Hi {name}');
    });

    it('does not read a value as syntax (a trigger word may be "{x}" or "#")', () => {
        expect(formatMessage('Added {word}.', {word: '{count, plural, other {#}} {word}'}, 'en')).toBe('Added {count, plural, other {#}} {word}.');
        expect(formatMessage('{n, plural, other {# for {w}}}', {n: 2, w: '#'}, 'en')).toBe('2 for #');
    });

    it('chooses the plural form of the locale, exact matches first, # as a localised number', () => {
        const ru = '{n, plural, =0 {ни одного} one {# слово} few {# слова} many {# слов} other {# слова}}';
        expect([0, 1, 2, 5, 11, 21, 22, 25, 1.5].map((n) => formatMessage(ru, {n}, 'ru'))).toEqual([
            'ни одного', '1 слово', '2 слова', '5 слов', '11 слов', '21 слово', '22 слова', '25 слов', '1,5 слова',
        ]);
        expect(formatMessage('{n, plural, one {# Wort} other {# Wörter}}', {n: 1200}, 'de')).toBe('1.200 Wörter');
        expect(formatMessage('{n, plural, other {# 語}}', {n: 3}, 'ja')).toBe('3 語');
        expect(formatMessage('{n, plural, one {a} other {b}}', {n: 'x'}, 'en')).toBe('{n}');
    });

    it('reads apostrophes as ICU does: literal unless quoting syntax', () => {
        expect(formatMessage("You'll get it, l'alerte", undefined, 'en')).toBe("You'll get it, l'alerte");
        expect(formatMessage("'{literal}' and '' and {x}", {x: 1}, 'en')).toBe("{literal} and ' and 1");
        expect(formatMessage("{n, plural, other {'#' is #}}", {n: 4}, 'en')).toBe('# is 4');
        expect(formatMessage("a # b", undefined, 'en')).toBe('a # b');
    });

    it('refuses what it does not support, naming the message', () => {
        for (const bad of ['{', '}', '{a', '{a, select, x {y} other {z}}', '{a, plural, one {x}}', '{a, plural, sometimes {x} other {y}}', "'{oops", '{a, plural, one {x} one {y} other {z}}']) {
            expect(() => parseMessage(bad), bad).toThrow(MessageSyntaxError);
        }
    });
});

describe('resolveLocale: user.locale → catalog', () => {
    it.each([
        ['de', 'de'], ['pt-BR', 'pt-BR'], ['zh-CN', 'zh-CN'], ['ja', 'ja'], ['ko', 'ko'], ['ru', 'ru'], ['es', 'es'], ['fr', 'fr'],
        ['pt-br', 'pt-BR'], ['pt_BR', 'pt-BR'], ['ZH-cn', 'zh-CN'], ['de-CH', 'de'], ['fr-CA', 'fr'], ['es-419', 'es'], ['pt', 'pt-BR'],
        ['zh', 'zh-CN'], ['zh-Hans', 'zh-CN'], ['zh-TW', 'en'], ['zh-Hant-HK', 'en'],
        ['en', 'en'], ['en-AU', 'en'], ['nl', 'en'], ['', 'en'], [undefined, 'en'], [null, 'en'], ['  ', 'en'],
    ])('%s → %s', (requested, want) => {
        expect(resolveLocale(requested)).toBe(want);
    });
});

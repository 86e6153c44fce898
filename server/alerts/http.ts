// The HTTP API the webapp panel talks to (API.md). The caller is the Mattermost-User-Id header, which the
// server sets for authenticated users and strips from anything a client sends.
import express, {type NextFunction, type Request, type Response} from 'express';
import {z} from 'zod';

import type {Log} from 'mattermost-plugin-node';

import {isChannelMember, isNotFound, userTimeZone, type AlertsHost} from './host.js';
import {english, isServerMessageKey, translator, type Text, type Translate} from './i18n.js';
import {normalizeWord} from './matcher.js';
import {maxWordLength, type Settings} from './settings.js';
import type {Snooze, SnoozeDuration} from './snooze.js';
import {ConflictError, StoreUnavailableError, type StoredWord, type WordStore} from './store.js';

export interface HttpDeps {
    host: AlertsHost;
    log: Log;
    store: WordStore;
    snooze: Snooze;
    settings: () => Settings;
    /**
     * Told (without waiting) that the user now has words in some channel: the app gets the user's direct
     * channel with the bot ready before their first alert. Must not throw.
     */
    wordsSet?: (userId: string) => void;
}

/** What a detail says: one of ours, put in the caller's words when answering, or zod's own (English) text. */
interface Detail {
    path: Array<string | number>;
    message: Text | string;
}

/**
 * An answer other than 2xx: status, message, and details for the form that sent it. The message is a
 * catalog key: the caller is known only once the answer is written, and the panel shows it as it comes.
 */
export class HttpError extends Error {
    constructor(readonly status: number, readonly text: Text | string, readonly details?: Detail[]) {
        super(typeof text === 'string' ? text : english(text.key, text.values));
    }
}

const mattermostId = /^[a-z0-9]{26}$/;
// Zod messages that are catalog keys are translated when the answer is written (detailsOf, answer).
const channelIdSchema = z.string().regex(mattermostId, 'api.channelIdFormat');

// eslint-disable-next-line no-control-regex
const controlChars = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** A word as typed, checked: trimmed, 1–64 characters once normalised, no control characters. */
const wordSchema = z
    .string({error: 'api.word.notString'})
    .transform((w) => w.trim())
    .superRefine((w, ctx) => {
        if (controlChars.test(w.replace(/\u200d|\ufe0f/g, ''))) {
            // ZWJ and VS16 are kept: they are part of emoji such as 👨‍👩‍👧
            ctx.addIssue({code: 'custom', message: 'api.word.controlChars'});
            return;
        }
        const key = normalizeWord(w);
        if (key.length === 0) {
            ctx.addIssue({code: 'custom', message: 'api.word.empty'});
        } else if ([...key].length > maxWordLength) {
            ctx.addIssue({code: 'custom', message: 'api.word.tooLong'});
        }
    });

const putWordsBody = z.object({words: z.array(wordSchema).max(1000)}).strict();
const postWordBody = z.object({word: wordSchema}).strict();
const snoozeBody = z.object({duration: z.enum(['1h', '8h', 'tomorrow', 'off'])}).strict();

/** Values of the messages that take one. */
const messageValues: Partial<Record<string, Text['values']>> = {'api.word.tooLong': {max: maxWordLength}};

function detailsOf(error: z.ZodError): Detail[] {
    return error.issues.map((i) => ({
        path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
        message: isServerMessageKey(i.message) ? {key: i.message, values: messageValues[i.message]} : i.message,
    }));
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
    const r = schema.safeParse(body);
    if (!r.success) {
        throw new HttpError(400, {key: 'api.invalidBody'}, detailsOf(r.error));
    }
    return r.data;
}

const limitText = (limit: number): Text => ({key: 'api.limit', values: {limit}});

/** Normalises, drops duplicates (first one kept), and enforces the per-channel limit. */
function toStored(words: string[], limit: number): StoredWord[] {
    const seen = new Set<string>();
    const out: StoredWord[] = [];
    for (const word of words) {
        const key = normalizeWord(word);
        if (!seen.has(key)) {
            seen.add(key);
            out.push({word, key});
        }
    }
    if (out.length > limit) {
        throw new HttpError(422, limitText(limit), [{path: ['words'], message: limitText(limit)}]);
    }
    return out;
}

const wrap =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction): void => {
        fn(req, res).catch(next);
    };

export function alertsRouter(deps: HttpDeps): express.Router {
    const {host, log, store, snooze, settings} = deps;
    const wordsSet = deps.wordsSet ?? (() => {});
    const router = express.Router();

    router.use((req, res, next) => {
        const userId = req.get('Mattermost-User-Id');
        // The server sets a user id or nothing; anything else (which the store would refuse as a key) is no session.
        if (!userId || !mattermostId.test(userId)) {
            next(new HttpError(401, {key: 'api.notLoggedIn'}));
            return;
        }
        res.locals.userId = userId;
        next();
    });
    router.use(express.json({limit: '16kb', strict: true}));

    /** Resolves the channel id and checks the caller may use it. */
    async function channelOf(req: Request, res: Response): Promise<{userId: string; channelId: string}> {
        const userId = callerOf(res);
        const id = channelIdSchema.safeParse(req.params.channelId);
        if (!id.success) {
            throw new HttpError(400, {key: 'api.invalidChannelId'}, detailsOf(id.error).map((d) => ({...d, path: ['channelId']})));
        }
        const channelId = id.data;
        try {
            await host.getChannel(channelId);
        } catch (err) {
            if (isNotFound(err)) {
                throw new HttpError(404, {key: 'api.channelNotFound'});
            }
            throw err;
        }
        if (!(await isChannelMember(host, channelId, userId))) {
            throw new HttpError(403, {key: 'api.notMember'});
        }
        return {userId, channelId};
    }

    async function channelWords(channelId: string, userId: string, words?: StoredWord[]): Promise<Record<string, unknown>> {
        const list = words ?? (await store.getUserWords(channelId, userId));
        const s = settings();
        return {
            channel_id: channelId,
            words: list.map((w) => w.word),
            snoozed_until: await snooze.until(userId, channelId),
            limits: {max_words: s.maxWordsPerChannel, max_length: maxWordLength},
        };
    }

    router.get(
        '/channels/:channelId/words',
        wrap(async (req, res) => {
            const {userId, channelId} = await channelOf(req, res);
            res.json(await channelWords(channelId, userId));
        }),
    );

    router.put(
        '/channels/:channelId/words',
        wrap(async (req, res) => {
            const {userId, channelId} = await channelOf(req, res);
            const body = parse(putWordsBody, req.body);
            const next = toStored(body.words, settings().maxWordsPerChannel);
            const saved = await store.updateUserWords(channelId, userId, () => next);
            if (saved.length > 0) {
                wordsSet(userId);
            }
            res.json(await channelWords(channelId, userId, saved));
        }),
    );

    router.post(
        '/channels/:channelId/words',
        wrap(async (req, res) => {
            const {userId, channelId} = await channelOf(req, res);
            const {word} = parse(postWordBody, req.body);
            const key = normalizeWord(word);
            const limit = settings().maxWordsPerChannel;
            const saved = await store.updateUserWords(channelId, userId, (current) => {
                if (current.some((w) => w.key === key)) {
                    throw new HttpError(409, {key: 'api.duplicate'}, [{path: ['word'], message: {key: 'api.duplicateDetail'}}]);
                }
                if (current.length >= limit) {
                    throw new HttpError(422, limitText(limit), [{path: ['word'], message: limitText(limit)}]);
                }
                return [...current, {word, key}];
            });
            wordsSet(userId);
            res.status(201).json(await channelWords(channelId, userId, saved));
        }),
    );

    // `*word`, not `:word`: the server hands the plugin a decoded path, so "CI/CD" arrives as two segments.
    router.delete(
        '/channels/:channelId/words/*word',
        wrap(async (req, res) => {
            const {userId, channelId} = await channelOf(req, res);
            const segments = (req.params as {word?: string | string[]}).word;
            const key = normalizeWord(Array.isArray(segments) ? segments.join('/') : String(segments ?? ''));
            const saved = await store.updateUserWords(channelId, userId, (current) => {
                if (!current.some((w) => w.key === key)) {
                    throw new HttpError(404, {key: 'api.noSuchWord'});
                }
                return current.filter((w) => w.key !== key);
            });
            res.json(await channelWords(channelId, userId, saved));
        }),
    );

    router.get(
        '/words',
        wrap(async (req, res) => {
            const userId = callerOf(res);
            const channels = [];
            for (const {channelId, words} of await store.listUserChannels(userId)) {
                if (words.length === 0 || !(await isChannelMember(host, channelId, userId))) {
                    continue; // never show a channel the user can no longer read
                }
                const channel = await host.getChannel(channelId).catch(() => undefined);
                if (!channel) {
                    continue;
                }
                const team = channel.team_id ? await host.getTeam(channel.team_id).catch(() => undefined) : undefined;
                channels.push({
                    channel_id: channelId,
                    channel_name: channel.name,
                    display_name: channel.display_name,
                    team_id: channel.team_id,
                    team_name: team?.name ?? '',
                    words: words.map((w) => w.word),
                });
            }
            res.json({channels});
        }),
    );

    router.put(
        '/channels/:channelId/snooze',
        wrap(async (req, res) => {
            const {userId, channelId} = await channelOf(req, res);
            const {duration} = parse(snoozeBody, req.body);
            const user = await host.getUser(userId);
            res.locals.user = user; // an error after this is answered in the user's language without asking again
            await snooze.set(userId, channelId, duration as SnoozeDuration, userTimeZone(user));
            res.json(await channelWords(channelId, userId));
        }),
    );

    router.use((_req, _res, next) => next(new HttpError(404, {key: 'api.noSuchRoute'})));

    /**
     * The caller's strings. Only an error needs them, so the user is looked up here rather than on every
     * request: a successful call costs nothing more, a failed one a user lookup (English if that fails too).
     */
    async function callerStrings(res: Response): Promise<Translate> {
        const known = res.locals.user as {locale?: string} | undefined;
        if (known) {
            return translator(known.locale);
        }
        const userId = res.locals.userId as string | undefined;
        if (!userId) {
            return english;
        }
        return host.getUser(userId).then((user) => translator(user.locale), () => english);
    }

    // Every failure becomes {error, details}; nothing escapes as a stack trace or an HTML page.
    router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
        const e = toHttpError(err);
        if (e.status >= 500) {
            log.error('trigger words API failed', 'error', err instanceof Error ? err.message : String(err));
        }
        if (e.status === 503) {
            res.set('Retry-After', '1');
        }
        void callerStrings(res).then((tr) => {
            const say = (text: Text | string) => (typeof text === 'string' ? text : tr(text.key, text.values));
            const error = say(e.text);
            res.status(e.status).json(e.details ? {error, details: e.details.map((d) => ({path: d.path, message: say(d.message)}))} : {error});
        }).catch((failure: unknown) => {
            log.error('trigger words API could not answer', 'error', failure instanceof Error ? failure.message : String(failure));
        });
    });
    return router;
}

function toHttpError(err: unknown): HttpError {
    if (err instanceof HttpError) {
        return err;
    }
    if (err instanceof StoreUnavailableError || err instanceof ConflictError) {
        return new HttpError(503, {key: 'api.busy'});
    }
    const e = err as {type?: string; status?: number; statusCode?: number; message?: string};
    // body-parser's errors carry their HTTP status
    if (e?.type === 'entity.too.large') {
        return new HttpError(413, {key: 'api.tooLarge'});
    }
    if (e?.type === 'entity.parse.failed') {
        // The parser's own words (where the JSON broke) stay as they are, in English.
        return new HttpError(400, {key: 'api.malformedJson'}, [{path: [], message: e.message ?? 'malformed JSON'}]);
    }
    const status = e?.status ?? e?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
        // e.g. body-parser's 415 for an unknown charset, whose message names it: kept, in English
        return new HttpError(status, e.message || {key: 'api.badRequest'});
    }
    return new HttpError(500, {key: 'api.internal'});
}

function callerOf(res: Response): string {
    return String(res.locals.userId);
}

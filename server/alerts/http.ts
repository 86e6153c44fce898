// The HTTP API the webapp panel talks to (API.md). The caller is the Mattermost-User-Id header, which the
// server sets for authenticated users and strips from anything a client sends.
import express, {type NextFunction, type Request, type Response} from 'express';
import {z} from 'zod';

import type {Log} from '../mattermost/logger.js';

import {isChannelMember, isNotFound, userTimeZone, type AlertsHost} from './host.js';
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
}

interface Detail {
    path: Array<string | number>;
    message: string;
}

/** An answer other than 2xx: status, message, and details for the form that sent it. */
export class HttpError extends Error {
    constructor(readonly status: number, message: string, readonly details?: Detail[]) {
        super(message);
    }
}

const mattermostId = /^[a-z0-9]{26}$/;
const channelIdSchema = z.string().regex(mattermostId, 'must be a Mattermost channel id (26 lowercase letters and digits)');

// eslint-disable-next-line no-control-regex
const controlChars = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** A word as typed, checked: trimmed, 1–64 characters once normalised, no control characters. */
const wordSchema = z
    .string({error: 'must be a string'})
    .transform((w) => w.trim())
    .superRefine((w, ctx) => {
        if (controlChars.test(w.replace(/\u200d|\ufe0f/g, ''))) {
            // ZWJ and VS16 are kept: they are part of emoji such as 👨‍👩‍👧
            ctx.addIssue({code: 'custom', message: 'must not contain control characters or line breaks'});
            return;
        }
        const key = normalizeWord(w);
        if (key.length === 0) {
            ctx.addIssue({code: 'custom', message: 'must not be empty'});
        } else if ([...key].length > maxWordLength) {
            ctx.addIssue({code: 'custom', message: `must be at most ${maxWordLength} characters`});
        }
    });

const putWordsBody = z.object({words: z.array(wordSchema).max(1000)}).strict();
const postWordBody = z.object({word: wordSchema}).strict();
const snoozeBody = z.object({duration: z.enum(['1h', '8h', 'tomorrow', 'off'])}).strict();

function detailsOf(error: z.ZodError): Detail[] {
    return error.issues.map((i) => ({path: i.path.map((p) => (typeof p === 'number' ? p : String(p))), message: i.message}));
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
    const r = schema.safeParse(body);
    if (!r.success) {
        throw new HttpError(400, 'invalid request body', detailsOf(r.error));
    }
    return r.data;
}

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
        throw new HttpError(422, `at most ${limit} trigger words per channel`, [{path: ['words'], message: `at most ${limit} trigger words per channel`}]);
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
    const router = express.Router();

    router.use((req, res, next) => {
        const userId = req.get('Mattermost-User-Id');
        // The server sets a user id or nothing; anything else (which the store would refuse as a key) is no session.
        if (!userId || !mattermostId.test(userId)) {
            next(new HttpError(401, 'not logged in'));
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
            throw new HttpError(400, 'invalid channel id', detailsOf(id.error).map((d) => ({...d, path: ['channelId']})));
        }
        const channelId = id.data;
        try {
            await host.getChannel(channelId);
        } catch (err) {
            if (isNotFound(err)) {
                throw new HttpError(404, 'channel not found');
            }
            throw err;
        }
        if (!(await isChannelMember(host, channelId, userId))) {
            throw new HttpError(403, 'you are not a member of this channel');
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
                    throw new HttpError(409, 'you already have this trigger word here', [{path: ['word'], message: 'already in your list'}]);
                }
                if (current.length >= limit) {
                    throw new HttpError(422, `at most ${limit} trigger words per channel`, [{path: ['word'], message: `at most ${limit} trigger words per channel`}]);
                }
                return [...current, {word, key}];
            });
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
                    throw new HttpError(404, 'you have no such trigger word here');
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
            await snooze.set(userId, channelId, duration as SnoozeDuration, userTimeZone(user));
            res.json(await channelWords(channelId, userId));
        }),
    );

    router.use((_req, _res, next) => next(new HttpError(404, 'no such route')));

    // Every failure becomes {error, details}; nothing escapes as a stack trace or an HTML page.
    router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
        const e = toHttpError(err);
        if (e.status >= 500) {
            log.error('trigger words API failed', 'error', err instanceof Error ? err.message : String(err));
        }
        if (e.status === 503) {
            res.set('Retry-After', '1');
        }
        res.status(e.status).json(e.details ? {error: e.message, details: e.details} : {error: e.message});
    });
    return router;
}

function toHttpError(err: unknown): HttpError {
    if (err instanceof HttpError) {
        return err;
    }
    if (err instanceof StoreUnavailableError || err instanceof ConflictError) {
        return new HttpError(503, 'the trigger words store is busy or unavailable, please retry');
    }
    const e = err as {type?: string; status?: number; statusCode?: number; message?: string};
    // body-parser's errors carry their HTTP status
    if (e?.type === 'entity.too.large') {
        return new HttpError(413, 'request body too large (16 KiB at most)');
    }
    if (e?.type === 'entity.parse.failed') {
        return new HttpError(400, 'malformed JSON body', [{path: [], message: e.message ?? 'malformed JSON'}]);
    }
    const status = e?.status ?? e?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
        return new HttpError(status, e.message ?? 'bad request');
    }
    return new HttpError(500, 'internal error');
}

function callerOf(res: Response): string {
    return String(res.locals.userId);
}

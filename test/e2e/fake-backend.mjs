// An in-memory stand-in for the plugin's trigger words HTTP API (server/alerts/API.md), transport-free:
// handle({method, path, headers, body}) -> {status, headers, body}. The component tests wrap it as `fetch`,
// fake-api.mjs wraps it as an HTTP server for the browser test.
//
// `path` is what the plugin's ServeHTTP sees: the part after /plugins/<id>, e.g. /api/v1/words.
// The caller is the Mattermost-User-Id header, as the Mattermost server sets it.

const CHANNEL_ID = /^[a-z0-9]{26}$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const MAX_BODY = 16 * 1024;

export const HOUR = 60 * 60 * 1000;

/** Roughly the server's key (it also case-folds fully and maps emoji shortcodes); the client's own is looser. */
export function normalize(word) {
    return word.trim().normalize('NFKC').toLowerCase().replace(/\s+/g, ' ');
}

/**
 * @param {{
 *   channels: Array<{id: string, name: string, display_name: string, team_id: string, team_name: string, members: string[]}>,
 *   maxWords?: number, maxLength?: number, now?: () => number,
 * }} options
 */
export function createFakeBackend(options) {
    const maxWords = options.maxWords ?? 50;
    const maxLength = options.maxLength ?? 64;
    const now = options.now ?? (() => Date.now());
    const channels = new Map(options.channels.map((c) => [c.id, {...c, members: new Set(c.members)}]));
    /** userId -> channelId -> {words: string[], snoozedUntil: number | null} */
    const store = new Map();
    /** queued one-shot answers that replace the next matching request's */
    const overrides = [];

    const entry = (userId, channelId) => {
        let byChannel = store.get(userId);
        if (!byChannel) {
            byChannel = new Map();
            store.set(userId, byChannel);
        }
        let e = byChannel.get(channelId);
        if (!e) {
            e = {words: [], snoozedUntil: null};
            byChannel.set(channelId, e);
        }
        return e;
    };

    const json = (status, body) => ({status, headers: {'content-type': 'application/json'}, body});
    const error = (status, message, details) => json(status, details ? {error: message, details} : {error: message});
    const view = (channelId, e) => ({
        channel_id: channelId,
        words: [...e.words],
        snoozed_until: e.snoozedUntil !== null && e.snoozedUntil > now() ? e.snoozedUntil : null,
        limits: {max_words: maxWords, max_length: maxLength},
    });

    /** null when fine, else the 400 details for a word */
    const checkWord = (word, path) => {
        if (typeof word !== 'string') {
            return [{path, message: 'must be a string'}];
        }
        const trimmed = word.trim();
        if (!trimmed) {
            return [{path, message: 'must not be empty'}];
        }
        if ([...normalize(trimmed)].length > maxLength) {
            return [{path, message: `must be at most ${maxLength} characters`}];
        }
        if (CONTROL.test(trimmed)) {
            return [{path, message: 'must not contain control characters or line breaks'}];
        }
        return null;
    };

    const parseBody = (body) => {
        if (body === undefined || body === '') {
            return {ok: false, res: error(400, 'malformed JSON body', [{path: [], message: 'empty body'}])};
        }
        if (body.length > MAX_BODY) {
            return {ok: false, res: error(413, 'request body too large (16 KiB at most)')};
        }
        try {
            const value = JSON.parse(body);
            return {ok: true, value};
        } catch {
            return {ok: false, res: error(400, 'malformed JSON body', [{path: [], message: 'malformed JSON'}])};
        }
    };

    function route(method, path, userId, body) {
        let m;
        if (method === 'GET' && path === '/api/v1/words') {
            const out = [];
            const byChannel = store.get(userId) ?? new Map();
            for (const [channelId, e] of byChannel) {
                const c = channels.get(channelId);
                if (!c || !c.members.has(userId) || e.words.length === 0) {
                    continue;
                }
                out.push({
                    channel_id: c.id, channel_name: c.name, display_name: c.display_name,
                    team_id: c.team_id, team_name: c.team_name, words: [...e.words],
                });
            }
            return json(200, {channels: out});
        }
        m = /^\/api\/v1\/channels\/([^/]*)\/(words|snooze)(?:\/([^/]*))?$/.exec(path);
        if (!m) {
            return error(404, 'no such route');
        }
        const [, rawChannel, what, rawWord] = m;
        const channelId = decodeURIComponent(rawChannel);
        if (!CHANNEL_ID.test(channelId)) {
            return error(400, 'invalid channel id', [{path: ['channelId'], message: 'must be a Mattermost channel id (26 lowercase letters and digits)'}]);
        }
        const c = channels.get(channelId);
        if (!c) {
            return error(404, 'channel not found');
        }
        if (!c.members.has(userId)) {
            return error(403, 'you are not a member of this channel');
        }
        const e = entry(userId, channelId);

        if (what === 'snooze' && rawWord === undefined && method === 'PUT') {
            const parsed = parseBody(body);
            if (!parsed.ok) {
                return parsed.res;
            }
            const d = parsed.value?.duration;
            if (!['1h', '8h', 'tomorrow', 'off'].includes(d)) {
                return error(400, 'invalid request body', [{path: ['duration'], message: 'Invalid option: expected one of "1h"|"8h"|"tomorrow"|"off"'}]);
            }
            const t = now();
            if (d === 'off') {
                e.snoozedUntil = null;
            } else if (d === '1h') {
                e.snoozedUntil = t + HOUR;
            } else if (d === '8h') {
                e.snoozedUntil = t + 8 * HOUR;
            } else {
                // 09:00 the next day; users here have no timezone set, so UTC
                const day = new Date(t);
                e.snoozedUntil = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 1, 9);
            }
            return json(200, view(channelId, e));
        }
        if (what !== 'words') {
            return error(404, 'no such route');
        }
        if (rawWord !== undefined) {
            if (method !== 'DELETE') {
                return error(404, 'no such route');
            }
            const key = normalize(decodeURIComponent(rawWord));
            const i = e.words.findIndex((w) => normalize(w) === key);
            if (i < 0) {
                return error(404, 'you have no such trigger word here');
            }
            e.words.splice(i, 1);
            return json(200, view(channelId, e));
        }
        if (method === 'GET') {
            return json(200, view(channelId, e));
        }
        if (method === 'POST') {
            const parsed = parseBody(body);
            if (!parsed.ok) {
                return parsed.res;
            }
            const word = parsed.value?.word;
            const details = checkWord(word, ['word']);
            if (details) {
                return error(400, 'invalid request body', details);
            }
            const trimmed = word.trim();
            if (e.words.some((w) => normalize(w) === normalize(trimmed))) {
                return error(409, 'you already have this trigger word here', [{path: ['word'], message: 'already in your list'}]);
            }
            if (e.words.length >= maxWords) {
                return error(422, `at most ${maxWords} trigger words per channel`, [{path: ['word'], message: `at most ${maxWords} trigger words per channel`}]);
            }
            e.words.push(trimmed);
            return json(201, view(channelId, e));
        }
        if (method === 'PUT') {
            const parsed = parseBody(body);
            if (!parsed.ok) {
                return parsed.res;
            }
            const words = parsed.value?.words;
            if (!Array.isArray(words)) {
                return error(400, 'invalid request body', [{path: ['words'], message: 'Invalid input: expected array, received ' + typeof words}]);
            }
            const details = words.flatMap((w, i) => checkWord(w, ['words', i]) ?? []);
            if (details.length) {
                return error(400, 'invalid request body', details);
            }
            const seen = new Set();
            const next = [];
            for (const w of words) {
                const k = normalize(w);
                if (!seen.has(k)) {
                    seen.add(k);
                    next.push(w.trim());
                }
            }
            if (next.length > maxWords) {
                return error(422, `at most ${maxWords} trigger words per channel`, [{path: ['words'], message: `at most ${maxWords} trigger words per channel`}]);
            }
            e.words = next;
            return json(200, view(channelId, e));
        }
        return error(404, 'no such route');
    }

    return {
        /**
         * @param {{method: string, path: string, headers: Record<string, string | undefined>, body?: string}} req
         * headers with lower-case names
         */
        handle(req) {
            const i = overrides.findIndex((o) => o.method === req.method && o.path.test(req.path));
            if (i >= 0) {
                const [o] = overrides.splice(i, 1);
                return json(o.status, o.body);
            }
            const userId = req.headers['mattermost-user-id'];
            if (!userId) {
                return error(401, 'not logged in');
            }
            return route(req.method, req.path, userId, req.body);
        },
        /** The next request with this method and a path matching `path` gets this answer instead. */
        failNext(method, path, status, body) {
            overrides.push({method, path, status, body});
        },
        /** Test set-up: gives a user words in a channel directly. */
        seed(userId, channelId, words, snoozedUntil = null) {
            const e = entry(userId, channelId);
            e.words = [...words];
            e.snoozedUntil = snoozedUntil;
        },
        words(userId, channelId) {
            return [...(store.get(userId)?.get(channelId)?.words ?? [])];
        },
        limits: {maxWords, maxLength},
    };
}

/** Plays the Mattermost server's part for a cookie session: X-Requested-With, and the CSRF token on writes. */
export function checkSession({method, headers, csrfToken}) {
    if (headers['x-requested-with'] !== 'XMLHttpRequest') {
        return {status: 401, headers: {'content-type': 'application/json'}, body: {error: 'missing X-Requested-With'}};
    }
    if (method !== 'GET' && headers['x-csrf-token'] !== csrfToken) {
        return {status: 401, headers: {'content-type': 'application/json'}, body: {error: 'Token validation failed'}};
    }
    return null;
}

/** Fixed demo channels (ids in Mattermost's 26-character shape). */
export const DEMO_USER = 'uuuuuuuuuuuuuuuuuuuuuuuuu1';
export const DEMO_CHANNELS = [
    {id: 'townsquare0000000000000001', name: 'town-square', display_name: 'Town Square', team_id: 'team00000000000000000000a1', team_name: 'acme', members: [DEMO_USER]},
    {id: 'incidents00000000000000001', name: 'incidents', display_name: 'Incidents', team_id: 'team00000000000000000000a1', team_name: 'acme', members: [DEMO_USER]},
    {id: 'secret00000000000000000001', name: 'secret', display_name: 'Secret', team_id: 'team00000000000000000000a1', team_name: 'acme', members: []},
];

// Client4 from @mattermost/client, keeping the HTTP status of every failed request. Client4 takes the
// status from the body of a Mattermost error (AppError JSON) only, so a 413 page from a proxy in front of
// the server, or the plain-text 400 that older servers write for an oversized upload, would reach us as an
// error without a status.
import {Client4, ClientError} from '@mattermost/client';
import type {Options} from '@mattermost/types/client4';

/** A request the server (or a proxy in front of it) answered with an error status. */
export class HttpError extends Error {
    constructor(
        readonly status: number,
        /** The AppError id, '' when the body is not a Mattermost error. */
        readonly id: string,
        /** The AppError message, or the start of a non-JSON body. */
        readonly serverMessage: string,
        readonly url: string,
    ) {
        super(`HTTP ${status}${id ? ` ${id}` : ''}${serverMessage ? `: ${serverMessage}` : ''}`);
        this.name = 'HttpError';
    }
}

export class DeployClient extends Client4 {
    private versionId = '';

    /** The last X-Version-Id the server sent ("<version>.<build>.<hash>.<licensed>"), '' if none yet. */
    serverVersionId(): string {
        // login goes through Client4's own fetch, which keeps the header as serverVersion
        return this.versionId || this.getServerVersion();
    }

    protected override doFetch = async <T>(url: string, options: Options): Promise<T> => {
        const response = await fetch(url, this.getOptions(options));
        this.versionId = response.headers.get('X-Version-Id') ?? this.versionId;
        const text = await response.text();
        const body = parseJSON(text);
        if (!response.ok) {
            const appError = isObject(body) ? body : {};
            const id = typeof appError.id === 'string' ? appError.id : '';
            const message = typeof appError.message === 'string' ? appError.message : oneLine(text);
            throw new HttpError(response.status, id, oneLine(message), url);
        }
        return body as T;
    };
}

/** The HTTP status of a failed Client4 call, whichever path it took (login goes through Client4's own). */
export function statusOf(err: unknown): number | undefined {
    if (err instanceof HttpError) {
        return err.status;
    }
    if (err instanceof ClientError && typeof err.status_code === 'number') {
        return err.status_code;
    }
    return undefined;
}

/** The server's error id and message of a failed call, for a one-line report. */
export function serverErrorOf(err: unknown): {id: string; message: string} {
    if (err instanceof HttpError) {
        return {id: err.id, message: err.serverMessage};
    }
    if (err instanceof ClientError) {
        return {id: err.server_error_id ?? '', message: oneLine(err.message)};
    }
    return {id: '', message: oneLine(err instanceof Error ? err.message : String(err))};
}

/** The system error code of a request that never got an answer (ECONNREFUSED, ENOTFOUND...). */
export function networkErrorOf(err: unknown): string | undefined {
    if (!(err instanceof TypeError)) {
        return undefined;
    }
    // undici's fetch: TypeError('fetch failed') whose cause is the socket error.
    if (err.message !== 'fetch failed') {
        return undefined;
    }
    let cause: unknown = err.cause;
    for (let depth = 0; depth < 3 && isObject(cause); depth++) {
        if (typeof cause.code === 'string') {
            return cause.code;
        }
        if (!isObject(cause.cause) && typeof cause.message === 'string') {
            return oneLine(cause.message, 80);
        }
        cause = cause.cause;
    }
    return 'no answer';
}

function parseJSON(text: string): unknown {
    if (text === '') {
        return undefined;
    }
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null;
}

/** Server text in a one-line report: no markup, no line breaks, not too long. */
export function oneLine(text: string, max = 160): string {
    const flat = text
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
    return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

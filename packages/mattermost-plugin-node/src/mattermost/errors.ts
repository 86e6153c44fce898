// Errors that cross the plugin boundary. Go sends `*model.AppError` as-is and every other error as
// `*plugin.ErrorString{Code, Err}`; we surface both as typed exceptions and encode ours back the same way.
import {GoInterface} from '../transport/gob/index.js';

import {modelType} from './models.js';

/** A `*model.AppError`: Mattermost's application error, with an HTTP status code. */
export class AppError extends Error {
    override readonly name = 'AppError';
    readonly id: string;
    readonly detailedError: string;
    readonly statusCode: number;
    readonly where: string;
    readonly requestId: string;
    /**
     * The server shows `message` as is instead of looking `id` up in its translations. An id the server
     * does not know would otherwise replace the message with the bare id (AppError.Translate).
     */
    readonly skipTranslation: boolean;

    constructor(fields: {
        id: string;
        message: string;
        detailedError?: string;
        statusCode?: number;
        where?: string;
        requestId?: string;
        skipTranslation?: boolean;
    }) {
        super(fields.message || fields.id);
        this.id = fields.id;
        this.detailedError = fields.detailedError ?? '';
        this.statusCode = fields.statusCode ?? 0;
        this.where = fields.where ?? '';
        this.requestId = fields.requestId ?? '';
        this.skipTranslation = fields.skipTranslation ?? false;
    }

    /** Go's AppError.Error(): "Where: Message, DetailedError". */
    override toString(): string {
        let s = this.where ? `${this.where}: ${this.message}` : this.message;
        if (this.detailedError) {
            s += `, ${this.detailedError}`;
        }
        return s;
    }

    get isNotFound(): boolean {
        return this.statusCode === 404;
    }
}

/** Any other Go error that came back from the host (`*plugin.ErrorString`). */
export class PluginApiError extends Error {
    override readonly name = 'PluginApiError';
    constructor(message: string, readonly code: number = 0) {
        super(message);
    }
}

interface GoAppError {
    Id?: string;
    Message?: string;
    DetailedError?: string;
    RequestId?: string;
    StatusCode?: number;
    Where?: string;
    SkipTranslation?: boolean;
}

export function appErrorFromGo(value: unknown): AppError | undefined {
    if (typeof value !== 'object' || value === null) {
        return undefined;
    }
    const e = value as GoAppError;
    return new AppError({
        id: e.Id ?? '',
        message: e.Message ?? '',
        detailedError: e.DetailedError,
        statusCode: Number(e.StatusCode ?? 0),
        where: e.Where,
        requestId: e.RequestId,
        skipTranslation: e.SkipTranslation === true,
    });
}

/** Decodes an `error`-typed reply field (a gob interface). */
export function errorFromGo(value: unknown): Error | undefined {
    if (!(value instanceof GoInterface)) {
        return undefined;
    }
    if (value.name === '*model.AppError') {
        return appErrorFromGo(value.value);
    }
    const inner = value.value as {Err?: string; Code?: number} | null;
    if (inner && typeof inner === 'object') {
        return new PluginApiError(inner.Err ?? 'unknown error', Number(inner.Code ?? 0));
    }
    return new PluginApiError(`${value.name} error`);
}

export function appErrorToGo(err: AppError): Record<string, unknown> {
    return {
        Id: err.id,
        Message: err.message,
        DetailedError: err.detailedError,
        RequestId: err.requestId,
        StatusCode: err.statusCode,
        Where: err.where,
        SkipTranslation: err.skipTranslation,
    };
}

/** Encodes a thrown value for an `error`-typed reply field, the way Go's encodableError does. */
export function errorToGo(err: unknown): GoInterface | undefined {
    if (err === undefined || err === null) {
        return undefined;
    }
    if (err instanceof AppError) {
        return new GoInterface('*model.AppError', appErrorToGo(err), modelType('AppError'));
    }
    const message = err instanceof Error ? err.message : String(err);
    return new GoInterface('*plugin.ErrorString', {Code: 0, Err: message}, modelType('PluginErrorString'));
}

/**
 * The connected server has no such API method (an older server than the plugin was written for): net/rpc
 * answers "rpc: can't find method Plugin.X", or the server's glue "API X called but not implemented".
 */
export class NotSupportedError extends Error {
    override readonly name = 'NotSupportedError';
    constructor(
        readonly method: string,
        readonly serverVersion: string,
    ) {
        super(`the plugin API method ${method} is not supported by this server (Mattermost ${serverVersion || 'of unknown version'})`);
    }
}

const missingMethod = [/^rpc: can't find method Plugin\.(\w+)$/, /^API (\w+) called but not implemented\.?$/];

/** The method a net/rpc error reply says the server lacks, if that is what it says. */
export function missingMethodOf(message: string): string | undefined {
    for (const re of missingMethod) {
        const m = re.exec(message);
        if (m) {
            return m[1];
        }
    }
    return undefined;
}

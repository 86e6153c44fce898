/**
 * The single error type of the gob layer. Callers (net/rpc, tests) can rely on every failure
 * caused by bad input or unencodable values being a GobError, never a TypeError or RangeError.
 */
export class GobError extends Error {
    override readonly name = 'GobError';

    constructor(message: string, options?: {cause?: unknown}) {
        super(message.startsWith('gob: ') ? message : 'gob: ' + message, options);
    }
}

const ELIDED = '...';

/**
 * Encoding errors are raised deep inside compiled field encoders, which do not know where they are.
 * The struct encoder catches them and prepends the field name, so the final message reads like
 * `gob: encode Request.Seq: ...` without paying for path tracking on the happy path.
 */
export class GobEncodeError extends GobError {
    constructor(
        readonly detail: string,
        readonly path: readonly string[] = [],
    ) {
        super(path.length > 0 ? `encode ${joinPath(path)}: ${detail}` : `encode: ${detail}`);
    }

    within(segment: string): GobEncodeError {
        // Cyclic values fail a thousand levels down; keep the message readable.
        const rest = this.path.length >= 16 ? [ELIDED, ...this.path.slice(-8)] : this.path;
        return new GobEncodeError(this.detail, [segment, ...rest]);
    }
}

function joinPath(path: readonly string[]): string {
    let out = '';
    for (const seg of path) {
        if (seg === ELIDED) out += ' ... ';
        else out += out === '' || out.endsWith(' ') || seg.startsWith('[') ? seg : '.' + seg;
    }
    return out;
}

export function describeValue(v: unknown): string {
    if (v === null) return 'null';
    if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
    if (Array.isArray(v)) return `array(${v.length})`;
    switch (typeof v) {
        case 'string':
            return v.length > 40 ? `string "${v.slice(0, 40)}..."` : `string ${JSON.stringify(v)}`;
        case 'number':
        case 'boolean':
            return `${typeof v} ${String(v)}`;
        case 'bigint':
            return `bigint ${v}n`;
        case 'object': {
            const ctor = (v as {constructor?: {name?: unknown}}).constructor;
            return typeof ctor?.name === 'string' && ctor.name !== 'Object' ? `object ${ctor.name}` : 'object';
        }
        default:
            return typeof v;
    }
}
